"""The half-year guidance page, query by query, on a database that already holds a province.

    DATABASE_URL=... python -m benchmarks.halfyear --seed 100000 --ledger-entries 1000000
    DATABASE_URL=... python -m benchmarks.halfyear --requests 10

With --seed, migrates and fills the (empty) database first: generate_scale_data's enterprises
and benchmarks.ledgers' visits. Then, as the province's regulator and as one district's: the
page's p50/p95 through the test client, and each of its SQL statements replayed alone
(p50 of 5), longest first, so the statement to fix is the one at the top. Prints JSON.
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
    parser.add_argument("--query", default="", help="extra query string, e.g. missing=on")
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
    out: dict[str, Any] = {"vendor": connection.vendor, "year": year}
    for label, region in (("province", args.province), ("district", args.district)):
        user, _ = User.objects.get_or_create(
            username=f"halfyear_{label}", defaults={"role": Role.REGULATOR, "region_id": region}
        )
        client = Client()
        client.force_login(user)
        url = reverse("ledgers:guidance_halfyear") + f"?year={year}&{args.query}"

        def get(client: Client = client, url: str = url) -> None:
            assert client.get(url).status_code == 200

        with CaptureQueriesContext(connection) as ctx:
            get()
        statements = [q["sql"] for q in ctx.captured_queries]
        timing = summary(timed(get, args.requests, warmup=1))

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
        out[label] = {"url": url, "page": timing, "queries": len(statements), "slowest": each[:4]}
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
