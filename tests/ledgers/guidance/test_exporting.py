"""The guidance ledger spreadsheet, read back cell by cell: the seed's columns, only rows in scope."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.base import ContentFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shangmi.ledgers.guidance.exporting import HEADERS_ZH
from shangmi.ledgers.models import GuidanceVisit, VisitAttachment

UTC = datetime.UTC


def visit(enterprise: Any, officer: Any, when: datetime.datetime, content: str, place: str = "会议室") -> GuidanceVisit:
    return GuidanceVisit.objects.create(
        enterprise=enterprise,
        officer=officer,
        visited_at=when,
        place=place,
        bureau_participants="张指导员",
        enterprise_participants="王经理",
        content=content,
        issues="制度不全",
        advice="建立制度",
        created_by=officer,
    )


def sheet(client: Any, **params: Any) -> list[list[Any]]:
    response = client.get(reverse("ledgers:guidance_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.get_sheet_by_index(0).to_python()


def test_export_has_the_seed_columns_and_only_rows_in_scope(world: Any, client: Any, tmp_media: Any) -> None:
    spring = visit(world.ent_in, world.officer_in, datetime.datetime(2026, 3, 12, 2, 0, tzinfo=UTC), "江北春季指导")
    attachment = VisitAttachment(
        visit=spring, original_name="现场.jpg", content_type="image/jpeg", size=4, sha256="0" * 64,
        uploaded_by=world.officer_in,
    )  # fmt: skip
    attachment.file.save("x.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=True)
    # 23:30 on 30 June in Shanghai, written in the local time of the ledger.
    visit(world.ent_in, world.officer_in, datetime.datetime(2026, 6, 30, 15, 30, tzinfo=UTC), "江北六月底指导", "=1+1")
    visit(world.ent_out, world.officer_out, datetime.datetime(2026, 4, 1, 2, 0, tzinfo=UTC), "江津指导")

    client.force_login(world.officer_in)
    rows = sheet(client)
    header = rows[0]
    assert header == HEADERS_ZH
    for column in (
        "时间",
        "地点",
        "人员",
        "内容",
        "企业",
        "统一社会信用代码",
        "指导员",
        "发现问题",
        "指导建议",
        "附件数",
    ):
        assert column in header
    col = {name: header.index(name) for name in header}
    body = rows[1:]
    assert [row[col["内容"]] for row in body] == ["江北春季指导", "江北六月底指导"]
    first, second = body
    assert first[col["企业"]] == world.ent_in.name and first[col["统一社会信用代码"]] == world.ent_in.uscc
    assert first[col["时间"]] == "2026-03-12 10:00"
    assert second[col["时间"]] == "2026-06-30 23:30"
    assert first[col["人员"]] == "指导方:张指导员;企业方:王经理"
    assert first[col["附件数"]] == 1 and second[col["附件数"]] == 0
    assert second[col["地点"]] == "=1+1"  # text, never a formula
    assert first[col["指导员"]] == world.officer_in.display_name
    assert "江津" not in str(rows) and world.ent_out.uscc not in str(rows)

    client.force_login(world.regulator_out)
    rows = sheet(client)
    assert [row[col["内容"]] for row in rows[1:]] == ["江津指导"]

    client.force_login(world.city_regulator)
    assert len(sheet(client)) == 4
    # The list's filters apply to the export: the second half of 2026 starts at 00:00 on 1 July, Shanghai.
    assert [row[col["内容"]] for row in sheet(client, year=2026, half=1)[1:]] == [
        "江北春季指导",
        "江津指导",
        "江北六月底指导",
    ]
    assert sheet(client, year=2026, half=2)[1:] == []
    assert [row[col["内容"]] for row in sheet(client, enterprise=world.ent_out.pk)[1:]] == ["江津指导"]


def test_export_of_someone_without_visits_is_only_the_header(world: Any, client: Any) -> None:
    visit(world.ent_in, world.officer_in, datetime.datetime(2026, 3, 12, 2, 0, tzinfo=UTC), "江北春季指导")
    client.force_login(world.ent_admin_out)
    assert sheet(client) == [HEADERS_ZH]
