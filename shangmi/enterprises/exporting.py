"""Export of the enterprise registry to .xlsx, in exactly the import template's columns.

Exporting a list and importing the file back changes nothing; that round trip is tested.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet

from shangmi.core.xlsx import new_workbook
from shangmi.enterprises.importing import HEADERS_ZH
from shangmi.enterprises.models import INDUSTRY_ZH, Enterprise

CHUNK = 2000


def _row(e: Enterprise, tag_names: dict[int, str], tags_of: dict[int, list[int]]) -> list[Any]:
    return [
        e.name,
        e.uscc,
        e.region.full_name,
        e.park.name if e.park is not None else "",
        # The section's name as the national forms write it (制造业), not its letter: the file is
        # read by people; the import reads the name back.
        INDUSTRY_ZH.get(e.industry, e.industry),
        e.employee_count if e.employee_count is not None else "",
        "、".join(tag_names[t] for t in sorted(tags_of.get(e.pk, ()))),
        e.address,
        e.contact_name,
        e.contact_phone,
        e.contact_email,
        "是" if e.is_liaison_point else "否",
    ]


def enterprises_export(*, queryset: QuerySet[Enterprise], target: Path | str | IO[bytes]) -> int:
    """Write the enterprises of ``queryset`` to ``target`` (.xlsx); returns how many were written.

    XlsxWriter's constant_memory mode writes row by row to a temporary file, so 100,000 rows
    take a few megabytes; the rows are read from the database in chunks for the same reason.
    ``target`` must be a path or a seekable binary file.
    """
    from shangmi.enterprises.models import Tag

    if isinstance(target, Path):
        target = str(target)
    tag_names = dict(Tag.objects.values_list("pk", "name_zh"))
    workbook = new_workbook(target, constant_memory=True)
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    sheet = workbook.add_worksheet("企业名录")
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 1, 22, text)
    sheet.set_column(2, len(HEADERS_ZH) - 1, 16)
    sheet.set_column(9, 9, 16, text)
    sheet.write_row(0, 0, HEADERS_ZH, bold)

    through = Enterprise.tags.through
    base = queryset.select_related("region", "park").order_by(*(queryset.query.order_by or ["name"]), "pk")
    pks = list(base.values_list("pk", flat=True))
    count = 0
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        tags_of: dict[int, list[int]] = {}
        for ent_id, tag_id in through.objects.filter(enterprise_id__in=chunk).values_list("enterprise_id", "tag_id"):
            tags_of.setdefault(ent_id, []).append(tag_id)
        rows = Enterprise.objects.select_related("region", "park").in_bulk(chunk)
        for pk in chunk:
            count += 1
            sheet.write_row(count, 0, _row(rows[pk], tag_names, tags_of))
    workbook.close()
    return count


__all__ = ["enterprises_export"]
