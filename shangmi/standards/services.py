"""Loading standards from their data files, and freezing a version once it is used.

The data file is the source of truth; the rows are a copy that the rest of the platform
can join against (applications point at items). A version that an application has used
is frozen: its rows never change again, so a score computed last year is recomputed the
same today. A change then needs a new file with a new version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from django.db import models, transaction
from django.utils import timezone

from shangmi.core.calendar import program_local
from shangmi.standards.errors import StandardFrozenError, StandardLoadError
from shangmi.standards.models import Category, Criterion, Item, Standard
from shangmi.standards.spec import StandardSpec, read_standard_file

DATA_DIR = Path(__file__).resolve().parent / "data"

CREATED: Final = "created"
REPLACED: Final = "replaced"
UNCHANGED: Final = "unchanged"


@dataclass(frozen=True)
class LoadResult:
    standard: Standard
    status: Literal["created", "replaced", "unchanged"]
    origin: str  # the file it came from


def data_files(directory: Path = DATA_DIR) -> list[Path]:
    return sorted(directory.glob("*.toml"))


def standards_load(paths: Iterable[Path | str] | None = None) -> list[LoadResult]:
    """Load every file (default: all of shangmi/standards/data/), each in its own
    transaction; the first error stops and is raised."""
    return [standard_load(path) for path in (data_files() if paths is None else paths)]


def standard_load(path: Path | str) -> LoadResult:
    """Read, check and save one data file."""
    spec = read_standard_file(path)
    return standard_save(spec, origin=Path(path).name)


@transaction.atomic
def standard_save(spec: StandardSpec, *, origin: str = "") -> LoadResult:
    """Write ``spec`` as the rows of (code, version).

    Unchanged content is a no-op; changed content replaces the rows of a version nobody
    uses yet, and is refused with ``StandardFrozenError`` for a frozen one.
    """
    digest = spec.content_sha256()
    # The row lock makes a concurrent freeze() wait for this load, or this load see it.
    existing = Standard.objects.select_for_update().filter(code=spec.code, version=spec.version).first()
    if existing is not None and existing.content_sha256 == digest:
        if existing.region_id != (spec.region or None):
            # Where it applies is not its content: set even on a frozen version.
            existing.region_id = spec.region or None
            existing.save(update_fields=["region"])
        return LoadResult(existing, UNCHANGED, origin)
    if existing is not None and existing.frozen_at is not None:
        raise StandardFrozenError(
            f"{origin or spec.code}: {spec.code} version {spec.version} is in use (frozen on "
            f"{program_local(existing.frozen_at):%Y-%m-%d %H:%M}) and the file changes it. A version in use "
            "never changes: publish the change as a new version (a new file with a new version string)."
        )
    standard = existing or Standard(code=spec.code, version=spec.version)
    for field, value in _standard_fields(spec).items():
        setattr(standard, field, value)
    standard.content_sha256 = digest
    standard.save()
    _sync_rows(standard, spec, origin=origin or spec.code)
    return LoadResult(standard, CREATED if existing is None else REPLACED, origin)


def freeze(standard: Standard) -> Standard:
    """Mark ``standard`` as used; from now on the loader refuses to change it.

    Called by the applications code when an application first uses a version. Safe to
    call again and from two requests at once: the first time is kept.
    """
    Standard.objects.filter(pk=standard.pk, frozen_at__isnull=True).update(frozen_at=timezone.now())
    standard.frozen_at = Standard.objects.values_list("frozen_at", flat=True).get(pk=standard.pk)
    return standard


def _standard_fields(spec: StandardSpec) -> dict[str, Any]:
    return {
        "title": spec.title,
        "issuer": spec.issuer,
        "source": spec.source,
        "kind": spec.kind,
        "max_total": spec.max_total,
        "pass_mark": spec.pass_mark,
        "notes": spec.notes,
        "region_id": spec.region or None,
    }


def _sync_rows(standard: Standard, spec: StandardSpec, *, origin: str) -> None:
    """Make the rows match the spec, keeping the rows whose number or code stays.

    Updating in place rather than deleting everything keeps item ids stable, so anything
    that points at an item of an unfrozen version (an evidence file's links) survives a
    correction of its text or points.
    """
    _delete_leftovers(standard, spec, origin=origin)
    categories = _upsert(
        Category,
        {c.number: c for c in Category.objects.filter(standard=standard)},
        {
            c.number: {
                "number": c.number,
                "title": c.title,
                "requirement": c.requirement,
                "points": c.points,
                "is_bonus": c.is_bonus,
            }
            for c in spec.categories
        },
        standard=standard,
    )
    criteria = _upsert(
        Criterion,
        {c.code: c for c in Criterion.objects.filter(category__standard=standard)},
        {
            criterion.code: {
                "code": criterion.code,
                "category": categories[category.number],
                "number": criterion.number,
                "title": criterion.title,
                "points": criterion.points,
            }
            for category in spec.categories
            for criterion in category.criteria
        },
    )
    _upsert(
        Item,
        {i.code: i for i in Item.objects.filter(standard=standard)},
        {
            item.code: {
                "code": item.code,
                "criterion": criteria[criterion.code],
                "text": item.text,
                "points": item.points,
                "order": order,
            }
            for order, (_category, criterion, item) in enumerate(spec.iter_items())
        },
        standard=standard,
    )


def _delete_leftovers(standard: Standard, spec: StandardSpec, *, origin: str) -> None:
    criterion_codes = {criterion.code for category in spec.categories for criterion in category.criteria}
    try:
        Item.objects.filter(standard=standard).exclude(code__in=spec.item_codes).delete()
        Criterion.objects.filter(category__standard=standard).exclude(code__in=criterion_codes).delete()
        Category.objects.filter(standard=standard).exclude(number__in=[c.number for c in spec.categories]).delete()
    except (models.ProtectedError, models.RestrictedError) as exc:
        # Only possible if a version was used without being frozen; refuse rather than lose the links.
        raise StandardLoadError(
            f"{origin}: {spec.code} version {spec.version}: the file removes items that other records still "
            f"use ({exc.args[0]}). Publish the change as a new version."
        ) from exc


def _upsert(
    model: type[models.Model], existing: dict[Any, Any], wanted: dict[Any, dict[str, Any]], **fixed: Any
) -> dict[Any, Any]:
    """Create or update one row per key of ``wanted``; return the rows by key."""
    rows: dict[Any, Any] = {}
    to_create, to_update = [], []
    for key, fields in wanted.items():
        row = existing.get(key)
        if row is None:
            row = model(**fixed, **fields)
            to_create.append(row)
        else:
            for name, value in fields.items():
                setattr(row, name, value)
            to_update.append(row)
        rows[key] = row
    model._default_manager.bulk_create(to_create)
    if to_update:
        model._default_manager.bulk_update(to_update, list(next(iter(wanted.values()))))
    return rows
