"""The activity ledger as .xlsx: the standard's columns, the list's filter, the reader's scope."""

from __future__ import annotations

import io
from typing import Any

from django.urls import reverse
from python_calamine import CalamineWorkbook

from shangmi.ledgers.activities.exporting import HEADERS_ZH
from shangmi.ledgers.models import Activity
from tests.ledgers.activities.test_services import add_person, at, make_activity


def read_back(response: Any) -> list[list[Any]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()


def test_the_export_has_the_seed_columns_and_the_filtered_rows(world: Any, client: Any) -> None:
    training = make_activity(
        world.chongqing, world.city_regulator, world.ent_in, world.ent_out, name="全市培训", starts_at=at(2026, 3, 8, 9)
    )
    add_person(training, world.ent_in, "江北学员")
    add_person(training, world.ent_out, "江津学员")
    make_activity(world.jiangbei, world.city_regulator, name="江北宣传", kind=Activity.Kind.PUBLICITY)
    make_activity(world.jiangbei, world.city_regulator, name="去年培训", starts_at=at(2025))

    client.force_login(world.city_regulator)
    rows = read_back(client.get(reverse("ledgers:activity_export") + "?kind=training&year=2026"))
    assert tuple(rows[0]) == HEADERS_ZH
    assert tuple(HEADERS_ZH[:5]) == ("活动名称", "时间", "地点", "参与人员", "活动内容")
    assert len(rows) == 2
    name, time, place, people, content, kind, organiser, enterprises, count = rows[1]
    assert (name, time, place, content, kind, organiser) == (
        "全市培训",
        "2026-03-08 09:00",
        "区市场监管局三楼会议室",
        "商业秘密保护法律法规讲解",
        "培训",
        "区市场监管局",
    )
    assert set(people.split("、")) == {"江北学员", "江津学员"}
    assert set(enterprises.split("、")) == {world.ent_in.name, world.ent_out.name}
    assert count == 2

    everything = read_back(client.get(reverse("ledgers:activity_export")))
    assert {r[0] for r in everything[1:]} == {"全市培训", "江北宣传", "去年培训"}


def test_the_export_keeps_to_the_readers_scope(world: Any, client: Any) -> None:
    joint = make_activity(world.chongqing, world.city_regulator, world.ent_in, world.ent_out, name="联合培训")
    add_person(joint, world.ent_in, "江北学员")
    add_person(joint, world.ent_out, "江津学员")
    make_activity(world.jiangjin, world.regulator_out, world.ent_out, name="江津培训")

    # An enterprise of 江北: the joint activity, its own people and its own name only.
    client.force_login(world.ent_admin_in)
    rows = read_back(client.get(reverse("ledgers:activity_export")))
    assert [r[0] for r in rows[1:]] == ["联合培训"]
    text = "\n".join(str(cell) for row in rows for cell in row)
    assert "江北学员" in text and world.ent_in.name in text
    assert "江津学员" not in text and world.ent_out.name not in text
    assert rows[1][8] == 1

    # 江北's regulator: neither the city's activity (held by the city) nor 江津's.
    client.force_login(world.regulator_in)
    assert read_back(client.get(reverse("ledgers:activity_export"))) == [list(HEADERS_ZH)]
