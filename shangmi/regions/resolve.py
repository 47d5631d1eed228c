"""Find a region by code, full name (重庆市江北区) or short name where unambiguous (江北区)."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from shangmi.regions.models import Region


def normalise(text: str) -> str:
    """Full-width to half-width, no spaces of any kind: how people type names in Excel."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class Resolution:
    region: Region | None
    error: str = ""


class RegionIndex:
    """An in-memory index of every region under every name it is known by.

    Built once per import (a few thousand rows), so resolving 100,000 rows costs no query.
    """

    def __init__(self, regions: list[Region] | None = None) -> None:
        regions = list(Region.objects.all()) if regions is None else regions
        self.by_code: dict[str, Region] = {r.code: r for r in regions}
        self.by_name: dict[str, list[Region]] = defaultdict(list)
        for region in regions:
            chain = [self.by_code[c] for c in region.path.strip("/").split("/") if c in self.by_code]
            names = [r.name for r in chain]
            keys = set()
            # Every suffix of the chain of names: 浙江省绍兴市越城区, 绍兴市越城区, 越城区;
            # and province + own name, for 湖北省仙桃市-like writing that skips a level.
            for start in range(len(names)):
                keys.add("".join(names[start:]))
            if len(names) == 3:
                keys.add(names[0] + names[2])
            for key in keys:
                self.by_name[key].append(region)

    def resolve(self, text: str, within: Region | None = None) -> Resolution:
        key = normalise(text or "")
        if not key:
            return Resolution(None, _("Region is required."))
        if key.isdigit():
            region = self.by_code.get(key[:6]) if len(key) in (6, 9, 12) else None
            if region is None:
                return Resolution(None, _("No region has the code %(code)s.") % {"code": key})
            return self._check_within(region, within)
        candidates = self.by_name.get(key, [])
        if within is not None:
            inside = [r for r in candidates if r.is_within(within)]
            candidates = inside or candidates
        if not candidates:
            return Resolution(None, _("No region is called %(name)s.") % {"name": key})
        if len(candidates) > 1:
            names = "、".join(sorted(r.full_name for r in candidates))
            return Resolution(
                None,
                _("%(name)s is ambiguous (%(candidates)s); write the full name or the code.")
                % {"name": key, "candidates": names},
            )
        return self._check_within(candidates[0], within)

    @staticmethod
    def _check_within(region: Region, within: Region | None) -> Resolution:
        if within is not None and not region.is_within(within):
            return Resolution(
                None, _("%(region)s is outside %(scope)s.") % {"region": region.full_name, "scope": within.full_name}
            )
        return Resolution(region)


def resolve_region(text: str, within: Region | None = None) -> Resolution:
    return RegionIndex().resolve(text, within)
