"""Titles: numbers, validity, revocation, expiry, the public pages and the plaque PDF."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation

from shangmi.core.calendar import program_date, program_today
from shangmi.core.roles import Role
from shangmi.creation.models import Application, ApplicationEvent, DemoType, Level, Round, Title
from shangmi.creation.titles import services as titles
from shangmi.creation.titles.plaque import chinese_date, issuer_name, public_title_url, render_plaque, title_text
from shangmi.creation.titles.services import (
    ALREADY_ISSUED,
    ALREADY_REVOKED,
    NOT_ALLOWED,
    NOT_APPROVED,
    REASON_REQUIRED,
    effective_status,
    expire_titles,
    issue_title,
    revoke_title,
    validity_end,
)
from shangmi.notices.models import Notification
from shangmi.regions.models import Region
from shangmi.standards.models import Standard
from tests.conftest import make_enterprise, make_user
from tests.refusals import refused_with

POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm", "pdfinfo", "pdffonts"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdftoppm) not installed")
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
AWARDED = datetime.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def titles_english() -> Any:
    """Services write notifications in the active language: assert on the English msgids, which
    stay put when the Chinese catalogue gains these strings."""
    with translation.override("en"):
        yield


# --- building blocks ------------------------------------------------------------------------


def make_round(
    world: Any,
    *,
    region: Region | None = None,
    level: str = Level.MUNICIPAL,
    demo_type: str = DemoType.UNIT,
    year: int = 2026,
    validity_years: int = 3,
    title: str = "2026 municipal units",
) -> Round:
    standard, _ = Standard.objects.get_or_create(
        code="titles-standard",
        version="1",
        defaults={
            "title": "titles standard",
            "kind": Standard.Kind.POINTS,
            "max_total": 100,
            "content_sha256": "0" * 64,
        },
    )
    return Round.objects.create(
        title=title,
        year=year,
        demo_type=demo_type,
        level=level,
        standard=standard,
        region=region or world.chongqing,
        deadline=datetime.date(year, 9, 30),
        validity_years=validity_years,
        created_by=world.city_regulator,
    )


def approved(world: Any, round_: Round, enterprise: Any = None, **fields: Any) -> Application:
    """An application the awarding stage has just approved (the review itself is tested elsewhere)."""
    enterprise = enterprise or world.ent_in
    values: dict[str, Any] = {
        "applicant_kind": Application.ApplicantKind.ENTERPRISE,
        "enterprise": enterprise,
        "region": enterprise.region,
        "applicant_name": enterprise.name,
    }
    values.update(fields)
    return Application.objects.create(
        round=round_,
        standard=round_.standard,
        status=Application.Status.APPROVED,
        created_by=world.ent_admin_in,
        **values,
    )


def county_title(world: Any, awarded_on: datetime.date = AWARDED) -> Title:
    """A county title of 江北区 held by the inside enterprise: regulator_in may revoke it, regulator_out not."""
    round_ = make_round(world, region=world.jiangbei, level=Level.COUNTY, title="江北 county units")
    return issue_title(approved(world, round_), world.regulator_in, awarded_on=awarded_on)


def events(title: Title, kind: str) -> list[ApplicationEvent]:
    return list(ApplicationEvent.objects.filter(application_id=title.application_id, kind=kind))


def notices(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


# --- numbers ----------------------------------------------------------------------------------


def test_numbers_count_per_region_year_level_and_type(world) -> None:
    units = make_round(world)
    first = issue_title(approved(world, units, world.ent_in), world.city_regulator)
    second = issue_title(approved(world, units, world.ent_out), world.city_regulator)
    assert first.number == "500000-2026-M-U-001"
    assert second.number == "500000-2026-M-U-002"

    # A second round of the same region, year, level and type continues the same sequence.
    more_units = make_round(world, title="2026 municipal units, second batch")
    third = issue_title(approved(world, more_units), world.city_regulator)
    assert third.number == "500000-2026-M-U-003"

    stations = make_round(world, demo_type=DemoType.STATION, title="2026 stations")
    assert issue_title(approved(world, stations), world.city_regulator).number == "500000-2026-M-S-001"
    next_year = make_round(world, year=2027, title="2027 units")
    assert issue_title(approved(world, next_year), world.city_regulator).number == "500000-2027-M-U-001"
    assert county_title(world).number == "500105-2026-C-U-001"


def test_a_number_lost_to_a_concurrent_issue_is_retried(world, monkeypatch) -> None:
    round_ = make_round(world)
    taken = issue_title(approved(world, round_, world.ent_out), world.city_regulator)
    real = titles.next_sequence
    calls: list[str] = []

    def stale_then_real(prefix: str) -> int:
        # The first attempt read the sequence before the other issue committed, as a racing
        # request would: it collides with 001 on the unique number.
        calls.append(prefix)
        return 1 if len(calls) == 1 else real(prefix)

    monkeypatch.setattr(titles, "next_sequence", stale_then_real)
    title = issue_title(approved(world, round_, world.ent_in), world.city_regulator)
    assert len(calls) == 2
    assert title.number == "500000-2026-M-U-002"
    assert Title.objects.get(pk=taken.pk).number == "500000-2026-M-U-001"


def test_issue_gives_up_after_repeated_collisions_and_leaves_nothing(world, monkeypatch) -> None:
    round_ = make_round(world)
    issue_title(approved(world, round_, world.ent_out), world.city_regulator)
    monkeypatch.setattr(titles, "next_sequence", lambda prefix: 1)
    application = approved(world, round_, world.ent_in)
    with pytest.raises(IntegrityError):
        issue_title(application, world.city_regulator)
    assert not Title.objects.filter(application=application).exists()
    assert not ApplicationEvent.objects.filter(application=application).exists()


# --- issuing ----------------------------------------------------------------------------------


def test_issue_records_the_title_an_event_and_tells_the_enterprise(world) -> None:
    round_ = make_round(world)
    application = approved(world, round_)
    title = issue_title(application, world.city_regulator, awarded_on=AWARDED)

    assert title.holder_name == world.ent_in.name
    assert (title.level, title.demo_type, title.year) == (Level.MUNICIPAL, DemoType.UNIT, 2026)
    assert title.awarding_region == world.chongqing and title.holder_region == world.jiangbei
    assert (title.awarded_on, title.valid_until) == (AWARDED, datetime.date(2029, 11, 23))
    assert title.status == Title.Status.ACTIVE
    (event,) = events(title, ApplicationEvent.Kind.TITLE_ISSUED)
    assert event.actor == world.city_regulator and event.data["number"] == title.number
    for user in (world.ent_admin_in, world.ent_staff_in):
        assert notices(user) == ["Title awarded: 重庆市市级商业秘密保护示范单位"]
    assert notices(world.ent_admin_out) == []
    assert Notification.objects.get(recipient=world.ent_admin_in).url == reverse(
        "creation:title_public", args=[title.pk]
    )


def test_issue_tells_park_operators_and_district_regulators(world) -> None:
    park_round = make_round(world, demo_type=DemoType.BASE, title="bases")
    park_app = approved(
        world, park_round, applicant_kind=Application.ApplicantKind.PARK, enterprise=None, park=world.park_in,
        region=world.jiangbei, applicant_name=world.park_in.name,
    )  # fmt: skip
    issue_title(park_app, world.city_regulator)
    assert notices(world.park_operator_in) == ["Title awarded: 重庆市市级商业秘密保护示范基地"]
    assert notices(world.ent_admin_in) == []

    zone_round = make_round(world, demo_type=DemoType.ZONE, title="zones")
    zone_app = approved(
        world, zone_round, applicant_kind=Application.ApplicantKind.REGION, enterprise=None,
        region=world.jiangjin, applicant_name="重庆市江津区",
    )  # fmt: skip
    issue_title(zone_app, world.city_regulator)
    assert notices(world.regulator_out) == ["Title awarded: 重庆市市级商业秘密保护示范区"]
    assert notices(world.regulator_in) == []


def test_only_an_approved_application_gets_a_title_and_only_once(world) -> None:
    round_ = make_round(world)
    application = approved(world, round_)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.IN_REVIEW)
    application.refresh_from_db()
    with refused_with(NOT_APPROVED):
        issue_title(application, world.city_regulator)

    Application.objects.filter(pk=application.pk).update(status=Application.Status.APPROVED)
    application.refresh_from_db()
    issue_title(application, world.city_regulator)
    with refused_with(ALREADY_ISSUED):
        issue_title(application, world.city_regulator)
    assert Title.objects.filter(application=application).count() == 1


# --- validity and dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("awarded", "years", "last_day"),
    [
        (datetime.date(2026, 11, 24), 3, datetime.date(2029, 11, 23)),
        (datetime.date(2026, 1, 1), 1, datetime.date(2026, 12, 31)),
        # A leap day's anniversary in a common year is 1 March, so the last day is 28 February.
        (datetime.date(2024, 2, 29), 3, datetime.date(2027, 2, 28)),
        (datetime.date(2024, 2, 29), 4, datetime.date(2028, 2, 28)),
        # Ending just before 1 March of a leap year: 29 February is the last day.
        (datetime.date(2025, 3, 1), 3, datetime.date(2028, 2, 29)),
    ],
)
def test_validity_end(awarded: datetime.date, years: int, last_day: datetime.date) -> None:
    assert validity_end(awarded, years) == last_day


def test_a_title_awarded_on_a_leap_day_runs_to_28_february(world) -> None:
    round_ = make_round(world, validity_years=3)
    title = issue_title(approved(world, round_), world.city_regulator, awarded_on=datetime.date(2024, 2, 29))
    assert title.valid_until == datetime.date(2027, 2, 28)


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (datetime.date(2026, 11, 24), "二〇二六年十一月二十四日"),
        (datetime.date(2030, 1, 10), "二〇三〇年一月十日"),
        (datetime.date(2026, 10, 20), "二〇二六年十月二十日"),
        (datetime.date(2026, 10, 11), "二〇二六年十月十一日"),
        (datetime.date(2026, 12, 31), "二〇二六年十二月三十一日"),
        (datetime.date(2031, 5, 1), "二〇三一年五月一日"),
        (datetime.date(2000, 2, 29), "二〇〇〇年二月二十九日"),
        (datetime.date(2029, 9, 30), "二〇二九年九月三十日"),
    ],
)
def test_chinese_date(day: datetime.date, written: str) -> None:
    assert chinese_date(day) == written


def test_title_text_and_issuer(world) -> None:
    zhejiang = Region.objects.get(code="330000")
    yuecheng = Region.objects.get(code="330602")
    assert title_text(Level.MUNICIPAL, DemoType.UNIT, world.chongqing) == "重庆市市级商业秘密保护示范单位"
    assert title_text(Level.PROVINCIAL, DemoType.STATION, zhejiang) == "浙江省省级商业秘密保护示范站（点）"
    assert title_text(Level.COUNTY, DemoType.BASE, world.jiangbei) == "重庆市江北区县级商业秘密保护示范基地"
    assert title_text(Level.COUNTY, DemoType.UNIT, yuecheng) == "绍兴市越城区县级商业秘密保护示范单位"
    assert title_text(Level.NATIONAL, DemoType.ZONE, zhejiang) == "国家级商业秘密保护示范区"
    assert issuer_name(Level.MUNICIPAL, world.chongqing) == "重庆市市场监督管理局"
    assert issuer_name(Level.PROVINCIAL, zhejiang) == "浙江省市场监督管理局"
    assert issuer_name(Level.COUNTY, world.jiangbei) == "重庆市江北区市场监督管理局"
    assert issuer_name(Level.NATIONAL, zhejiang) == "国家市场监督管理总局"


# --- revoking ---------------------------------------------------------------------------------


def test_revoke_needs_a_reason(world) -> None:
    title = county_title(world)
    for reason in ("", "   \n"):
        with refused_with(REASON_REQUIRED):
            revoke_title(title, world.regulator_in, reason)
    title.refresh_from_db()
    assert title.status == Title.Status.ACTIVE and not title.revoked_reason
    assert events(title, ApplicationEvent.Kind.TITLE_REVOKED) == []


@pytest.mark.parametrize("who", ["regulator_out", "ent_admin_in", "park_operator_in"])
def test_revoke_is_for_the_awarding_regulators_only(world, who: str) -> None:
    title = county_title(world)
    with refused_with(NOT_ALLOWED):
        revoke_title(title, getattr(world, who), "forged records")
    title.refresh_from_db()
    assert title.status == Title.Status.ACTIVE
    assert events(title, ApplicationEvent.Kind.TITLE_REVOKED) == []


def test_revoke_appends_an_event_and_tells_the_holder(world) -> None:
    title = county_title(world)
    before = list(ApplicationEvent.objects.filter(application_id=title.application_id).values_list("pk", "kind"))

    revoked = revoke_title(title, world.regulator_in, "  Inspection found forged training records.  ")
    assert revoked.status == Title.Status.REVOKED
    assert revoked.revoked_reason == "Inspection found forged training records."
    assert revoked.revoked_at is not None
    after = list(ApplicationEvent.objects.filter(application_id=title.application_id).values_list("pk", "kind"))
    assert after[: len(before)] == before and after[len(before) :][0][1] == ApplicationEvent.Kind.TITLE_REVOKED
    (event,) = events(title, ApplicationEvent.Kind.TITLE_REVOKED)
    assert event.actor == world.regulator_in and event.message == "Inspection found forged training records."
    assert "Title revoked: 重庆市江北区县级商业秘密保护示范单位" in notices(world.ent_admin_in)

    with refused_with(ALREADY_REVOKED):
        revoke_title(revoked, world.regulator_in, "again")
    # A regulator above the awarding district may act for it too (region subtree).
    assert Title.objects.restrict(world.city_regulator, "change").filter(pk=title.pk).exists()


def test_revoke_page_outsider_gets_404_and_nothing_changes(world, client) -> None:
    title = county_title(world)
    url = reverse("creation:title_revoke", args=[title.pk])
    for outsider in (world.regulator_out, world.ent_admin_in):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "forged"}).status_code == 404
    title.refresh_from_db()
    assert title.status == Title.Status.ACTIVE
    assert events(title, ApplicationEvent.Kind.TITLE_REVOKED) == []
    client.logout()
    assert client.get(url).status_code == 302


def test_revoke_page_insider_form_error_then_revokes(world, client) -> None:
    title = county_title(world)
    url = reverse("creation:title_revoke", args=[title.pk])
    client.force_login(world.regulator_in)
    page = client.get(url)
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()

    client.cookies["django_language"] = "en"
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 400
    assert REASON_REQUIRED.render() in empty.content.decode()
    title.refresh_from_db()
    assert title.status == Title.Status.ACTIVE

    done = client.post(url, {"reason": "Forged training records."})
    assert done.status_code == 302 and done.url == reverse("creation:title_public", args=[title.pk])
    title.refresh_from_db()
    assert title.status == Title.Status.REVOKED and title.revoked_reason == "Forged training records."


# --- expiry -----------------------------------------------------------------------------------


def test_expire_titles_at_the_edges_and_idempotent(world) -> None:
    title = county_title(world)
    last_day = title.valid_until
    assert last_day == datetime.date(2029, 11, 23)
    day = datetime.timedelta(days=1)

    assert expire_titles(last_day - 91 * day) == titles.ExpiryResult([], [])
    title.refresh_from_db()
    assert title.status == Title.Status.ACTIVE

    # 90 days before the end: re-evaluation opens, once, with an event and notifications.
    result = expire_titles(last_day - 90 * day)
    assert [t.pk for t in result.re_evaluation] == [title.pk] and result.expired == []
    title.refresh_from_db()
    assert title.status == Title.Status.RE_EVALUATION
    (event,) = events(title, ApplicationEvent.Kind.RE_EVALUATION)
    assert "apply again in a new creation round" in event.message
    assert event.actor is None  # the platform itself, not a person
    assert notices(world.ent_admin_in).count("Re-evaluation: 重庆市江北区县级商业秘密保护示范单位") == 1
    assert notices(world.regulator_in).count("Re-evaluation: 重庆市江北区县级商业秘密保护示范单位") == 1
    assert notices(world.regulator_out) == []

    assert expire_titles(last_day - 90 * day) == titles.ExpiryResult([], [])
    assert expire_titles(last_day) == titles.ExpiryResult([], [])  # the last day is still valid
    title.refresh_from_db()
    assert title.status == Title.Status.RE_EVALUATION
    assert effective_status(title, last_day) == Title.Status.RE_EVALUATION
    assert len(events(title, ApplicationEvent.Kind.RE_EVALUATION)) == 1

    # The day after, the public page already says expired, before the job runs.
    assert effective_status(title, last_day + day) == Title.Status.EXPIRED
    result = expire_titles(last_day + day)
    assert [t.pk for t in result.expired] == [title.pk]
    title.refresh_from_db()
    assert title.status == Title.Status.EXPIRED
    assert expire_titles(last_day + day) == titles.ExpiryResult([], [])
    assert notices(world.ent_admin_in).count("Title expired: 重庆市江北区县级商业秘密保护示范单位") == 1


def test_expire_leaves_revoked_titles_revoked(world) -> None:
    title = county_title(world)
    revoke_title(title, world.regulator_in, "forged")
    assert expire_titles(title.valid_until + datetime.timedelta(days=400)) == titles.ExpiryResult([], [])
    title.refresh_from_db()
    assert title.status == Title.Status.REVOKED


def test_expire_titles_command(world, capsys) -> None:
    title = county_title(world)
    call_command("expire_titles", "--today", "2029-11-24")
    assert f"expired {title.number}" in capsys.readouterr().out
    title.refresh_from_db()
    assert title.status == Title.Status.EXPIRED
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("expire_titles", "--today", "24/11/2029")


# --- public pages -----------------------------------------------------------------------------


@pytest.fixture
def announced(world) -> dict[str, Title]:
    """A municipal title held in 江北 (2026), one held in 江津 (2025), and a revoked one."""
    round_2026 = make_round(world)
    round_2025 = make_round(world, year=2025, title="2025 municipal units")
    other = make_enterprise("500105", "江北撤销测试有限公司", 7)
    revoked = issue_title(approved(world, round_2026, other), world.city_regulator)
    revoke_title(revoked, world.city_regulator, "Secret internal finding 内部调查")
    return {
        "jiangbei": issue_title(approved(world, round_2026, world.ent_in), world.city_regulator, awarded_on=AWARDED),
        "jiangjin": issue_title(approved(world, round_2025, world.ent_out), world.city_regulator),
        "revoked": Title.objects.get(pk=revoked.pk),
    }


def _announcements(client: Any, **params: str) -> str:
    response = client.get(reverse("creation:announcements"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_announcements_are_public_and_show_no_private_data(world, client, announced) -> None:
    page = _announcements(client)
    jiangbei = announced["jiangbei"]
    for text in (jiangbei.holder_name, jiangbei.number, "重庆市市级商业秘密保护示范单位", "2026-11-24", "2029-11-23"):
        assert text in page
    assert world.ent_out.name in page
    # Revoked titles stay listed, marked revoked with the date; the reason stays private.
    revoked = announced["revoked"]
    assert revoked.holder_name in page and revoked.number in page
    assert f"{program_date(revoked.revoked_at):%Y-%m-%d}" in page
    assert "Secret internal finding" not in page
    for private in (world.ent_in.uscc, world.ent_out.uscc):
        assert private not in page


def test_announcements_filter_by_region_and_year(world, client, announced) -> None:
    inside, outside = world.ent_in.name, world.ent_out.name
    for region in ("500105", "江北区", "重庆市江北区"):
        page = _announcements(client, region=region)
        assert inside in page and outside not in page
    page = _announcements(client, region="江津区")
    assert outside in page and inside not in page
    page = _announcements(client, region="重庆市")
    assert inside in page and outside in page
    page = _announcements(client, region="火星")
    assert inside not in page and outside not in page
    page = _announcements(client, year="2025")
    assert outside in page and inside not in page
    page = _announcements(client, year="2026", type="unit", level="municipal")
    assert inside in page and outside not in page
    page = _announcements(client, level="county")
    assert inside not in page


def test_public_title_page_says_whether_it_is_valid(world, client, announced) -> None:
    client.cookies["django_language"] = "en"
    title = announced["jiangbei"]
    url = reverse("creation:title_public", args=[title.pk])
    page = client.get(url).content.decode()
    assert title.number in page and "重庆市市级商业秘密保护示范单位" in page and "重庆市市场监督管理局" in page
    assert "This title is valid until 2029-11-23." in page
    assert world.ent_in.uscc not in page

    # Past its last day, the page says expired even before the nightly job runs.
    Title.objects.filter(pk=title.pk).update(valid_until=datetime.date(2020, 1, 1))
    assert "This title expired" in client.get(url).content.decode()

    revoked = announced["revoked"]
    page = client.get(reverse("creation:title_public", args=[revoked.pk])).content.decode()
    assert f"This title was revoked on {program_date(revoked.revoked_at):%Y-%m-%d}" in page
    assert "Secret internal finding" not in page
    assert client.get(reverse("creation:title_public", args=[99999])).status_code == 404


# --- the plaque -------------------------------------------------------------------------------


def test_certificate_download(world, client, announced) -> None:
    title = announced["jiangbei"]
    url = reverse("creation:title_certificate", args=[title.pk])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(world.ent_admin_out)  # titles are public: any signed-in user
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    revoked = client.get(reverse("creation:title_certificate", args=[announced["revoked"].pk]))
    assert revoked.status_code == 302
    assert revoked.url == reverse("creation:title_public", args=[announced["revoked"].pk])


@needs_poppler
def test_the_plaque_downloaded_on_a_loopback_address_prints_no_qr_code(world, client, announced, settings, tmp_path):
    from PIL import Image

    from shangmi.creation.titles import plaque
    from shangmi.pdf.layout import qr_matrix

    settings.SHANGMI_PUBLIC_URL = ""
    title = announced["jiangbei"]
    client.force_login(world.ent_admin_in)
    url = reverse("creation:title_certificate", args=[title.pk])
    path = tmp_path / "plaque.pdf"
    path.write_bytes(client.get(url, HTTP_HOST="127.0.0.1:8000").content)
    text = _pdf_text(path)
    assert plaque.NO_VERIFY_URL in text and "127.0.0.1" not in text
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", path, tmp_path / "page"], check=True)
    page = Image.open(tmp_path / "page.png").convert("L")
    # The line takes the code's place, so the square is not blank: look for the code itself.
    would_be = qr_matrix(f"http://127.0.0.1:8000/creation/titles/{title.pk}/")
    module = plaque.QR_SIZE / len(would_be)

    def dark(row: int, col: int) -> bool:
        x = round((plaque.QR_X + (col + 0.5) * module) * 300 / 25.4)
        y = round((plaque.QR_Y + (row + 0.5) * module) * 300 / 25.4)
        return page.getpixel((x, y)) < 128

    drawn = [[dark(r, c) for c in range(len(would_be))] for r in range(len(would_be))]
    assert drawn != would_be and not all(drawn[0][:7]), "a QR code was drawn"
    ARTIFACTS.mkdir(exist_ok=True)  # for a person to look at: the line in place of the code
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", path, ARTIFACTS / "plaque-no-address"], check=True)
    # Asked on the platform's public address, the code is there again, and opens that address.
    settings.SHANGMI_PUBLIC_URL = "https://shangmi.example.gov.cn"
    path.write_bytes(client.get(url, HTTP_HOST="127.0.0.1:8000").content)
    assert f"https://shangmi.example.gov.cn/creation/titles/{title.pk}/" in _pdf_text(path)
    assert plaque.NO_VERIFY_URL not in _pdf_text(path)


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", path, "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", out)


@needs_poppler
def test_plaque_pdf_text_font_and_page(world, announced) -> None:
    title = announced["jiangbei"]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "plaque.pdf"
    path.write_bytes(render_plaque(title, "https://shangmi.example/"))
    text = _pdf_text(path)
    for expected in (
        "授牌证书",
        title.holder_name,
        "重庆市市级商业秘密保护示范单位",
        title.number,
        "授牌日期：二〇二六年十一月二十四日",
        "有效期至：二〇二九年十一月二十三日",
        "重庆市市场监督管理局",
        "特发此证",
        public_title_url(title, "https://shangmi.example/"),
    ):
        assert expected in text, expected
    assert public_title_url(title, "https://shangmi.example/") == f"https://shangmi.example/creation/titles/{title.pk}/"
    info = subprocess.run(["pdfinfo", path], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)
    fonts = subprocess.run(["pdffonts", path], check=True, capture_output=True, text=True).stdout
    font_rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert font_rows and all("NotoSansSC" in line and " yes " in line for line in font_rows), fonts
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", path, ARTIFACTS / "plaque"], check=True)
    assert (ARTIFACTS / "plaque.png").stat().st_size > 0


@needs_poppler
def test_plaque_of_a_long_name_stays_on_one_page(world) -> None:
    round_ = make_round(world, region=Region.objects.get(code="330000"), level=Level.PROVINCIAL,
                        demo_type=DemoType.STATION, title="浙江 stations")  # fmt: skip
    name = "浙江省绍兴市越城区某某新材料科技股份有限公司商业秘密保护服务工作站" * 4
    title = issue_title(approved(world, round_, applicant_name=name), world.city_regulator, awarded_on=AWARDED)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "plaque-long.pdf"
    path.write_bytes(render_plaque(title, "https://shangmi.example"))
    text = _pdf_text(path)
    assert "浙江省省级商业秘密保护示范站（点）" in text and "…" in text and title.number in text
    info = subprocess.run(["pdfinfo", path], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", path, ARTIFACTS / "plaque-long"], check=True)


# --- the management list ----------------------------------------------------------------------


def test_title_list_shows_what_concerns_the_user_with_expiry_filter(world, client, announced) -> None:
    url = reverse("creation:title_list")
    assert client.get(url).status_code == 302
    client.force_login(world.regulator_in)
    page = client.get(url).content.decode()
    assert world.ent_in.name in page and world.ent_out.name not in page
    # Held in 江北 but awarded by the city: the district regulator may not revoke it.
    assert reverse("creation:title_revoke", args=[announced["jiangbei"].pk]) not in page

    client.force_login(world.city_regulator)
    page = client.get(url).content.decode()
    assert world.ent_in.name in page and world.ent_out.name in page
    assert reverse("creation:title_revoke", args=[announced["jiangbei"].pk]) in page

    soon = announced["jiangbei"]
    Title.objects.filter(pk=soon.pk).update(valid_until=program_today() + datetime.timedelta(days=30))
    page = client.get(url, {"expiring": "90"}).content.decode()
    assert world.ent_in.name in page and world.ent_out.name not in page

    client.force_login(world.ent_admin_out)
    page = client.get(url).content.decode()
    assert world.ent_out.name in page and world.ent_in.name not in page


def test_a_user_of_another_province_sees_an_empty_list(world, client, announced) -> None:
    # Titles are public, but the management list holds only those of the user's own region.
    judge = make_user("titles_judge", Role.JUDICIAL_LIAISON, region=Region.objects.get(code="330000"))
    client.force_login(judge)
    page = client.get(reverse("creation:title_list")).content.decode()
    assert world.ent_in.name not in page and world.ent_out.name not in page


@needs_poppler
def test_plaque_qr_code_is_the_public_url_with_its_quiet_zone(world, announced, tmp_path) -> None:
    from PIL import Image

    from shangmi.creation.titles import plaque
    from shangmi.pdf.layout import qr_matrix

    title = announced["jiangbei"]
    path = tmp_path / "plaque.pdf"
    path.write_bytes(render_plaque(title, "https://shangmi.example"))
    matrix = qr_matrix(public_title_url(title, "https://shangmi.example"))
    dpi = 300
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", path, tmp_path / "page"], check=True)
    page = Image.open(tmp_path / "page.png").convert("L")
    px_per_mm = dpi / 25.4
    module = plaque.QR_SIZE / len(matrix)

    def dark(row: int, col: int) -> bool:
        x = round((plaque.QR_X + (col + 0.5) * module) * px_per_mm)
        y = round((plaque.QR_Y + (row + 0.5) * module) * px_per_mm)
        return page.getpixel((x, y)) < 128

    size = len(matrix)
    assert [[dark(r, c) for c in range(size)] for r in range(size)] == matrix
    ring = [(r, c) for r in range(-4, size + 4) for c in range(-4, size + 4) if not (0 <= r < size and 0 <= c < size)]
    assert not any(dark(r, c) for r, c in ring), "something is drawn in the QR code's quiet zone"
