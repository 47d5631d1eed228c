"""Loading the GB/T 2260 division list that ships with the platform."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from shangmi.regions.models import Region

DATA_FILE = Path(__file__).resolve().parent / "data" / "gb2260.csv"


def read_division_file(path: Path = DATA_FILE) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines))


@transaction.atomic
def regions_load(*, path: Path = DATA_FILE) -> int:
    """Create or update every region of the file; names and full names follow the file."""
    rows = read_division_file(path)
    by_code = {row["code"]: row for row in rows}

    def chain(code: str) -> list[dict[str, str]]:
        out = []
        while code:
            row = by_code[code]
            out.append(row)
            code = row["parent"]
        return list(reversed(out))

    existing = Region.objects.in_bulk()
    to_create, to_update = [], []
    # Parents before children so foreign keys are satisfied on insert.
    for row in sorted(rows, key=lambda r: len(chain(r["code"]))):
        links = chain(row["code"])
        fields = {
            "name": row["name"],
            "full_name": "".join(r["name"] for r in links),
            "level": row["level"],
            "parent_id": row["parent"] or None,
            "path": "".join(r["code"] + "/" for r in links),
        }
        region = existing.get(row["code"])
        if region is None:
            to_create.append(Region(code=row["code"], **fields))
        elif any(getattr(region, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(region, k, v)
            to_update.append(region)
    Region.objects.bulk_create(to_create, batch_size=1000)
    Region.objects.bulk_update(to_update, ["name", "full_name", "level", "parent_id", "path"], batch_size=1000)
    return len(to_create) + len(to_update)
