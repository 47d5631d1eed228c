"""The deposit register (存证登记簿) as .xlsx: one row per deposit, digests in full."""

from __future__ import annotations

from typing import IO

from django.db.models import QuerySet

from shangmi.core.calendar import program_local
from shangmi.core.xlsx import new_workbook
from shangmi.evidence.models import Deposit

HEADERS = [
    "标题 Title",
    "密点 Secret point",
    "项目 Project",
    "版本说明 Version note",
    "上一版本 Previous",
    "文件名 File name",
    "文件大小 Size (bytes)",
    "SHA-256",
    "SM3",
    "存证时间 Accepted (Beijing)",
    "日志序号 Log index",
    "存证人 Depositor",
    "存证编号 Deposit id",
]


def deposits_export(*, queryset: QuerySet[Deposit], target: IO[bytes]) -> int:
    workbook = new_workbook(target, constant_memory=True, in_memory=False)
    sheet = workbook.add_worksheet("存证登记簿")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, HEADERS, bold)
    sheet.set_column(0, 0, 30)
    sheet.set_column(7, 8, 66)
    count = 0
    for count, deposit in enumerate(queryset.iterator(chunk_size=2000), start=1):
        sheet.write_row(
            count,
            0,
            [
                deposit.title,
                deposit.secret_point,
                deposit.project,
                deposit.version_note,
                str(deposit.previous_id or ""),
                deposit.file_name,
                deposit.file_size if deposit.file_size is not None else "",
                deposit.sha256,
                deposit.sm3,
                program_local(deposit.accepted_at).strftime("%Y-%m-%d %H:%M:%S"),
                deposit.leaf_index if deposit.leaf_index is not None else "待排序 pending",
                deposit.created_by.full_name or deposit.created_by.username,
                str(deposit.pk),
            ],
        )
    workbook.close()
    return count
