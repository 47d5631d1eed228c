"""One embedded CJK font for every PDF the platform produces.

A PDF that names a font without embedding it renders as boxes (tofu) on any machine lacking a
Chinese font, which is most of the machines a certificate or report ends up on (a court, a
judge's laptop, a phone). So every document embeds Noto Sans SC from the npm package that the
asset build already pins; fpdf2 subsets it on output, keeping only the glyphs used, so a page
costs tens of kilobytes rather than the 10 MB of the full font.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from fpdf import FPDF

FONT_FAMILY = "NotoSansSC"
FONT_PACKAGE = "@expo-google-fonts/noto-sans-sc"

# Static instances (not the variable font): fpdf2 embeds one TTF per style.
_FONT_FILES = {
    "regular": Path("400Regular") / "NotoSansSC_400Regular.ttf",
    "bold": Path("700Bold") / "NotoSansSC_700Bold.ttf",
}


class CJKFontMissing(RuntimeError):
    """The Noto Sans SC files are not installed (npm assets not built)."""


def cjk_font_paths() -> dict[str, Path]:
    """Paths of the regular and bold Noto Sans SC files, or a clear error saying how to get them."""
    package_dir = Path(settings.NODE_MODULES) / FONT_PACKAGE
    paths = {style: package_dir / relative for style, relative in _FONT_FILES.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise CJKFontMissing(
            f"缺少中文字体文件，无法生成 PDF：请运行 npm install 安装 {FONT_PACKAGE}。"
            f" Chinese font files missing, cannot build PDFs: run `npm install` to install"
            f" {FONT_PACKAGE}. Missing: {', '.join(missing)}"
        )
    return paths


def register_cjk_fonts(pdf: FPDF) -> None:
    """Register Noto Sans SC (regular and bold) with ``pdf``, for documents made their own way."""
    paths = cjk_font_paths()
    pdf.add_font(FONT_FAMILY, "", paths["regular"])
    pdf.add_font(FONT_FAMILY, "B", paths["bold"])


def new_document(**kwargs: Any) -> FPDF:
    """An FPDF (A4, mm unless told otherwise) with Noto Sans SC registered and selected."""
    pdf = FPDF(**kwargs)
    register_cjk_fonts(pdf)
    pdf.set_font(FONT_FAMILY, size=10)
    return pdf
