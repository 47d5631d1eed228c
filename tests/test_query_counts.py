"""Query-count baselines: no page may run more SQL statements than it did when its count was
recorded (tests/query_counts.json), so a refactor that brings back an N+1 fails here.

Every URL of the scope walk is fetched by a regulator and an enterprise admin of the inside
district, on the same small world with rows on both sides. A page that gets cheaper passes;
record the new figure with ``SHANGMI_UPDATE_QUERY_COUNTS=1 pytest tests/test_query_counts.py
-p no:xdist`` and commit the file, so the gain is kept. A page with no recorded count fails
until it is recorded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.test_scope_walk import (
    ENDPOINT_IDS,
    ENDPOINTS,
    Endpoint,
    _activity,
    _application,
    _carrier,
    _deposit,
    _secret_point,
    _survey,
    _visit,
    factory_for,
    require_model,
)

BASELINE = Path(__file__).with_name("query_counts.json")
UPDATE = os.environ.get("SHANGMI_UPDATE_QUERY_COUNTS") == "1"
ROLES = ("regulator_in", "ent_admin_in")


def _baseline() -> dict[str, int]:
    return json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}


def _record(key: str, count: int) -> None:
    counts = _baseline()
    counts[key] = count
    BASELINE.write_text(json.dumps(dict(sorted(counts.items())), ensure_ascii=False, indent=1) + "\n", "utf-8")


def _populate(world: Any) -> None:
    """The walk's rows on both sides, so lists have something to show and to leave out."""
    _deposit(world, world.ent_admin_in, "in")
    _deposit(world, world.ent_admin_out, "out")
    for make in (_application, _visit, _activity, _survey, _secret_point, _carrier):
        make(world, world.ent_admin_in, "in")
        make(world, world.ent_admin_out, "out")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
def test_no_page_runs_more_queries_than_recorded(
    endpoint: Endpoint, role: str, world: Any, client: Any, tmp_media: Any
) -> None:
    model = require_model(endpoint)
    user = getattr(world, role)
    if endpoint.object_kwargs:
        if model is None:
            pytest.fail(f"{endpoint.id} is public but takes arguments: declare its model (see the scope walk)")
        obj = factory_for(model)(world, user, "in")
        url = endpoint.url(**{name: obj.pk for name in endpoint.object_kwargs})
    else:
        _populate(world)
        url = endpoint.url()
    client.force_login(user)
    client.get(url)  # warm the per-process caches (content types, translations, the site)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    key = f"{endpoint.id} {role}"
    count = len(queries)
    if UPDATE:
        _record(key, count)
        return
    recorded = _baseline().get(key)
    assert recorded is not None, f"{key} has no recorded query count ({count} now): record it (see module docstring)"
    assert count <= recorded, f"{key} ran {count} queries, {recorded} recorded:\n" + "\n".join(
        q["sql"][:200] for q in queries
    )
