"""Choosing the region and the year a page is about, from its query string.

The pages that show one region at a time (target progress, coaching lists, the rate
dashboard, the service network) read ``?region=`` and ``?year=`` here, and show the region
tree picker (shangmi.regions.picker) in ``regions/_region_year_chooser.html``. A region may
be written as a code, a full name (重庆市江北区) or a name (江北区). A region the reader may
not open answers 404, as a row out of scope does: the page must not tell what it would show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.http import Http404, HttpRequest
from django.urls import reverse

from shangmi.core.calendar import program_year
from shangmi.core.scoping import VIEW, region_in_scope, scope_q
from shangmi.regions.models import Region
from shangmi.regions.picker import resolve_choice

# The years a page may be opened on (the same bounds as the forms that write a year).
YEARS = (2000, 2100)

# Whether a reader may open a page on a region: (user, region) -> bool.
RegionRule = Callable[[Any, Region], bool]


def chosen_year(request: HttpRequest) -> int:
    """?year= when it is a sensible year, else the current one."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return program_year()
    return year if YEARS[0] <= year <= YEARS[1] else program_year()


def chosen_region(
    request: HttpRequest, model: type[models.Model], action: str = VIEW, *, allowed: RegionRule | None = None
) -> Region | None:
    """The region of ``?region=`` (a code, a full name or a name) if the reader may open it,
    else 404; without one, the reader's own region when they may, else None.

    By default a reader may open a region where they may do ``action`` on rows of ``model``,
    and one with no right at all on ``model`` gets 404 whatever the region. A page with a
    rule of its own passes it as ``allowed``, which then replaces that rule entirely.
    """
    user = request.user
    if allowed is None:
        if scope_q(model, user, action) is None:
            raise Http404
        allowed = rights_on(model, action)
    text = request.GET.get("region", "").strip()
    if not text:
        home = getattr(user, "home_region", None)
        return home if home is not None and allowed(user, home) else None
    region = resolve_choice(user, text)
    if region is None or not allowed(user, region):
        raise Http404
    return region


def region_year_url(name: str, region: Region | None, year: int) -> str:
    """The address of the page ``name`` opened on ``region`` and ``year`` (what chosen_* read)."""
    query = {"year": year, **({"region": region.code} if region is not None else {})}
    return f"{reverse(name)}?{urlencode(query)}"


def rights_on(model: type[models.Model], action: str = VIEW) -> RegionRule:
    """The default rule: the reader may do ``action`` on rows of ``model`` in the region."""
    return lambda user, region: region_in_scope(model, user, region, action)
