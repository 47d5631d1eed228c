"""The enforcement figures of a whole province (/enforcement/figures/, 重庆市 and its 38
districts) and the case list's overdue filter at province scale: 10,000 cases with 100,000 case
events, a transfer for one case in twenty, a demand per case; each against the raw SQL of the
same aggregate, measured in the same process on the same data.

Part of `make bench` (run_db's "enforcement" part); alone, on a database of its own:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_enforcement \\
        python -m benchmarks.enforcement --cases 10000 --events 100000 --requests 20
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import time
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from benchmarks.stats import summary, timed

D = datetime.date


def generate_cases(province_code: str, *, year: int, cases: int, events: int, user: Any) -> dict[str, Any]:
    """Cases spread over the province's districts and the year: one in three closed (half of
    those fined), one in ten with its step overdue, a transfer for one in twenty."""
    from shangmi.enforcement.models import Case, CaseEvent, Clue, Demand, Transfer
    from shangmi.enterprises.models import Enterprise
    from shangmi.regions.models import Region

    started = time.perf_counter()
    province = Region.objects.get(code=province_code)
    districts = list(
        Region.objects.filter(path__startswith=province.path, level="district").values_list("code", flat=True)
    )
    enterprises = list(Enterprise.objects.filter(region_id__in=districts).values_list("pk", "region_id")[:cases])
    first = D(year, 1, 1)
    clues = Clue.objects.bulk_create(
        [Clue(region_id=districts[n % len(districts)], tracking_hash=f"bench{n:059d}", against="基准当事人",
              description="基准", received_on=first + datetime.timedelta(days=n % 360), status=Clue.Status.OPENED)
         for n in range(cases)],
        batch_size=2000,
    )  # fmt: skip
    rows = []
    for n, clue in enumerate(clues):
        opened = clue.received_on + datetime.timedelta(days=3)
        closed = opened + datetime.timedelta(days=20 + n % 70) if n % 3 == 0 else None
        fined = closed is not None and n % 2 == 0
        rows.append(
            Case(region_id=clue.region_id, clue=clue, party="基准当事人", act_date=first, opened_on=opened,
                 opened_by=user, status=Case.Status.DECIDED if closed else Case.Status.INVESTIGATING,
                 closed_on=closed, decided_on=closed, decision=Case.Decision.PENALTY if fined else "",
                 fine=Decimal(50000 + n) if fined else None,
                 step_due=opened + datetime.timedelta(days=30) if n % 10 == 1 else None,
                 decision_due=opened + datetime.timedelta(days=90))
        )  # fmt: skip
    made = Case.objects.bulk_create(rows, batch_size=2000)
    per_case = max(1, events // max(1, len(made)))
    CaseEvent.objects.bulk_create(
        [CaseEvent(case=case, kind=CaseEvent.Kind.OPENED, actor=user, note="基准")
         for case in made for _ in range(per_case)],
        batch_size=5000,
    )  # fmt: skip
    statuses = [Transfer.Status.ACCEPTED, Transfer.Status.REFUSED, Transfer.Status.SENT, Transfer.Status.RECEIVED]
    sent = datetime.datetime(year, 6, 1, 10, tzinfo=datetime.UTC)
    Transfer.objects.bulk_create(
        [Transfer(case=case, organ=Transfer.Organ.POLICE, receiver=user, reason="基准", status=statuses[n % 4],
                  proposed_by=user, proposed_on=case.opened_on, decide_by=case.opened_on, sent_at=sent)
         for n, case in enumerate(made) if n % 20 == 0],
        batch_size=2000,
    )  # fmt: skip
    Demand.objects.bulk_create(
        [Demand(enterprise_id=pk, region_id=region, kind=Demand.Kind.COMPLAINT, title="基准", description="基准",
                filed_by=user, filed_on=first + datetime.timedelta(days=n % 360))
         for n, (pk, region) in enumerate(enterprises)],
        batch_size=2000,
    )  # fmt: skip
    return {
        "cases": len(made),
        "case_events": CaseEvent.objects.count(),
        "transfers": Transfer.objects.count(),
        "demands": len(enterprises),
        "generate_s": round(time.perf_counter() - started, 1),
    }


def floor_sql(province_path: str, year: int, today: datetime.date) -> list[tuple[str, list[Any]]]:
    """The figures' aggregates in raw SQL, one statement per model, grouped by district."""
    child = f"SUBSTR(r.path, {len(province_path) + 1}, 6)"
    like = province_path + "%"
    first, after = D(year, 1, 1), D(year + 1, 1, 1)
    start = datetime.datetime(year, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    end = datetime.datetime(year + 1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    join = "JOIN regions_region r ON r.code = t.region_id WHERE r.path LIKE %s"
    return [
        (f"SELECT {child}, COUNT(*) FROM enforcement_demand t {join} AND t.filed_on >= %s AND t.filed_on < %s "
         f"GROUP BY {child}", [like, first, after]),
        (f"SELECT {child}, COUNT(*) FROM enforcement_clue t {join} AND t.received_on >= %s AND t.received_on < %s "
         f"GROUP BY {child}", [like, first, after]),
        (f"SELECT {child}, COUNT(*) FILTER (WHERE t.opened_on >= %s AND t.opened_on < %s), "
         f"SUM(t.fine) FILTER (WHERE t.decision = 'penalty' AND t.decided_on >= %s AND t.decided_on < %s), "
         f"COUNT(*) FILTER (WHERE t.closed_on >= %s AND t.closed_on < %s), "
         f"SUM(t.closed_on - t.opened_on) FILTER (WHERE t.closed_on >= %s AND t.closed_on < %s), "
         f"COUNT(*) FILTER (WHERE t.closed_on IS NULL AND t.step_due < %s) "
         f"FROM enforcement_case t {join} GROUP BY {child}",
         [first, after, first, after, first, after, first, after, today, like]),
        (f"SELECT {child}, COUNT(*), COUNT(*) FILTER (WHERE x.status = 'accepted'), "
         f"COUNT(*) FILTER (WHERE x.status IN ('refused', 'reconsideration', 'upheld', 'supervision')), "
         f"COUNT(*) FILTER (WHERE x.status IN ('sent', 'received')) "
         f"FROM enforcement_transfer x JOIN enforcement_case t ON t.id = x.case_id {join} "
         f"AND x.sent_at >= %s AND x.sent_at < %s GROUP BY {child}", [like, start, end]),
    ]  # fmt: skip


def bench_enforcement(*, user: Any, province_code: str, year: int, requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from benchmarks.ledgers import _page
    from shangmi.core.calendar import program_today
    from shangmi.regions.models import Region

    province = Region.objects.get(code=province_code)
    client = Client()
    client.force_login(user)
    query = urlencode({"region": province_code, "year": year})
    out: dict[str, Any] = {"figures_province": _page(client, f"{reverse('enforcement:figures')}?{query}", requests)}
    out["figures_export"] = _page(client, f"{reverse('enforcement:figures_export')}?{query}", requests)
    statements = floor_sql(province.path, year, program_today())
    # The case list's overdue filter (open cases past their decision limit), first page.
    out["overdue_list"] = _page(client, f"{reverse('enforcement:case_list')}?overdue=true", requests)
    overdue = (
        "SELECT c.id, c.party, c.opened_on, c.decision_due, r.full_name FROM enforcement_case c "
        "JOIN regions_region r ON r.code = c.region_id WHERE r.path LIKE %s AND c.status = 'investigating' "
        "AND c.decision_due < %s ORDER BY c.opened_on DESC, c.id DESC LIMIT 25"
    )
    overdue_count = (
        "SELECT COUNT(*) FROM enforcement_case c JOIN regions_region r ON r.code = c.region_id "
        "WHERE r.path LIKE %s AND c.status = 'investigating' AND c.decision_due < %s"
    )

    def overdue_floor() -> None:
        with connection.cursor() as cursor:
            for sql in (overdue_count, overdue):
                cursor.execute(sql, [province.path + "%", program_today()])
                cursor.fetchall()

    listed = out["overdue_list"]
    listed["raw_sql"] = summary(timed(overdue_floor, requests))
    listed["ratio_p50"] = round(listed["page"]["p50_ms"] / listed["raw_sql"]["p50_ms"], 2)

    def floor() -> None:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    # The floor must answer what the page answers, or the ratio compares different work.
    from shangmi.enforcement.tallies import case_figures

    total = case_figures(province, year, reader=user).total
    with connection.cursor() as cursor:
        sql, params = statements[2]
        cursor.execute(sql, params)
        floor_cases = sum(row[1] for row in cursor.fetchall())
    assert floor_cases == total.cases, (floor_cases, total.cases)
    out["cases_opened"] = {"page": total.cases, "raw_sql": floor_cases}

    case = out["figures_province"]
    case["raw_sql"] = summary(timed(floor, requests))
    case["ratio_p50"] = round(case["page"]["p50_ms"] / case["raw_sql"]["p50_ms"], 2)
    case["ratio_replayed_p50"] = round(case["page"]["p50_ms"] / case["page_sql_replayed"]["p50_ms"], 2)
    out["figures_province"].pop("queries", None)
    out["figures_export"].pop("queries", None)
    out["overdue_list"].pop("queries", None)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.enforcement", description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--enterprises", type=int, default=10_000)
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

    from shangmi.accounts.models import User
    from shangmi.core.roles import Role

    year = 2026
    out: dict[str, Any] = {"vendor": connection.vendor}
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", stdout=io.StringIO())
    call_command("generate_scale_data", enterprises=args.enterprises, province=args.province, stdout=io.StringIO())
    regulator, _ = User.objects.get_or_create(
        username="bench_regulator", defaults={"role": Role.REGULATOR, "region_id": args.province}
    )
    out["data"] = generate_cases(args.province, year=year, cases=args.cases, events=args.events, user=regulator)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    out["enforcement"] = bench_enforcement(
        user=regulator, province_code=args.province, year=year, requests=args.requests
    )
    text = json.dumps(out, ensure_ascii=False, indent=2)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            handle.write(text)
    print(text)


if __name__ == "__main__":
    main()
