"""The working-day calendar and the legal rules, against the State Council's published
notices (2025: 国办发明电〔2024〕12号; 2026: notice of 2025-11-04) and the texts in data/rules.json."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shangmi.enforcement import rules
from shangmi.enforcement.models import CalendarYear, LegalRule
from shangmi.enforcement.workdays import (
    CalendarFileError,
    WorkCalendar,
    calendar_load,
    calendars_load,
    deadline,
    deadline_in_days,
)

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar() -> WorkCalendar:
    calendars_load()
    return WorkCalendar.loaded()


def test_the_issue_example_counts_the_may_make_up_saturday(calendar: WorkCalendar) -> None:
    # 2026-05-09 (Saturday) is a working day after the Labour Day holiday.
    assert deadline(D(2026, 5, 6), 15).on == D(2026, 5, 26)
    assert calendar.is_working_day(D(2026, 5, 9))


def test_national_day_2026_and_its_make_up_saturday(calendar: WorkCalendar) -> None:
    assert deadline(D(2026, 9, 30), 1).on == D(2026, 10, 8)
    assert deadline(D(2026, 9, 30), 3).on == D(2026, 10, 10)  # Saturday 10 October is worked
    assert calendar.is_working_day(D(2026, 9, 20))  # Sunday before, worked
    assert not calendar.is_working_day(D(2026, 10, 7))


def test_spring_festival_and_national_day_2025(calendar: WorkCalendar) -> None:
    assert deadline(D(2025, 1, 27), 1).on == D(2025, 2, 5)
    assert deadline(D(2025, 1, 24), 1).on == D(2025, 1, 26)  # Sunday 26 January is worked
    assert deadline(D(2025, 9, 26), 1).on == D(2025, 9, 28)
    assert deadline(D(2025, 9, 30), 1).on == D(2025, 10, 9)  # 1-8 October off
    assert deadline(D(2025, 2, 7), 1).on == D(2025, 2, 8)  # Saturday 8 February is worked


def test_the_start_day_is_not_counted_and_a_holiday_end_moves(calendar: WorkCalendar) -> None:
    assert deadline(D(2026, 3, 2), 1).on == D(2026, 3, 3)
    # 10 calendar days from 21 September end on 1 October: moved to the first working day.
    assert deadline_in_days(D(2026, 9, 21), 10).on == D(2026, 10, 8)
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3


def test_a_year_without_calendar_is_not_counted(calendar: WorkCalendar) -> None:
    due = deadline(D(2026, 12, 20), 15)
    assert not due.counted and due.missing_year == 2027
    assert "2027" in due.describe()
    assert not deadline(D(2024, 12, 30), 1).counted


def test_the_deadline_command(calendar: WorkCalendar) -> None:
    out = StringIO()
    call_command("deadline", "2026-05-06", "--working-days", "15", stdout=out)
    assert out.getvalue().strip() == "2026-05-26"
    with pytest.raises(CommandError, match="2027"):
        call_command("deadline", "2026-12-20", "--working-days", "15")


def test_a_new_year_loads_as_data_and_a_bad_file_writes_nothing(calendar: WorkCalendar, tmp_path) -> None:
    good = {
        "year": 2027,
        "source": {"title": "国务院办公厅关于2027年部分节假日安排的通知"},
        "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-01"}],
        "working_weekends": [],
    }
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    call_command("load_enforcement_rules", str(path), stdout=StringIO())
    assert deadline(D(2026, 12, 31), 1).on == D(2027, 1, 4)
    bad = dict(good, year=2028, working_weekends=["2028-01-05"])  # a Wednesday
    with pytest.raises(CalendarFileError):
        calendar_load(bad)
    assert not CalendarYear.objects.filter(year=2028).exists()


@pytest.fixture
def loaded_rules() -> None:
    rules.rules_load()


def test_every_rule_has_its_source(loaded_rules: None) -> None:
    assert LegalRule.objects.count() >= 20
    assert not LegalRule.objects.filter(source="").exists()
    assert rules.period("clue.screening", D(2026, 5, 6)) == 15
    assert rules.period("clue.notify_reporter", D(2026, 5, 6)) == 5
    assert rules.period("case.decision", D(2026, 5, 6)) == 90


def test_the_criminal_threshold(loaded_rules: None) -> None:
    act = D(2026, 3, 1)
    assert not rules.reaches_criminal_threshold(Decimal("299999"), act)
    assert rules.reaches_criminal_threshold(Decimal("300000"), act)
    assert rules.reaches_criminal_threshold(Decimal("100000"), act, prior_penalty=True)
    assert not rules.reaches_criminal_threshold(Decimal("99999.99"), act, prior_penalty=True)
    # Before 法释〔2025〕5号 took effect there was no lower threshold for a prior penalty.
    assert not rules.reaches_criminal_threshold(Decimal("100000"), D(2025, 4, 25), prior_penalty=True)
    assert "法释〔2025〕5号" in rules.criminal_threshold(act, prior_penalty=True).source


def test_the_fine_follows_the_law_in_force_on_the_date_of_the_act(loaded_rules: None) -> None:
    before = rules.fine_range(D(2025, 10, 14), serious=True)
    after = rules.fine_range(D(2025, 10, 15), serious=True)
    assert (before.low, before.high) == (Decimal(500000), Decimal(5000000))
    assert (after.low, after.high) == (Decimal(1000000), Decimal(5000000))
    assert "2025" in after.source
    assert rules.fine_range(D(2026, 1, 1), serious=False).low == Decimal(100000)


def test_a_newer_rule_file_replaces_without_a_code_change(loaded_rules: None, tmp_path) -> None:
    path = tmp_path / "rules.json"
    newer = {"code": "clue.screening", "value": 10, "unit": "working_days", "effective_from": "2026-06-01",
             "source": "商业秘密保护规定（示例）"}  # fmt: skip
    path.write_text(json.dumps({"rules": [newer]}, ensure_ascii=False), encoding="utf-8")
    call_command("load_enforcement_rules", str(path), stdout=StringIO())
    assert rules.period("clue.screening", D(2026, 5, 31)) == 15
    assert rules.period("clue.screening", D(2026, 6, 1)) == 10
    path.write_text(json.dumps({"rules": [dict(newer, unit="fortnights")]}), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_enforcement_rules", str(path), stdout=StringIO())


def test_a_platform_administrator_loads_a_year_on_the_page(world, client, tmp_path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    good = {
        "year": 2027,
        "source": {"title": "国务院办公厅关于2027年部分节假日安排的通知"},
        "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-01"}],
        "working_weekends": [],
    }
    upload = SimpleUploadedFile("2027.json", json.dumps(good, ensure_ascii=False).encode())
    client.force_login(world.regulator_in)  # a district bureau does not change the national calendar
    assert client.post(reverse("enforcement:calendar_load"), {"calendar": upload}).status_code == 404
    client.force_login(world.admin)
    client.post(reverse("enforcement:calendar_load"), {"calendar": SimpleUploadedFile("x.json", b"{not json")})
    assert not CalendarYear.objects.exists()
    upload.seek(0)
    client.post(reverse("enforcement:calendar_load"), {"calendar": upload})
    assert CalendarYear.objects.get().year == 2027
    page = client.get(reverse("enforcement:calendar"), {"start": "2026-12-31", "working_days": "1"})
    assert "2026" in page.content.decode()  # 2026 not loaded here: not counted
