"""One database's half of the benchmark; run by benchmarks with DATABASE_URL set.

DATABASE_URL=... python -m benchmarks.run_db --size 100000 --json OUT.json
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import time
from pathlib import Path
from typing import Any


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--import-rows", type=int, default=None)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--province", default="500000")
    parser.add_argument("--district", default="500105")
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--ledger-entries", type=int, default=1_000_000)
    parser.add_argument("--survey-answers", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--case-events", type=int, default=100_000)
    parser.add_argument(
        "--skip", default="", help="comma list of parts to skip: list,export,import,ledgers,dashboard,enforcement"
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shangmi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shangmi.accounts.models import User
    from shangmi.core.roles import Role
    from shangmi.enterprises.models import Enterprise

    out: dict[str, Any] = {"vendor": connection.vendor, "size": args.size}
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        out["db_version"] = cursor.fetchone()[0]
    out["python"] = platform.python_version()

    _log(f"{connection.vendor}: migrate + load_reference_data")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", stdout=io.StringIO())
    out["setup_s"] = round(time.perf_counter() - started, 1)

    _log(f"{connection.vendor}: generate_scale_data --enterprises {args.size}")
    started = time.perf_counter()
    call_command("generate_scale_data", enterprises=args.size, province=args.province, stdout=io.StringIO())
    out["generate_s"] = round(time.perf_counter() - started, 1)
    out["enterprises"] = Enterprise.objects.count()
    if connection.vendor == "postgresql":
        # What autovacuum would have done by the time anyone looks at the page.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    regulator, _ = User.objects.get_or_create(
        username="bench_regulator",
        defaults={"role": Role.REGULATOR, "region_id": args.province, "full_name": "重庆市市场监管局（基准）"},
    )

    if "list" not in skip:
        from benchmarks.listing import bench_listing

        _log(f"{connection.vendor}: list page, {args.requests} requests per case")
        out["list"] = bench_listing(user=regulator, district=args.district, requests=args.requests)

    if "export" not in skip:
        from benchmarks.xlsx import bench_export

        _log(f"{connection.vendor}: export of {out['enterprises']:,} rows")
        out["export"] = bench_export(queryset=Enterprise.objects.restrict(regulator), path=workdir / "export.xlsx")

    if "import" not in skip:
        from benchmarks.xlsx import bench_import, write_import_file

        rows = args.import_rows or args.size
        path = workdir / "import.xlsx"
        _log(f"{connection.vendor}: writing {rows:,}-row import file")
        out["import_file"] = write_import_file(path, rows=rows, province=args.province)
        _log(f"{connection.vendor}: import of {rows:,} rows")
        out["import"] = bench_import(path=path, username=regulator.username, rows=rows)
        out["enterprises_after_import"] = Enterprise.objects.count()

    if "ledgers" not in skip:
        from benchmarks.ledgers import bench_ledgers, bench_survey_report, generate_ledgers

        year = 2026
        _log(f"{connection.vendor}: generating {args.ledger_entries:,} ledger entries")
        out["ledger_data"] = generate_ledgers(args.province, year=year, entries=args.ledger_entries)
        district_regulator, _ = User.objects.get_or_create(
            username="bench_district_regulator", defaults={"role": Role.REGULATOR, "region_id": args.district}
        )
        _log(f"{connection.vendor}: half-year and rates pages, {args.requests} requests per case")
        out["ledgers"] = bench_ledgers(
            user=regulator, district_user=district_regulator, province_code=args.province, year=year,
            requests=args.requests,
        )  # fmt: skip
        if "dashboard" not in skip:
            from benchmarks.dashboard import bench_dashboard

            _log(f"{connection.vendor}: region dashboard of the province, {args.requests} requests per case")
            out["dashboard"] = bench_dashboard(
                user=regulator, province_code=args.province, year=year, requests=args.requests
            )
        _log(f"{connection.vendor}: survey report of {args.survey_answers:,} answers")
        out["survey_report"] = bench_survey_report(args.survey_answers)

    if "enforcement" not in skip:
        from benchmarks.enforcement import bench_enforcement, generate_cases

        _log(f"{connection.vendor}: generating {args.cases:,} cases and {args.case_events:,} case events")
        out["enforcement_data"] = generate_cases(
            args.province, year=2026, cases=args.cases, events=args.case_events, user=regulator
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        _log(f"{connection.vendor}: enforcement figures of the province, {args.requests} requests per case")
        out["enforcement"] = bench_enforcement(
            user=regulator, province_code=args.province, year=2026, requests=args.requests
        )

    out["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=2))
    _log(f"{connection.vendor}: done")


if __name__ == "__main__":
    main()
