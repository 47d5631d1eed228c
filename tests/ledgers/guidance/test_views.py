"""The guidance ledger's pages: recording on site with photos, scope, editing rights,
upload checks, thumbnails through the scope, and the half-year page."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shangmi.core.calendar import program_now, program_today
from shangmi.enterprises.models import Enterprise
from shangmi.ledgers.guidance import services as guidance
from shangmi.ledgers.guidance.services import VisitInput, visit_record
from shangmi.ledgers.models import GuidanceVisit, VisitAttachment
from tests.conftest import make_enterprise, make_user
from tests.refusals import refused_with

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are checked in their English source form (the catalogue comes later)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client(client: Any) -> Any:
    """Pages in English too: the language cookie, as the language switch sets it."""
    client.cookies["django_language"] = "en"
    return client


def jpeg_bytes(size: tuple[int, int] = (1200, 900), color: str = "navy") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (40, 30), (200, 0, 0, 128)).save(out, "PNG")
    return out.getvalue()


def photo(name: str = "现场.jpg", data: bytes | None = None, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes() if data is None else data, content_type=content_type)


def form_data(enterprise: Enterprise, **extra: Any) -> dict[str, Any]:
    return {
        "enterprise": enterprise.pk,
        "visited_at": program_now().strftime("%Y-%m-%dT%H:%M"),
        "place": "企业三楼会议室",
        "bureau_participants": "张指导员, 李科长",
        "enterprise_participants": "王经理(商秘办)",
        "content": "商业秘密保护制度建设指导",
        "issues": "涉密区域未标识",
        "advice": "设置涉密区域标识",
        **extra,
    }


def make_visit(
    enterprise: Enterprise, officer: Any, when: datetime.datetime | None = None, content: str = "指导内容"
) -> GuidanceVisit:
    return GuidanceVisit.objects.create(
        enterprise=enterprise,
        officer=officer,
        visited_at=when or timezone.now() - datetime.timedelta(days=1),
        place="会议室",
        bureau_participants="指导员",
        enterprise_participants="商秘办",
        content=content,
        created_by=officer,
    )


def attach(visit: GuidanceVisit, data: bytes, name: str = "现场.jpg", content_type: str = "image/jpeg") -> Any:
    attachment = VisitAttachment(
        visit=visit,
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=visit.officer,
    )
    attachment.file.save(name, ContentFile(data), save=True)
    return attachment


# --- recording ---------------------------------------------------------------------------------


def test_officer_records_a_visit_with_photos_and_a_file(world: Any, client: Any, tmp_media: Any) -> None:
    client.force_login(world.officer_in)
    page = client.get(reverse("ledgers:guidance_create"))
    assert page.status_code == 200
    html = page.content.decode()
    # A phone form: camera input, several files, the time already filled in, the only enterprise chosen.
    assert 'accept="image/*"' in html and 'capture="environment"' in html and "multiple" in html
    assert 'type="datetime-local"' in html
    assert program_now().strftime("%Y-%m-%dT") in html
    assert f'<option value="{world.ent_in.pk}" selected>' in html
    assert world.ent_out.name not in html

    picture, second = jpeg_bytes(), png_bytes()
    pdf = b"%PDF-1.4\n%guidance minutes\n"
    response = client.post(
        reverse("ledgers:guidance_create"),
        {
            **form_data(world.ent_in),
            "photos": [photo("现场1.jpg", picture), photo("现场2.png", second, "image/png")],
            "files": [SimpleUploadedFile("纪要.pdf", pdf, content_type="application/pdf")],
        },
    )
    visit = GuidanceVisit.objects.get()
    assert response.status_code == 302 and response.url == reverse("ledgers:guidance_detail", args=[visit.pk])
    assert visit.officer == world.officer_in and visit.created_by == world.officer_in
    assert visit.enterprise == world.ent_in
    attachments = {a.original_name: a for a in visit.attachments.all()}
    assert set(attachments) == {"现场1.jpg", "现场2.png", "纪要.pdf"}
    assert attachments["现场1.jpg"].sha256 == hashlib.sha256(picture).hexdigest()
    assert attachments["现场1.jpg"].content_type == "image/jpeg"
    assert attachments["纪要.pdf"].content_type == "application/pdf"
    assert attachments["纪要.pdf"].size == len(pdf)
    assert all(a.uploaded_by == world.officer_in for a in attachments.values())
    # Stored names carry nothing of the user's file name.
    assert all("现场" not in a.file.name for a in attachments.values())

    detail = client.get(response.url).content.decode()
    assert "商业秘密保护制度建设指导" in detail
    for attachment in attachments.values():
        assert reverse("ledgers:guidance_thumbnail", args=[attachment.pk]) in detail or (
            reverse("ledgers:guidance_attachment", args=[attachment.pk]) in detail
        )
    assert "/media/" not in detail


def test_officer_cannot_record_for_an_enterprise_not_assigned_to_them(world: Any, client: Any, tmp_media: Any) -> None:
    client.force_login(world.officer_in)
    response = client.post(reverse("ledgers:guidance_create"), {**form_data(world.ent_out), "photos": [photo()]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not GuidanceVisit.objects.exists() and not VisitAttachment.objects.exists()

    data = VisitInput(
        enterprise=world.ent_out,
        visited_at=timezone.now(),
        place="p",
        bureau_participants="b",
        enterprise_participants="e",
        content="c",
    )
    with refused_with(guidance.NOT_YOUR_ENTERPRISE):
        visit_record(user=world.officer_in, data=data)
    assert not GuidanceVisit.objects.exists()


def test_who_may_open_the_recording_form(world: Any, client: Any) -> None:
    for user in (world.ent_admin_in, world.ent_staff_in, world.park_operator_in, world.expert):
        client.force_login(user)
        assert client.get(reverse("ledgers:guidance_create")).status_code == 404, user.username
    for user in (world.officer_in, world.regulator_in):
        client.force_login(user)
        assert client.get(reverse("ledgers:guidance_create")).status_code == 200, user.username
    # An officer with nothing assigned is told why the list is empty.
    lonely = make_user("lonely_officer", "officer", region=world.jiangbei)
    client.force_login(lonely)
    assert "No enterprise is assigned to you yet" in client.get(reverse("ledgers:guidance_create")).content.decode()


def test_a_regulator_records_for_enterprises_of_its_region_only(world: Any, client: Any, tmp_media: Any) -> None:
    client.force_login(world.regulator_in)
    assert client.post(reverse("ledgers:guidance_create"), form_data(world.ent_in)).status_code == 302
    assert client.post(reverse("ledgers:guidance_create"), form_data(world.ent_out)).status_code == 200
    assert list(GuidanceVisit.objects.values_list("enterprise_id", "officer_id")) == [
        (world.ent_in.pk, world.regulator_in.pk)
    ]


def test_a_visit_in_the_future_is_refused(world: Any, client: Any, tmp_media: Any) -> None:
    client.force_login(world.officer_in)
    tomorrow = (program_now() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("ledgers:guidance_create"), form_data(world.ent_in, visited_at=tomorrow))
    assert response.status_code == 200
    assert guidance.IN_THE_FUTURE.render() in response.content.decode()
    assert not GuidanceVisit.objects.exists()


# --- uploads -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "files of this type are not accepted"),
        ("现场.jpg", b"this is not a picture", "is not a real .jpg file"),
        ("报告.pdf", b"PK\x03\x04 a zip named pdf", "is not a real .pdf file"),
        ("空.png", b"", "is empty"),
        ("photo.heic", b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00", "is not a real .heic file"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_kept(
    world: Any, client: Any, tmp_media: Any, name: str, data: bytes, message: str
) -> None:
    client.force_login(world.officer_in)
    response = client.post(
        reverse("ledgers:guidance_create"),
        {**form_data(world.ent_in), "photos": [photo("good.jpg")], "files": [SimpleUploadedFile(name, data)]},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not GuidanceVisit.objects.exists() and not VisitAttachment.objects.exists()
    assert not any(p.is_file() for p in tmp_media.rglob("*")) if tmp_media.exists() else True


def test_an_upload_over_the_size_limit_is_refused(
    world: Any, client: Any, tmp_media: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guidance, "MAX_BYTES", 1024)
    client.force_login(world.officer_in)
    big = photo("大图.jpg", jpeg_bytes((800, 800), "white") + b"\x00" * 2048)
    response = client.post(reverse("ledgers:guidance_create"), {**form_data(world.ent_in), "photos": [big]})
    assert "is larger than" in response.content.decode()
    assert not GuidanceVisit.objects.exists()


def test_heic_photos_and_office_files_are_accepted(world: Any, tmp_media: Any) -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    docx = b"PK\x03\x04" + b"\x00" * 64
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    data = VisitInput(
        enterprise=world.ent_in,
        visited_at=timezone.now(),
        place="p",
        bureau_participants="b",
        enterprise_participants="e",
        content="c",
    )
    uploads = [
        SimpleUploadedFile("IMG_0001.HEIC", heic),
        SimpleUploadedFile("制度.docx", docx),
        SimpleUploadedFile("台账.xls", xls),
    ]
    visit = visit_record(user=world.officer_in, data=data, uploads=uploads)
    assert sorted(visit.attachments.values_list("content_type", flat=True)) == [
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/heic",
    ]


def test_too_many_files_are_refused(world: Any, tmp_media: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guidance, "MAX_FILES", 2)
    data = VisitInput(
        enterprise=world.ent_in,
        visited_at=timezone.now(),
        place="p",
        bureau_participants="b",
        enterprise_participants="e",
        content="c",
    )
    with refused_with(guidance.TOO_MANY_FILES) as refused:
        visit_record(user=world.officer_in, data=data, uploads=[photo(f"{i}.jpg") for i in range(3)])
    assert refused.value.params == {"count": 2}
    assert not GuidanceVisit.objects.exists()


# --- thumbnails and files through the scope -----------------------------------------------------


def test_a_file_gone_from_the_disk_answers_404(world: Any, client: Any, tmp_media: Any) -> None:
    pdf = attach(make_visit(world.ent_in, world.officer_in), b"%PDF-1.4", "纪要.pdf", "application/pdf")
    client.force_login(world.officer_in)
    assert client.get(reverse("ledgers:guidance_attachment", args=[pdf.pk])).status_code == 200
    os.remove(pdf.file.path)
    assert client.get(reverse("ledgers:guidance_attachment", args=[pdf.pk])).status_code == 404


def test_thumbnails_are_small_jpegs_served_through_the_scope(world: Any, client: Any, tmp_media: Any) -> None:
    from PIL import Image

    visit_in = make_visit(world.ent_in, world.officer_in)
    picture = attach(visit_in, jpeg_bytes((2000, 1500)))
    broken = attach(visit_in, b"\xff\xd8\xff\xe0 not really", "坏.jpg")
    pdf = attach(visit_in, b"%PDF-1.4", "纪要.pdf", "application/pdf")
    client.force_login(world.officer_in)
    thumb = client.get(reverse("ledgers:guidance_thumbnail", args=[picture.pk]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert "private" in thumb["Cache-Control"]
    assert max(Image.open(io.BytesIO(thumb.content)).size) <= guidance.THUMBNAIL_SIZE
    for other in (broken, pdf):  # no thumbnail to make: an icon, not an error
        icon = client.get(reverse("ledgers:guidance_thumbnail", args=[other.pk]))
        assert icon.status_code == 200 and icon["Content-Type"] == "image/svg+xml"
    full = client.get(reverse("ledgers:guidance_attachment", args=[picture.pk]))
    assert full.status_code == 200 and b"".join(full.streaming_content) == picture.file.open("rb").read()
    assert full["Content-Disposition"].startswith("inline") and "private" in full["Cache-Control"]
    download = client.get(reverse("ledgers:guidance_attachment", args=[pdf.pk]))
    assert download["Content-Disposition"].startswith("attachment")

    # Outsiders: 404 for the photo, its thumbnail, its removal.
    for outsider in (world.officer_out, world.regulator_out, world.ent_admin_out):
        client.force_login(outsider)
        for name in ("ledgers:guidance_thumbnail", "ledgers:guidance_attachment"):
            assert client.get(reverse(name, args=[picture.pk])).status_code == 404
        assert client.post(reverse("ledgers:guidance_attachment_delete", args=[picture.pk])).status_code == 404
    assert VisitAttachment.objects.filter(pk=picture.pk).exists()


# --- scope -------------------------------------------------------------------------------------


def test_each_reader_sees_only_the_visits_in_their_scope(world: Any, client: Any, tmp_media: Any) -> None:
    visit_in = make_visit(world.ent_in, world.officer_in, content="江北指导内容")
    visit_out = make_visit(world.ent_out, world.officer_out, content="江津指导内容")
    cases = [
        (world.officer_in, [visit_in], [visit_out]),
        (world.officer_out, [visit_out], [visit_in]),
        (world.regulator_in, [visit_in], [visit_out]),
        (world.regulator_out, [visit_out], [visit_in]),
        (world.city_regulator, [visit_in, visit_out], []),
        (world.ent_admin_in, [visit_in], [visit_out]),
        (world.park_operator_out, [visit_out], [visit_in]),
    ]
    for user, seen, unseen in cases:
        client.force_login(user)
        page = client.get(reverse("ledgers:guidance_list")).content.decode()
        for visit in seen:
            assert visit.content in page, user.username
            assert client.get(reverse("ledgers:guidance_detail", args=[visit.pk])).status_code == 200
        for visit in unseen:
            assert visit.content not in page and visit.enterprise.name not in page, user.username
            for name in ("ledgers:guidance_detail", "ledgers:guidance_update"):
                assert client.get(reverse(name, args=[visit.pk])).status_code == 404, (user.username, name)
            assert client.post(reverse("ledgers:guidance_update", args=[visit.pk]), {}).status_code == 404


def test_an_officer_edits_their_own_visit_and_a_colleague_only_reads_it(
    world: Any, client: Any, tmp_media: Any
) -> None:
    colleague = make_user("colleague", "officer", region=world.jiangbei)
    Enterprise.objects.filter(pk=world.ent_in.pk).update(guidance_officer=colleague)
    visit = make_visit(world.ent_in, world.officer_in)
    url = reverse("ledgers:guidance_update", args=[visit.pk])

    client.force_login(colleague)
    assert client.get(reverse("ledgers:guidance_detail", args=[visit.pk])).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 302 and refused.url == reverse("ledgers:guidance_detail", args=[visit.pk])
    client.post(url, form_data(world.ent_in, content="被同事改写"))
    visit.refresh_from_db()
    assert visit.content == "指导内容"

    client.force_login(world.officer_in)
    assert client.get(url).status_code == 200
    response = client.post(url, {**form_data(world.ent_in, content="补充内容"), "photos": [photo()]})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.content == "补充内容" and visit.attachments.count() == 1
    assert visit.history.first().history_user == world.officer_in

    client.force_login(world.regulator_in)
    client.post(url, form_data(world.ent_in, content="局里修订"))
    visit.refresh_from_db()
    assert visit.content == "局里修订" and visit.officer == world.officer_in

    attachment = visit.attachments.get()
    client.force_login(colleague)
    client.post(reverse("ledgers:guidance_attachment_delete", args=[attachment.pk]))
    assert VisitAttachment.objects.filter(pk=attachment.pk).exists()
    client.force_login(world.officer_in)
    client.post(reverse("ledgers:guidance_attachment_delete", args=[attachment.pk]))
    assert not VisitAttachment.objects.filter(pk=attachment.pk).exists()


def test_list_filters_use_shanghai_halves(world: Any, client: Any) -> None:
    june = make_visit(
        world.ent_in, world.officer_in, datetime.datetime(2026, 6, 30, 15, 30, tzinfo=datetime.UTC), "六月底指导"
    )
    july = make_visit(
        world.ent_in, world.officer_in, datetime.datetime(2026, 6, 30, 16, 10, tzinfo=datetime.UTC), "七月初指导"
    )
    client.force_login(world.regulator_in)
    url = reverse("ledgers:guidance_list")
    first = client.get(url, {"year": 2026, "half": 1}).content.decode()
    second = client.get(url, {"year": 2026, "half": 2}).content.decode()
    assert june.content in first and july.content not in first
    assert july.content in second and june.content not in second
    other = client.get(url, {"officer": world.officer_out.pk}).content.decode()
    assert june.content not in other


def test_the_list_costs_the_same_queries_for_more_visits(world: Any, client: Any, tmp_media: Any) -> None:
    client.force_login(world.regulator_in)
    url = reverse("ledgers:guidance_list")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    attach(make_visit(world.ent_in, world.officer_in), jpeg_bytes((20, 20)))
    few = count()
    for serial in range(8):
        enterprise = make_enterprise("500105", f"更多企业{serial}", 400 + serial, liaison_officer=world.officer_in)
        attach(make_visit(enterprise, world.officer_in), jpeg_bytes((20, 20)))
    assert count() == few


# --- the half-year page ---------------------------------------------------------------------------


def test_halfyear_page_shows_who_is_missing_which_half(world: Any, client: Any) -> None:
    today = program_today()
    covered = make_enterprise("500105", "已指导公司", 501, guidance_officer=world.officer_in)
    # A visit on the first day of every half begun so far this year: nothing missing.
    for month in (1, 7) if today.month > 6 else (1,):
        when = datetime.datetime(today.year, month, 1, 0, 5, tzinfo=SHANGHAI)
        make_visit(covered, world.officer_in, when)
    url = reverse("ledgers:guidance_halfyear")

    client.force_login(world.regulator_in)
    page = client.get(url).content.decode()
    assert covered.name in page and world.ent_in.name in page
    assert world.ent_out.name not in page
    assert "Deadline" in page and f"{today.year}-06-30" in page and f"{today.year}-12-31" in page
    missing = client.get(url, {"missing": "on"}).content.decode()
    assert world.ent_in.name in missing and covered.name not in missing
    by_officer = client.get(url, {"officer": world.officer_in.pk}).content.decode()
    assert covered.name in by_officer
    # A region outside the reader's scope is not one of the choices: a filter error, and
    # nothing of that region is shown.
    elsewhere = client.get(url, {"region": "500116"})
    assert elsewhere.status_code == 400 and 'data-testid="filter-errors"' in elsewhere.content.decode()
    assert world.ent_out.name not in elsewhere.content.decode()

    client.force_login(world.officer_out)
    page = client.get(url).content.decode()
    assert world.ent_out.name in page and covered.name not in page and world.ent_in.name not in page


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "abc"}, "Year"),
        ({"year": "1999"}, "Year"),
        ({"officer": "abc"}, "Officer"),
        ({"officer": "999999"}, "Officer"),
        ({"region": "nowhere"}, "Region"),
    ],
)
def test_a_bad_halfyear_filter_is_a_filter_error(world: Any, client: Any, params: dict, field: str) -> None:
    """Not a 500, and not silently the unfiltered page: the page says which filter is wrong."""
    client.cookies["django_language"] = "en"
    client.force_login(world.regulator_in)
    response = client.get(reverse("ledgers:guidance_halfyear"), params)
    page = response.content.decode()
    assert response.status_code == 400
    errors = page.split('data-testid="filter-errors"', 1)[1].split("</div></div>", 1)[0]
    assert f"{field}: " in errors
    assert 'data-testid="halfyear-table"' in page  # the page itself still answers


def test_halfyear_page_costs_the_same_queries_for_more_enterprises(world: Any, client: Any) -> None:
    client.force_login(world.regulator_in)
    url = reverse("ledgers:guidance_halfyear")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for serial in range(12):
        enterprise = make_enterprise("500105", f"半年企业{serial}", 600 + serial, liaison_officer=world.officer_in)
        make_visit(enterprise, world.officer_in)
    assert count() == few


def test_halfyear_pages_reuse_the_totals_count(world: Any, client: Any) -> None:
    for serial in range(55):
        make_enterprise("500105", f"分页企业{serial:02d}", 700 + serial, liaison_officer=world.officer_in)
    client.force_login(world.regulator_in)
    url = reverse("ledgers:guidance_halfyear")
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url, {"missing": "on"})
    # No statement counts the rows: a regulator's totals are read from the region summary, and
    # the paginator takes its count from them.
    counts = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(") and "enterprise" in q["sql"]
    ]
    assert counts == []
    second = client.get(url, {"missing": "on", "page": 2})
    names = [p.context["page"].object_list for p in (first, second)]
    seen = [e.name for page in names for e in page]
    expected = 55 + 1  # the new ones and world.ent_in, all missing this year's visits
    assert first.context["page"].paginator.count == expected == len(seen) == len(set(seen))
    assert first.context["page"].paginator.num_pages == 2
