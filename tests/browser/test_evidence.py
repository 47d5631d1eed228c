"""Evidence deposit in the browser: files are hashed on the page, only digests travel, receipts verify.

Every request a page makes is recorded; no request body may hold any piece of a file's
content (raw, hex or base64), and the bytes posted must be tiny next to the files.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_started
from playwright.sync_api import Page, Request, expect

from benchmarks.browser_hash import measure_page
from shangmi.evidence.log import log_sequence
from shangmi.evidence.models import Deposit
from shangmi.evidence.services import DepositInput, deposits_create
from tests.browser.conftest import BrowserWorld, sign_in, sign_out, switch_language

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1/evidence/deposits/"
MARKER = b"<<SHANGMI-TRADE-SECRET-MARKER:7f3a9c2e-coating-recipe-v1>>"
WINDOW = 64
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- files and traffic -----------------------------------------------------------------------


def big_file(path: Path, size: int = 3 * 1024 * 1024 + 12_345) -> Path:
    """About 3 MB of random bytes (incompressible, unguessable) with the marker in the middle."""
    data = bytearray(os.urandom(size))
    at = size // 2 + 7
    data[at : at + len(MARKER)] = MARKER
    path.write_bytes(bytes(data))
    return path


def chinese_file(path: Path, version: int = 1) -> Path:
    lines = [
        f"耐候涂层配方说明（第 {version} 版）",
        "树脂：改性丙烯酸 62%，固化剂：异氰酸酯三聚体 " + ("18%" if version == 1 else "21%"),
        "颜填料：金红石型钛白粉、沉淀硫酸钡；助剂：流平剂 0.3%，消泡剂 0.2%",
        "工艺：分散 1500 转/分 30 分钟，研磨至细度 ≤ 20 微米，过滤包装。",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines * 8) + "\n", encoding="utf-8")
    return path


def digests(path: Path) -> tuple[str, str]:
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), hashlib.new("sm3", data).hexdigest()


def content_windows(path: Path) -> list[bytes]:
    """Several 64-byte windows of a file: start, end, middle, the marker, and random places."""
    data = path.read_bytes()
    assert len(data) > WINDOW
    offsets = {0, len(data) - WINDOW, len(data) // 2, len(data) // 3}
    at = data.find(MARKER)
    if at >= 0:
        offsets.add(at)
    rng = random.Random(len(data))
    offsets.update(rng.randrange(0, len(data) - WINDOW) for _ in range(8))
    return [data[o : o + WINDOW] for o in sorted(offsets)]


def encodings(window: bytes) -> list[bytes]:
    """The window raw, in hex, and in base64 at each of the three alignments."""
    forms = [window, window.hex().encode(), window.hex().upper().encode()]
    forms.extend(base64.b64encode(window[a : a + 45]) for a in range(3))
    forms.extend(base64.urlsafe_b64encode(window[a : a + 45]) for a in range(3))
    return forms


@pytest.fixture
def server_bodies() -> Iterator[list[tuple[str, str, bytes]]]:
    """Every request body as the live server received it: method, path, bytes.

    The browser's own record is blind to bodies made of files: a multipart upload or a
    fetch of a Blob shows up in page.on("request") with no post data at all. So the body is
    also read here, where Django starts on each request, and handed on unchanged.
    """
    bodies: list[tuple[str, str, bytes]] = []

    def receive(sender: Any, environ: dict[str, Any], **kwargs: Any) -> None:
        if environ.get("HTTP_TRANSFER_ENCODING"):
            bodies.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), b"<chunked body>" * 10_000))
            return
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        bodies.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), body))

    request_started.connect(receive, weak=False, dispatch_uid="test_evidence_bodies")
    yield bodies
    request_started.disconnect(dispatch_uid="test_evidence_bodies")


class Traffic:
    """Every request a page makes (method, url, body), and every body the server received."""

    def __init__(self, page: Page, server: list[tuple[str, str, bytes]], origin: str) -> None:
        self.requests: list[tuple[Request, bytes]] = []
        self.server = server
        self.origin = origin
        page.on("request", self._record)

    def _record(self, request: Request) -> None:
        self.requests.append((request, request.post_data_buffer or b""))

    def posts(self, fragment: str) -> list[tuple[Request, bytes]]:
        return [(r, body) for r, body in self.requests if r.method == "POST" and fragment in r.url]

    def bodies(self) -> list[tuple[str, bytes]]:
        seen = [(f"browser {r.method} {r.url}", body) for r, body in self.requests]
        return seen + [(f"server {method} {path}", body) for method, path, body in self.server]

    def bytes_sent(self) -> int:
        """What reached the server, or what the page handed over, whichever is more."""
        return max(sum(len(body) for *_, body in self.server), sum(len(body) for _, body in self.requests))

    def assert_no_content_of(self, *files: Path) -> None:
        assert self.requests and self.server, "no request was recorded"
        for request, _ in self.requests:
            assert request.url.startswith((self.origin, "data:", "blob:")), f"a request left the site: {request.url}"
        forms = [MARKER, MARKER.hex().encode()]
        for path in files:
            forms.extend(form for window in content_windows(path) for form in encodings(window))
        for where, body in self.bodies():
            for form in forms:
                assert form not in body, f"{where} carried file content"
        for request, _ in self.requests:
            for form in forms:
                assert form.decode("latin-1") not in request.url, f"{request.url} carried file content"
        total_files = sum(path.stat().st_size for path in files)
        sent = self.bytes_sent()
        assert sent < 20_000 and sent * 100 < total_files, f"{sent} bytes posted for {total_files} bytes of files"


# --- steps -----------------------------------------------------------------------------------


def deposit_in_page(page: Page, url: str, files: list[Path], **fields: str) -> list[str]:
    """Open the new-deposit page, pick the files, fill the fields, submit; the new deposits' ids."""
    if not page.url.startswith(f"{url}/evidence/new/"):
        page.goto(f"{url}/evidence/new/")
    form = page.locator("#deposit-form")
    assert form.get_attribute("data-api") == API
    page.get_by_test_id("file-input").set_input_files([str(f) for f in files])
    for name, value in fields.items():
        page.fill(f"#{name}", value)
    with page.expect_response(lambda r: r.url.endswith(API) and r.request.method == "POST", timeout=60_000) as info:
        page.get_by_test_id("deposit-submit").click()
    response = info.value
    assert response.status == 201, response.text()
    expect(page.get_by_test_id("deposit-status")).to_have_class(re.compile("alert-success"))
    expect(page.get_by_test_id("deposit-results").locator("li")).to_have_count(len(files))
    return [receipt["deposit"]["id"] for receipt in response.json()["receipts"]]


def download_receipt(page: Page, folder: Path) -> tuple[Path, dict[str, Any]]:
    with page.expect_download() as info:
        page.get_by_test_id("receipt-json").click()
    download = info.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return path, json.loads(path.read_text(encoding="utf-8"))


def log_key(url: str) -> str:
    with urllib.request.urlopen(f"{url}/evidence/log/key/", timeout=10) as response:
        assert response.status == 200
        return response.read().decode().strip()


def offline_verify(file: Path, receipt: Path, key: str) -> subprocess.CompletedProcess[str]:
    """The command-line verifier, as an outsider runs it: no Django settings, no database."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    env["PYTHONIOENCODING"] = "utf-8"
    python = ROOT / ".venv" / "bin" / "python"
    command = [str(python if python.exists() else sys.executable), "-m", "shangmi.evidence", "verify"]
    return subprocess.run(
        [*command, "--file", str(file), "--receipt", str(receipt), "--log-key", key],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def measure_browser_hashing(page: Page, size_mb: int) -> dict[str, Any]:
    """MB/s of the page's SHA-256 and SHA-256 + SM3 on a size_mb Blob (a measurement, not a test)."""
    return measure_page(page, size_mb, check=True)


# --- tests -----------------------------------------------------------------------------------


def test_deposit_sends_only_digests_and_receipt_verifies_offline(
    page: Page, bworld: BrowserWorld, shot, tmp_path: Path, server_bodies: list
) -> None:
    traffic = Traffic(page, server_bodies, bworld.url)
    big = big_file(tmp_path / "耐候涂层工艺数据.bin")
    small = chinese_file(tmp_path / "配方说明.txt")

    sign_in(page, bworld.url, "ent_admin_in")
    ids = deposit_in_page(
        page, bworld.url, [big, small], title="耐候涂层配方", secret_point="配方A-耐候涂层", project="2026 新型涂料"
    )

    # What the page shows: one line per file with its SHA-256, computed here in Python too.
    results = page.get_by_test_id("deposit-results")
    for path in (big, small):
        sha, _ = digests(path)
        line = results.locator("li", has_text=path.name)
        expect(line).to_contain_text(f"耐候涂层配方 · {path.name}")
        expect(line.locator("code")).to_have_text(sha)
    shot(page, "deposited")

    # What was stored: the digests of the real files, and the details typed in.
    rows = {d.file_name: d for d in Deposit.objects.filter(pk__in=ids)}
    assert set(rows) == {big.name, small.name}
    for path in (big, small):
        sha, sm3 = digests(path)
        row = rows[path.name]
        assert (row.sha256, row.sm3, row.file_size) == (sha, sm3, path.stat().st_size)
        assert (row.secret_point, row.project) == ("配方A-耐候涂层", "2026 新型涂料")
        assert row.enterprise_id == bworld.ent_in.pk and row.created_by_id == bworld.ent_admin_in.pk
        assert row.leaf_index is None  # pending until sequenced

    checkpoint = log_sequence()
    assert checkpoint is not None and checkpoint.size >= 2
    deposit = Deposit.objects.get(pk=rows[big.name].pk)
    assert deposit.leaf_index is not None

    results.get_by_role("link", name=f"耐候涂层配方 · {big.name}").click()
    expect(page).to_have_url(f"{bworld.url}/evidence/{deposit.pk}/")
    expect(page.get_by_test_id("log-index")).to_have_text(f"#{deposit.leaf_index}")
    expect(page.get_by_test_id("sha256")).to_have_text(deposit.sha256)
    expect(page.locator("main")).to_contain_text(deposit.sm3)
    expect(page.locator("main")).to_contain_text("配方A-耐候涂层")
    shot(page, "detail")

    receipt_path, receipt = download_receipt(page, tmp_path)
    assert receipt_path.name == f"receipt-{deposit.pk}.json"
    assert receipt["status"] == "sequenced"
    assert receipt["digests"] == {"sha256": deposit.sha256, "sm3": deposit.sm3}
    assert receipt["leaf"]["index"] == deposit.leaf_index

    key = log_key(bworld.url)
    assert key == receipt["log"]["public_key"]
    good = offline_verify(big, receipt_path, key)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "VERIFIED" in good.stdout and "NOT VERIFIED" not in good.stdout

    tampered = tmp_path / "tampered" / big.name
    tampered.parent.mkdir()
    data = bytearray(big.read_bytes())
    data[data.find(MARKER)] ^= 0x01
    tampered.write_bytes(bytes(data))
    bad = offline_verify(tampered, receipt_path, key)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "NOT VERIFIED" in bad.stdout

    # The whole visit: sign-in, deposit, detail page, receipt download.
    assert len(traffic.posts(API)) == 1
    traffic.assert_no_content_of(big, small)


def test_public_verify_page_checks_file_against_receipt(
    page: Page, bworld: BrowserWorld, shot, tmp_path: Path, server_bodies: list
) -> None:
    traffic = Traffic(page, server_bodies, bworld.url)
    big = big_file(tmp_path / "工艺数据.bin")
    other = chinese_file(tmp_path / "配方说明.txt")

    sign_in(page, bworld.url, "ent_admin_in")
    (deposit_id,) = deposit_in_page(page, bworld.url, [big], title="工艺数据", secret_point="工艺B")
    log_sequence()
    page.goto(f"{bworld.url}/evidence/{deposit_id}/")
    receipt_path, _ = download_receipt(page, tmp_path)
    sign_out(page)

    # Signed out, the verify page is still there: anyone may check a receipt.
    response = page.goto(f"{bworld.url}/evidence/verify/")
    assert response is not None and response.status == 200
    expect(page).to_have_url(f"{bworld.url}/evidence/verify/")
    expect(page.get_by_test_id("whoami")).to_have_count(0)
    expect(page.get_by_test_id("log-key")).to_have_text(log_key(bworld.url))

    result = page.get_by_test_id("verify-result")
    page.get_by_test_id("verify-file").set_input_files(str(big))
    page.get_by_test_id("verify-receipt").set_input_files(str(receipt_path))
    page.get_by_test_id("verify-submit").click()
    expect(result.locator(".alert-success")).to_contain_text("验证通过 VERIFIED")
    expect(result.locator(".alert-success")).to_contain_text("的签名检查点进入日志")
    expect(result.locator(".alert-success")).to_contain_text("平台自称的排序时间（非证明）")
    expect(result.locator(".alert-danger")).to_have_count(0)
    shot(page, "verified")

    page.get_by_test_id("verify-file").set_input_files(str(other))
    page.get_by_test_id("verify-submit").click()
    expect(result.locator(".alert-danger")).to_contain_text("未通过验证 NOT VERIFIED")
    expect(result).to_contain_text("不是存证的那个文件")
    shot(page, "not-verified")

    # Each check posted the receipt and two digests, nothing else.
    checks = traffic.posts("/evidence/verify/check/")
    assert len(checks) == 2
    for (_, body), path in zip(checks, (big, other), strict=True):
        sent = json.loads(body)
        assert set(sent) == {"receipt", "sha256", "sm3"}
        assert (sent["sha256"], sent["sm3"]) == digests(path)
    traffic.assert_no_content_of(big, other)

    # Once in English: the labels follow the language, the verdict stays bilingual.
    switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Verify a deposit receipt")
    expect(page.locator("label[for=verify-receipt]")).to_have_text("Receipt (JSON)")
    expect(page.get_by_test_id("verify-submit")).to_have_text("Verify")
    page.get_by_test_id("verify-file").set_input_files(str(big))
    page.get_by_test_id("verify-receipt").set_input_files(str(receipt_path))
    page.get_by_test_id("verify-submit").click()
    expect(result.locator(".alert-success")).to_contain_text("VERIFIED")
    shot(page, "english")


def test_new_version_links_both_versions(page: Page, bworld: BrowserWorld, shot, tmp_path: Path) -> None:
    first_file = chinese_file(tmp_path / "v1" / "配方说明.txt", version=1)
    second_file = chinese_file(tmp_path / "v2" / "配方说明.txt", version=2)
    assert digests(first_file) != digests(second_file)

    sign_in(page, bworld.url, "ent_admin_in")
    (first_id,) = deposit_in_page(page, bworld.url, [first_file], secret_point="配方A", project="涂料")
    log_sequence()
    page.goto(f"{bworld.url}/evidence/{first_id}/")

    new_version = page.locator(f"a[href='/evidence/new/?previous={first_id}']")
    expect(new_version).to_have_count(1)
    new_version.click()
    expect(page).to_have_url(f"{bworld.url}/evidence/new/?previous={first_id}")
    expect(page.locator("#previous")).to_have_value(first_id)
    expect(page.locator("#secret_point")).to_have_value("配方A")
    expect(page.locator("#project")).to_have_value("涂料")

    (second_id,) = deposit_in_page(page, bworld.url, [second_file], version_note="固化剂改为 21%")
    second = Deposit.objects.get(pk=second_id)
    assert str(second.previous_id) == first_id
    assert (second.sha256, second.sm3) == digests(second_file)
    assert (second.secret_point, second.project) == ("配方A", "涂料")

    page.get_by_test_id("deposit-results").get_by_role("link", name="配方说明.txt").click()
    expect(page).to_have_url(f"{bworld.url}/evidence/{second_id}/")
    versions = page.get_by_test_id("versions").locator("li")
    expect(versions).to_have_count(2)
    expect(versions.nth(0).locator(f"a[href='/evidence/{first_id}/']")).to_have_text("配方说明.txt")
    expect(versions.nth(1)).to_have_class(re.compile(r"\bactive\b"))
    expect(versions.nth(1)).to_contain_text("固化剂改为 21%")
    shot(page, "versions")

    # The first version's page lists both as well, itself first.
    versions.nth(0).locator("a").click()
    expect(page).to_have_url(f"{bworld.url}/evidence/{first_id}/")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_have_class(re.compile(r"\bactive\b"))
    expect(versions.nth(1).locator(f"a[href='/evidence/{second_id}/']")).to_be_visible()


def test_stranger_gets_404_for_another_enterprises_deposit(page: Page, bworld: BrowserWorld, tmp_path: Path) -> None:
    path = chinese_file(tmp_path / "配方说明.txt")
    sha, sm3 = digests(path)
    (deposit,) = deposits_create(
        user=bworld.ent_admin_in,
        items=[DepositInput(title="江北机密配方", sha256=sha, sm3=sm3, file_name=path.name)],
        source=Deposit.Source.BROWSER,
    )
    log_sequence()
    detail = f"{bworld.url}/evidence/{deposit.pk}/"

    sign_in(page, bworld.url, "ent_admin_in")
    response = page.goto(detail)
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_text("江北机密配方")
    sign_out(page)

    sign_in(page, bworld.url, "ent_admin_out")
    expect(page.get_by_test_id("whoami")).to_contain_text("ent_admin_out")
    response = page.goto(detail)
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("江北机密配方")
    expect(page.locator("body")).not_to_contain_text(sha)
    for suffix in ("receipt.json", "certificate.pdf"):
        assert page.request.get(f"{detail}{suffix}").status == 404
    assert page.request.get(f"{bworld.url}{API}{deposit.pk}/").status == 404
    listing = page.request.get(f"{bworld.url}{API}").json()
    assert str(deposit.pk) not in json.dumps(listing)


def test_evidence_pages_speak_chinese_by_default(page: Page, bworld: BrowserWorld, tmp_path: Path) -> None:
    """The UI is Chinese unless switched: the evidence pages' own labels must be translated."""
    path = chinese_file(tmp_path / "配方说明.txt")
    sign_in(page, bworld.url, "ent_admin_in")
    (deposit_id,) = deposit_in_page(page, bworld.url, [path])
    untranslated = []
    checks = [
        ("/evidence/new/", "h1"),
        ("/evidence/new/", "[data-testid=deposit-submit]"),
        (f"/evidence/{deposit_id}/", "[data-testid=receipt-json]"),
        (f"/evidence/{deposit_id}/", f"a[href*='previous={deposit_id}']"),
        (f"/evidence/{deposit_id}/", "main table th >> nth=0"),
        ("/evidence/", "h1"),
        ("/evidence/verify/", "h1"),
        ("/evidence/verify/", "[data-testid=verify-submit]"),
    ]
    for where, selector in checks:
        if not page.url.endswith(where):
            page.goto(f"{bworld.url}{where}")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        label = page.locator(selector).first.inner_text().strip()
        if not CJK.search(label):
            untranslated.append(f"{where} {selector}: {label!r}")
    assert not untranslated, "English on a Chinese page (missing from the zh_Hans catalogue):\n" + "\n".join(
        untranslated
    )


def test_leak_check_catches_a_file_upload(
    page: Page, bworld: BrowserWorld, tmp_path: Path, server_bodies: list
) -> None:
    """The content check is not vacuous: a page that uploads the file (multipart, as a file
    input in a form would) fails it, though the browser reports no body for such a request."""
    traffic = Traffic(page, server_bodies, bworld.url)
    big = big_file(tmp_path / "工艺数据.bin")
    page.goto(f"{bworld.url}/evidence/verify/")
    page.get_by_test_id("verify-file").set_input_files(str(big))
    page.evaluate(
        """async () => {
          const body = new FormData();
          body.append("file", document.getElementById("verify-file").files[0]);
          await fetch("/evidence/verify/check/", {method: "POST", body});
        }"""
    )
    (_, browser_body), *_ = traffic.posts("/evidence/verify/check/")
    assert len(browser_body) < 1000  # what page.on("request") sees of a file body: next to nothing
    with pytest.raises(AssertionError, match="server POST /evidence/verify/check/ carried file content"):
        traffic.assert_no_content_of(big)


def test_browser_hashing_matches_python(page: Page, bworld: BrowserWorld) -> None:
    """The page's hash-wasm digests of a multi-slice Blob equal Python's; the speed is only reported."""
    page.goto(f"{bworld.url}/evidence/verify/")
    result = measure_browser_hashing(page, 20)  # 20 MiB: three 8 MiB slices, the last one partial
    assert result["digests_match"], result
    print(f"browser hashing, 20 MiB: SHA-256 {result['sha256_mb_s']} MB/s, +SM3 {result['sha256_sm3_mb_s']} MB/s")
