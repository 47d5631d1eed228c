"""Fixtures of the standards tests: the two shipped data files, as specs and as rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from shangmi.standards.scoring import StandardSpec, spec_from_file
from shangmi.standards.services import DATA_DIR, standards_load

CQ_FILE = DATA_DIR / "cq-creation-2023.toml"
ZJ_FILE = DATA_DIR / "zj-demo-zone-2018.toml"

# Read once: the specs are immutable, and hypothesis calls score() thousands of times.
CQ = spec_from_file(CQ_FILE)
ZJ = spec_from_file(ZJ_FILE)


@pytest.fixture
def cq_spec() -> StandardSpec:
    return CQ


@pytest.fixture
def zj_spec() -> StandardSpec:
    return ZJ


@pytest.fixture
def loaded(db):
    """Both shipped standards loaded into the database, by code."""
    return {result.standard.code: result.standard for result in standards_load()}


def write_variant(tmp_path: Path, source: Path, *replacements: tuple[str, str], name: str | None = None) -> Path:
    """A copy of a data file with exact text replaced; each old text must be there once."""
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {source.name}"
        text = text.replace(old, new)
    path = tmp_path / (name or source.name)
    path.write_text(text, encoding="utf-8")
    return path
