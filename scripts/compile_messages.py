#!/usr/bin/env python3
"""Compile every shangmi/locale/*/LC_MESSAGES/*.po into the .mo beside it, with polib.

Django reads only .mo files; compiling with polib means neither the server nor `make install`
needs GNU gettext's msgfmt. The .mo files are committed too, so a checkout works as it is.

    scripts/compile_messages.py            compile (writes only files whose bytes change)
    scripts/compile_messages.py --check    exit 1 if a .po has fuzzy or untranslated entries
                                           or its .mo is not what this script would write
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "shangmi" / "locale"


def po_files(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def compile_po(po_path: Path) -> bytes:
    """The .mo bytes for one .po (fuzzy and untranslated entries are left out, as msgfmt does)."""
    return polib.pofile(str(po_path)).to_binary()


def problems(po_path: Path) -> list[str]:
    po = polib.pofile(str(po_path))
    found = [f"{po_path}: fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    found += [f"{po_path}: untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    for entry in po:
        if entry.obsolete or not entry.msgid_plural:
            continue
        forms = entry.msgstr_plural
        if not forms or not all(forms.values()):
            found.append(f"{po_path}: plural form missing: {entry.msgid!r}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify instead of writing")
    args = parser.parse_args(argv)
    status = 0
    files = po_files()
    if not files:
        print(f"no .po files under {LOCALE_DIR}", file=sys.stderr)
        return 1
    for po_path in files:
        mo_path = po_path.with_suffix(".mo")
        data = compile_po(po_path)
        current = mo_path.read_bytes() if mo_path.exists() else None
        if args.check:
            for line in problems(po_path):
                print(line, file=sys.stderr)
                status = 1
            if current != data:
                print(f"{mo_path} is stale: run scripts/compile_messages.py", file=sys.stderr)
                status = 1
        elif current != data:
            mo_path.write_bytes(data)
            print(f"compiled {mo_path.relative_to(LOCALE_DIR.parent.parent)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
