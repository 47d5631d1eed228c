"""The half-year guidance page, query by query, on a database that already holds a province.

    DATABASE_URL=... python -m benchmarks.halfyear --seed 100000 --ledger-entries 1000000
    DATABASE_URL=... python -m benchmarks.halfyear --requests 20 [--cases province,rates_province]

With --seed, migrates and fills the (empty) database first: generate_scale_data's enterprises
and benchmarks.ledgers' visits. Then, as the province's regulator (the page, and with "only
missing"), as one district's, and the province's rates dashboard: the page's p50/p95 through
the test client, the raw-SQL floor (benchmarks.ledgers' hand-written aggregate of the same
figures, p50/p95 over as many runs) and the ratio of the p95s, and each of the page's SQL
statements replayed alone (p50 of 5), longest first, so the statement to fix is the one at
the top. Prints JSON.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import time
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0, help="enterprises to generate first (0: use the data there)")
    parser.add_argument("--ledger-entries", type=int, default=1_000_000)
    parser.add_argument("--province", default="500000")
    parser.add_argument("--district", default="500105")
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--query", default="", help="extra query string of the half-year cases, e.g. region=500105")
    parser.add_argument("--cases", default="", help="only these: province,province_missing,district,rates_province")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shangmi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from benchmarks.stats import summary, timed
    from shangmi.accounts.models import User
    from shangmi.core.roles import Role

    year = datetime.date.today().year
    if args.seed:
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_reference_data", stdout=io.StringIO())
        call_command("generate_scale_data", enterprises=args.seed, province=args.province, stdout=io.StringIO())
        from benchmarks.ledgers import generate_ledgers

        generate_ledgers(args.province, year=year, entries=args.ledger_entries)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    from benchmarks.ledgers import halfyear_sql, training_sql
    from shangmi.regions.models import Region

    out: dict[str, Any] = {"vendor": connection.vendor, "year": year}
    users = {}
    for label, region in (("province", args.province), ("district", args.district)):
        users[label], _ = User.objects.get_or_create(
            username=f"halfyear_{label}", defaults={"role": Role.REGULATOR, "region_id": region}
        )
    paths = {
        label: Region.objects.get(code=code).path
        for label, code in (("province", args.province), ("district", args.district))
    }
    halfyear_url = reverse("ledgers:guidance_halfyear") + f"?year={year}&{args.query}"
    rates_url = reverse("ledgers:rates") + f"?region={args.province}&year={year}"
    cases = [
        ("province", "province", halfyear_url, halfyear_sql(paths["province"], year)),
        ("province_missing", "province", halfyear_url + "&missing=on", halfyear_sql(paths["province"], year)),
        ("district", "district", halfyear_url, halfyear_sql(paths["district"], year)),
        ("rates_province", "province", rates_url, training_sql(paths["province"], year)),
    ]
    for label, who, url, (raw_sql, raw_params) in cases:
        if args.cases and label not in args.cases.split(","):
            continue
        client = Client()
        client.force_login(users[who])

        def get(client: Client = client, url: str = url) -> None:
            assert client.get(url).status_code == 200

        with CaptureQueriesContext(connection) as ctx:
            get()
        statements = [q["sql"] for q in ctx.captured_queries]
        get()  # warm-up
        wall: list[float] = []
        cpu: list[float] = []
        for _ in range(args.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            get()
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        # CPU time of this process (SQLite runs inside it): what the page costs, less the time
        # it waited for a core on a shared machine; on PostgreSQL it leaves out the server.
        timing, cpu_timing = summary(wall), summary(cpu)

        def raw(sql: str = raw_sql, params: list[Any] = raw_params) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        floor = summary(timed(raw, args.requests, warmup=1))

        def replay(sql: str) -> float:
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()
                return (time.perf_counter() - started) * 1000

        each = []
        for sql in statements:
            runs = sorted(replay(sql) for _ in range(5))
            each.append({"p50_ms": round(runs[2], 1), "sql": sql[:400]})
        each.sort(key=lambda s: -s["p50_ms"])
        out[label] = {
            "url": url,
            "page": timing,
            "page_cpu": cpu_timing,
            "raw_sql": floor,
            "ratio_p95": round(timing["p95_ms"] / floor["p95_ms"], 2),
            "queries": len(statements),
            "slowest": each[:4],
        }
    out["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
