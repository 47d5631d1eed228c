"""Headers: a Content-Security-Policy the templates can satisfy, no-store for signed-in people,
and HTTPS settings from the environment."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from shangmi.jobs.models import Job

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "shangmi" / "templates"


def test_every_page_carries_the_policy(world: Any, client: Client) -> None:
    for url in (reverse("accounts:login"), "/api/docs/", "/no-such-page/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy


def test_no_template_has_inline_script_or_handlers() -> None:
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=|\shx-on[:-]", re.I)
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (inline_script, handler):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []


def test_the_api_docs_start_without_inline_script(world: Any, client: Client) -> None:
    client.force_login(world.regulator_in)
    html = client.get("/api/docs/").content.decode()
    assert not re.search(r"<script(?![^>]*src=)[^>]*>\s*\S", html)


def test_signed_in_pages_and_downloads_are_not_stored(world: Any, client: Client, tmp_media: Any) -> None:
    client.force_login(world.regulator_in)
    assert client.get(reverse("enterprises:list"))["Cache-Control"] == "no-store"
    assert client.get(reverse("enterprises:export"))["Cache-Control"] == "no-store"
    job = Job.objects.create(kind="export", title="t", created_by=world.regulator_in)
    job.output_file.save("out.xlsx", ContentFile(b"PK"))
    assert client.get(reverse("jobs:download", args=[job.pk]))["Cache-Control"] == "no-store"
    api = Client()
    api.force_login(world.regulator_in)
    assert api.get("/api/v1/enterprises/")["Cache-Control"] == "no-store"


def _settings_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps([settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS,"
        " settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_PROXY_SSL_HEADER]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHANGMI_") and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "shangmi.settings", "SHANGMI_SECRET_KEY": "x", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_https_settings_come_from_the_environment(tmp_path: Path) -> None:
    var = {"SHANGMI_VAR_DIR": str(tmp_path)}
    default = _settings_with(var)
    assert json.loads(default.stdout) == [False, 0, False, False, None]
    on = _settings_with(
        {
            **var,
            "SHANGMI_SECURE_SSL_REDIRECT": "1",
            "SHANGMI_HSTS_SECONDS": "31536000",
            "SHANGMI_SECURE_COOKIES": "true",
            "SHANGMI_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        }
    )
    assert json.loads(on.stdout) == [True, 31536000, True, True, ["HTTP_X_FORWARDED_PROTO", "https"]]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SHANGMI_PROXY_SSL_HEADER", "X Forwarded: yes"),
        ("SHANGMI_PROXY_SSL_HEADER", "1"),
        ("SHANGMI_HSTS_SECONDS", "a year"),
    ],
)
def test_a_bad_https_setting_stops_start_up(tmp_path: Path, name: str, value: str) -> None:
    result = _settings_with({"SHANGMI_VAR_DIR": str(tmp_path), name: value})
    assert result.returncode != 0
    assert name in result.stderr
