"""Hostile files through the real pages of a live server: each is refused with its message,
costs little, and the server answers the next request normally.

The server runs in this process (pytest-django's live_server thread), so this process's peak
memory is the server's: the parses that could explode run in capped child processes.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from shangmi.core import spreadsheets, uploads
from shangmi.core.calendar import program_now, program_year
from shangmi.enterprises.models import Enterprise
from shangmi.jobs.models import Job
from shangmi.ledgers.models import ActivityParticipant, GuidanceVisit, VisitAttachment
from shangmi.targets.models import Target
from tests.conftest import World
from tests.hostile import files
from tests.hostile.conftest import Browser
from tests.ledgers.activities.test_services import make_activity

pytestmark = pytest.mark.hostile

# The server's peak memory may grow by this much over a hostile upload (a 1 GB bomb, a 100 MB line).
MEMORY_GROWTH_KB = 150 * 1024


def english(message: Any, **params: Any) -> str:
    with translation.override("en"):
        return message.render(**params)


def peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def still_serving(browser: Browser) -> None:
    """The next request is answered normally."""
    page = browser.get("/enterprises/")
    assert page.status == 200 and "港城精密" not in page.text and "enterprise" in page.text.lower()


def import_enterprises(browser: Browser, name: str, content: Path | bytes) -> Any:
    return browser.post("/enterprises/import/", {}, {"file": (name, content)})


@pytest.fixture
def regulator(as_user: Any, hostile_world: World) -> Browser:
    return as_user(hostile_world.regulator_in)


def test_the_dimension_bomb_through_all_three_import_pages(as_user: Any, hostile_world: World, tmp_path: Path) -> None:
    """1.6 KB, one cell at XFD1048576: calamine allocated 512 GB and the server aborted."""
    bomb = files.dimension_bomb(tmp_path / "bomb.xlsx")
    expected = english(spreadsheets.TOO_MANY_ROWS, rows=1048576, limit=200_000)
    before = peak_kb()

    regulator = as_user(hostile_world.regulator_in)
    page = import_enterprises(regulator, "企业名录.xlsx", bomb)
    assert page.status == 200 and expected in page.text

    city = as_user(hostile_world.city_regulator)
    page = city.post(
        reverse("targets:import"),
        {"region": hostile_world.chongqing.pk, "year": program_year(), "deadline": ""},
        {"file": ("指标.xlsx", bomb)},
    )
    assert page.status == 200 and expected in page.text

    activity = make_activity(hostile_world.jiangbei, hostile_world.regulator_in, hostile_world.ent_in)
    page = regulator.post(
        reverse("ledgers:activity_participant_import", args=[activity.pk]), {}, {"file": ("签到.xlsx", bomb)}
    )
    assert page.status == 400 and expected in page.text

    assert peak_kb() - before < MEMORY_GROWTH_KB
    assert not Target.objects.exists() and not ActivityParticipant.objects.exists()
    still_serving(regulator)


def test_a_zip_bomb_is_refused_before_it_inflates_and_queues_nothing(
    regulator: Browser, tmp_path: Path, settings: Any
) -> None:
    """4 MB that inflate to 1 GB of sheet XML: 4.1 GB for 34 s, then a job parsed it again."""
    settings.SHANGMI_IMPORT_SYNC_ROWS = 1  # a file this size would otherwise go to a job
    bomb = files.zip_bomb(tmp_path / "bomb.xlsx", megabytes=1024)
    before = peak_kb()
    started = time.perf_counter()
    page = import_enterprises(regulator, "名录.xlsx", bomb)
    assert page.status == 200
    assert english(spreadsheets.MEMBER_TOO_LARGE, name="xl/worksheets/sheet1.xml", size=1025, limit=256) in page.text
    assert time.perf_counter() - started < 10
    assert peak_kb() - before < MEMORY_GROWTH_KB
    assert not Job.objects.exists()
    still_serving(regulator)


def test_billion_laughs_is_refused(regulator: Browser, tmp_path: Path) -> None:
    page = import_enterprises(regulator, "名录.xlsx", files.billion_laughs(tmp_path / "laughs.xlsx"))
    assert page.status == 200
    assert english(spreadsheets.DTD_REFUSED, name="xl/worksheets/sheet1.xml") in page.text
    still_serving(regulator)


def test_a_csv_of_one_100_mb_line_is_refused_without_reading_it(regulator: Browser, tmp_path: Path) -> None:
    line = files.csv_one_line(tmp_path / "line.csv", megabytes=99)  # under the 100 MB upload limit
    before = peak_kb()
    page = import_enterprises(regulator, "名录.csv", line)
    assert page.status == 200
    assert english(spreadsheets.LINE_TOO_LONG, line=2, limit=1024) in page.text
    assert peak_kb() - before < MEMORY_GROWTH_KB
    assert not Enterprise.objects.filter(name="a").exists()
    still_serving(regulator)


def test_a_png_bomb_is_refused_as_a_visit_photo_and_a_stored_one_gets_the_icon(
    as_user: Any, hostile_world: World, tmp_media: Any
) -> None:
    """236 KB, 9000 x 9000: 600 MB and 1.3 s on every thumbnail request."""
    officer = as_user(hostile_world.officer_in)
    bomb = files.png_bytes(9000, 9000)
    fields = {
        "enterprise": hostile_world.ent_in.pk,
        "visited_at": program_now().strftime("%Y-%m-%dT%H:%M"),
        "place": "企业三楼会议室",
        "bureau_participants": "张指导员",
        "enterprise_participants": "王经理",
        "content": "商业秘密保护制度建设指导",
        "issues": "",
        "advice": "",
    }
    before = peak_kb()
    page = officer.post(reverse("ledgers:guidance_create"), fields, {"photos": ("现场.png", bomb)})
    assert page.status == 200
    assert english(uploads.IMAGE_TOO_LARGE, name="现场.png", width=9000, height=9000, limit=50) in page.text
    assert not GuidanceVisit.objects.exists()

    # One stored before the check existed: its thumbnail reads the header and answers the icon.
    from tests.ledgers.guidance.test_views import attach, make_visit

    stored = attach(make_visit(hostile_world.ent_in, hostile_world.officer_in), bomb, "旧.png", "image/png")
    started = time.perf_counter()
    thumb = officer._send("GET", reverse("ledgers:guidance_thumbnail", args=[stored.pk]))
    assert thumb.status == 200 and "<svg" in thumb.text
    assert time.perf_counter() - started < 1
    assert peak_kb() - before < 60 * 1024
    assert VisitAttachment.objects.count() == 1
    still_serving(as_user(hostile_world.regulator_in))


def test_polyglots_are_refused_by_what_they_are(
    as_user: Any, hostile_world: World, regulator: Browser, tmp_path: Path, tmp_media: Any
) -> None:
    """A workbook named .png, and a PNG with a workbook appended named .xlsx."""
    workbook = files._workbook(tmp_path / "real.xlsx", files.sheet_xml([[("A1", "企业名称")]])).read_bytes()
    officer = as_user(hostile_world.officer_in)
    fields = {
        "enterprise": hostile_world.ent_in.pk,
        "visited_at": program_now().strftime("%Y-%m-%dT%H:%M"),
        "place": "会议室",
        "bureau_participants": "张指导员",
        "enterprise_participants": "王经理",
        "content": "指导",
    }
    page = officer.post(reverse("ledgers:guidance_create"), fields, {"photos": ("现场.png", workbook)})
    assert page.status == 200 and "现场.png is not a real .png file" in page.text
    assert not GuidanceVisit.objects.exists()

    polyglot = files.png_bytes(20, 20) + workbook  # an image to a viewer, a zip to unzip (its directory is at the end)
    page = import_enterprises(regulator, "名录.xlsx", polyglot)
    assert page.status == 200 and "The file is not an Excel .xlsx workbook." in page.text
    assert not Job.objects.exists()
    still_serving(regulator)
