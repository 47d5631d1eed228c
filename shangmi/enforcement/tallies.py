"""Enforcement figures of a region for a year: demands, clues, cases, transfers and their
outcomes, fines, handling time and overdue steps, per child region (a city's row rolls up its
districts) with a total row, against the region's case target.

Every count reads through the reader's scope (``restrict``): a reader never counts a row they
may not open. The year is China's: demands, clues and cases by the program date they carry
(filed, received, opened, decided, closed on), transfers by the moment they were sent, within
``year_bounds``. The query count does not grow with the rows: the children, then one grouped
query per model (demands, clues, cases, transfers).

The targets app counts demonstration titles and coaching only; no case target exists, so the
target column says so rather than invent one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from shangmi.core.calendar import program_date, program_today, year_bounds
from shangmi.core.scoping import VIEW
from shangmi.enforcement.models import Case, Clue, Demand, Transfer
from shangmi.regions.models import Region
from shangmi.regions.paths import child_code_sql

# A transfer's outcome by its status: the organ accepted it, refused it (also while the
# refusal is reconsidered or supervised: it stands until the organ says otherwise), or has not
# yet answered (sent, receipt signed). One proposed and not yet sent is not a transfer made.
ACCEPTED = (Transfer.Status.ACCEPTED,)
REFUSED = (
    Transfer.Status.REFUSED,
    Transfer.Status.RECONSIDERATION,
    Transfer.Status.UPHELD,
    Transfer.Status.SUPERVISION,
)
PENDING = (Transfer.Status.SENT, Transfer.Status.RECEIVED)


@dataclass
class FigureRow:
    label: str
    region: Region | None
    is_total: bool = False
    demands: int = 0
    clues: int = 0
    cases: int = 0
    transfers: int = 0
    accepted: int = 0
    refused: int = 0
    pending: int = 0
    fines: Decimal = Decimal(0)
    closed: int = 0
    handling: datetime.timedelta = field(default_factory=datetime.timedelta)
    overdue: int = 0

    @property
    def average_days(self) -> Decimal | None:
        """Average days from opening to closing of the cases closed in the year (None: none closed)."""
        if not self.closed:
            return None
        return (Decimal(self.handling.days) / self.closed).quantize(Decimal("0.1"))

    def add(self, other: FigureRow) -> None:
        for name in NUMBERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


NUMBERS = ("demands", "clues", "cases", "transfers", "accepted", "refused", "pending", "fines", "closed",
           "handling", "overdue")  # fmt: skip


@dataclass
class CaseFigures:
    region: Region
    year: int
    rows: list[FigureRow]
    total: FigureRow
    # No case target exists in the targets app (see the module's docstring).
    target: int | None = None

    @property
    def lines(self) -> list[FigureRow]:
        """The rows and, under a region with children, the total row."""
        return self.rows if self.total is self.rows[0] else [*self.rows, self.total]


def _year_days(year: int) -> tuple[datetime.date, datetime.date]:
    start, end = year_bounds(year)
    return program_date(start), program_date(end)


def _grouped(rows: QuerySet[Any], region: Region, path: str, **measures: Any) -> dict[str, dict[str, Any]]:
    grouped = (
        rows.filter(**{f"{path}__subtree": region.path})
        .annotate(row=child_code_sql(region, path))
        .values("row")
        .annotate(**measures)
        .order_by()
    )
    return {r["row"]: r for r in grouped}


def case_figures(region: Region, year: int, *, reader: Any) -> CaseFigures:
    """``region``'s children (or ``region`` alone, for a district) in ``year``, as ``reader`` sees them."""
    first, after = _year_days(year)
    start, end = year_bounds(year)
    today = program_today()
    children = list(Region.objects.filter(parent=region).order_by("code"))

    demands = _grouped(
        Demand.objects.restrict(reader, VIEW).filter(filed_on__gte=first, filed_on__lt=after),
        region, "region__path", n=Count("pk"),
    )  # fmt: skip
    clues = _grouped(
        Clue.objects.restrict(reader, VIEW).filter(received_on__gte=first, received_on__lt=after),
        region, "region__path", n=Count("pk"),
    )  # fmt: skip
    opened = Q(opened_on__gte=first, opened_on__lt=after)
    fined = Q(decision=Case.Decision.PENALTY, decided_on__gte=first, decided_on__lt=after)
    closed = Q(closed_on__gte=first, closed_on__lt=after)
    overdue = Q(closed_on__isnull=True, step_due__lt=today)
    cases = _grouped(
        Case.objects.restrict(reader, VIEW).filter(opened | fined | closed | overdue),
        region, "region__path",
        cases=Count("pk", filter=opened),
        fines=Sum("fine", filter=fined),
        closed=Count("pk", filter=closed),
        handling=Sum(ExpressionWrapper(F("closed_on") - F("opened_on"), output_field=DurationField()), filter=closed),
        overdue=Count("pk", filter=overdue),
    )  # fmt: skip
    transfers = _grouped(
        Transfer.objects.restrict(reader, VIEW).filter(sent_at__gte=start, sent_at__lt=end),
        region, "case__region__path",
        transfers=Count("pk"),
        accepted=Count("pk", filter=Q(status__in=ACCEPTED)),
        refused=Count("pk", filter=Q(status__in=REFUSED)),
        pending=Count("pk", filter=Q(status__in=PENDING)),
    )  # fmt: skip

    def row(code: str, label: str, of: Region | None) -> FigureRow:
        figures = FigureRow(label=label, region=of)
        figures.demands = demands.get(code, {}).get("n", 0)
        figures.clues = clues.get(code, {}).get("n", 0)
        case = cases.get(code, {})
        for name in ("cases", "closed", "overdue"):
            setattr(figures, name, case.get(name) or 0)
        figures.fines = case.get("fines") or Decimal(0)
        figures.handling = case.get("handling") or datetime.timedelta()
        sent = transfers.get(code, {})
        for name in ("transfers", "accepted", "refused", "pending"):
            setattr(figures, name, sent.get(name) or 0)
        return figures

    if not children:
        # A district: its own row is the whole table.
        own = row("", region.name, region)
        return CaseFigures(region=region, year=year, rows=[own], total=own)
    rows = [row(child.code, child.name, child) for child in children]
    itself = row("", _("%(region)s (itself)") % {"region": region.name}, None)
    if any(getattr(itself, name) for name in NUMBERS):
        # Rows filed at the city itself (not in one of its districts) get a row of their own.
        rows.insert(0, itself)
    total = FigureRow(label=_("Total"), region=region, is_total=True)
    for each in rows:
        total.add(each)
    return CaseFigures(region=region, year=year, rows=rows, total=total)


def header() -> list[str]:
    """The table's columns, the page's and the export's alike."""
    return [_("Region"), _("Demands filed"), _("Clues received"), _("Cases opened"), _("Transfers sent"),
            _("Accepted"), _("Refused"), _("Awaiting the organ"), _("Fines decided (yuan)"),
            _("Average handling time (days)"), _("Overdue steps now"), _("Case target")]  # fmt: skip


def cells(row: FigureRow, figures: CaseFigures) -> list[Any]:
    """A row's cells as the page shows and the export writes them (numbers stay numbers)."""
    average = row.average_days
    target: Any = figures.target if figures.target is not None else _("no target")
    return [row.label, row.demands, row.clues, row.cases, row.transfers, row.accepted, row.refused, row.pending,
            row.fines.quantize(Decimal("0.01")), average if average is not None else "—", row.overdue,
            target]  # fmt: skip


def figures_export(figures: CaseFigures, target: Any) -> None:
    from shangmi.core.xlsx import new_workbook

    workbook = new_workbook(target)
    sheet = workbook.add_worksheet(str(figures.year))
    sheet.write_row(0, 0, header())
    for number, row in enumerate(figures.lines, start=1):
        sheet.write_row(number, 0, [float(v) if isinstance(v, Decimal) else v for v in cells(row, figures)])
    workbook.close()
