"""The region dashboard for a whole province (重庆市: 38 districts on the map) at scale data,
against a raw-SQL floor measured in the same process on the same data.

The page runs every registered figure (titles against targets, liaison points, training and
awareness rates, cases opened in the year) and cuts the map's boundaries; the floor is the raw SQL of the same
aggregates, per district: the training counts of the liaison-point enterprises (the rates
page's own, benchmarks.ledgers.training_sql), liaison points, cases opened in the year and approved applications.
The boundaries endpoint is timed warm (the cut is kept per region in the process) and cold
(the cache cleared before each request: the package file read, decoded and cut again).

Part of `make bench` (run_db's "dashboard" part, after the ledgers); alone, on a database of
its own, with a quick size:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dashboard \\
        python -m benchmarks.dashboard --size 20000 --ledger-entries 100000 --requests 20
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import time
from typing import Any
from urllib.parse import urlencode

from benchmarks.stats import summary, timed


def floor_sql(province_path: str, year: int) -> list[tuple[str, list[Any]]]:
    """The dashboard's aggregates in raw SQL, one statement per figure, grouped by district."""
    from benchmarks.ledgers import training_sql

    start = len(province_path) + 1
    child = f"SUBSTR(r.path, {start}, 6)"
    like = province_path + "%"
    return [
        training_sql(province_path, year),
        (
            f"SELECT {child}, COUNT(*) FROM enterprises_enterprise e JOIN regions_region r ON r.code = e.region_id "
            f"WHERE e.is_liaison_point AND r.path LIKE %s GROUP BY {child}",
            [like],
        ),
        (
            f"SELECT {child}, COUNT(*) FROM enforcement_case c JOIN regions_region r ON r.code = c.region_id "
            f"WHERE r.path LIKE %s AND c.opened_on >= %s AND c.opened_on < %s GROUP BY {child}",
            [like, datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)],
        ),
        (
            f"SELECT {child}, COUNT(*) FROM creation_application a JOIN regions_region r ON r.code = a.region_id "
            f"JOIN creation_round o ON o.id = a.round_id WHERE a.status = 'approved' AND o.year = %s "
            f"AND r.path LIKE %s GROUP BY {child}",
            [year, like],
        ),
    ]


def bench_dashboard(*, user: Any, province_code: str, year: int, requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from benchmarks.ledgers import _page
    from shangmi.dashboard import boundaries
    from shangmi.regions.models import Region

    province = Region.objects.get(code=province_code)
    client = Client()
    client.force_login(user)
    query = urlencode({"region": province_code, "year": year})
    out: dict[str, Any] = {}
    out["dashboard_province"] = _page(client, f"{reverse('dashboard:region')}?{query}", requests)
    statements = floor_sql(province.path, year)

    def floor() -> None:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    out["dashboard_province"]["raw_sql"] = summary(timed(floor, requests))
    geo = f"{reverse('dashboard:boundaries')}?{query}"
    out["boundaries_warm"] = _page(client, geo, requests)
    out["boundaries_warm"]["bytes"] = len(client.get(geo).content)

    def cold() -> None:
        boundaries.children_boundaries.cache_clear()
        boundaries._read.cache_clear()
        assert client.get(geo).status_code == 200

    out["boundaries_cold"] = {"url": geo, "page": summary(timed(cold, requests))}
    case = out["dashboard_province"]
    case["ratio_p50"] = round(case["page"]["p50_ms"] / case["raw_sql"]["p50_ms"], 2)
    case["ratio_p95"] = round(case["page"]["p95_ms"] / case["raw_sql"]["p95_ms"], 2)
    case["ratio_replayed_p50"] = round(case["page"]["p50_ms"] / case["page_sql_replayed"]["p50_ms"], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dashboard", description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--ledger-entries", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--province", default="500000")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shangmi.settings")
    os.environ.setdefault("SHANGMI_DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.ledgers import generate_ledgers
    from shangmi.accounts.models import User
    from shangmi.core.roles import Role

    year = 2026
    out: dict[str, Any] = {"vendor": connection.vendor, "size": args.size, "ledger_entries": args.ledger_entries}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", stdout=io.StringIO())
    call_command("generate_scale_data", enterprises=args.size, province=args.province, stdout=io.StringIO())
    out["ledger_data"] = generate_ledgers(args.province, year=year, entries=args.ledger_entries)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    out["setup_s"] = round(time.perf_counter() - started, 1)
    regulator, _ = User.objects.get_or_create(
        username="bench_regulator", defaults={"role": Role.REGULATOR, "region_id": args.province}
    )
    out["dashboard"] = bench_dashboard(user=regulator, province_code=args.province, year=year, requests=args.requests)
    out["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    for case in out["dashboard"].values():
        case.pop("queries", None)
    text = json.dumps(out, ensure_ascii=False, indent=2)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            handle.write(text)
    print(text)


if __name__ == "__main__":
    main()
