"""Reminders of the half-year rule: only when the half ends within N days, once a day per
officer and half, to the liaison and guidance officers of the enterprises still missing it."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.guidance.halfyear import guidance_reminders, reminder_title
from shangmi.ledgers.models import GuidanceVisit
from shangmi.notices.models import Notification
from tests.conftest import make_enterprise, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


def visit(enterprise: Enterprise, officer: Any, when: datetime.datetime) -> GuidanceVisit:
    return GuidanceVisit.objects.create(
        enterprise=enterprise,
        officer=officer,
        visited_at=when,
        place="会议室",
        bureau_participants="指导员",
        enterprise_participants="商秘办",
        content="指导内容",
        created_by=officer,
    )


def run(today: str, days: int = 30) -> str:
    out = StringIO()
    call_command("remind_guidance", "--today", today, "--days", str(days), stdout=out)
    return out.getvalue()


def notices_of(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def test_no_reminder_while_the_half_ends_later_than_the_window(world: Any) -> None:
    assert guidance_reminders(today=datetime.date(2026, 5, 1), days=30) == 0  # 60 days before 30 June
    assert guidance_reminders(today=datetime.date(2026, 7, 1), days=30) == 0  # first half over, second far off
    assert not Notification.objects.exists()


def test_officers_are_reminded_once_a_day_of_enterprises_missing_the_half(world: Any) -> None:
    guide = make_user("guide_in", "officer", region=world.jiangbei)
    Enterprise.objects.filter(pk=world.ent_in.pk).update(guidance_officer=guide)
    covered = make_enterprise("500105", "已指导公司", 701, liaison_officer=world.officer_in)
    # 23:30 on 30 June in Shanghai still counts for the first half.
    visit(covered, world.officer_in, datetime.datetime(2026, 6, 30, 15, 30, tzinfo=datetime.UTC))

    assert "3 reminder(s) sent" in run("2026-06-10")
    for officer in (world.officer_in, guide):
        (notice,) = notices_of(officer)
        assert notice.title == reminder_title(2026, 1, datetime.date(2026, 6, 10))
        assert world.ent_in.name in notice.body and covered.name not in notice.body
        assert "2026-06-30" in notice.body
        assert notice.url.startswith("/ledgers/guidance/half-year/?year=2026")
    (out_notice,) = notices_of(world.officer_out)
    assert world.ent_out.name in out_notice.body and world.ent_in.name not in out_notice.body

    # The same day again: nothing new.
    assert "0 reminder(s) sent" in run("2026-06-10")
    assert Notification.objects.count() == 3

    # A guidance of ent_in: its two officers are no longer reminded; the next day ent_out's officer is.
    visit(world.ent_in, world.officer_in, datetime.datetime(2026, 6, 10, 9, 0, tzinfo=SHANGHAI))
    assert guidance_reminders(today=datetime.date(2026, 6, 11), days=30) == 1
    assert len(notices_of(world.officer_in)) == 1 and len(notices_of(world.officer_out)) == 2


def test_the_second_half_is_reminded_in_december(world: Any) -> None:
    visit(world.ent_in, world.officer_in, datetime.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI))
    assert guidance_reminders(today=datetime.date(2026, 12, 20), days=15) == 2
    title = notices_of(world.officer_in)[0].title
    assert "2026-12-31" in title
    # New Year's Eve is still inside the half; New Year's Day belongs to the next year's first half.
    assert guidance_reminders(today=datetime.date(2026, 12, 31), days=0) == 2
    assert guidance_reminders(today=datetime.date(2027, 1, 1), days=30) == 0


def test_inactive_officers_are_not_reminded(world: Any) -> None:
    world.officer_out.is_active = False
    world.officer_out.save()
    assert guidance_reminders(today=datetime.date(2026, 6, 20), days=30) == 1
    assert not notices_of(world.officer_out)


def test_the_command_refuses_bad_arguments(world: Any) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("2026-06-31")
    with pytest.raises(CommandError, match="negative"):
        run("2026-06-10", days=-1)
