"""Reads that derive what the records imply: a carrier's copies and who holds them (from its
log), and a departing person's handover list (from the circles of knowledge and the logs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from shangmi.core.scoping import restricted
from shangmi.protection.models import Agreement, Carrier, CarrierEvent, Person, SecretPoint

Kind = CarrierEvent.Kind
OUT = (Kind.BORROW, Kind.COPY)


def _sum(kind: str | tuple[str, ...], prefix: str = "events__") -> Any:
    kinds = (kind,) if isinstance(kind, str) else kind
    total = Sum(f"{prefix}copies", filter=Q(**{f"{prefix}kind__in": kinds}))
    return Coalesce(total, Value(0), output_field=IntegerField())


def with_copies(carriers: QuerySet[Carrier]) -> QuerySet[Carrier]:
    """Each carrier with ``current`` (registered + copied - destroyed) and ``out`` (held by
    borrowers: borrowed + copied - returned), one query for the page."""
    return carriers.annotate(
        current=F("copies") + _sum(Kind.COPY) - _sum(Kind.DESTROY),
        out=_sum(OUT) - _sum(Kind.RETURN),
    )


@dataclass
class CarrierState:
    current: int
    holders: dict[int, int] = field(default_factory=dict)  # person id -> copies held

    @property
    def out(self) -> int:
        return sum(self.holders.values())

    @property
    def in_custody(self) -> int:
        return self.current - self.out

    @property
    def destroyed(self) -> bool:
        return self.current <= 0


def carrier_state(carrier: Carrier) -> CarrierState:
    """The copies a carrier has now and who holds them, from its log."""
    totals = carrier.events.aggregate(copied=_sum(Kind.COPY, ""), destroyed=_sum(Kind.DESTROY, ""))
    holders: dict[int, int] = {}
    rows = (
        carrier.events.filter(person__isnull=False, kind__in=(*OUT, Kind.RETURN))
        .values("person")
        .annotate(taken=_sum(OUT, ""), returned=_sum(Kind.RETURN, ""))
    )
    for row in rows:
        held = row["taken"] - row["returned"]
        if held > 0:
            holders[row["person"]] = held
    return CarrierState(current=carrier.copies + totals["copied"] - totals["destroyed"], holders=holders)


@dataclass(frozen=True)
class Handover:
    """What a departing person hands over (离职交接清单)."""

    person: Person
    secret_points: list[SecretPoint]  # in the circle of knowledge, still secret
    kept: list[Carrier]  # in their custody, not destroyed
    held: list[tuple[Carrier, int]]  # borrowed or copied and not returned: (carrier, copies)
    agreements: list[Agreement]  # in force on the day or later: the duties that continue


def handover(user: Any, person: Person, on: Any) -> Handover:
    """The handover list of ``person`` as ``user`` may read it (the enterprise's admins read it all)."""
    points = (
        restricted(SecretPoint, user)
        .filter(circle=person, status__in=(SecretPoint.Status.PROPOSED, SecretPoint.Status.FILED))
        .order_by("-grade", "name", "pk")
    )
    carriers = restricted(Carrier, user)
    kept = [
        carrier
        for carrier in with_copies(carriers.filter(custodian=person)).order_by("name", "pk")
        if carrier.current > 0  # type: ignore[attr-defined]  # annotated by with_copies
    ]
    taken = (
        CarrierEvent.objects.filter(person=person, carrier__in=carriers.values("pk"))
        .values("carrier")
        .annotate(taken=_sum(OUT, ""), returned=_sum(Kind.RETURN, ""))
    )
    held_copies = {row["carrier"]: row["taken"] - row["returned"] for row in taken}
    held_rows = Carrier.objects.filter(pk__in=[pk for pk, n in held_copies.items() if n > 0]).order_by("name", "pk")
    agreements = (
        restricted(Agreement, user)
        .filter(person=person)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .order_by("kind", "starts_on")
    )
    return Handover(
        person=person,
        secret_points=list(points),
        kept=kept,
        held=[(carrier, held_copies[carrier.pk]) for carrier in held_rows],
        agreements=list(agreements),
    )


def count_secret_points(people: QuerySet[Person]) -> QuerySet[Person]:
    live = Q(secret_points__status__in=(SecretPoint.Status.PROPOSED, SecretPoint.Status.FILED))
    return people.annotate(known=Count("secret_points", filter=live, distinct=True))
