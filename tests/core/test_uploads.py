"""core.uploads: an image's pixels are counted from its header before anything decodes it."""

from __future__ import annotations

import resource
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from shangmi.core import uploads
from shangmi.core.uploads import UploadError, check_upload
from shangmi.ledgers.guidance import services as guidance
from tests.hostile import files
from tests.ledgers.guidance.test_views import attach, jpeg_bytes, make_visit


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def test_a_png_bomb_is_refused_from_its_header() -> None:
    bomb = files.png_bytes(9000, 9000)
    assert len(bomb) < 300_000
    with pytest.raises(UploadError) as caught:
        check_upload(SimpleUploadedFile("现场.png", bomb, content_type="image/png"))
    assert caught.value.message is uploads.IMAGE_TOO_LARGE
    assert "9000 x 9000" in str(caught.value)


def test_far_beyond_the_limit_pillow_itself_refuses(settings: Any) -> None:
    settings.SHANGMI_IMAGE_MAX_PIXELS = 1_000_000
    with pytest.raises(UploadError) as caught:
        check_upload(SimpleUploadedFile("现场.png", files.png_bytes(3000, 3000), content_type="image/png"))
    assert caught.value.message is uploads.IMAGE_TOO_LARGE


def test_phone_photos_pass() -> None:
    content_type, sha256 = check_upload(SimpleUploadedFile("现场.jpg", jpeg_bytes((4000, 3000))))
    assert content_type == "image/jpeg" and len(sha256) == 64


def test_an_xlsx_named_png_is_refused() -> None:
    with pytest.raises(UploadError) as caught:
        check_upload(SimpleUploadedFile("现场.png", b"PK\x03\x04" + b"\x00" * 100))
    assert "is not a real .png file" in str(caught.value)


def test_a_stored_bomb_gets_the_icon_without_being_decoded(world: Any, client: Any, tmp_media: Any) -> None:
    """A photo stored before the check existed: the thumbnail reads its header and stops."""
    attachment = attach(make_visit(world.ent_in, world.officer_in), files.png_bytes(9000, 9000), "旧.png", "image/png")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    assert guidance.thumbnail(attachment) is None
    assert time.perf_counter() - started < 0.2  # decoding it took 1.3 s
    # Decoding it would take 81 MB for the pixels alone (600 MB with the thumbnail's steps).
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 40 * 1024
    client.force_login(world.officer_in)
    response = client.get(reverse("ledgers:guidance_thumbnail", args=[attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
