"""The deposit certificate PDF: content, embedded CJK font, one page, and a QR code that scans to verify_url."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import segno
from django.conf import settings
from PIL import Image

from shangmi.enterprises.uscc import make_uscc
from shangmi.evidence import certificate
from shangmi.evidence.certificate import format_datetime_zh, format_size, render_deposit_certificate
from shangmi.pdf.fonts import FONT_PACKAGE, CJKFontMissing, cjk_font_paths
from shangmi.pdf.layout import qr_matrix

# A code with a valid GB 32100 check character, as the registry would hold.
USCC = make_uscc("500105", 1)

POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdfinfo", "pdftoppm"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdffonts, pdftoppm) not installed")

DEPOSIT_ID = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
VERIFY_URL = f"https://shangmi.example/evidence/verify/{DEPOSIT_ID}"
SHA256 = hashlib.sha256(b"the secret formula").hexdigest()
SM3 = hashlib.sha3_256(b"stands in for SM3").hexdigest()
COMMITMENT = hashlib.sha256(b"salt" + bytes.fromhex(SHA256)).hexdigest()
ROOT = base64.b64encode(hashlib.sha256(b"root").digest()).decode()
PRINTED_AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def sequenced_receipt() -> dict:
    origin = "shangmi.example/evidence/v1"
    return {
        "format": "shangmi-evidence-receipt/1",
        "deposit": {
            "id": DEPOSIT_ID,
            "title": "新型电池隔膜配方 V3",
            "enterprise": {"name": "江北内部科技有限公司", "uscc": USCC},
            "depositor": "张三",
            "secret_point": "隔膜配方",
            "project": "隔膜二期",
            "version_note": "第三版",
            "file_name": "配方.docx",
            "file_size": 123456,
            "previous": None,
            "accepted_at": "2026-11-24T11:20:31.123+08:00",
        },
        "digests": {"sha256": SHA256, "sm3": SM3},
        "salt": "ab" * 32,
        "commitment": COMMITMENT,
        "leaf": {"index": 1234, "data": "AAEC", "hash": "ZGlnZXN0"},
        "log": {"origin": origin, "public_key": f"{origin}+1a2b3c4d+AZpublickey"},
        "inclusion": {"tree_size": 2000, "proof": ["cHJvb2Yx", "cHJvb2Yy"]},
        "checkpoint": f"{origin}\n2000\n{ROOT}\n\n— {origin} GmT4xSIGNATUREbase64==\n",
        "timestamp_token": "MIIBtimestamptoken",
        "status": "sequenced",
    }


def pending_receipt() -> dict:
    receipt = sequenced_receipt()
    receipt.update(
        leaf={"index": None, "data": "AAEC", "hash": "ZGlnZXN0"},
        inclusion=None,
        checkpoint=None,
        timestamp_token=None,
        status="pending",
    )
    return receipt


def long_receipt() -> dict:
    """Every free-text field far longer than any real one, and without spaces to break at."""
    receipt = sequenced_receipt()
    deposit = receipt["deposit"]
    deposit["title"] = "超长标题" * 60
    deposit["enterprise"]["name"] = "重庆市江北区某某新材料科技股份有限公司第一分公司" * 5
    deposit["secret_point"] = "隔膜配方、涂覆工艺与烧结温度曲线" * 10
    deposit["project"] = "项目" * 80
    deposit["version_note"] = "Third revision with the new ceramic coating " * 8
    deposit["file_name"] = "a_very_long_file_name_without_any_spaces_" * 6 + ".docx"
    deposit["previous"] = "9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0"
    return receipt


def _save(pdf: bytes, name: str) -> Path:
    """Write the PDF and, for a human to look at, a PNG of it under test-artifacts/ (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    if POPPLER:
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", path, ARTIFACTS / name], check=True)
    return path


def _run(*args: object) -> str:
    return subprocess.run([str(arg) for arg in args], check=True, capture_output=True, text=True).stdout


def _text(path: Path) -> str:
    """The PDF's text with all whitespace removed, so wrapped or grouped values read whole."""
    return re.sub(r"\s+", "", _run("pdftotext", path, "-"))


@pytest.fixture(scope="module")
def sequenced_pdf() -> Path:
    return _save(render_deposit_certificate(sequenced_receipt(), VERIFY_URL, printed_at=PRINTED_AT), "certificate")


@pytest.fixture(scope="module")
def pending_pdf() -> Path:
    pdf = render_deposit_certificate(pending_receipt(), VERIFY_URL, printed_at=PRINTED_AT)
    return _save(pdf, "certificate-pending")


def test_is_a_small_pdf_embedding_only_a_noto_sans_sc_subset(sequenced_pdf: Path) -> None:
    data = sequenced_pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    # The full font files are 10 MB each; subsetting keeps only the glyphs used.
    assert len(data) < 300_000
    assert b"/FontFile2" in data
    base_fonts = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+]+)", data))
    assert base_fonts
    assert all(re.fullmatch(rb"[A-Z]{6}\+NotoSansSC(Bold)?", name) for name in base_fonts), base_fonts


@needs_poppler
@pytest.mark.parametrize("fixture", ["sequenced_pdf", "pending_pdf"])
def test_one_page_and_fonts_all_embedded_subsets(fixture: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(fixture)
    assert re.search(r"^Pages:\s+1$", _run("pdfinfo", path), re.MULTILINE)
    # Nothing may depend on a font installed on the reader's machine (this one may have fonts-noto-cjk).
    rows = _run("pdffonts", path).splitlines()[2:]
    assert rows
    for row in rows:
        name, *_, emb, sub, _uni, _obj, _gen = row.split()
        assert "+NotoSansSC" in name
        assert (emb, sub) == ("yes", "yes"), row


@needs_poppler
def test_sequenced_certificate_text(sequenced_pdf: Path) -> None:
    text = _text(sequenced_pdf)
    for expected in (
        "商业秘密存证证书",
        "TradeSecretEvidenceDepositCertificate",
        DEPOSIT_ID,
        "江北内部科技有限公司",
        USCC,
        "张三",
        "新型电池隔膜配方V3",
        "隔膜配方",
        "隔膜二期",
        "第三版",
        "配方.docx",
        "120.6KB（123,456字节bytes）",
        SHA256,
        SM3,
        COMMITMENT,
        "2026年11月24日11:20:31",
        "日志序号Logindex1234",
        "检查点树大小Treesize2000",
        ROOT,
        "已附带RFC3161时间戳令牌",
        VERIFY_URL,
        "扫描二维码或访问以下地址核验本证书",
        "python-mshangmi.evidenceverify",
        "本平台从未接收该文件的内容，仅接收其SHA-256与SM3摘要",
        "打印日期Printedon2026年11月25日",
    ):
        assert expected in text, expected
    assert "待排序" not in text


@needs_poppler
def test_pending_certificate_says_it_awaits_sequencing(pending_pdf: Path) -> None:
    text = _text(pending_pdf)
    assert "待排序" in text
    assert "回执将自动升级" in text
    assert "thereceiptwillupgradeitself" in text
    assert "Logindex" not in text
    assert "未附带" in text
    assert SHA256 in text


@needs_poppler
def test_long_values_stay_on_one_page_and_are_cut_with_an_ellipsis() -> None:
    path = _save(render_deposit_certificate(long_receipt(), VERIFY_URL, printed_at=PRINTED_AT), "certificate-long")
    assert re.search(r"^Pages:\s+1$", _run("pdfinfo", path), re.MULTILINE)
    text = _text(path)
    assert "…" in text
    assert SHA256 in text and "1234" in text
    # Every word pdftotext finds lies inside the inner border (10 mm = 28.35 pt from each edge).
    xml = _run("pdftotext", "-bbox", path, "-")
    boxes = [
        tuple(map(float, m))
        for m in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', xml)
    ]
    assert boxes
    for x_min, y_min, x_max, y_max in boxes:
        assert x_min > 28.3 and x_max < 595.3 - 28.3 and y_min > 28.3 and y_max < 841.9 - 28.3


@needs_poppler
def test_drawn_qr_code_is_segnos_code_for_verify_url(sequenced_pdf: Path, tmp_path: Path) -> None:
    matrix = qr_matrix(VERIFY_URL)
    assert matrix == [
        [bool(m) for m in row] for row in segno.make(VERIFY_URL, error="m", micro=False).matrix_iter(border=0)
    ]
    # Render the page and read the code back by sampling the centre of every module.
    dpi = 300
    _run("pdftoppm", "-r", dpi, "-gray", "-png", "-singlefile", sequenced_pdf, tmp_path / "page")
    page = Image.open(tmp_path / "page.png").convert("L")
    px_per_mm = dpi / 25.4
    module = certificate.QR_SIZE / len(matrix)
    drawn = [
        [
            page.getpixel(
                (
                    round((certificate.QR_X + (c + 0.5) * module) * px_per_mm),
                    round((certificate.QR_Y + (r + 0.5) * module) * px_per_mm),
                )
            )
            < 128
            for c in range(len(matrix))
        ]
        for r in range(len(matrix))
    ]
    assert drawn == matrix


def test_formatting_helpers() -> None:
    assert format_size(123456) == "120.6 KB（123,456 字节 bytes）"
    assert format_size(512) == "512 B（512 字节 bytes）"
    assert format_size(5 * 1024**3).startswith("5.0 GB")
    # UTC in, Beijing time out.
    assert format_datetime_zh(datetime(2026, 11, 24, 3, 20, 31, tzinfo=UTC)) == "2026年11月24日 11:20:31"


def test_missing_font_files_give_a_clear_error(settings, tmp_path: Path) -> None:
    assert {path.name for path in cjk_font_paths().values()} == {
        "NotoSansSC_400Regular.ttf",
        "NotoSansSC_700Bold.ttf",
    }
    settings.NODE_MODULES = tmp_path
    with pytest.raises(CJKFontMissing, match=re.escape(FONT_PACKAGE)) as error:
        cjk_font_paths()
    assert "缺少中文字体" in str(error.value)
    assert "npm install" in str(error.value)


@needs_poppler
def test_a_missing_timestamp_is_explained_to_the_holder() -> None:
    # The log's own signature only: no token, no witness.
    receipt = sequenced_receipt() | {"timestamp_token": None}
    path = _save(render_deposit_certificate(receipt, VERIFY_URL, printed_at=PRINTED_AT), "certificate-no-timestamp")
    text = _text(path)
    assert "已附带" not in text and "…" not in text
    assert "未附带外部时间戳机构（RFC3161）的时间戳" in text
    assert "仅由平台自己签名的检查点证明（未配置见证方）" in text
    assert "SHANGMI_EVIDENCE_TSA_URL" in text
    assert "NoRFC3161timestamp;thetimerestsonlyontheplatform'sownsignedcheckpoint" in text
    assert re.search(r"^Pages:\s+1$", _run("pdfinfo", path), re.MULTILINE)


@needs_poppler
def test_a_witnessed_checkpoint_is_named_as_the_proof_of_time(tmp_path: Path) -> None:
    receipt = sequenced_receipt() | {"timestamp_token": None}
    origin = "shangmi.example/evidence/v1"
    receipt["checkpoint"] = (
        f"{origin}\n2000\n{ROOT}\n\n— {origin} GmT4xSIGNATUREbase64==\n— court.example/witness AbCdCOSIGNATURE==\n"
    )
    path = tmp_path / "witnessed.pdf"
    path.write_bytes(render_deposit_certificate(receipt, VERIFY_URL, printed_at=PRINTED_AT))
    text = _text(path)
    assert "1个独立见证方已联署并记下时间" in text
    assert "未配置见证方" not in text and "…" not in text
    assert re.search(r"^Pages:\s+1$", _run("pdfinfo", path), re.MULTILINE)


def test_witness_count_leaves_out_the_logs_own_signature() -> None:
    assert certificate.witness_count(None) == 0
    assert certificate.witness_count("o\n1\nR\n\n— o sig\n") == 0
    assert certificate.witness_count("o\n1\nR\n\n— o sig\n— w1 a\n— w2 b\n") == 2
