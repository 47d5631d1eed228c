"""Export of the activity ledger to .xlsx in the columns the standard names for it:
活动名称、时间、地点、参与人员、活动内容 (item "商业秘密保护活动开展台账"), then 类型、组织单位、
参与企业、参与人数.

What a reader may not see stays out of the file as it stays off the page: an enterprise's
user gets its own people and its own name, not the other enterprises'.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.db.models import Prefetch, QuerySet

from shangmi.core.calendar import program_local
from shangmi.core.scoping import VIEW
from shangmi.core.xlsx import new_workbook
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.activities.services import KIND_ZH
from shangmi.ledgers.models import Activity, ActivityParticipant

HEADERS_ZH: tuple[str, ...] = (
    "活动名称",
    "时间",
    "地点",
    "参与人员",
    "活动内容",
    "类型",
    "组织单位",
    "参与企业",
    "参与人数",
)
CHUNK = 500
CELL_LIMIT = 32767  # Excel's limit on the characters of one cell


def _joined(names: list[str]) -> str:
    text = "、".join(names)
    if len(text) <= CELL_LIMIT:
        return text
    # A ledger of thousands of names: the cell says how many it could not hold.
    kept: list[str] = []
    length = 0
    for name in names:
        if length + len(name) + 1 > CELL_LIMIT - 20:
            break
        kept.append(name)
        length += len(name) + 1
    return "、".join(kept) + f"等{len(names)}人"


def _row(activity: Activity) -> list[Any]:
    # Both relations were prefetched through the reader's scope: .all() reads those rows only.
    people = [p.name for p in activity.participants.all()]
    return [
        activity.name,
        program_local(activity.starts_at).strftime("%Y-%m-%d %H:%M"),
        activity.place,
        _joined(people),
        activity.content,
        KIND_ZH.get(activity.kind, activity.kind),
        activity.organiser,
        "、".join(e.name for e in activity.enterprises.all()),
        len(people),
    ]


def activities_export(*, queryset: QuerySet[Activity], user: Any, target: Path | str | IO[bytes]) -> int:
    """Write the activities of ``queryset`` (already restricted and filtered) to ``target``;
    returns how many. Participants and enterprises are those ``user`` may see."""
    if isinstance(target, Path):
        target = str(target)
    workbook = new_workbook(target, in_memory=True)
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet = workbook.add_worksheet("活动台账")
    sheet.write_row(0, 0, HEADERS_ZH, bold)
    for col, width in enumerate((28, 17, 20, 40, 48, 10, 20, 32, 9)):
        sheet.set_column(col, col, width, wrap)
    sheet.freeze_panes(1, 0)

    participants: QuerySet[ActivityParticipant] = ActivityParticipant.objects.restrict(user, VIEW).order_by(
        "enterprise__name", "name", "pk"
    )
    enterprises: QuerySet[Enterprise] = Enterprise.objects.restrict(user, VIEW).order_by("name")
    pks = list(queryset.order_by("starts_at", "pk").values_list("pk", flat=True))
    count = 0
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        rows = Activity.objects.filter(pk__in=chunk).prefetch_related(
            Prefetch("participants", queryset=participants),
            Prefetch("enterprises", queryset=enterprises),
        )
        by_pk = {a.pk: a for a in rows}
        for pk in chunk:
            count += 1
            sheet.write_row(count, 0, _row(by_pk[pk]))
    workbook.close()
    return count


__all__ = ["HEADERS_ZH", "activities_export"]
