"""A standard as plain, immutable data, read and checked from its TOML data file.

Nothing here touches the database: the scoring function, the loader and the tests all
work from a ``StandardSpec``, whether it came from a file or from the rows
(``scoring.spec_of``). The canonical form of a spec gives the content hash that tells
the loader whether a file changes a version.

File layout (see shangmi/standards/data/)::

    code = "cq-creation"          # slug; the file is named "<code>-<version>.toml"
    version = "2023"
    title = "..."
    kind = "points"               # or "conditions" (pass/fail, no points anywhere)
    issuer = "..."   source = "..."   notes = "..."
    max_total = 100               # optional cap on the total (points only)
    pass_mark = 60                # optional threshold (points only)

    [[categories]]
    number = 1
    title = "..."   requirement = "..."   points = 15   bonus = false

    [[categories.criteria]]
    code = "1.1"                  # "<category number>.<criterion number>"
    title = "..."   points = 5

    [[categories.criteria.items]]
    code = "1.1.a"                # "<criterion code>.<letter>"
    text = "..."   points = 2.5
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from shangmi.standards.errors import (
    BAD_CODE,
    BAD_VALUE,
    DUPLICATE,
    FILE_NAME,
    MISSING,
    SUM_MISMATCH,
    SYNTAX,
    UNKNOWN_FIELD,
    WRONG_TYPE,
    Problem,
    StandardFileError,
)

POINTS = "points"
CONDITIONS = "conditions"
KINDS = (POINTS, CONDITIONS)

# The database keeps points as DECIMAL(5, 1): one decimal place (the 2.5-point items).
MAX_POINTS = Decimal("9999.9")
_ONE = Decimal(1)

CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CRITERION_CODE_RE = re.compile(r"^(\d+)\.(\d+)$")
ITEM_CODE_RE = re.compile(r"^(\d+\.\d+)\.([a-z]+)$")


def clean_points(value: Decimal) -> Decimal:
    """One spelling for one amount: 5, 5.0 (from the database) and 5.00 become 5, so that
    specs compare equal, hashes are stable and pages show "5" and "2.5"."""
    return value.quantize(_ONE) if value == value.to_integral_value() else value.normalize()


def format_points(value: Decimal | None) -> str | None:
    return None if value is None else format(clean_points(value), "f")


@dataclass(frozen=True)
class ItemSpec:
    code: str
    text: str
    points: Decimal | None


@dataclass(frozen=True)
class CriterionSpec:
    number: int
    code: str
    title: str
    points: Decimal | None
    items: tuple[ItemSpec, ...]


@dataclass(frozen=True)
class CategorySpec:
    number: int
    title: str
    requirement: str
    points: Decimal | None
    is_bonus: bool
    criteria: tuple[CriterionSpec, ...]


@dataclass(frozen=True)
class StandardSpec:
    code: str
    version: str
    title: str
    kind: str
    issuer: str
    source: str
    notes: str
    max_total: Decimal | None
    pass_mark: Decimal | None
    categories: tuple[CategorySpec, ...]
    # Where the issuer's authority runs (a division code; empty: a national standard). Not part
    # of the content (canonical): it says where the standard may be used, not what it says.
    region: str = ""

    @property
    def has_points(self) -> bool:
        return self.kind == POINTS

    def iter_items(self) -> Iterator[tuple[CategorySpec, CriterionSpec, ItemSpec]]:
        for category in self.categories:
            for criterion in category.criteria:
                for item in criterion.items:
                    yield category, criterion, item

    @cached_property
    def item_codes(self) -> frozenset[str]:
        return frozenset(item.code for _category, _criterion, item in self.iter_items())

    @property
    def base_points(self) -> Decimal:
        """The most the non-bonus categories give (100 for the Chongqing standard)."""
        return sum((c.points or Decimal(0) for c in self.categories if not c.is_bonus), Decimal(0))

    @property
    def bonus_points(self) -> Decimal:
        return sum((c.points or Decimal(0) for c in self.categories if c.is_bonus), Decimal(0))

    def canonical(self) -> dict[str, Any]:
        """Everything that makes the standard what it is, in JSON types: comments, layout
        and number spelling in the file do not count."""
        return {
            "code": self.code,
            "version": self.version,
            "title": self.title,
            "kind": self.kind,
            "issuer": self.issuer,
            "source": self.source,
            "notes": self.notes,
            "max_total": format_points(self.max_total),
            "pass_mark": format_points(self.pass_mark),
            "categories": [
                {
                    "number": category.number,
                    "title": category.title,
                    "requirement": category.requirement,
                    "points": format_points(category.points),
                    "is_bonus": category.is_bonus,
                    "criteria": [
                        {
                            "number": criterion.number,
                            "code": criterion.code,
                            "title": criterion.title,
                            "points": format_points(criterion.points),
                            "items": [
                                {"code": item.code, "text": item.text, "points": format_points(item.points)}
                                for item in criterion.items
                            ],
                        }
                        for criterion in category.criteria
                    ],
                }
                for category in self.categories
            ],
        }

    def content_sha256(self) -> str:
        text = json.dumps(self.canonical(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- reading a file ------------------------------------------------------------------------

_STANDARD_FIELDS = {
    "code",
    "version",
    "title",
    "kind",
    "issuer",
    "source",
    "notes",
    "max_total",
    "pass_mark",
    "categories",
    "region",
}
_CATEGORY_FIELDS = {"number", "title", "requirement", "points", "bonus", "criteria"}
_CRITERION_FIELDS = {"code", "title", "points", "items"}
_ITEM_FIELDS = {"code", "text", "points"}

# Field lengths of the models: a file that fits here fits in the database.
_MAX_LENGTH = {"code": 64, "version": 16, "title": 200, "issuer": 200, "source": 300}
_CATEGORY_TITLE_LENGTH = 200

_MISSING = object()


def read_standard_file(path: Path | str) -> StandardSpec:
    """Parse and check one data file; raise ``StandardFileError`` listing every problem."""
    path = Path(path)
    origin = path.name
    try:
        # Decimal, never float: 2.5 must stay exactly 2.5.
        data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StandardFileError(origin, [Problem(SYNTAX, "", f"cannot read the file: {exc}")]) from exc
    spec = parse_standard(data, origin=origin)
    expected = f"{spec.code}-{spec.version}"
    if path.stem != expected:
        # One file per (code, version): a copied file whose version was not bumped is caught here.
        raise StandardFileError(
            origin, [Problem(FILE_NAME, "", f"the file must be named {expected}.toml after its code and version")]
        )
    return spec


def parse_standard(data: Mapping[str, Any], *, origin: str) -> StandardSpec:
    """Check a parsed file and build the spec; raise ``StandardFileError`` on any problem."""
    reader = _Reader()
    spec = reader.standard(data)
    if reader.problems:
        raise StandardFileError(origin, reader.problems)
    return spec


class _Reader:
    """Walks the parsed file once, collecting every problem with its path."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.kind = POINTS
        self.item_paths: dict[str, str] = {}

    def problem(self, kind: str, path: str, message: str) -> None:
        self.problems.append(Problem(kind, path, message))

    # -- fields --

    def fields(self, table: Any, path: str, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(table, Mapping):
            self.problem(WRONG_TYPE, path, "must be a table")
            return {}
        for key in sorted(set(table) - allowed):
            self.problem(
                UNKNOWN_FIELD, _join(path, key), f"unknown field (expected one of: {', '.join(sorted(allowed))})"
            )
        return table

    def text(
        self,
        table: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
        blank: bool = False,
        limit: int | None = None,
    ) -> str:
        value = table.get(key, _MISSING)
        where = _join(path, key)
        if value is _MISSING:
            if required:
                self.problem(MISSING, where, "missing")
            return ""
        if not isinstance(value, str):
            self.problem(WRONG_TYPE, where, f"must be a string, not {_type_name(value)}")
            return ""
        if not blank and not value.strip():
            self.problem(BAD_VALUE, where, "must not be empty")
        if limit is not None and len(value) > limit:
            self.problem(BAD_VALUE, where, f"is {len(value)} characters long; at most {limit}")
        return value

    def integer(self, table: Mapping[str, Any], key: str, path: str) -> int:
        value = table.get(key, _MISSING)
        where = _join(path, key)
        if value is _MISSING:
            self.problem(MISSING, where, "missing")
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.problem(WRONG_TYPE, where, f"must be a whole number from 1, not {value!r}")
            return 0
        return value

    def points(self, table: Mapping[str, Any], key: str, path: str, *, required: bool) -> Decimal | None:
        """Points where the kind of standard wants them, absent where it does not."""
        value = table.get(key, _MISSING)
        where = _join(path, key)
        if self.kind == CONDITIONS:
            if value is not _MISSING:
                self.problem(BAD_VALUE, where, "a conditions standard has no points")
            return None
        if value is _MISSING:
            if required:
                self.problem(MISSING, where, "missing (a points standard gives points here)")
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.problem(WRONG_TYPE, where, f"must be a number, not {_type_name(value)}")
            return None
        amount = Decimal(value)
        if not amount.is_finite() or amount < 0 or amount > MAX_POINTS:
            self.problem(BAD_VALUE, where, f"must be between 0 and {MAX_POINTS}, not {value}")
            return None
        if clean_points(amount).as_tuple().exponent < -1:  # type: ignore[operator]
            self.problem(BAD_VALUE, where, f"at most one decimal place (like 2.5), not {value}")
            return None
        return clean_points(amount)

    def array(self, table: Mapping[str, Any], key: str, path: str) -> list[Any]:
        value = table.get(key, _MISSING)
        where = _join(path, key)
        if value is _MISSING:
            self.problem(MISSING, where, "missing")
            return []
        if not isinstance(value, list) or not value:
            self.problem(WRONG_TYPE, where, "must be a non-empty array of tables")
            return []
        return value

    # -- levels --

    def standard(self, data: Mapping[str, Any]) -> StandardSpec:
        table = self.fields(data, "", _STANDARD_FIELDS)
        kind = self.text(table, "kind", "")
        if kind and kind not in KINDS:
            self.problem(BAD_VALUE, "kind", f"must be one of {', '.join(KINDS)}, not {kind!r}")
        self.kind = kind if kind in KINDS else POINTS
        code = self.text(table, "code", "", limit=_MAX_LENGTH["code"])
        if code and not CODE_RE.match(code):
            self.problem(BAD_VALUE, "code", f"must be a lower-case slug like cq-creation, not {code!r}")
        version = self.text(table, "version", "", limit=_MAX_LENGTH["version"])
        if version and not VERSION_RE.match(version):
            self.problem(BAD_VALUE, "version", f"letters, digits, '.', '_' or '-' only, not {version!r}")
        categories = self.categories(table)
        spec = StandardSpec(
            code=code,
            version=version,
            title=self.text(table, "title", "", limit=_MAX_LENGTH["title"]),
            kind=self.kind,
            issuer=self.text(table, "issuer", "", required=False, limit=_MAX_LENGTH["issuer"]),
            source=self.text(table, "source", "", required=False, limit=_MAX_LENGTH["source"]),
            notes=self.text(table, "notes", "", required=False, blank=True),
            max_total=self.points(table, "max_total", "", required=False),
            pass_mark=self.points(table, "pass_mark", "", required=False),
            categories=categories,
            region=self.text(table, "region", "", required=False, limit=6),
        )
        if spec.region and not (len(spec.region) == 6 and spec.region.isdigit()):
            self.problem(BAD_VALUE, "region", f"must be a six-digit division code, not {spec.region!r}")
        self.check_totals(spec)
        return spec

    def categories(self, table: Mapping[str, Any]) -> tuple[CategorySpec, ...]:
        out: list[CategorySpec] = []
        for index, raw in enumerate(self.array(table, "categories", "")):
            path = f"categories[{index}]"
            category = self.category(self.fields(raw, path, _CATEGORY_FIELDS), path)
            self.check_order(path + ".number", f"category {category.number}", category.number, [c.number for c in out])
            out.append(category)
        return tuple(out)

    def category(self, table: Mapping[str, Any], path: str) -> CategorySpec:
        number = self.integer(table, "number", path)
        is_bonus = table.get("bonus", False)
        if not isinstance(is_bonus, bool):
            self.problem(WRONG_TYPE, _join(path, "bonus"), "must be true or false")
            is_bonus = False
        if is_bonus and self.kind == CONDITIONS:
            self.problem(BAD_VALUE, _join(path, "bonus"), "a conditions standard has no bonus")
        criteria = self.criteria(table, path, number)
        points = self.points(table, "points", path, required=True)
        category = CategorySpec(
            number=number,
            title=self.text(table, "title", path, limit=_CATEGORY_TITLE_LENGTH),
            requirement=self.text(table, "requirement", path, required=False, blank=True),
            points=points,
            is_bonus=is_bonus,
            criteria=criteria,
        )
        self.check_sum(path, f"category {number}", points, [c.points for c in criteria], "its criteria")
        return category

    def criteria(self, table: Mapping[str, Any], path: str, category_number: int) -> tuple[CriterionSpec, ...]:
        out: list[CriterionSpec] = []
        for index, raw in enumerate(self.array(table, "criteria", path)):
            where = f"{path}.criteria[{index}]"
            criterion = self.criterion(self.fields(raw, where, _CRITERION_FIELDS), where, category_number)
            self.check_order(where + ".code", f"criterion {criterion.code}", criterion.number, [c.number for c in out])
            out.append(criterion)
        return tuple(out)

    def criterion(self, table: Mapping[str, Any], path: str, category_number: int) -> CriterionSpec:
        code = self.text(table, "code", path)
        match = CRITERION_CODE_RE.match(code)
        number = int(match[2]) if match else 0
        if code and (match is None or int(match[1]) != category_number or number < 1):
            self.problem(BAD_CODE, _join(path, "code"), f"must be {category_number}.<number>, not {code!r}")
        items = self.items(table, path, code)
        points = self.points(table, "points", path, required=True)
        self.check_sum(path, f"criterion {code}", points, [item.points for item in items], "its items")
        return CriterionSpec(
            number=number,
            code=code,
            # The seed's bonus category has no criterion text: an empty title is allowed, but must be said.
            title=self.text(table, "title", path, blank=True),
            points=points,
            items=items,
        )

    def items(self, table: Mapping[str, Any], path: str, criterion_code: str) -> tuple[ItemSpec, ...]:
        out: list[ItemSpec] = []
        for index, raw in enumerate(self.array(table, "items", path)):
            where = f"{path}.items[{index}]"
            out.append(self.item(self.fields(raw, where, _ITEM_FIELDS), where, criterion_code))
        return tuple(out)

    def item(self, table: Mapping[str, Any], path: str, criterion_code: str) -> ItemSpec:
        code = self.text(table, "code", path)
        match = ITEM_CODE_RE.match(code)
        if code and (match is None or match[1] != criterion_code):
            self.problem(BAD_CODE, _join(path, "code"), f"must be {criterion_code}.<letter>, not {code!r}")
        if code in self.item_paths:
            self.problem(
                DUPLICATE, _join(path, "code"), f"duplicate item code {code!r} (first at {self.item_paths[code]})"
            )
        elif code:
            self.item_paths[code] = path
        return ItemSpec(
            code=code, text=self.text(table, "text", path), points=self.points(table, "points", path, required=True)
        )

    # -- consistency --

    def check_order(self, path: str, name: str, number: int, before: list[int]) -> None:
        """Numbers rise through the file, so the file's order and the database's agree."""
        if not number:
            return  # already reported
        if number in before:
            self.problem(DUPLICATE, path, f"duplicate {name}")
        elif before and number < max(before):
            self.problem(BAD_CODE, path, f"{name} comes after {max(before)}: keep the numbers in rising order")

    def check_sum(
        self, path: str, name: str, points: Decimal | None, parts: list[Decimal | None], of_what: str
    ) -> None:
        if points is None or any(part is None for part in parts):
            return  # a conditions standard, or a missing number already reported
        total = sum((part for part in parts if part is not None), Decimal(0))
        if total != points:
            self.problem(
                SUM_MISMATCH,
                _join(path, "points"),
                f"{name} gives {format_points(points)} points but {of_what} add up to {format_points(total)}",
            )

    def check_totals(self, spec: StandardSpec) -> None:
        if spec.kind == CONDITIONS:
            return
        if spec.categories and all(c.is_bonus for c in spec.categories):
            self.problem(BAD_VALUE, "categories", "a points standard needs at least one category that is not a bonus")
        maximum = spec.max_total if spec.max_total is not None else spec.base_points
        if spec.pass_mark is not None and spec.pass_mark > maximum:
            self.problem(
                BAD_VALUE,
                "pass_mark",
                f"{format_points(spec.pass_mark)} can never be reached: the most is {format_points(maximum)}",
            )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _type_name(value: Any) -> str:
    return {str: "a string", bool: "true/false", int: "a number", list: "an array", dict: "a table"}.get(
        type(value), type(value).__name__
    )
