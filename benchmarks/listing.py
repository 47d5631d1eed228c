"""The enterprise list page at scale, against the raw SQL of the same COUNT + page SELECT."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.stats import summary, timed

# (case name, query string); the district is 江北区 of Chongqing, the default province.
CASES = (
    ("district", {"region": "{district}"}),
    ("search", {"q": "科技"}),
    ("province", {}),
    # 北京市东城区 holds none of the generated enterprises: the page with no rows to show is
    # the page's fixed cost (session, navigation, filter form, region tree), reported so the
    # other cases can be read as fixed cost + the cost of their rows.
    ("empty", {"region": "110101"}),
)


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
    for case, params in CASES:
        out[case] = _bench_case(client, base, params, district, requests)
    fixed = out["empty"]["page"]["p95_ms"]
    for result in out.values():
        # What the rows add to the page, against what their SQL costs alone.
        result["above_empty_p95_ms"] = round(result["page"]["p95_ms"] - fixed, 2)
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
