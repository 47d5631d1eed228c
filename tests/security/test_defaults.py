"""The embedded default is safe: no debug pages, no public /media/, errors without tracebacks."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import path

from shangmi.jobs.models import Job

ROOT = Path(__file__).resolve().parents[2]


def _boom(request):
    raise RuntimeError("secret-internal-detail")


# A URL configuration with every real page plus one that fails, for the 500 page.
urlpatterns = [path("boom/", _boom)]
from shangmi.urls import urlpatterns as _real  # noqa: E402

urlpatterns += _real


def test_make_run_serves_with_debug_off() -> None:
    out = subprocess.run(
        ["make", "-s", "-p", "-n", "-f", "Makefile", "lint"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    ).stdout
    assert re.search(r"^SHANGMI_DEBUG \?= 0$|^SHANGMI_DEBUG = 0$", out, re.M), "make's default must be DEBUG off"


@pytest.mark.parametrize("signed_in", [False, True])
def test_uploaded_file_is_not_under_media(client: Client, world, tmp_media, signed_in: bool) -> None:
    job = Job.objects.create(kind="import", title="t", created_by=world.regulator_in)
    job.input_file.save("enterprises-20260101.xlsx", ContentFile(b"PK\x03\x04 private rows"))
    assert (tmp_media / job.input_file.name).exists()
    if signed_in:
        client.force_login(world.regulator_in)
    response = client.get(f"/media/{job.input_file.name}")
    assert response.status_code == 404
    assert b"private rows" not in response.content
    if signed_in:
        # The owner still has it, through the scoped view.
        download = client.get(f"/jobs/{job.pk}/download/")
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == b"PK\x03\x04 private rows"


def test_not_found_page_is_the_sites_in_both_languages(client: Client, world) -> None:
    client.force_login(world.regulator_in)
    body = client.get("/no-such-page/").content.decode()
    assert "页面不存在" in body and "navbar-shangmi" in body
    client.cookies["django_language"] = "en"
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    # No URL list, as Django's debug 404 would show.
    assert "URLconf" not in response.content.decode()


@pytest.mark.urls("tests.security.test_defaults")
def test_server_error_shows_no_traceback(world) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world.regulator_in)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "服务器错误" in body
    assert "Traceback" not in body and "secret-internal-detail" not in body and "RuntimeError" not in body
    english = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Server error" in english.content.decode()


def test_no_media_route_even_in_debug_mode(settings) -> None:
    import importlib

    import shangmi.urls

    settings.DEBUG = True
    try:
        reloaded = importlib.reload(shangmi.urls)
        assert not any("media" in str(p.pattern) for p in reloaded.urlpatterns)
    finally:
        settings.DEBUG = False
        importlib.reload(shangmi.urls)
