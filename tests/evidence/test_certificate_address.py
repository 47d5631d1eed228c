"""The certificate's QR code opens the platform's public address, never a loopback one."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from shangmi.evidence import certificate
from shangmi.evidence.log import log_sequence
from shangmi.pdf.layout import qr_matrix
from shangmi.pdf.links import is_local_address
from tests.evidence.factories import deposit_bytes

POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdftoppm) not installed")
DPI = 300


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.8.9.10", True),
        ("http://[::1]:8000/", True),
        ("http://localhost:8000", True),
        ("http://LOCALHOST.", True),
        ("http://app.localhost", True),
        ("http://0.0.0.0:8000", True),
        ("http://[::]/", True),
        ("", True),
        ("https://shangmi.example.gov.cn", False),
        ("http://10.1.2.3:8000", False),  # an intranet address is reachable by the intranet's phones
        ("http://128.0.0.1", False),
    ],
)
def test_local_addresses(url: str, local: bool) -> None:
    assert is_local_address(url) is local


def _download(client, tmp_path: Path, deposit, **extra) -> tuple[str, Path]:
    response = client.get(reverse("evidence:certificate", args=[deposit.pk]), **extra)
    assert response.status_code == 200
    path = tmp_path / "certificate.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", path, "-"], check=True, capture_output=True, text=True).stdout
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-singlefile", path, tmp_path / "page"], check=True)
    return re.sub(r"\s+", "", text), tmp_path / "page.png"


def _qr_area(png: Path, size: int) -> list[list[bool]]:
    """The certificate's QR square sampled at the centre of each of size x size modules (True is dark)."""
    page = Image.open(png).convert("L")
    px_per_mm = DPI / 25.4
    module = certificate.QR_SIZE / size
    return [
        [
            page.getpixel(
                (
                    round((certificate.QR_X + (c + 0.5) * module) * px_per_mm),
                    round((certificate.QR_Y + (r + 0.5) * module) * px_per_mm),
                )
            )
            < 128
            for c in range(size)
        ]
        for r in range(size)
    ]


@needs_poppler
@pytest.mark.django_db
def test_the_setting_is_the_address_the_qr_code_opens(world, client, settings, tmp_path) -> None:
    settings.SHANGMI_PUBLIC_URL = "https://shangmi.example.gov.cn/"
    deposit = deposit_bytes(world.ent_admin_in, b"v1", title="隔膜配方")
    log_sequence()
    client.force_login(world.ent_admin_in)
    # Even asked on the loopback address: the setting wins.
    text, png = _download(client, tmp_path, deposit, HTTP_HOST="127.0.0.1:8000")
    expected = f"https://shangmi.example.gov.cn/evidence/verify/?deposit={deposit.pk}"
    matrix = qr_matrix(expected)
    assert _qr_area(png, len(matrix)) == matrix
    assert expected in text and "未配置公开核验地址" not in text


@needs_poppler
@pytest.mark.django_db
def test_without_the_setting_the_readers_address_is_used(world, client, settings, tmp_path) -> None:
    settings.SHANGMI_PUBLIC_URL = ""
    deposit = deposit_bytes(world.ent_admin_in, b"v1", title="隔膜配方")
    client.force_login(world.ent_admin_in)
    text, png = _download(client, tmp_path, deposit)  # the test client's host: testserver
    expected = f"http://testserver/evidence/verify/?deposit={deposit.pk}"
    matrix = qr_matrix(expected)
    assert _qr_area(png, len(matrix)) == matrix
    assert expected in text


@needs_poppler
@pytest.mark.django_db
@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost"])
def test_a_loopback_address_prints_no_qr_code_but_says_why(world, client, settings, tmp_path, host) -> None:
    settings.SHANGMI_PUBLIC_URL = ""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    deposit = deposit_bytes(world.ent_admin_in, b"v1", title="隔膜配方")
    client.force_login(world.ent_admin_in)
    text, png = _download(client, tmp_path, deposit, HTTP_HOST=host)
    # The caption takes the code's place, so the square is not blank: look for the code itself.
    would_be = qr_matrix(f"http://{host}/evidence/verify/?deposit={deposit.pk}")
    drawn = _qr_area(png, len(would_be))
    assert drawn != would_be
    assert not all(drawn[0][:7]), "a QR code's finder pattern was drawn"
    assert re.sub(r"\s+", "", certificate.NO_VERIFY_URL_ZH) in text
    assert re.sub(r"\s+", "", certificate.NO_VERIFY_URL_EN) in text
    assert "127.0.0.1" not in text and "localhost" not in text
