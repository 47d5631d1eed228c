"""Reading the service network of a region: counts, the tree region > park or station >
enterprises, and the gaps (key enterprises without a liaison point or without an officer).

Everything starts from ``restrict``: the enterprises and stations of the reader's scope,
then limited to the chosen region's subtree (a region's counts include everything below
it). The counts are aggregate queries and the tree a fixed handful of queries, so the page
costs the same number of queries for ten enterprises or ten thousand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from shangmi.core.scoping import VIEW
from shangmi.enterprises.models import Enterprise
from shangmi.network.models import Station
from shangmi.network.services import KEY_TAG_CODES
from shangmi.regions.models import Region

# Above this many enterprises the tree shows regions only: a province's tree would be a page
# of many thousand lines; the reader opens a smaller region instead.
TREE_LIMIT = 2000
GAP_LIMIT = 200
# A path is codes of 6 digits, each followed by "/".
CODE_WIDTH = 7


def is_key() -> Exists:
    """Whether an enterprise carries one of the key-enterprise tags (one EXISTS, no row repeats)."""
    return Exists(Enterprise.tags.through.objects.filter(enterprise_id=OuterRef("pk"), tag__code__in=KEY_TAG_CODES))


def is_served() -> Exists:
    return Exists(Station.enterprises.through.objects.filter(enterprise_id=OuterRef("pk")))


# A key enterprise is a gap when it is not a liaison point or has no officer at all.
NO_LIAISON_POINT = Q(is_liaison_point=False)
NO_OFFICER = Q(liaison_officer__isnull=True, guidance_officer__isnull=True)


def enterprises_in(user: Any, region: Region | None) -> QuerySet[Enterprise]:
    enterprises = Enterprise.objects.restrict(user, VIEW)
    return enterprises.filter(region__path__subtree=region.path) if region is not None else enterprises


def stations_in(user: Any, region: Region | None) -> QuerySet[Station]:
    # restrict() may add DISTINCT (the enterprise lookup crosses a many-to-many); taking the
    # ids as a subquery keeps the GROUP BY below free of it.
    stations = Station.objects.filter(pk__in=Station.objects.restrict(user, VIEW).values("pk"))
    return stations.filter(region__path__subtree=region.path) if region is not None else stations


def _enterprise_counts() -> dict[str, Any]:
    return {
        "enterprises": Count("pk"),
        "liaison_points": Count("pk", filter=Q(is_liaison_point=True)),
        "liaison_officers": Count("liaison_officer", distinct=True),
        "guidance_officers": Count("guidance_officer", distinct=True),
        "served": Count("pk", filter=Q(is_served())),
        "key_enterprises": Count("pk", filter=Q(is_key())),
        "gaps": Count("pk", filter=Q(is_key()) & (NO_LIAISON_POINT | NO_OFFICER)),
    }


@dataclass
class Counts:
    enterprises: int = 0
    liaison_points: int = 0
    liaison_officers: int = 0
    guidance_officers: int = 0
    served: int = 0
    key_enterprises: int = 0
    gaps: int = 0
    stations: dict[str, int] = field(default_factory=dict)

    @property
    def station_total(self) -> int:
        return sum(self.stations.values())

    def stations_by_kind(self) -> list[tuple[str, str, int]]:
        """(kind, label, count) for every kind, zeros included, in the kinds' order."""
        return [(kind, str(label), self.stations.get(kind, 0)) for kind, label in Station.Kind.choices]


def network_counts(user: Any, region: Region | None) -> Counts:
    """The region's counts, everything below it included: two aggregate queries."""
    counts = Counts(**enterprises_in(user, region).aggregate(**_enterprise_counts()))
    counts.stations = dict(stations_in(user, region).values_list("kind").annotate(n=Count("pk")).order_by())
    return counts


def _child_path(region: Region | None) -> Substr:
    return Substr("region__path", 1, len(region.path if region else "") + CODE_WIDTH)


def child_counts(user: Any, region: Region | None) -> list[tuple[Region, Counts]]:
    """Counts per child region of ``region`` (each with everything below it): three queries."""
    key = _child_path(region)
    rows = (
        enterprises_in(user, region)
        .annotate(child=key)
        .values("child")
        .annotate(**_enterprise_counts())
        .order_by("child")
    )
    by_path: dict[str, Counts] = defaultdict(Counts)
    for row in rows:
        counts: dict[str, Any] = dict(row)
        child = counts.pop("child")
        by_path[child] = Counts(**counts)
    station_rows = (
        stations_in(user, region).annotate(child=key).values_list("child", "kind").annotate(n=Count("pk")).order_by()
    )
    for child, kind, n in station_rows:
        by_path[child].stations[kind] = n
    regions = {r.path: r for r in Region.objects.filter(path__in=list(by_path))}
    return [(regions[path], by_path[path]) for path in sorted(by_path) if path in regions]


@dataclass
class EnterpriseLeaf:
    pk: int
    name: str
    is_liaison_point: bool
    is_key: bool
    liaison_officer: str
    guidance_officer: str


@dataclass
class Group:
    """A park or a station and the enterprises under it."""

    kind: str  # "park", "station" or "other"
    pk: int | None
    name: str
    label: str
    enterprises: list[EnterpriseLeaf] = field(default_factory=list)


@dataclass
class RegionNode:
    region: Region
    children: list[RegionNode] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    enterprise_count: int = 0


def _name(full_name: str | None, username: str | None) -> str:
    return full_name or username or ""


def network_tree(user: Any, region: Region | None) -> RegionNode:
    """The tree under ``region``: regions > parks and stations > enterprises.

    An enterprise shows under its park and under every station that serves it; one in
    neither shows under "other enterprises" of its district. Four queries whatever the size.
    """
    enterprises = list(
        enterprises_in(user, region)
        .annotate(key=is_key())
        .values(
            "pk",
            "name",
            "region__path",
            "park_id",
            "park__name",
            "is_liaison_point",
            "key",
            "liaison_officer__full_name",
            "liaison_officer__username",
            "guidance_officer__full_name",
            "guidance_officer__username",
        )
        .order_by("name", "pk")
    )
    stations = list(stations_in(user, region).values("pk", "name", "kind", "region__path").order_by("name", "pk"))
    served = _served(stations, visible={row["pk"] for row in enterprises})
    root, nodes = _region_nodes(region, [row["region__path"] for row in enterprises + stations])
    _attach_enterprises(enterprises, stations, served, nodes)
    _finish(root)
    return root


def _served(stations: Sequence[Mapping[str, Any]], visible: set[int]) -> dict[int, list[int]]:
    """Station id → the ids of the enterprises it serves that the reader can see."""
    served: dict[int, list[int]] = defaultdict(list)
    for station_id, enterprise_id in Station.enterprises.through.objects.filter(
        station_id__in=[s["pk"] for s in stations]
    ).values_list("station_id", "enterprise_id"):
        if enterprise_id in visible:  # a station may serve enterprises the reader cannot see
            served[station_id].append(enterprise_id)
    return served


def _region_nodes(region: Region | None, leaf_paths: list[str]) -> tuple[RegionNode, dict[str, RegionNode]]:
    """The root node and a node per region path from ``region`` down to each of ``leaf_paths``, linked."""
    root_path = region.path if region is not None else ""
    paths: set[str] = set()
    for path in leaf_paths:
        # the region itself and every ancestor down from the chosen region
        for end in range(len(root_path) + CODE_WIDTH, len(path) + 1, CODE_WIDTH):
            paths.add(path[:end])
    regions = {r.path: r for r in Region.objects.filter(path__in=paths)}
    nodes = {path: RegionNode(region=r) for path, r in regions.items()}
    root = RegionNode(region=region) if region is not None else RegionNode(region=Region(name="", full_name=""))
    if region is not None:
        nodes[root_path] = root
    for path in sorted(nodes, key=len):
        if path == root_path:
            continue
        parent = nodes.get(path[: len(path) - CODE_WIDTH], root)
        parent.children.append(nodes[path])
    for node in nodes.values():
        node.children.sort(key=lambda n: n.region.code)
    return root, nodes


def _leaf(row: Mapping[str, Any]) -> EnterpriseLeaf:
    return EnterpriseLeaf(
        pk=row["pk"],
        name=row["name"],
        is_liaison_point=row["is_liaison_point"],
        is_key=row["key"],
        liaison_officer=_name(row["liaison_officer__full_name"], row["liaison_officer__username"]),
        guidance_officer=_name(row["guidance_officer__full_name"], row["guidance_officer__username"]),
    )


def _attach_enterprises(
    enterprises: Sequence[Mapping[str, Any]],
    stations: Sequence[Mapping[str, Any]],
    served: dict[int, list[int]],
    nodes: dict[str, RegionNode],
) -> None:
    """Groups under each region node: its parks, then its stations, then its other enterprises."""
    leaves: dict[int, EnterpriseLeaf] = {}
    parks: dict[tuple[str, int], Group] = {}
    attached: set[int] = set()
    for row in enterprises:
        leaf = leaves[row["pk"]] = _leaf(row)
        path = row["region__path"]
        if row["park_id"] is not None:
            group = parks.get((path, row["park_id"]))
            if group is None:
                group = parks[(path, row["park_id"])] = Group("park", row["park_id"], row["park__name"], "")
                nodes[path].groups.append(group)
            group.enterprises.append(leaf)
            attached.add(leaf.pk)
    labels = dict(Station.Kind.choices)
    for station in stations:
        group = Group("station", station["pk"], station["name"], str(labels.get(station["kind"], "")))
        group.enterprises = [leaves[pk] for pk in served.get(station["pk"], [])]
        group.enterprises.sort(key=lambda leaf: (leaf.name, leaf.pk))
        attached.update(pk for pk in served.get(station["pk"], []))
        nodes[station["region__path"]].groups.append(group)
    others: dict[str, Group] = {}
    for row in enterprises:
        if row["pk"] in attached:
            continue
        path = row["region__path"]
        group = others.get(path)
        if group is None:
            group = others[path] = Group("other", None, "", "")
            nodes[path].groups.append(group)
        group.enterprises.append(leaves[row["pk"]])


def _finish(node: RegionNode) -> int:
    """Count each node's enterprises (its own groups and its children's) and order its groups."""
    own = {leaf.pk for group in node.groups for leaf in group.enterprises}
    node.enterprise_count = len(own) + sum(_finish(child) for child in node.children)
    node.groups.sort(key=lambda g: ({"park": 0, "station": 1, "other": 2}[g.kind], g.name))
    return node.enterprise_count


def network_gaps(user: Any, region: Region | None, limit: int = GAP_LIMIT) -> list[Enterprise]:
    """Key enterprises with no liaison point or no officer (liaison or guidance), first ``limit``."""
    return list(
        enterprises_in(user, region)
        .filter(is_key())
        .filter(NO_LIAISON_POINT | NO_OFFICER)
        .select_related("region", "liaison_officer", "guidance_officer")
        .order_by("region__path", "name", "pk")[:limit]
    )


__all__ = [
    "GAP_LIMIT",
    "TREE_LIMIT",
    "Counts",
    "Group",
    "RegionNode",
    "child_counts",
    "is_key",
    "network_counts",
    "network_gaps",
    "network_tree",
]
