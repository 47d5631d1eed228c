"""Reading standards: which versions exist, and which one is the latest."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import QuerySet

from shangmi.standards.models import Standard

_PARTS = re.compile(r"(\d+)")


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Order versions as people read them: "2023" < "2024", "1.9" < "1.10"."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in _PARTS.split(version) if part)


def newest_first(standards: Iterable[Standard]) -> list[Standard]:
    """By code, and within a code the newest version first."""
    rows = sorted(standards, key=lambda row: version_key(row.version), reverse=True)
    rows.sort(key=lambda row: row.code)  # stable: keeps the version order within a code
    return rows


def standard_get(code: str, version: str | None = None, *, queryset: QuerySet[Standard] | None = None) -> Standard:
    """The given version of a standard, or its latest one. ``Standard.DoesNotExist`` says
    which versions there are, so a command can pass the message on as is."""
    rows = list((Standard.objects.all() if queryset is None else queryset).filter(code=code))
    if not rows:
        raise Standard.DoesNotExist(f"no standard with code {code!r}")
    if version is None:
        return max(rows, key=lambda row: version_key(row.version))
    for row in rows:
        if row.version == version:
            return row
    known = ", ".join(sorted((row.version for row in rows), key=version_key))
    raise Standard.DoesNotExist(f"standard {code!r} has no version {version!r} (versions: {known})")
