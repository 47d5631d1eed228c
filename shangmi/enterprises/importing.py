"""Import of the enterprise registry from Excel (.xlsx) and CSV files.

Built for 100,000-row files: cells are read by core.spreadsheets (checked against the limits,
then parsed by python-calamine in a capped child process), every row is checked in
plain Python against dictionaries built once (regions, parks, tags, existing codes), and
the rows are written in one transaction, history included: new rows with COPY on PostgreSQL
(_copy_created), plain INSERTs run with executemany on SQLite, updates with one prepared UPDATE.
The import lands whole or not at all: one bad row and nothing is written, and every bad
row is reported with its spreadsheet row number. The header is found by the column names
below and their aliases (core.importing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models
from django.utils.translation import gettext as _

from shangmi.core.importing import (
    Column,
    Columns,
    Header,
    ImportFileError,
    RowError,
    RowsOutcome,
    data_rows,
    read_rows,
    write_template,
)
from shangmi.core.scoping import ADD, CHANGE, is_platform_admin, scope_q
from shangmi.core.spreadsheets import SUFFIXES as SHEET_SUFFIXES
from shangmi.enterprises.bulk import KEPT_ON_CHANGE, EnterpriseChange, NewEnterprise, enterprises_bulk_write
from shangmi.enterprises.models import INDUSTRY_ZH, Enterprise, Industry, Tag
from shangmi.enterprises.services import announce_contact_change, may_add_enterprises
from shangmi.enterprises.uscc import normalise_uscc, uscc_errors
from shangmi.regions.models import Park, Region
from shangmi.regions.resolve import RegionIndex, Resolution, normalise

BATCH_SIZE = 2000
PROGRESS_EVERY = 1000
SUFFIXES = SHEET_SUFFIXES

# The order is the template's and the export's; the aliases are the names bureaus' own lists use.
COLUMNS = Columns(
    (
        Column(
            "name",
            "企业名称",
            (
                "名称",
                "企业名",
                "企业全称",
                "单位名称",
                "单位全称",
                "公司名称",
                "公司全称",
                "市场主体名称",
                "name",
                "enterprise",
                "enterprisename",
                "companyname",
            ),
            required=True,
        ),
        Column(
            "uscc",
            "统一社会信用代码",
            (
                "信用代码",
                "社会信用代码",
                "社会统一信用代码",
                "统一信用代码",
                "统一代码",
                "信用代码证",
                "uscc",
                "creditcode",
                "unifiedsocialcreditcode",
            ),
            required=True,
        ),
        Column(
            "region",
            "所属区域",
            (
                "区域",
                "所属地区",
                "地区",
                "所属区县",
                "区县",
                "所在区县",
                "区县市",
                "属地",
                "所在地区",
                "所在区域",
                "所属区划",
                "行政区划",
                "region",
                "district",
            ),
            required=True,
        ),
        Column("park", "所属园区", ("园区", "所在园区", "园区名称", "park")),
        Column("industry", "行业门类", ("行业", "所属行业", "行业类别", "行业分类", "国民经济行业", "industry")),
        Column(
            "employee_count",
            "职工人数",
            (
                "员工人数",
                "人数",
                "职工数",
                "员工数",
                "从业人数",
                "从业人员",
                "从业人员数",
                "employees",
                "employeecount",
            ),
        ),
        Column("tags", "标签", ("企业标签", "企业类型标签", "tags", "tag")),
        Column("address", "地址", ("企业地址", "注册地址", "经营地址", "详细地址", "通讯地址", "address")),
        Column("contact_name", "联系人", ("联系人姓名", "企业联系人", "contact", "contactname", "contactperson")),
        Column(
            "contact_phone",
            "联系电话",
            ("电话", "手机", "手机号码", "联系方式", "联系人电话", "联系人手机", "phone", "contactphone", "telephone"),
        ),
        Column("contact_email", "联系邮箱", ("邮箱", "电子邮箱", "电子邮件", "邮箱地址", "email", "contactemail")),
        Column("is_liaison_point", "是否联络点", ("联络点", "是否为联络点", "liaisonpoint", "isliaisonpoint")),
    )
)
HEADERS_ZH: tuple[str, ...] = COLUMNS.headers
REQUIRED = tuple(c.field for c in COLUMNS.columns if c.required)

TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔", "t"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "f", ""})
TAG_SPLIT = re.compile(r"[、,，;；]+")
UPDATE_FIELDS = [
    "name",
    "region",
    "park",
    "industry",
    "employee_count",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
    "is_liaison_point",
    "updated_at",
]
_COMPARED = [f for f in UPDATE_FIELDS if f != "updated_at"]


@dataclass
class ImportResult(RowsOutcome):
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def done_message(self) -> str:
        counts = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        if self.dry_run:
            return (
                _(
                    "Check passed, nothing written: %(created)d would be created, "
                    "%(updated)d updated, %(unchanged)d unchanged."
                )
                % counts
            )
        return _("Import finished: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % counts

    def as_json(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "errors": [{"row": e.row, "message": e.message} for e in self.errors],
        }


def find_header(rows: Sequence[Sequence[str]]) -> Header:
    """The header row, recognised by the names of the columns (COLUMNS and their aliases)."""
    return COLUMNS.find_header(rows)


# --- Checking ----------------------------------------------------------------------------------


# normalise() (NFKC + split + join) of the columns whose values repeat down a file (park,
# industry, tags, 是/否, head counts): 100,000 rows hold a few hundred distinct values.
_normalise_repeated = lru_cache(maxsize=1 << 14)(normalise)


def _text(value: str) -> str:
    """Trim spaces of every width; keep full-width punctuation of names as written."""
    return value.strip().strip("\u3000\ufeff").strip()


def _industry_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for letter, label in Industry.choices:
        lookup[letter.lower()] = letter
        lookup[normalise(str(label)).lower()] = letter
    for letter, zh in INDUSTRY_ZH.items():
        lookup[normalise(zh).lower()] = letter
        lookup[(letter + normalise(zh)).lower()] = letter
    return lookup


def _tag_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    for tag in Tag.objects.all():
        for key in (tag.code, tag.name_en, tag.name_zh):
            if key:
                lookup[normalise(key).lower()] = tag.pk
    return lookup


def _user_region(user: Any) -> Any:
    if is_platform_admin(user):
        return None
    return user.region


def may_import(user: Any) -> bool:
    return may_add_enterprises(user)


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    tag_ids: frozenset[int]


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(usccs: list[str], user: Any) -> tuple[dict[str, dict[str, Any]], set[int], dict[int, set[int]]]:
    """Existing enterprises with these codes, which of them the user may change, their tags."""
    if connection.vendor == "postgresql":
        usccs = _registered_usccs(usccs)
    by_uscc: dict[str, dict[str, Any]] = {}
    changeable: set[int] = set()
    cond = scope_q(Enterprise, user, CHANGE)
    for chunk in _chunks(usccs, 5000):
        for values in Enterprise.objects.filter(uscc__in=chunk).values(
            "pk",
            "uscc",
            "created_at",
            "liaison_officer_id",
            "guidance_officer_id",
            *[f + "_id" if f in ("region", "park") else f for f in _COMPARED],
        ):
            by_uscc[values["uscc"]] = values
        if cond is not None:
            changeable.update(Enterprise.objects.filter(cond, uscc__in=chunk).values_list("pk", flat=True))
    tags: dict[int, set[int]] = {}
    through = Enterprise.tags.through
    pks = [v["pk"] for v in by_uscc.values()]
    for chunk in _chunks(pks, 5000):
        for ent_id, tag_id in through.objects.filter(enterprise_id__in=chunk).values_list("enterprise_id", "tag_id"):
            tags.setdefault(ent_id, set()).add(tag_id)
    return by_uscc, changeable, tags


def _registered_usccs(usccs: list[str]) -> list[str]:
    """Which of ``usccs`` are already registered: one query on PostgreSQL.

    ``uscc = ANY(array)`` takes all 100,000 codes of a file as one parameter, where the ORM's
    ``uscc IN (%s, %s, …)`` needs 20 statements of 5,000 placeholders each that psycopg has to
    split and bind one by one (2-3 s of a 100,000-row import). A file of new enterprises finds none.
    """
    if not usccs:
        return []
    field = Enterprise._meta.get_field("uscc")
    assert isinstance(field, models.Field) and field.column is not None
    column = connection.ops.quote_name(field.column)
    sql = f"SELECT {column} FROM {connection.ops.quote_name(Enterprise._meta.db_table)} WHERE {column} = ANY(%s)"
    with connection.cursor() as cursor:
        cursor.execute(sql, [usccs])
        return [uscc for (uscc,) in cursor.fetchall()]


class _RowChecker:
    """Checks one data row at a time, one method per column, against lookups built once.

    The methods run in the column order of the messages (name, code, region, park, ...), so a
    bad row's errors come out in the same order every time. State that spans rows lives here:
    the codes seen so far (a duplicate names its first row) and the region texts already resolved.
    """

    def __init__(self, user: Any) -> None:
        self.within = _user_region(user)
        self.regions = RegionIndex()
        self.parks: dict[tuple[str, str], int] = {
            (region_id, normalise(name)): pk
            for pk, region_id, name in Park.objects.values_list("pk", "region_id", "name")
        }
        self.industries = _industry_lookup()
        self.tags = _tag_lookup()
        self.seen: dict[str, int] = {}
        self.resolved: dict[str, Resolution] = {}  # region text → its resolution: a file names a few dozen regions

    def check(self, number: int, cell: dict[str, str]) -> _Row | list[str]:
        """The row ready to write, or its problems in column order."""
        problems: list[str] = []
        name = self.name(cell, problems)
        uscc = self.uscc(number, cell, problems)
        region = self.region(cell, problems)
        region_id = region.code if region is not None else None
        values = {
            "name": name,
            "uscc": uscc,
            "region_id": region_id,
            "park_id": self.park(cell, region, problems),
            "industry": self.industry(cell, problems),
            "employee_count": self.employee_count(cell, problems),
        }
        tag_ids = self.tag_ids(cell, problems)
        values.update(self.contact(cell, problems))
        values["is_liaison_point"] = self.is_liaison_point(cell, problems)
        if problems:
            return problems
        return _Row(number, values, frozenset(tag_ids))

    def name(self, cell: dict[str, str], problems: list[str]) -> str:
        name = _text(cell.get("name", ""))
        if not name:
            problems.append(_("Enterprise name is required."))
        elif len(name) > 128:
            problems.append(_("Enterprise name is longer than 128 characters."))
        return name

    def uscc(self, number: int, cell: dict[str, str], problems: list[str]) -> str:
        uscc = normalise_uscc(cell.get("uscc", ""))
        if not uscc:
            problems.append(_("Unified social credit code is required."))
            return uscc
        problems.extend(uscc_errors(uscc))
        first = self.seen.get(uscc)
        if first is not None:
            problems.append(_("The same unified social credit code is already on row %(row)d.") % {"row": first})
        else:
            # Recorded even when the row has other problems: a later copy is still a duplicate.
            self.seen[uscc] = number
        return uscc

    def region(self, cell: dict[str, str], problems: list[str]) -> Region | None:
        region_text = cell.get("region", "")
        resolution = self.resolved.get(region_text)
        if resolution is None:
            resolution = self.resolved[region_text] = self.regions.resolve(region_text, within=self.within)
        if resolution.region is None:
            problems.append(resolution.error)
        return resolution.region

    def park(self, cell: dict[str, str], region: Region | None, problems: list[str]) -> int | None:
        park_name = _normalise_repeated(cell.get("park", ""))
        if not park_name or region is None:
            return None
        park_id = self.parks.get((region.code, park_name))
        if park_id is None:
            problems.append(
                _("No park called %(park)s in %(region)s.") % {"park": park_name, "region": region.full_name}
            )
        return park_id

    def industry(self, cell: dict[str, str], problems: list[str]) -> str:
        industry_text = _normalise_repeated(cell.get("industry", "")).lower()
        if not industry_text:
            return ""
        industry = self.industries.get(industry_text, "")
        if not industry:
            problems.append(
                _("Unknown industry %(value)s: write a GB/T 4754 section letter (A-T) or its Chinese name.")
                % {"value": cell.get("industry", "").strip()}
            )
        return industry

    def employee_count(self, cell: dict[str, str], problems: list[str]) -> int | None:
        employees_text = _normalise_repeated(cell.get("employee_count", "")).replace(",", "")
        if not employees_text:
            return None
        try:
            number_value = float(employees_text)
        except ValueError:
            number_value = -1.0
        if number_value < 0 or not number_value.is_integer() or number_value > 2_147_483_647:
            problems.append(
                _("Employees must be a whole number, not %(value)s.") % {"value": cell.get("employee_count", "")}
            )
            return None
        return int(number_value)

    def tag_ids(self, cell: dict[str, str], problems: list[str]) -> set[int]:
        tag_ids: set[int] = set()
        for part in TAG_SPLIT.split(cell.get("tags", "")):
            key = _normalise_repeated(part).lower()
            if not key:
                continue
            tag_id = self.tags.get(key)
            if tag_id is None:
                problems.append(_("Unknown tag %(tag)s.") % {"tag": part})
            else:
                tag_ids.add(tag_id)
        return tag_ids

    def contact(self, cell: dict[str, str], problems: list[str]) -> dict[str, str]:
        """Address, contact person, phone and email: lengths the columns hold, an email that is one."""
        address = _text(cell.get("address", ""))
        if len(address) > 255:
            problems.append(_("Address is longer than 255 characters."))
        contact_name = _text(cell.get("contact_name", ""))
        if len(contact_name) > 64:
            problems.append(_("Contact person is longer than 64 characters."))
        contact_phone = normalise(cell.get("contact_phone", ""))
        if len(contact_phone) > 32:
            problems.append(_("Contact phone is longer than 32 characters."))
        contact_email = normalise(cell.get("contact_email", ""))
        if contact_email:
            try:
                validate_email(contact_email)
            except ValidationError:
                problems.append(_("%(value)s is not an email address.") % {"value": contact_email})
        return {
            "address": address,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "contact_email": contact_email,
        }

    def is_liaison_point(self, cell: dict[str, str], problems: list[str]) -> bool:
        liaison_text = _normalise_repeated(cell.get("is_liaison_point", "")).lower()
        is_liaison_point = liaison_text in TRUE_WORDS
        if not is_liaison_point and liaison_text not in FALSE_WORDS:
            problems.append(_("Liaison point must be 是 or 否, not %(value)s.") % {"value": liaison_text})
        return is_liaison_point


def enterprise_import(
    *,
    user: Any,
    path: Path | None = None,
    rows: list[list[str]] | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Check every row of ``path`` (or of ``rows`` already read from it) and, if none is bad
    and not ``dry_run``, write them all."""
    result = ImportResult(dry_run=dry_run)
    if not may_import(user):
        result.errors.append(RowError(0, _("You may not import enterprises.")))
        return result
    try:
        if rows is None:
            if path is None:
                raise TypeError("enterprise_import needs a path or the rows read from it")
            rows = read_rows(path)
        header = find_header(rows)
    except ImportFileError as exc:
        result.refuse_file(exc)
        return result

    lines = data_rows(rows, header)
    total = len(lines)
    del rows
    if progress:
        progress(0, total)
    if total == 0:
        result.errors.append(RowError(header.index + 1, _("The file has a header row but no enterprises below it.")))
        return result

    checked = _check_lines(user, header, lines, result.errors, progress)
    to_create, to_update = _sort_against_database(user, checked, result)
    result.errors.sort(key=lambda e: e.row)
    if result.errors:
        return result
    result.created = len(to_create)
    result.updated = len(to_update)
    if not dry_run:
        _write(user, to_create, to_update)
    if progress:
        progress(total, total)
    return result


def _check_lines(
    user: Any,
    header: Header,
    lines: Sequence[tuple[int, Sequence[str]]],
    errors: list[RowError],
    progress: Callable[[int, int], None] | None,
) -> list[_Row]:
    """Every data row checked; the problems of bad rows go to ``errors``, good rows are returned."""
    checker = _RowChecker(user)
    total = len(lines)
    checked: list[_Row] = []
    cols = list(header.columns.items())
    for done, (number, raw) in enumerate(lines, start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
        cell = {f: (raw[c] if c < len(raw) else "") for f, c in cols}
        outcome = checker.check(number, cell)
        if isinstance(outcome, _Row):
            checked.append(outcome)
        else:
            errors.extend(RowError(number, p) for p in outcome)
    return checked


def _sort_against_database(
    user: Any, checked: list[_Row], result: ImportResult
) -> tuple[list[_Row], list[tuple[_Row, dict[str, Any], bool]]]:
    """Against the database: an existing code is an update if the user may change it.

    Rows the user may not write go to ``result.errors``; rows already as the file says count as unchanged.
    """
    existing, changeable, existing_tags = _existing([r.values["uscc"] for r in checked], user)
    may_add = scope_q(Enterprise, user, ADD) is not None
    to_create: list[_Row] = []
    to_update: list[tuple[_Row, dict[str, Any], bool]] = []  # row, stored values, tags changed
    for row in checked:
        current = existing.get(row.values["uscc"])
        if current is None:
            if not may_add:
                result.errors.append(RowError(row.number, _("You may not add enterprises.")))
            else:
                to_create.append(row)
            continue
        if current["pk"] not in changeable:
            result.errors.append(
                RowError(
                    row.number,
                    _("This unified social credit code is already registered outside your region."),
                )
            )
            continue
        same_fields = all(current[k] == v for k, v in row.values.items() if k in current)
        same_tags = existing_tags.get(current["pk"], set()) == set(row.tag_ids)
        if same_fields and same_tags:
            result.unchanged += 1
        else:
            to_update.append((row, current, not same_tags))
    return to_create, to_update


def _write(user: Any, to_create: list[_Row], to_update: list[tuple[_Row, dict[str, Any], bool]]) -> None:
    """One transaction through the enterprises' bulk writer: rows, tag links and history."""
    enterprises_bulk_write(
        user=user,
        created=[NewEnterprise(dict(r.values), r.tag_ids) for r in to_create],
        changed=[
            EnterpriseChange(
                pk=current["pk"],
                values=dict(r.values),
                current={k: current[k] for k in KEPT_ON_CHANGE},
                tag_ids=r.tag_ids,
                tags_changed=tags_changed,
            )
            for r, current, tags_changed in to_update
        ],
    )
    for r, current, _tags_changed in to_update:
        if "contact_email" in r.values:
            announce_contact_change(
                enterprise_id=current["pk"],
                name=r.values.get("name") or current["name"],
                old=current["contact_email"],
                new=r.values["contact_email"],
                actor=user,
            )


def write_import_template(target: Path | str | IO[bytes]) -> None:
    """The .xlsx people fill in: the headers, and a sheet explaining each column with an example row."""
    tag_names = list(Tag.objects.order_by("order", "code").values_list("name_zh", flat=True))
    explanations = {
        "name": "必填。企业全称，与营业执照一致。",
        "uscc": "必填。18位统一社会信用代码；大小写、全角字符和空格会自动规范。代码已登记的企业将被更新。",
        "region": "必填。区县名称（如 江北区）、全称（如 重庆市江北区）或6位区划代码（如 500105）。",
        "park": "选填。所属园区名称，须是所属区域内已登记的园区。",
        "industry": "选填。国民经济行业分类（GB/T 4754）门类字母 A-T 或门类名称，如 C 或 制造业。",
        "employee_count": "选填。整数。",
        "tags": "选填。标签中文名称，多个用顿号（、）或逗号分隔。可用标签：" + "、".join(tag_names),
        "address": "选填。",
        "contact_name": "选填。",
        "contact_phone": "选填。",
        "contact_email": "选填。电子邮箱地址。",
        "is_liaison_point": "选填。是 或 否，空白视为否。",
    }
    example = [
        "重庆示例科技有限公司",
        "91500105MA5U000000（示例，请替换）",
        "重庆市江北区",
        "",
        "C",
        "120",
        "、".join(tag_names[:2]),
        "重庆市江北区示例路1号",
        "张三",
        "13800000000",
        "zhangsan@example.com",
        "否",
    ]
    write_template(
        target,
        sheet_name="企业名录",
        columns=COLUMNS.columns,
        explanations=explanations,
        widths={"name": 32, "uscc": 22},
        text_fields=("uscc", "contact_phone"),
        example=example,
        note="只导入第一个工作表。表头行之上可以有标题行；表头可用常见写法（如 单位名称、所属区县、信用代码）。"
        "任一行有误时整个文件都不会导入，并列出所有有误的行。",
    )


__all__ = [
    "COLUMNS",
    "HEADERS_ZH",
    "ImportFileError",
    "ImportResult",
    "RowError",
    "RowsOutcome",
    "enterprise_import",
    "find_header",
    "may_import",
    "read_rows",
    "write_import_template",
]
