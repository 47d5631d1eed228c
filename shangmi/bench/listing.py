"""The enterprise list page at scale, against the raw SQL of the same COUNT + page SELECT."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shangmi.bench.stats import summary, timed

# (case name, query string); the district is 江北区 of Chongqing, the default province.
CASES = (
    ("district", {"region": "{district}"}),
    ("search", {"q": "科技"}),
    ("province", {}),
)
# The cases again with the changes proposed in BENCHMARKS.md (applied only for these cases).
PROPOSED = (
    ("district_proposed", {"region": "{district}"}),
    ("search_proposed", {"q": "科技"}),
)


def proposed_search(self: Any, queryset: Any, name: str, value: str) -> Any:
    """EnterpriseFilter.search as proposed: a term without letters that have case (Chinese)
    is matched with LIKE, not UPPER(name) LIKE UPPER(term). PostgreSQL then neither calls
    UPPER() on every row nor misestimates the match count (42 rows instead of 23,673), which
    made it pick a nested loop for the COUNT."""
    from django.db.models import Q

    from shangmi.enterprises.uscc import normalise_uscc

    value = value.strip()
    if not value:
        return queryset
    lookup = "name__contains" if value.lower() == value.upper() else "name__icontains"
    return queryset.filter(Q(**{lookup: value}) | Q(uscc__startswith=normalise_uscc(value)))


def proposed_in_region(self: Any, queryset: Any, name: str, value: str) -> Any:
    """EnterpriseFilter.in_region as proposed: the subtree's codes are read first (a small
    query on regions) and the enterprises filtered on region_id IN (codes), instead of a join
    on regions_region.path LIKE 'prefix%'. SQLite cannot use an index for that LIKE, so the
    join made the COUNT scan every enterprise of the database and the page walk the name
    index; with the codes both use the (region, name) index and cost O(matches)."""
    from shangmi.regions.models import Region

    region = Region.objects.filter(code=value.strip()).first()
    if region is None:
        return queryset.none()
    codes = list(Region.objects.filter(path__startswith=region.path).values_list("code", flat=True))
    return queryset.filter(region_id__in=codes)


@contextmanager
def _proposed() -> Iterator[None]:
    from shangmi.enterprises.filters import EnterpriseFilter

    original = EnterpriseFilter.search, EnterpriseFilter.in_region
    EnterpriseFilter.search = proposed_search  # type: ignore[method-assign]
    EnterpriseFilter.in_region = proposed_in_region  # type: ignore[method-assign]
    try:
        yield
    finally:
        EnterpriseFilter.search, EnterpriseFilter.in_region = original  # type: ignore[method-assign]


def _is_enterprise_query(sql: str) -> bool:
    return 'FROM "enterprises_enterprise"' in sql


def _split_queries(captured: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The paginator's COUNT and the page SELECT among the queries of one request."""
    count_sql = page_sql = None
    for q in captured:
        sql = q["sql"]
        if not _is_enterprise_query(sql):
            continue
        if "COUNT(" in sql and count_sql is None:
            count_sql = sql
        elif "LIMIT" in sql and '"enterprises_enterprise"."name"' in sql.split("FROM")[0] and page_sql is None:
            page_sql = sql
    return count_sql, page_sql


def explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return [r[0] for r in cursor.fetchall()]
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [" ".join(str(c) for c in r) for r in cursor.fetchall()]


def bench_listing(*, user: Any, district: str, requests: int) -> dict[str, Any]:
    client = Client()
    client.force_login(user)
    base = reverse("enterprises:list")
    out: dict[str, Any] = {}
    for case, params in CASES + PROPOSED:
        with _proposed() if (case, params) in PROPOSED else nullcontext():
            out[case] = _bench_case(client, base, params, district, requests)
    return out


def _bench_case(client: Client, base: str, params: dict[str, str], district: str, requests: int) -> dict[str, Any]:
    query = {k: v.format(district=district) for k, v in params.items()}
    url = base + ("?" + urlencode(query) if query else "")

    def get(url: str = url) -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    # Copied now: the next request clears the connection's query log.
    captured = list(ctx.captured_queries)
    count_sql, page_sql = _split_queries(captured)
    total = None
    if count_sql:
        with connection.cursor() as cursor:
            cursor.execute(count_sql)
            total = cursor.fetchone()[0]
    page = summary(timed(get, requests))
    result: dict[str, Any] = {
        "url": url,
        "matches": total,
        "queries_per_page": len(captured),
        "page": page,
        "queries": [q["sql"] for q in captured],
    }
    if count_sql and page_sql:

        def raw(count_sql: str = count_sql, page_sql: str = page_sql) -> None:
            with connection.cursor() as cursor:
                cursor.execute(count_sql)
                cursor.fetchall()
                cursor.execute(page_sql)
                cursor.fetchall()

        raw_ms = summary(timed(raw, requests))
        result["raw_sql"] = raw_ms
        result["ratio_p50"] = round(page["p50_ms"] / raw_ms["p50_ms"], 2)
        result["ratio_p95"] = round(page["p95_ms"] / raw_ms["p95_ms"], 2)
        result["count_sql"] = count_sql
        result["page_sql"] = page_sql
        result["explain_count"] = explain(count_sql)
        result["explain_page"] = explain(page_sql)
    return result
