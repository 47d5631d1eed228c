"""The demands ledger: file, assign, answer, rate, attachments, history; scope and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shangmi.enforcement import rules, services
from shangmi.enforcement.models import Demand, DemandAttachment
from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.services import DemandInput
from shangmi.enforcement.workdays import calendars_load, deadline
from tests.refusals import refused_with

PDF = "%PDF-1.4\n% 证据\n".encode()


@pytest.fixture
def loaded(db: Any) -> None:
    calendars_load()
    rules_load()


def file_demand(world: Any, **extra: Any) -> Demand:
    data = DemandInput(kind=Demand.Kind.COMPLAINT, title="前员工带走配方", description="离职员工疑似披露配方", **extra)
    return services.demand_file(user=world.ent_admin_in, data=data, files=[SimpleUploadedFile("劳动合同.pdf", PDF)])


def test_an_enterprise_files_a_demand_with_an_attachment(world: Any, loaded: None, client: Any, tmp_media: Any) -> None:
    client.force_login(world.ent_admin_in)
    response = client.post(
        reverse("enforcement:demand_create"),
        {"kind": "complaint", "title": "前员工带走配方", "description": "离职员工疑似披露配方",
         "attachments": [SimpleUploadedFile("保密协议.pdf", PDF)]},
    )  # fmt: skip
    demand = Demand.objects.get()
    assert response.status_code == 302 and response.url == demand.get_absolute_url()
    assert demand.enterprise == world.ent_in and demand.region == world.jiangbei
    # Seven working days from the day it was filed, as the calendar counts them; a day in a year
    # the calendar does not hold yet (the suite also runs on 1 January) names that year instead.
    due = deadline(demand.filed_on, rules.period("demand.response", demand.filed_on))
    assert (demand.due_on, demand.due_missing_year) == (due.on, due.missing_year)
    assert due.on is not None or due.missing_year is not None
    assert demand.attachments.get().original_name == "保密协议.pdf"
    assert [e.kind for e in demand.events.all()] == ["filed", "attached"]
    download = client.get(reverse("enforcement:demand_file", args=[demand.attachments.get().pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_a_fake_pdf_is_refused_and_nothing_is_written(world: Any, loaded: None, client: Any, tmp_media: Any) -> None:
    client.force_login(world.ent_admin_in)
    response = client.post(
        reverse("enforcement:demand_create"),
        {"kind": "help", "title": "求助", "description": "说明", "attachments": [SimpleUploadedFile("a.pdf", b"MZ")]},
    )
    assert response.status_code == 200
    assert "a.pdf" in response.content.decode()
    assert not Demand.objects.exists() and not DemandAttachment.objects.exists()


def test_the_bureau_assigns_and_answers_and_the_enterprise_rates(
    world: Any, loaded: None, client: Any, tmp_media: Any
) -> None:
    demand = file_demand(world)
    client.force_login(world.regulator_in)
    page = client.get(demand.get_absolute_url()).content.decode()
    assert world.officer_in.display_name in page  # offered as a handler
    client.post(reverse("enforcement:demand_assign", args=[demand.pk]), {"handler": world.officer_in.pk})
    client.post(reverse("enforcement:demand_note", args=[demand.pk]), {"note": "内部：对方律师来电"})
    client.force_login(world.officer_in)
    client.post(reverse("enforcement:demand_answer", args=[demand.pk]), {"answer": "请先固定证据并申请行政查处。"})
    demand.refresh_from_db()
    assert demand.status == Demand.Status.ANSWERED and demand.handler == world.officer_in
    client.force_login(world.ent_admin_in)
    page = client.get(demand.get_absolute_url()).content.decode()
    assert "请先固定证据" in page and "内部：对方律师来电" not in page
    client.force_login(world.ent_staff_in)  # staff read, but only the admin rates
    assert client.post(reverse("enforcement:demand_rate", args=[demand.pk]), {"rating": 5}).status_code == 404
    client.force_login(world.ent_admin_in)
    client.post(reverse("enforcement:demand_rate", args=[demand.pk]), {"rating": 4, "comment": "及时"})
    demand.refresh_from_db()
    assert demand.status == Demand.Status.RATED and demand.rating == 4
    assert [e.kind for e in demand.events.all()] == ["filed", "attached", "assigned", "note", "answered", "rated"]


def test_bad_input_is_refused(world: Any, loaded: None, tmp_media: Any) -> None:
    demand = file_demand(world)
    with refused_with(services.DEMAND_ANSWER_EMPTY):
        services.demand_answer(user=world.regulator_in, demand=demand, answer="  ")
    with refused_with(services.DEMAND_NOT_ANSWERED):
        services.demand_rate(user=world.ent_admin_in, demand=demand, rating=3)
    with refused_with(services.DEMAND_HANDLER):
        services.demand_assign(user=world.regulator_in, demand=Demand.objects.get(), handler=world.officer_out)
    services.demand_answer(user=world.regulator_in, demand=demand, answer="答复")
    with refused_with(services.DEMAND_RATING):
        services.demand_rate(user=world.ent_admin_in, demand=demand, rating=7)
    with refused_with(services.DEMAND_ENTERPRISE):
        services.demand_file(
            user=world.regulator_in,
            data=DemandInput(kind="help", title="t", description="d", enterprise=world.ent_out),
        )


def test_strangers_get_404_and_their_posts_change_nothing(
    world: Any, loaded: None, client: Any, tmp_media: Any
) -> None:
    demand = file_demand(world)
    attachment = demand.attachments.get()
    before = Demand.objects.filter(pk=demand.pk).values().get()
    for stranger in (world.ent_admin_out, world.regulator_out, world.officer_out, world.park_operator_in):
        client.force_login(stranger)
        assert client.get(demand.get_absolute_url()).status_code == 404
        assert client.get(reverse("enforcement:demand_file", args=[attachment.pk])).status_code == 404
        for name, data in (("assign", {"handler": world.officer_in.pk}), ("answer", {"answer": "x"}),
                           ("rate", {"rating": 1}), ("note", {"note": "x"}), ("attach", {})):  # fmt: skip
            assert client.post(reverse(f"enforcement:demand_{name}", args=[demand.pk]), data).status_code == 404
        assert demand.title not in client.get(reverse("enforcement:demand_list")).content.decode()
    assert Demand.objects.filter(pk=demand.pk).values().get() == before
    assert demand.events.count() == 2


def test_the_list_filters_marks_overdue_and_exports(world: Any, loaded: None, client: Any, tmp_media: Any) -> None:
    import datetime

    demand = file_demand(world)
    Demand.objects.filter(pk=demand.pk).update(due_on=datetime.date(2026, 1, 5))
    client.force_login(world.regulator_in)
    page = client.get(reverse("enforcement:demand_list"), {"overdue": "true"}).content.decode()
    assert demand.title in page and "data-overdue" in page
    assert demand.title not in client.get(reverse("enforcement:demand_list"), {"status": "answered"}).content.decode()
    export = client.get(reverse("enforcement:demand_export"), {"overdue": "true"})
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_a_year_without_calendar_is_shown_as_not_counted(world: Any, client: Any, tmp_media: Any) -> None:
    rules_load()  # rules, no calendar
    demand = file_demand(world)
    assert demand.due_on is None and demand.due_missing_year is not None
    client.force_login(world.ent_admin_in)
    assert "not counted" in client.get(demand.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
