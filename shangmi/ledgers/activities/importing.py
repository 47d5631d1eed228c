"""Import of an activity's participants from the sign-in sheet (.xlsx or .csv).

Sign-in sheets come as people make them: a title row or two above the header, full-width
characters, stray spaces, blank lines, the same person signed twice. The header row is found
by its column names; every row is checked; one bad row and nothing is written, and every bad
row is named with its spreadsheet row number and the reason.

Columns (the template's): 姓名, 单位/企业 (the enterprise's name or unified social credit code),
工号, 手机, 职务. The enterprise must be one the importer may see; one not yet among the
activity's enterprises joins them. A blank 单位 is someone not from an enterprise (bureau
staff, a speaker): recorded, counted in no enterprise's training rate. A file without a 单位
column is accepted for an activity of exactly one enterprise: everyone is from it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, transaction
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
from shangmi.core.scoping import CHANGE, in_scope
from shangmi.enterprises.uscc import normalise_uscc, uscc_errors
from shangmi.ledgers.activities.services import activity_enterprises, check_person
from shangmi.ledgers.models import Activity, ActivityParticipant
from shangmi.regions.resolve import normalise

# The order is the template's; the aliases are the names sign-in sheets use.
COLUMNS = Columns(
    (
        Column(
            "name",
            "姓名",
            (
                "名字",
                "学员姓名",
                "人员姓名",
                "参训人员",
                "参训人员姓名",
                "参会人员",
                "参会人员姓名",
                "参训人",
                "name",
                "fullname",
            ),
            required=True,
        ),
        Column(
            "enterprise",
            "单位/企业",
            (
                "单位",
                "企业",
                "公司",
                "单位名称",
                "企业名称",
                "公司名称",
                "工作单位",
                "所在单位",
                "所在企业",
                "所在公司",
                "单位企业",
                "企业单位",
                "统一社会信用代码",
                "enterprise",
                "company",
                "unit",
            ),
            required=True,
        ),
        Column(
            "employee_no",
            "工号",
            ("员工编号", "职工编号", "员工号", "职工号", "员工工号", "employeeno", "employeenumber"),
        ),
        Column(
            "phone",
            "手机",
            ("手机号", "手机号码", "电话", "联系电话", "联系方式", "移动电话", "phone", "mobile"),
        ),
        Column("position", "职务", ("职位", "岗位", "职称", "职务职称", "position", "jobtitle")),
    )
)
HEADERS_ZH: tuple[str, ...] = COLUMNS.headers


def find_header(rows: Sequence[Sequence[str]], *, unit_optional: bool) -> Header:
    """The header row and its columns; raises ImportFileError naming what it saw if none."""
    return COLUMNS.find_header(rows, required=("name",) if unit_optional else ("name", "enterprise"))


@dataclass
class ParticipantImportResult(RowsOutcome):
    created: int = 0
    # People of the file already recorded at the activity: left as they are.
    unchanged: int = 0
    enterprises_added: list[str] = field(default_factory=list)

    def done_message(self) -> str:
        counts = {"created": self.created, "unchanged": self.unchanged, "added": len(self.enterprises_added)}
        if self.dry_run:
            return (
                _(
                    "Check passed, nothing written: %(created)d participants would be added "
                    "(%(unchanged)d already recorded), %(added)d enterprises would join the activity."
                )
                % counts
            )
        return (
            _(
                "Import finished: %(created)d participants added (%(unchanged)d already recorded), "
                "%(added)d enterprises joined the activity."
            )
            % counts
        )


class _Enterprises:
    """The enterprises the importer may see, by credit code and by normalised name."""

    def __init__(self, user: Any) -> None:
        self.by_uscc: dict[str, int] = {}
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.names: dict[int, str] = {}
        for pk, name, uscc in activity_enterprises(user).values_list("pk", "name", "uscc").order_by():
            self.by_uscc[uscc] = pk
            self.by_name[normalise(name).lower()].add(pk)
            self.names[pk] = name

    def resolve(self, text: str) -> tuple[int | None, str]:
        """(enterprise id, "") or (None, why not)."""
        code = normalise_uscc(text)
        # Eighteen letters and digits with a division code inside: meant as a code, so a
        # mistyped one is told as such rather than as an unknown name.
        if len(code) == 18 and code.isascii() and code.isalnum() and code[2:8].isdigit():
            problems = uscc_errors(code)
            if problems:
                return None, " ".join(problems)
            pk = self.by_uscc.get(code)
            if pk is None:
                return None, _("No enterprise with the unified social credit code %(code)s in your scope.") % {
                    "code": code
                }
            return pk, ""
        found = self.by_name.get(normalise(text).lower(), set())
        if len(found) > 1:
            return None, _("Several enterprises in your scope are called %(name)s: write its credit code instead.") % {
                "name": text
            }
        if not found:
            return None, _(
                "No enterprise called %(name)s in your scope: write its full registered name or its credit code."
            ) % {"name": text}
        return next(iter(found)), ""


@dataclass(frozen=True)
class _Row:
    number: int
    enterprise_id: int | None
    name: str
    employee_no: str
    phone: str
    position: str
    key: str


def participants_import(
    *, user: Any, activity: Activity, path: Path | str, dry_run: bool = False
) -> ParticipantImportResult:
    """Check every row of ``path``; if none is bad and not ``dry_run``, add them all at once."""
    result = ParticipantImportResult(dry_run=dry_run)
    errors = result.errors
    if not in_scope(activity, user, CHANGE):
        errors.append(RowError(0, _("You may not change this activity.")))
        return result
    current = set(activity.enterprises.values_list("pk", flat=True))
    try:
        rows = read_rows(path)
        header = find_header(rows, unit_optional=len(current) == 1)
    except ImportFileError as exc:
        result.refuse_file(exc)
        return result
    lines = data_rows(rows, header)
    if not lines:
        errors.append(RowError(header.index + 1, _("The file has a header row but nobody below it.")))
        return result

    enterprises = _Enterprises(user)
    only_enterprise = next(iter(current)) if "enterprise" not in header.columns else None
    if only_enterprise is not None and only_enterprise not in enterprises.names:
        errors.append(
            RowError(header.index + 1, _("The activity's enterprise is outside your scope: name each person's unit."))
        )
        return result
    recorded = set(
        ActivityParticipant.objects.filter(activity=activity).values_list("enterprise_id", "person_key").order_by()
    )
    seen: dict[tuple[int | None, str], int] = {}
    checked: list[_Row] = []
    for number, raw in lines:
        cell = header.cells(raw)
        person = check_person(
            name=cell.get("name", ""),
            employee_no=cell.get("employee_no", ""),
            phone=cell.get("phone", ""),
            position=cell.get("position", ""),
        )
        problems = list(person.problems)
        enterprise_id = only_enterprise
        unit = cell.get("enterprise", "").strip()
        if unit:
            enterprise_id, problem = enterprises.resolve(unit)
            if problem:
                problems.append(problem)
        if problems:
            errors.extend(RowError(number, p) for p in problems)
            continue
        identity = (enterprise_id, person.key)
        first = seen.get(identity)
        if first is not None:
            errors.append(
                RowError(
                    number, _("%(name)s is the same person as on row %(row)d.") % {"name": person.name, "row": first}
                )
            )
            continue
        seen[identity] = number
        if identity in recorded:
            result.unchanged += 1
            continue
        checked.append(
            _Row(number, enterprise_id, person.name, person.employee_no, person.phone, person.position, person.key)
        )

    errors.sort(key=lambda e: e.row)
    if errors:
        return result
    joining = sorted({r.enterprise_id for r in checked if r.enterprise_id is not None} - current)
    result.created = len(checked)
    result.enterprises_added = sorted(enterprises.names[pk] for pk in joining)
    if dry_run:
        return result
    try:
        with transaction.atomic():
            if joining:
                activity.enterprises.add(*joining)
            ActivityParticipant.objects.bulk_create(
                ActivityParticipant(
                    activity=activity,
                    enterprise_id=r.enterprise_id,
                    name=r.name,
                    employee_no=r.employee_no,
                    phone=r.phone,
                    position=r.position,
                    person_key=r.key,
                )
                for r in checked
            )
    except IntegrityError:
        # Someone recorded one of these people between the check and the write.
        result.created = 0
        result.enterprises_added = []
        errors.append(RowError(0, _("Participants were added by someone else meanwhile; import the file again.")))
    return result


# --- The template --------------------------------------------------------------------------------


def write_participant_template(target: Path | str | IO[bytes]) -> None:
    """The sign-in sheet people fill in: the headers, and a sheet explaining each column."""
    explanations = {
        "name": "必填。参与人员姓名。",
        "enterprise": "所在企业的全称或18位统一社会信用代码，须为您管辖范围内的企业；"
        "不在本次活动参与企业中的将自动加入。非企业人员（如监管部门工作人员、授课专家）留空。",
        "employee_no": "建议填写。企业内的员工工号：同一人多次参加培训按工号只计一次；无工号时按姓名加手机号识别。",
        "phone": "选填。手机号码。",
        "position": "选填。职务或岗位。",
    }
    write_template(
        target,
        sheet_name="参与人员",
        columns=COLUMNS.columns,
        explanations=explanations,
        widths={"name": 14, "enterprise": 36, "employee_no": 18, "phone": 18},
        # Text cells: Excel would turn 00123 into 123 and 13800001111 into 1.38E+10.
        text_fields=("employee_no", "phone"),
        note="只导入第一个工作表。表头行之上可以有标题行，空行会被跳过。任一行有误时整个文件都不会导入，并列出所有有误的行。",
    )


__all__ = [
    "COLUMNS",
    "HEADERS_ZH",
    "ParticipantImportResult",
    "find_header",
    "participants_import",
    "write_participant_template",
]
