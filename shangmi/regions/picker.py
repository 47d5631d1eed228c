"""The region tree picker: choose a region from the division tree of one's own scope.

People know their regions by name, not by six-digit code. The picker shows the tree from
the top of the reader's scope (their own region, or every province for a platform
administrator), opened along the way to the region already chosen; deeper levels load when
a node is opened, and a search finds a region by name or code. Every function keeps to the
reader's own tree: a region outside it is never offered, searched or expanded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Exists, OuterRef, Q, QuerySet

from shangmi.core.scoping import is_platform_admin
from shangmi.regions.models import Region
from shangmi.regions.resolve import normalise

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

SEARCH_LIMIT = 20


@dataclass
class Node:
    region: Region
    has_children: bool
    children: list[Node] = field(default_factory=list)
    # Opened on arrival (it lies on the way to the chosen region), its children rendered.
    open: bool = False


def picker_roots(user: Any) -> list[Region]:
    """The tops of the tree a person picks from: their own region, or all provinces."""
    if is_platform_admin(user):
        return list(Region.objects.filter(parent__isnull=True).order_by("code"))
    home = user.home_region
    return [home] if home is not None else []


def _tree_condition(user: Any) -> Q | None:
    """The regions of ``user``'s tree as a filter; None when they have no tree at all."""
    if is_platform_admin(user):
        return Q()  # every province: the whole country
    home = user.home_region
    return Q(path__subtree=home.path) if home is not None else None


class _ChildrenFlag(TypedDict):
    has_children: bool


def _with_children_flag(queryset: QuerySet[Region]) -> QuerySet[WithAnnotations[Region, _ChildrenFlag]]:
    return queryset.annotate(has_children=Exists(Region.objects.filter(parent_id=OuterRef("code"))))


def in_picker(user: Any, region: Region) -> bool:
    """Whether ``region`` lies in the tree ``user`` picks from (no query beyond the roots)."""
    return any(region.is_within(root) for root in picker_roots(user))


def resolve_choice(user: Any, text: str) -> Region | None:
    """The region a filter value names: a code, a full name (重庆市江北区) or a name (江北区).

    A name is looked for inside the reader's tree first (江北区 is 重庆市's to a Chongqing
    regulator, not 宁波市's), then in the whole country if it is unique there. None when
    nothing, or more than one region, matches. Finding a region reveals nothing: the codes
    are public, and the rows filtered by it are still the reader's own.
    """
    value = normalise(text or "")
    if not value:
        return None
    if value.isdigit():
        return Region.objects.filter(code=value[:6]).first()
    named = Region.objects.filter(Q(full_name=value) | Q(name=value))
    condition = _tree_condition(user)
    inside = [named.filter(condition)] if condition is not None else []
    for candidates in [*inside, named]:
        matches = list(candidates[:2])
        if matches:
            return matches[0] if len(matches) == 1 else None
    return None


def tree(user: Any, chosen: Region | None) -> list[Node]:
    """The roots, with every node on the way to ``chosen`` (and ``chosen``) opened: one query
    per opened level."""
    roots = picker_roots(user)
    if len(roots) == 1:  # one's own region: a district has no children to offer
        flagged = _with_children_flag(Region.objects.filter(pk=roots[0].pk)).values_list("has_children", flat=True)
        nodes = [Node(roots[0], has_children=bool(flagged[0]))]
    else:
        nodes = [Node(region, has_children=True) for region in roots]  # provinces
    if chosen is None:
        # A single root (one's own region) is opened at once: its children are what one picks.
        if len(nodes) == 1 and nodes[0].has_children:
            _open(nodes[0])
        return nodes
    way = set(chosen.path.strip("/").split("/"))
    level = nodes
    while level:
        node = next((n for n in level if n.region.code in way), None)
        if node is None or not node.has_children:
            break
        # The chosen region is opened too: one goes on from there to a region below it.
        _open(node)
        if node.region.code == chosen.code:
            break
        level = node.children
    return nodes


def _open(node: Node) -> None:
    node.open = True
    node.children = children_of(node.region)


def children_of(region: Region) -> list[Node]:
    rows = _with_children_flag(Region.objects.filter(parent=region)).order_by("code")
    return [Node(r, has_children=r.has_children) for r in rows]


def search(user: Any, text: str) -> list[Region]:
    """Regions of the reader's tree whose name or code matches ``text`` (at most 20)."""
    value = normalise(text or "")
    condition = _tree_condition(user)
    if not value or condition is None:
        return []
    matches = Q(code__startswith=value) if value.isdigit() else Q(full_name__contains=value)
    return list(Region.objects.filter(condition).filter(matches).order_by("code")[:SEARCH_LIMIT])


def picker_context(user: Any, chosen: Region | None, field_name: str = "region") -> dict[str, Any]:
    """What ``regions/_picker.html`` needs: the field it fills, the tree and the choice."""
    return {"field": field_name, "nodes": tree(user, chosen), "chosen": chosen, "has_tree": bool(picker_roots(user))}
