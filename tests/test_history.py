"""History is evidence: it records exactly what changed, and nothing anyone did not do.

Editing only an enterprise's address and employee count once also logged "联络员: — →
江北区联络员" against the bureau: the demo had appointed the officer with a queryset update(),
which simple_history does not see, so the history lagged behind the row and the next save
recorded the appointment as that editor's change. Two guards:

- no write leaves a row ahead of its latest history record (the demo, through every service it
  calls, is the widest such write this suite can run);
- every edit page of a model with history, posted back with what it rendered, records nothing
  when nothing changed and exactly the fields that did.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from shangmi.accounts.models import User
from shangmi.enterprises.history import history_entries
from shangmi.enterprises.models import Enterprise
from tests.html_forms import rendered_form
from tests.test_scope_walk import factory_for


def history_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if getattr(m._meta, "simple_history_manager_attribute", None)]


def lagging(model: type[models.Model]) -> list[str]:
    """Rows whose tracked values differ from their latest history record."""
    problems = []
    for row in model._default_manager.all():
        latest = row.history.order_by("-history_date", "-history_id").first()  # type: ignore[attr-defined]
        if latest is None:
            problems.append(f"{model._meta.label} {row.pk}: no history at all")
            continue
        for field in latest.tracked_fields:
            if not field.editable:
                continue
            if getattr(latest, field.attname) != getattr(row, field.attname):
                problems.append(
                    f"{model._meta.label} {row.pk}.{field.name}: history {getattr(latest, field.attname)!r},"
                    f" row {getattr(row, field.attname)!r}"
                )
        for m2m in latest._history_m2m_fields:
            recorded = set(getattr(latest, m2m.name).values_list(m2m.m2m_reverse_field_name(), flat=True))
            live = set(getattr(row, m2m.name).values_list("pk", flat=True))
            if recorded != live:
                problems.append(f"{model._meta.label} {row.pk}.{m2m.name}: history {recorded}, row {live}")
    return problems


def test_the_demo_leaves_no_row_ahead_of_its_history(db, tmp_media) -> None:
    call_command("load_reference_data", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    tracked = history_models()
    assert {m._meta.label for m in tracked} >= {"enterprises.Enterprise", "accounts.User", "creation.Round"}
    problems = [p for model in tracked for p in lagging(model)]
    assert not problems, "\n".join(problems)


def test_editing_an_enterprise_of_the_demo_records_only_what_was_edited(db, tmp_media, client) -> None:
    """The issue's own case: 江北区's bureau edits the address and employee count of a demo enterprise."""
    call_command("load_reference_data", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    enterprise = Enterprise.objects.get(name="重庆江北智能制造科技有限公司")
    assert enterprise.liaison_officer is not None
    client.force_login(User.objects.get(username="jiangbei_regulator"))
    url = reverse("enterprises:update", args=[enterprise.pk])
    data = rendered_form(client.get(url).content.decode(), url)
    data.update(address="重庆市江北区港城路 9 号", employee_count="333")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors

    latest = history_entries(enterprise)[0]
    assert latest.who == "江北区市场监管局"
    assert {(c.old, c.new) for c in latest.changes} == {("—", "重庆市江北区港城路 9 号"), ("320", "333")}


# Who saved a record last is bookkeeping, not content: the history says who saved each version.
BOOKKEEPING = {"updated_by"}

# (edit page, object made by the scope walk's factory, who edits, field changed, new value as posted)
EDITS = [
    ("enterprises:update", "enterprises.Enterprise", "regulator_in", "address", "重庆市江北区港城路 9 号"),
    ("network:station_update", "network.Station", "regulator_in", "address", "江北区建新东路 3 号"),
    ("ledgers:guidance_update", "ledgers.GuidanceVisit", "officer_in", "place", "企业二楼会议室"),
    ("ledgers:activity_update", "ledgers.Activity", "regulator_in", "place", "江北区政务中心"),
    ("ledgers:rate_target_update", "ledgers.RateTarget", "regulator_in", "percent", "95.0"),
    ("targets:update", "targets.Target", "regulator_in", "minimum", "6"),
    ("targets:program_update", "targets.TargetProgram", "regulator_in", "title", "三年指导站建设计划"),
    ("protection:area_update", "protection.Area", "ent_admin_in", "access_rule", "门禁刷卡并登记；禁止拍照"),
    ("protection:engagement_update", "protection.Engagement", "ent_admin_in", "purpose", "委托第三方检测"),
]


def test_every_model_with_history_and_an_edit_page_is_covered() -> None:
    edited = {label for _, label, *_ in EDITS}
    # Models with history that have no edit page of their own (written by services only).
    no_edit_page = {
        "accounts.User",
        "regions.Park",
        "creation.Round",
        "creation.Application",
        "creation.Title",
    }
    labels = {m._meta.label for m in history_models()}
    assert labels - no_edit_page == edited, "a model with history and an edit page belongs in EDITS"


@pytest.mark.parametrize(("url_name", "label", "editor", "field", "value"), EDITS, ids=[e[0] for e in EDITS])
def test_an_edit_page_records_exactly_what_changed(
    world: Any, client: Any, tmp_media: Any, url_name: str, label: str, editor: str, field: str, value: str
) -> None:
    user = getattr(world, editor)
    obj = factory_for(apps.get_model(label))(world, user, "in")
    client.force_login(user)
    url = reverse(url_name, args=[obj.pk])

    def post(changes: dict[str, str]) -> None:
        page = client.get(url)
        assert page.status_code == 200
        data = rendered_form(page.content.decode(), url)
        assert field in data, f"{url_name} renders no {field}"
        data.update(changes)
        response = client.post(url, data)
        assert response.status_code == 302, getattr(response, "context", None) and response.content.decode()[:3000]

    def changed_since(before: int) -> list[set[str]]:
        records = list(obj.history.order_by("history_date", "history_id"))
        return [
            {c.field for c in new.diff_against(old).changes} - BOOKKEEPING
            for old, new in zip(records[before - 1 :], records[before:], strict=False)
        ]

    before = obj.history.count()
    post({})  # saved as rendered: nothing changed, nothing recorded as changed
    assert all(not fields for fields in changed_since(before)), changed_since(before)

    before = obj.history.count()
    post({field: value})
    assert changed_since(before) == [{field}]
