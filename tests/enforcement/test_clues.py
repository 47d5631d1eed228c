"""Public clue reporting and screening: the tracking code, the challenge, the hourly limit,
the 15-working-day check with its extension and stopped clock, the notice to a reporter by
name, forwarding, merging, a demand made a clue; and who may see a clue."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shangmi.core.calendar import program_today
from shangmi.enforcement import services
from shangmi.enforcement.models import Clue, ClueAttachment, Demand
from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.workdays import calendars_load, deadline
from shangmi.regions.models import Region
from tests.refusals import refused_with

D = datetime.date
PDF = "%PDF-1.4\n% 证据\n".encode()


@pytest.fixture
def loaded(db: Any) -> None:
    calendars_load()
    rules_load()


def report(client: Any, **fields: Any) -> Any:
    """Fill in the public form as a person does: read the question, answer it."""
    page = client.get(reverse("enforcement:clue_report"))
    a, b = map(int, re.findall(r"(\d+) \+ (\d+)", page.context["question"])[0])
    data = {"district": "重庆市江北区", "against": "某某精密公司", "description": "前员工将图纸带到该公司使用",
            "token": page.context["token"], "answer": str(a + b), **fields}  # fmt: skip
    return client.post(reverse("enforcement:clue_report"), data)


def test_anyone_reports_and_follows_the_clue_by_its_code(loaded: None, client: Any, tmp_media: Any) -> None:
    response = report(client, attachments=[SimpleUploadedFile("图纸.pdf", PDF)])
    assert response.status_code == 200
    code = response.context["code"]
    clue = Clue.objects.get()
    assert clue.region.code == "500105" and not clue.real_name
    # Only the code's hash is kept.
    assert clue.tracking_hash == services.tracking_hash(code) and code not in str(Clue.objects.values().get())
    assert clue.screening_due == deadline(clue.received_on, 15).on or clue.screening_missing_year
    assert ClueAttachment.objects.get().uploaded_by is None
    page = client.post(reverse("enforcement:clue_track"), {"code": code.lower()})
    assert page.context["clue"] == clue
    text = page.content.decode()
    assert "前员工将图纸" not in text and "图纸.pdf" not in text  # the status, nothing more
    assert "no-store" in page["Cache-Control"]
    wrong = client.post(reverse("enforcement:clue_track"), {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert wrong.context["clue"] is None and wrong.context["form"].errors


def test_a_wrong_answer_a_filled_trap_and_a_bad_file_write_nothing(loaded: None, client: Any, tmp_media: Any) -> None:
    assert report(client, answer="999").status_code == 200
    report(client, website="http://spam.example")
    report(client, attachments=[SimpleUploadedFile("x.pdf", b"MZ\x90")])
    report(client, district="不存在区")
    report(client, district="江北区")  # 重庆 and 宁波 both have one
    report(client, real_name="on")  # by name, without a name
    assert not Clue.objects.exists() and not ClueAttachment.objects.exists()


def test_the_hourly_limit_per_address(loaded: None, client: Any, settings: Any, tmp_media: Any) -> None:
    settings.SHANGMI_CLUE_HOURLY_LIMIT = 2
    for _ in range(3):
        report(client)
    assert Clue.objects.count() == 2
    other = type(client)(REMOTE_ADDR="10.1.2.3")
    report(other)
    assert Clue.objects.count() == 3


def make_clue(world: Any, *, real_name: bool = True) -> Clue:
    clue = Clue.objects.create(
        region=world.jiangbei, tracking_hash=services.tracking_hash(services.new_tracking_code()),
        real_name=real_name, reporter_name="张三" if real_name else "", against="某公司", description="线索内容",
        received_on=D(2026, 5, 6), screening_due=D(2026, 5, 26),
    )  # fmt: skip
    return clue


def test_the_15_day_check_extension_and_stopped_clock(world: Any, loaded: None) -> None:
    clue = make_clue(world)
    clue = services.clue_extend(user=world.regulator_in, clue=clue, reason="负责人批准延长")
    assert clue.screening_due == D(2026, 6, 16)  # 15 more working days
    with refused_with(services.CLUE_EXTENDED):
        services.clue_extend(user=world.regulator_in, clue=clue, reason="again")
    Clue.objects.filter(pk=clue.pk).update(screening_due=D(2026, 10, 12))
    services.clue_stop_clock(user=world.regulator_in, clue=clue, reason="委托鉴定")
    Clue.objects.filter(pk=clue.pk).update(stopped_since=D(2026, 9, 28))
    clue = services.clue_resume_clock(user=world.regulator_in, clue=clue, today=D(2026, 10, 9))
    # Four working days stood (29, 30 September; 8, 9 October): the deadline moves by four.
    assert clue.screening_due == D(2026, 10, 16) and clue.stopped_since is None
    with refused_with(services.CLUE_REASON):
        services.clue_decide(user=world.regulator_in, clue=clue, open_case=True, reason=" ")
    clue = services.clue_decide(
        user=world.regulator_in, clue=clue, open_case=True, reason="符合立案条件", public_answer="已立案调查"
    )
    assert clue.status == Clue.Status.OPENED
    due = deadline(program_today(), 5)
    assert (clue.notify_due, clue.notify_missing_year) == (due.on, due.missing_year)
    clue = services.clue_notified(user=world.regulator_in, clue=clue, how="电话告知")
    assert clue.notified_on == program_today()
    with refused_with(services.CLUE_DECIDED):
        services.clue_decide(user=world.regulator_in, clue=clue, open_case=False, reason="x")
    assert [e.kind for e in clue.events.all()] == ["extended", "stopped", "resumed", "decided", "notified"]


def test_an_anonymous_reporter_gets_no_notice_deadline(world: Any, loaded: None) -> None:
    clue = services.clue_decide(user=world.regulator_in, clue=make_clue(world, real_name=False), open_case=False,
                                reason="证据不足")  # fmt: skip
    assert clue.notify_due is None
    with refused_with(services.CLUE_NOT_REAL_NAME):
        services.clue_notified(user=world.regulator_in, clue=clue, how="电话")


def test_forwarding_moves_the_clue_with_a_record(world: Any, loaded: None, client: Any) -> None:
    clue = make_clue(world)
    client.force_login(world.regulator_in)
    client.post(reverse("enforcement:clue_forward", args=[clue.pk]), {"to": "江津区", "reason": "行为发生地在江津"})
    clue.refresh_from_db()
    assert clue.region == world.jiangjin and clue.forwarded_from == world.jiangbei
    assert clue.events.get().kind == "forwarded" and "江津" in clue.events.get().note
    assert client.get(clue.get_absolute_url()).status_code == 404
    client.force_login(world.regulator_out)
    assert client.get(clue.get_absolute_url()).status_code == 200


def test_a_duplicate_is_merged_and_its_code_follows(world: Any, loaded: None) -> None:
    first = "AAAA-BBBB-CCCC-DDDD"
    kept = make_clue(world)
    duplicate = make_clue(world)
    Clue.objects.filter(pk=duplicate.pk).update(tracking_hash=services.tracking_hash(first))
    services.clue_merge(user=world.regulator_in, clue=duplicate, into=kept)
    assert services.clue_tracked(first) == kept
    with refused_with(services.CLUE_MERGE):
        services.clue_merge(user=world.regulator_in, clue=kept, into=kept)


def test_a_demand_becomes_a_clue_keeping_the_link(world: Any, loaded: None, client: Any, tmp_media: Any) -> None:
    demand = services.demand_file(
        user=world.ent_admin_in,
        data=services.DemandInput(kind=Demand.Kind.COMPLAINT, title="竞争对手挖走技术员", description="带走工艺文件"),
    )
    client.force_login(world.regulator_in)
    response = client.post(reverse("enforcement:demand_to_clue", args=[demand.pk]))
    clue = Clue.objects.get()
    assert response.url == clue.get_absolute_url() and clue.demand == demand and clue.real_name
    assert clue.reporter_name == world.ent_in.name
    with refused_with(services.DEMAND_HAS_CLUE):
        services.demand_to_clue(user=world.regulator_in, demand=demand)
    client.force_login(world.officer_in)  # an officer handles demands, not clues
    assert client.post(reverse("enforcement:demand_to_clue", args=[demand.pk])).status_code == 302
    assert Clue.objects.count() == 1


def test_only_the_handling_bureau_sees_a_clue(world: Any, loaded: None, client: Any) -> None:
    clue = make_clue(world)
    before = Clue.objects.filter(pk=clue.pk).values().get()
    for stranger in (world.regulator_out, world.ent_admin_in, world.officer_in, world.judicial, world.park_operator_in):
        client.force_login(stranger)
        assert client.get(clue.get_absolute_url()).status_code == 404
        for name in ("extend", "stop", "decide", "notify", "forward", "merge"):
            data = {"reason": "x", "decision": "open", "to": "江津区", "how": "x", "into": clue.pk}
            assert client.post(reverse(f"enforcement:clue_{name}", args=[clue.pk]), data).status_code == 404
        assert "张三" not in client.get(reverse("enforcement:clue_list")).content.decode()
    assert Clue.objects.filter(pk=clue.pk).values().get() == before
    client.force_login(world.city_regulator)  # the bureau above sees it
    assert "张三" in client.get(clue.get_absolute_url()).content.decode()
    assert Region.objects.get(code="500105") == clue.region
