"""Import of a target breakdown table (指标分解表) such as seed 003's annex 1 (Shaoxing).

The table has a column of districts and one column per kind of target:

    区、县(市) | 省级…示范区 | 省级…示范站(点) | 市、县级…示范站(点) | 企业商业秘密保护专项辅导
    越城       | 1           | 0               | 7                   | 20
    …
    合计       | 1           | 5               | 42                  | 120

Title rows may stand above the header ("全市商业秘密保护示范单位培育指标分解", "单位:个"),
and notes below the data ("备注:…"). Headers are read from their words (level + type, or
辅导), so full-width characters, line breaks and stray spaces in them do not matter. District
names are resolved inside the chosen parent region; the short names the table uses (越城
for 越城区) are tried with 区, 县 and 市. A 合计 row, if present, must equal the column sums.
An empty cell (or -, —, /) sets no target for that district; 0 is a target of 0.

The import lands whole or not at all: every bad row is reported with its row number, and
one bad row means nothing is written. Importing again updates the minimums (the history of
each target keeps the old ones). The platform's own export of a progress table (two header
rows: the kind, then 指标 / 培育 / …) imports back: only its 指标 columns are read.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.core.errors import Message
from shangmi.core.importing import ImportFileError, RowError, RowsOutcome, read_rows, seen_headers
from shangmi.core.scoping import ADD, CHANGE, OutOfScopeError, ensure_in_scope
from shangmi.creation.models import DemoType, Level
from shangmi.regions.models import Region
from shangmi.regions.resolve import RegionIndex, Resolution, normalise
from shangmi.targets.models import Metric, Target
from shangmi.targets.services import COACHING, SHAOXING_COLUMNS, Column, default_deadline, region_in_scope

HEADER_SCAN = 30
TOTAL_WORDS = frozenset({"合计", "总计", "合计数", "total"})
NOTE_PREFIXES = ("备注", "注:", "说明")
BLANK_COUNTS = frozenset({"", "-", "—", "–", "/", "无"})
MINIMUM_SUBHEADER = "指标"
# Short names of the table: 越城 is 越城区, 新昌 is 新昌县, 诸暨 is 诸暨市.
NAME_SUFFIXES = ("区", "县", "市")

# Type words in the order they are looked for (示范区 before 示范站: neither contains the other).
_TYPE_WORDS: tuple[tuple[str, str], ...] = (
    ("示范区", DemoType.ZONE),
    ("示范基地", DemoType.BASE),
    ("示范站", DemoType.STATION),
    ("示范点", DemoType.STATION),
    ("指导站", DemoType.STATION),
    ("示范单位", DemoType.UNIT),
    ("示范企业", DemoType.UNIT),
)
_LEVEL_WORDS: tuple[tuple[str, str], ...] = (
    ("国家", Level.NATIONAL),
    ("省", Level.PROVINCIAL),
    ("市", Level.MUNICIPAL),
    ("县", Level.COUNTY),
)
_PUNCTUATION = re.compile(r"[*:：]")

NO_HEADER = Message(
    "targets_no_header",
    gettext_lazy(
        "No header row found: the table needs a column of districts and at least one column "
        "of targets, headed like %(examples)s; the headers it has are: %(seen)s."
    ),
)


@dataclass(frozen=True)
class TargetLine:
    """One checked cell of the file: a region's minimum for one kind of target."""

    row: int
    region: Region
    column: Column
    minimum: int


@dataclass
class TargetImportResult(RowsOutcome):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lines: list[TargetLine] = field(default_factory=list)

    def done_message(self) -> str:
        counts = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        if self.dry_run:
            return (
                _(
                    "Check passed, nothing written: %(created)d targets would be created, "
                    "%(updated)d updated, %(unchanged)d unchanged."
                )
                % counts
            )
        return _("Targets imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % counts


# --- Reading the header -----------------------------------------------------------------------


def _key(text: str) -> str:
    """Full-width to half-width, no spaces or line breaks: 企业商业秘密\\n保护专项辅导 reads whole."""
    return _PUNCTUATION.sub("", normalise(text or ""))


def classify_header(text: str) -> Column | None:
    """The kind of target a header names, from its words; None for anything else."""
    key = _key(text)
    if not key or len(key) > 40:
        return None
    if "辅导" in key:
        return COACHING
    found = [(key.find(word), demo_type) for word, demo_type in _TYPE_WORDS if word in key]
    if not found:
        return None
    at, demo_type = min(found)
    # The levels stand before 级 (省级, 市、县级), ahead of the type word.
    level_end = key.find("级")
    if level_end < 0 or level_end > at:
        return None
    prefix = key[:level_end]
    levels = [code for word, code in _LEVEL_WORDS if word in prefix]
    if not levels:
        return None
    ordered = ",".join(code for code in Level.values if code in levels)
    return Column(Metric.DEMONSTRATION, demo_type, ordered)


@dataclass(frozen=True)
class Layout:
    header_row: int  # index into the rows (0 = spreadsheet row 1)
    data_start: int
    region_col: int
    columns: tuple[tuple[int, Column], ...]  # (column index, kind), in the file's order


def find_layout(rows: Sequence[Sequence[str]]) -> Layout:
    """The header row (the row naming the most kinds of target, with a label column before
    them) and which column holds which kind."""
    best: tuple[int, int, dict[Column, list[int]]] | None = None
    for index, row in enumerate(rows[:HEADER_SCAN]):
        kinds: dict[Column, list[int]] = {}
        for col, cell in enumerate(row):
            column = classify_header(cell)
            if column is not None:
                kinds.setdefault(column, []).append(col)
        if not kinds:
            continue
        first = min(cols[0] for cols in kinds.values())
        label_cols = [c for c in range(first) if _key(row[c])]
        if not label_cols:
            continue  # a title merged across the whole width, not a header
        if best is None or len(kinds) > len(best[2]):
            best = (index, label_cols[0], kinds)
    if best is None:
        raise ImportFileError(
            NO_HEADER, examples="、".join(c.label_zh for c in SHAOXING_COLUMNS), seen=seen_headers(rows)
        )
    index, region_col, kinds = best
    data_start = index + 1
    chosen: dict[Column, int] = {column: cols[0] for column, cols in kinds.items()}
    # The platform's export: a header merged over 指标 / 培育 / 已申报 / 已命名 below it.
    if data_start < len(rows):
        sub = rows[data_start]
        picks = {
            column: [c for c in cols if c < len(sub) and _key(sub[c]) == MINIMUM_SUBHEADER]
            for column, cols in kinds.items()
        }
        if any(picks.values()):
            chosen = {column: cols[0] for column, cols in picks.items() if cols}
            data_start += 1
    columns = tuple(sorted(((col, column) for column, col in chosen.items()), key=lambda item: item[0]))
    return Layout(header_row=index, data_start=data_start, region_col=region_col, columns=columns)


# --- Checking the rows ------------------------------------------------------------------------


def _count(text: str, column: Column) -> tuple[int | None, str]:
    """The number in a cell, None for an empty cell, or the reason it is not a minimum."""
    value = normalise(text or "")
    if value in BLANK_COUNTS:
        return None, ""
    header = column.label_zh
    if re.fullmatch(r"\d+", value):
        return int(value), ""
    if re.fullmatch(r"-\d+(\.0+)?", value):
        return None, _("“%(value)s” under %(column)s is negative: a minimum is 0 or more.") % {
            "value": value,
            "column": header,
        }
    return None, _("“%(value)s” under %(column)s is not a whole number.") % {"value": value, "column": header}


def region_index(parent: Region) -> RegionIndex:
    """Names known inside ``parent`` (and its ancestors, for full names like 浙江省绍兴市越城区)."""
    ancestors = [code for code in parent.path.strip("/").split("/") if code]
    return RegionIndex(list(Region.objects.filter(Q(path__subtree=parent.path) | Q(code__in=ancestors))))


def resolve_inside(index: RegionIndex, name: str, parent: Region) -> Resolution:
    """A region inside ``parent`` by code, full or short name, or the table's shortest name
    (越城 → 越城区)."""
    found = index.resolve(name, within=parent)
    if found.region is not None:
        return found
    key = normalise(name)
    if key.isdigit():
        return found
    candidates = {}
    for suffix in NAME_SUFFIXES:
        region = index.resolve(key + suffix, within=parent).region
        if region is not None:
            candidates[region.code] = region
    if len(candidates) == 1:
        return Resolution(next(iter(candidates.values())))
    if len(candidates) > 1:
        names = "、".join(sorted(r.full_name for r in candidates.values()))
        return Resolution(
            None,
            _("%(name)s is ambiguous (%(candidates)s); write the full name or the code.")
            % {"name": key, "candidates": names},
        )
    return Resolution(
        None, _("No region called %(name)s lies inside %(region)s.") % {"name": key, "region": parent.full_name}
    )


def check_rows(rows: Sequence[Sequence[str]], parent: Region, result: TargetImportResult) -> list[TargetLine]:
    """Every cell of every data row checked; errors go to ``result``, good lines are returned."""
    layout = find_layout(rows)
    index = region_index(parent)
    lines: list[TargetLine] = []
    seen: dict[str, int] = {}
    sums: dict[Column, int] = dict.fromkeys((column for _c, column in layout.columns), 0)
    unreadable: set[Column] = set()
    total_row: tuple[int, str, list[int | None]] | None = None
    data_rows = 0
    for i in range(layout.data_start, len(rows)):
        raw = rows[i]
        number = i + 1
        if not "".join(raw).strip():
            continue
        label = raw[layout.region_col].strip() if layout.region_col < len(raw) else ""
        key = _key(label)
        if key.startswith(NOTE_PREFIXES):
            break  # notes follow the table
        counts, problems = _row_counts(raw, layout, unreadable)
        if key.lower() in TOTAL_WORDS:
            total_row = (number, label, counts)
            result.errors.extend(RowError(number, p) for p in problems)
            continue
        data_rows += 1
        region, problem = _row_region(index, label, parent, seen, number)
        if problem:
            problems.insert(0, problem)
        # The parent's own row is its target against the total, not a part of it.
        if region is None or region.pk != parent.pk:
            for (_col, column), value in zip(layout.columns, counts, strict=True):
                sums[column] += value or 0
        if problems:
            result.errors.extend(RowError(number, p) for p in problems)
            continue
        assert region is not None
        for (_col, column), value in zip(layout.columns, counts, strict=True):
            # An empty cell sets no target (and leaves an existing one alone); 0 is a target of 0.
            if value is not None:
                lines.append(TargetLine(number, region, column, value))
    if data_rows == 0:
        result.errors.append(
            RowError(layout.header_row + 1, _("The table has a header row but no districts below it."))
        )
    if total_row is not None:
        _check_total(total_row, layout, sums, unreadable, result)
    return lines


def _row_counts(raw: Sequence[str], layout: Layout, unreadable: set[Column]) -> tuple[list[int | None], list[str]]:
    """The row's numbers in the layout's column order, and the reason for each unreadable one.

    A column with an unreadable cell is added to ``unreadable``: its total is not compared.
    """
    counts: list[int | None] = []
    problems: list[str] = []
    for col, column in layout.columns:
        value, problem = _count(raw[col] if col < len(raw) else "", column)
        counts.append(value)
        if problem:
            problems.append(problem)
            unreadable.add(column)
    return counts, problems


def _row_region(
    index: RegionIndex, label: str, parent: Region, seen: dict[str, int], number: int
) -> tuple[Region | None, str]:
    """The district a row names, or the reason it names none (missing, unknown, already on a row above).

    A district met for the first time is recorded in ``seen`` with its row number.
    """
    if not _key(label):
        return None, _("The district is missing.")
    resolution = resolve_inside(index, label, parent)
    region = resolution.region
    if region is None:
        return None, resolution.error
    if region.code in seen:
        return region, _("%(name)s is already on row %(first)d.") % {"name": region.name, "first": seen[region.code]}
    seen[region.code] = number
    return region, ""


def _check_total(
    total_row: tuple[int, str, list[int | None]],
    layout: Layout,
    sums: dict[Column, int],
    unreadable: set[Column],
    result: TargetImportResult,
) -> None:
    """The 合计 row against the sum of the rows above it, column by column."""
    number, label, counts = total_row
    for (_col, column), value in zip(layout.columns, counts, strict=True):
        # A column with an unreadable number has its own error; its sum would only add noise.
        if column not in unreadable and (value or 0) != sums[column]:
            result.errors.append(
                RowError(
                    number,
                    _("The %(label)s row gives %(total)d under %(column)s, but the rows above add up to %(sum)d.")
                    % {"label": label, "total": value or 0, "column": column.label_zh, "sum": sums[column]},
                )
            )


# --- Writing ----------------------------------------------------------------------------------


def targets_import(
    *,
    path: Path | str,
    region: Region,
    year: int,
    user: Any = None,
    deadline: datetime.date | None = None,
    dry_run: bool = False,
) -> TargetImportResult:
    """Check the table at ``path`` for the districts of ``region`` in ``year`` and, if every
    row is good and not ``dry_run``, write its targets in one transaction.

    ``user`` None is the command line (trusted); a person may import only inside their scope.
    ``deadline``, when given, is set on every target of the table; otherwise new targets get
    30 September of ``year`` (seed 003's date for the lists) and existing ones keep theirs, so
    importing again only updates the minimums.
    """
    result = TargetImportResult(dry_run=dry_run)
    if user is not None and not region_in_scope(user, region, ADD):
        result.errors.append(RowError(0, _("You cannot set targets for %(region)s.") % {"region": region.full_name}))
        return result
    try:
        rows = read_rows(path)
        lines = check_rows(rows, region, result)
    except ImportFileError as exc:
        result.refuse_file(exc)
        return result
    if result.errors:
        return result
    result.lines = lines
    with transaction.atomic():
        refused = _write(result, lines, year, deadline, user)
        if dry_run or refused is not None:
            transaction.set_rollback(True)
    if refused is not None:
        # All or nothing: one row outside the scope and no row is written.
        result.created = result.updated = result.unchanged = 0
        result.errors.append(refused)
    return result


def _write(
    result: TargetImportResult, lines: list[TargetLine], year: int, deadline: datetime.date | None, user: Any
) -> RowError | None:
    """Write the lines; the first row the user may not write stops it (the caller rolls back)."""
    existing = {
        (t.region_id, Column.of(t)): t
        for t in Target.objects.select_for_update().filter(region__in={line.region.pk for line in lines}, year=year)
    }
    author = user if getattr(user, "is_authenticated", False) else None
    for line in lines:
        target = existing.get((line.region.pk, line.column))
        if target is not None and target.minimum == line.minimum and deadline in (None, target.deadline):
            result.unchanged += 1
            continue
        adding = target is None
        if target is None:
            target = Target(region=line.region, year=year, **line.column.target_filter())
            result.created += 1
        else:
            result.updated += 1
        target.minimum = line.minimum
        if deadline is not None or adding:
            target.deadline = deadline or default_deadline(year)
        target.updated_by = author
        target.save()  # one by one: simple_history records each change
        if user is not None:
            try:
                ensure_in_scope(target, user, ADD if adding else CHANGE)
            except OutOfScopeError:
                return RowError(
                    line.row, _("You cannot set targets for %(region)s.") % {"region": line.region.full_name}
                )
    return None


__all__ = [
    "NO_HEADER",
    "Layout",
    "RowError",
    "TargetImportResult",
    "TargetLine",
    "check_rows",
    "classify_header",
    "find_layout",
    "resolve_inside",
    "targets_import",
]
