"""Versions are ordered as people count them, not as strings sort."""

from __future__ import annotations

from shangmi.standards.models import Standard
from shangmi.standards.selectors import newest_first, version_key


def test_version_key_counts_numbers_as_numbers():
    versions = ["1.10", "2", "1.9", "1.9a", "10", "2023", "1"]
    assert sorted(versions, key=version_key) == ["1", "1.9", "1.9a", "1.10", "2", "10", "2023"]


def test_newest_first_groups_by_code():
    rows = [Standard(code=c, version=v) for c, v in [("b", "1"), ("a", "1.9"), ("a", "1.10"), ("b", "2")]]
    assert [(s.code, s.version) for s in newest_first(rows)] == [("a", "1.10"), ("a", "1.9"), ("b", "2"), ("b", "1")]
