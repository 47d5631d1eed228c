"""Copy the evidence log's Django-free modules into the standalone verifier package.

    python scripts/build_verifier.py            # refresh verifier/shangmi_verifier/ from shangmi/evidence/
    python scripts/build_verifier.py --pyz OUT  # also build a single-file zipapp (python OUT verify ...)

shangmi/evidence/ stays the one place these modules are edited; the package carries copies
with their imports renamed, and tests/evidence/test_verifier_package.py fails when a copy is
stale. The monitor and the command line are the package's own (verifier/shangmi_verifier/).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import zipapp
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "shangmi" / "evidence"
PACKAGE = ROOT / "verifier" / "shangmi_verifier"
COPIED = ("leaf.py", "merkle.py", "note.py", "timestamp.py", "verify.py", "witness.py")
HEADER = "# Generated from shangmi/evidence/{name} by scripts/build_verifier.py: edit that file, not this one.\n"


def copy_text(name: str) -> str:
    text = (SOURCE / name).read_text(encoding="utf-8")
    text = text.replace("from shangmi.evidence import ", "from shangmi_verifier import ")
    text = text.replace("from shangmi.evidence.", "from shangmi_verifier.")
    return HEADER.format(name=name) + text


def build() -> None:
    for name in COPIED:
        (PACKAGE / name).write_text(copy_text(name), encoding="utf-8")


def build_pyz(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(PACKAGE, Path(tmp) / "shangmi_verifier", ignore=shutil.ignore_patterns("__pycache__"))
        zipapp.create_archive(tmp, out, interpreter="/usr/bin/env python3", main="shangmi_verifier.__main__:run")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pyz", type=Path, help="also write a single-file zipapp here")
    args = parser.parse_args()
    build()
    if args.pyz:
        build_pyz(args.pyz)
    return 0


if __name__ == "__main__":
    sys.exit(main())
