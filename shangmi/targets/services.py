"""Writes to targets, programs and coaching lists, and the vocabulary they share.

Views, the import, the command and tests all call these plain functions. Every write is
re-checked against the writer's scope inside its transaction (``ensure_in_scope``), so a
row placed outside the writer's region rolls back whatever the form allowed.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db import models, transaction
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from shangmi.core.errors import AppError, Message
from shangmi.core.scoping import ADD, CHANGE, DELETE, VIEW, ensure_in_scope, may, regions_in_scope
from shangmi.core.scoping import region_in_scope as core_region_in_scope
from shangmi.creation.models import DemoType, Level
from shangmi.enterprises.models import Enterprise
from shangmi.enterprises.uscc import normalise_uscc
from shangmi.regions.models import Region
from shangmi.targets.models import CoachingEnrolment, Metric, Target, TargetProgram

# Highest level first: the order levels are stored in ("municipal,county") and shown in.
LEVEL_ORDER: tuple[str, ...] = tuple(Level.values)
DEMO_TYPE_ORDER: tuple[str, ...] = (DemoType.ZONE, DemoType.BASE, DemoType.UNIT, DemoType.STATION)

# The words of the Shaoxing table (seed 003): its headers are these pieces put together,
# e.g. 市、县级 + 商业秘密保护 + 示范站(点). The import reads them, the export writes them.
LEVEL_ZH: dict[str, str] = {
    Level.NATIONAL: "国家",
    Level.PROVINCIAL: "省",
    Level.MUNICIPAL: "市",
    Level.COUNTY: "县",
}
DEMO_TYPE_ZH: dict[str, str] = {
    DemoType.ZONE: "示范区",
    DemoType.BASE: "示范基地",
    DemoType.UNIT: "示范单位",
    DemoType.STATION: "示范站(点)",
}
COACHING_ZH = "企业商业秘密保护专项辅导"


# --- Refusals ----------------------------------------------------------------------------------

UNKNOWN_LEVEL = Message("target_unknown_level", gettext_lazy("Unknown level: %(codes)s."))
DEMO_TYPE_REQUIRED = Message(
    "target_demo_type_required", gettext_lazy("Choose the demonstration type this target counts.")
)
LEVELS_REQUIRED = Message("target_levels_required", gettext_lazy("Choose at least one level."))
TARGET_EXISTS = Message(
    "target_exists", gettext_lazy("%(region)s already has this target for %(year)d: edit that one instead.")
)
SHARE_NOT_WHOLE = Message(
    "target_share_not_whole",
    gettext_lazy("“%(value)s” is not a whole percentage: write the yearly shares like 20, 40, 40."),
)
SHARE_NEGATIVE = Message("target_share_negative", gettext_lazy("A yearly share cannot be negative (%(value)d)."))
SHARES_MISSING = Message("target_shares_missing", gettext_lazy("Give at least one yearly share, like 20, 40, 40."))
SHARES_NOT_100 = Message(
    "target_shares_not_100", gettext_lazy("The yearly shares add up to %(sum)d%%; they must add up to 100%%.")
)
YEAR_TAKEN = Message(
    "target_program_year_taken",
    gettext_lazy(
        "%(region)s already has a target for %(column)s in %(year)d that is not part of this "
        "program: edit or delete it first."
    ),
)
ALREADY_COACHED = Message(
    "target_already_coached", gettext_lazy("%(name)s is already on the coaching list of %(year)d.")
)


# --- Columns: what a target counts ----------------------------------------------------------


def normalise_levels(codes: Iterable[str] | str) -> str:
    """Level codes as stored: known codes only, each once, highest level first."""
    if isinstance(codes, str):
        codes = codes.split(",")
    wanted = {code.strip() for code in codes if code and code.strip()}
    unknown = wanted - set(LEVEL_ORDER)
    if unknown:
        raise AppError(UNKNOWN_LEVEL, field="levels", codes=", ".join(sorted(unknown)))
    return ",".join(code for code in LEVEL_ORDER if code in wanted)


@dataclass(frozen=True)
class Column:
    """One kind of target: a column of the Shaoxing table (metric x type x levels)."""

    metric: str
    demo_type: str = ""
    levels: str = ""

    @classmethod
    def of(cls, target: Target | TargetProgram) -> Column:
        return cls(target.metric, target.demo_type, target.levels)

    @property
    def is_coaching(self) -> bool:
        return self.metric == Metric.COACHING

    @property
    def level_list(self) -> list[str]:
        return [code for code in self.levels.split(",") if code]

    @property
    def sort_key(self) -> tuple[int, int, int]:
        if self.is_coaching:
            return (1, 0, 0)
        levels = self.level_list
        first_level = LEVEL_ORDER.index(levels[0]) if levels else len(LEVEL_ORDER)
        type_rank = DEMO_TYPE_ORDER.index(self.demo_type) if self.demo_type in DEMO_TYPE_ORDER else 9
        # Seed 003's order: provincial before municipal; within a level, zone before station.
        return (0, first_level, type_rank)

    @property
    def label(self) -> str:
        if self.is_coaching:
            return str(Metric.COACHING.label)
        # Chinese lists levels with 、, English with a comma.
        separator = "、" if (get_language() or "").startswith("zh") else ", "
        levels = separator.join(str(Level(code).label) for code in self.level_list)
        kind = str(DemoType(self.demo_type).label) if self.demo_type in DemoType.values else _("Demonstration titles")
        return _("%(type)s (%(levels)s)") % {"type": kind, "levels": levels} if levels else kind

    @property
    def label_zh(self) -> str:
        """The header as the Shaoxing table writes it (省级商业秘密保护示范区, 市、县级…)."""
        if self.is_coaching:
            return COACHING_ZH
        words = [LEVEL_ZH[code] for code in self.level_list]
        levels = "、".join(words) + "级" if words else ""
        return f"{levels}商业秘密保护{DEMO_TYPE_ZH.get(self.demo_type, '示范单位')}"

    def target_filter(self) -> dict[str, str]:
        return {"metric": self.metric, "demo_type": self.demo_type, "levels": self.levels}


COACHING = Column(Metric.COACHING)
# The four columns of seed 003's annex 1, in its order.
SHAOXING_COLUMNS: tuple[Column, ...] = (
    Column(Metric.DEMONSTRATION, DemoType.ZONE, Level.PROVINCIAL),
    Column(Metric.DEMONSTRATION, DemoType.STATION, Level.PROVINCIAL),
    Column(Metric.DEMONSTRATION, DemoType.STATION, f"{Level.MUNICIPAL},{Level.COUNTY}"),
    COACHING,
)


def default_deadline(year: int) -> datetime.date:
    """Seed 003: the cultivation list and the coaching list are due by 30 September."""
    return datetime.date(year, 9, 30)


# --- Scope: which regions a person may set targets for ---------------------------------------


def scoped_regions(user: Any, action: str = VIEW, model: type[models.Model] = Target) -> models.QuerySet[Region]:
    """The regions whose targets (or coaching lists) ``user`` may ``action``."""
    return regions_in_scope(model, user, action)


def may_manage(user: Any, action: str = ADD, model: type[models.Model] = Target) -> bool:
    return may(user, action, model)


def region_in_scope(user: Any, region: Region, action: str = VIEW, model: type[models.Model] = Target) -> bool:
    return core_region_in_scope(model, user, region, action)


# --- Single targets --------------------------------------------------------------------------

OUT_OF_SCOPE = gettext_lazy("You cannot set targets outside your own region.")


def _check_target(target: Target) -> None:
    if target.metric == Metric.COACHING:
        target.demo_type = ""
        target.levels = ""
    else:
        target.levels = normalise_levels(target.levels)
        if not target.demo_type:
            raise AppError(DEMO_TYPE_REQUIRED, field="demo_type")
        if not target.levels:
            raise AppError(LEVELS_REQUIRED, field="levels")
    clash = Target.objects.filter(
        region=target.region, year=target.year, metric=target.metric, demo_type=target.demo_type, levels=target.levels
    ).exclude(pk=target.pk)
    if clash.exists():
        raise AppError(TARGET_EXISTS, region=target.region.full_name, year=target.year)


@transaction.atomic
def target_save(*, user: Any, target: Target | None, data: dict[str, Any]) -> Target:
    """Create (``target`` None) or change one target; raises AppError or OutOfScopeError."""
    adding = target is None
    target = Target() if target is None else target
    for field, value in data.items():
        setattr(target, field, value)
    _check_target(target)
    target.updated_by = user if getattr(user, "is_authenticated", False) else None
    target.full_clean(validate_constraints=False)
    target.save()
    ensure_in_scope(target, user, ADD if adding else CHANGE)
    return target


@transaction.atomic
def target_delete(*, user: Any, target: Target) -> None:
    ensure_in_scope(target, user, DELETE)
    target.delete()


# --- Multi-year programs ---------------------------------------------------------------------

_SHARE_SPLIT = re.compile(r"[\s,，、;；/]+")


def parse_shares(value: str | Sequence[Any]) -> list[int]:
    """Yearly shares as written ("20,40,40", "20%、40%、40%", [20, 40, 40]) → [20, 40, 40].

    They must add up to 100: a program is one whole divided among its years.
    """
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).replace("%", " ")
        parts: list[Any] = [part for part in _SHARE_SPLIT.split(text) if part]
    else:
        parts = list(value)
    shares: list[int] = []
    for part in parts:
        try:
            share = int(str(part).strip())
        except ValueError as exc:
            raise AppError(SHARE_NOT_WHOLE, field="shares", value=part) from exc
        if share < 0:
            raise AppError(SHARE_NEGATIVE, field="shares", value=share)
        shares.append(share)
    if not shares:
        raise AppError(SHARES_MISSING, field="shares")
    if sum(shares) != 100:
        raise AppError(SHARES_NOT_100, field="shares", sum=sum(shares))
    return shares


def split_total(total: int, shares: Sequence[int]) -> list[int]:
    """Each year's part of ``total``: largest-remainder rounding, so the parts add up to ``total``.

    1000 at 20/40/40 is 200/400/400; 7 is 1.4/2.8/2.8 → 1/3/3. Ties go to the earlier year,
    which asks the work to be done sooner rather than later.
    """
    if total < 0:
        raise ValueError("total must not be negative")
    weight = sum(shares)
    if weight <= 0:
        raise ValueError("shares must add up to more than 0")
    exact = [Fraction(total * share, weight) for share in shares]
    parts = [int(value) for value in exact]  # floor: every value is >= 0
    missing = total - sum(parts)
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:missing]:
        parts[i] += 1
    return parts


def program_years(program: TargetProgram) -> list[tuple[int, int]]:
    """(year, minimum) of each year of the program."""
    parts = split_total(program.total, program.shares)
    return [(program.start_year + offset, part) for offset, part in enumerate(parts)]


@transaction.atomic
def program_save(*, user: Any, program: TargetProgram | None, data: dict[str, Any]) -> TargetProgram:
    """Create or change a program and write its yearly targets (one per year, ``program`` set).

    A year already holding a target of the same kind that the program does not own is an
    error, not an overwrite: that minimum was set by someone, on purpose.
    """
    adding = program is None
    program = TargetProgram(created_by=user) if program is None else program
    for field, value in data.items():
        setattr(program, field, value)
    program.shares = parse_shares(program.shares)
    if program.metric == Metric.COACHING:
        program.demo_type, program.levels = "", ""
    else:
        program.levels = normalise_levels(program.levels)
        if not program.demo_type:
            raise AppError(DEMO_TYPE_REQUIRED, field="demo_type")
        if not program.levels:
            raise AppError(LEVELS_REQUIRED, field="levels")
    program.full_clean()
    program.save()
    ensure_in_scope(program, user, ADD if adding else CHANGE)

    column = Column.of(program)
    years = program_years(program)
    existing = {
        t.year: t
        for t in Target.objects.select_for_update().filter(
            region=program.region, year__in=[y for y, _m in years], **column.target_filter()
        )
    }
    kept: list[int] = []
    for year, minimum in years:
        target = existing.get(year)
        if target is not None and target.program_id != program.pk:
            raise AppError(YEAR_TAKEN, region=program.region.full_name, column=column.label, year=year)
        if target is None:
            target = Target(region=program.region, year=year, program=program, **column.target_filter())
        if target.pk is None or target.minimum != minimum:
            target.minimum = minimum
            # A yearly share is due by the end of its year.
            target.deadline = target.deadline or datetime.date(year, 12, 31)
            target.updated_by = user
            target.save()
        ensure_in_scope(target, user, CHANGE)
        kept.append(target.pk)
    # Years (or a kind) the program no longer covers.
    for stale in program.targets.exclude(pk__in=kept):
        stale.delete()
    return program


# --- Coaching lists --------------------------------------------------------------------------


def find_enterprise(user: Any, text: str, region: Region | None = None) -> Enterprise | None:
    """An enterprise the user may see, by unified social credit code or exact name."""
    text = (text or "").strip()
    if not text:
        return None
    enterprises = Enterprise.objects.restrict(user, VIEW)
    if region is not None:
        enterprises = enterprises.filter(region__path__subtree=region.path)
    code = normalise_uscc(text)
    found = enterprises.filter(uscc=code).first()
    if found is None:
        matches = list(enterprises.filter(name=text)[:2])
        found = matches[0] if len(matches) == 1 else None
    return found


@transaction.atomic
def coaching_add(*, user: Any, enterprise: Enterprise, year: int, note: str = "") -> CoachingEnrolment:
    if CoachingEnrolment.objects.filter(enterprise=enterprise, year=year).exists():
        raise AppError(ALREADY_COACHED, field="enterprise", name=enterprise.name, year=year)
    enrolment = CoachingEnrolment(enterprise=enterprise, year=year, note=note, added_by=user)
    enrolment.full_clean(validate_constraints=False)
    enrolment.save()
    ensure_in_scope(enrolment, user, ADD)
    return enrolment


@transaction.atomic
def coaching_remove(*, user: Any, enrolment: CoachingEnrolment) -> None:
    ensure_in_scope(enrolment, user, DELETE)
    enrolment.delete()


__all__ = [
    "COACHING",
    "OUT_OF_SCOPE",
    "SHAOXING_COLUMNS",
    "Column",
    "coaching_add",
    "coaching_remove",
    "default_deadline",
    "find_enterprise",
    "may_manage",
    "normalise_levels",
    "parse_shares",
    "program_save",
    "program_years",
    "region_in_scope",
    "scoped_regions",
    "split_total",
    "target_delete",
    "target_save",
]
