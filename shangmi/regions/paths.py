"""Reading a region's materialised path ("330000/330600/330602/": six-digit GB/T 2260 codes,
each followed by "/"). Rolling figures up the tree asks one question of a path again and
again: under which child of a given region does it lie? It is answered here, in Python for
rows already read and in SQL for a GROUP BY."""

from __future__ import annotations

from django.db.models.functions import Substr

from shangmi.regions.models import Region

CODE_LENGTH = 6


def child_code(parent: Region, path: str) -> str:
    """The code of the child of ``parent`` that ``path`` lies in ("" for ``parent`` itself)."""
    start = len(parent.path)
    return path[start : start + CODE_LENGTH]


def child_code_sql(parent: Region, path_lookup: str = "region__path") -> Substr:
    """``child_code`` as an SQL expression over ``path_lookup``, for grouping rows by child."""
    return Substr(path_lookup, len(parent.path) + 1, CODE_LENGTH)
