"""Ledgers at province scale: 1,000,000 ledger entries over the 100,000-enterprise data set.

The rates dashboard and the half-year status page are timed through the test client (the
whole Django stack) and compared with the raw SQL of the same aggregate, run in the same
process on the same data; the survey report is timed for 10,000 answers.
"""

from __future__ import annotations

import datetime
import random
import time
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benchmarks.stats import summary, timed

SHANGHAI = ZoneInfo("Asia/Shanghai")
BATCH = 20_000


def generate_ledgers(province_code: str, *, year: int, entries: int = 1_000_000, seed: int = 7) -> dict[str, Any]:
    """Guidance visits (70%) and training participants (30%) for the province's enterprises.

    Visits fall on random days of ``year`` and the year before, so both halves and both
    years are populated; some enterprises get none, so the half-year page has gaps to show.
    """
    from shangmi.accounts.models import User
    from shangmi.core.roles import Role
    from shangmi.enterprises.models import Enterprise
    from shangmi.ledgers.models import Activity, ActivityParticipant, GuidanceVisit
    from shangmi.regions.models import Region

    rng = random.Random(seed)
    province = Region.objects.get(code=province_code)
    started = time.perf_counter()
    enterprises = list(Enterprise.objects.filter(region__path__startswith=province.path).values_list("pk", "region_id"))
    districts = sorted({region for _pk, region in enterprises})
    officers = {}
    for code in districts:
        officers[code], _ = User.objects.get_or_create(
            username=f"bench_officer_{code}", defaults={"role": Role.OFFICER, "region_id": code}
        )
    by_district: dict[str, list[int]] = {}
    for pk, region in enterprises:
        by_district.setdefault(region, []).append(pk)
    with transaction.atomic():
        for code, pks in by_district.items():
            Enterprise.objects.filter(pk__in=pks).update(guidance_officer=officers[code])

    n_visits = int(entries * 0.7)
    n_participants = entries - n_visits
    first_day = datetime.datetime(year - 1, 1, 1, 9, 0, tzinfo=SHANGHAI)
    span_days = 730
    visits: list[GuidanceVisit] = []
    made = 0
    while made < n_visits:
        pk, region = enterprises[rng.randrange(len(enterprises))]
        if pk % 10 == 0:  # a tenth of the enterprises are never visited
            continue
        officer = officers[region]
        visits.append(
            GuidanceVisit(
                enterprise_id=pk,
                officer=officer,
                visited_at=first_day + datetime.timedelta(days=rng.randrange(span_days), minutes=rng.randrange(480)),
                place="企业会议室",
                bureau_participants="指导员",
                enterprise_participants="商秘办",
                content="商业秘密保护制度建设指导",
                created_by=officer,
            )
        )
        made += 1
        if len(visits) >= BATCH:
            GuidanceVisit.objects.bulk_create(visits)
            visits.clear()
    GuidanceVisit.objects.bulk_create(visits)

    # Trainings: one per district per month, each with participants of that district.
    activities: dict[str, list[int]] = {}
    for code in districts:
        creator = officers[code]
        rows = [
            Activity(
                kind=Activity.Kind.TRAINING,
                name=f"{year}年{month}月商业秘密保护培训",
                starts_at=datetime.datetime(year, month, 15, 9, 0, tzinfo=SHANGHAI),
                place="区市场监管局",
                organiser="区市场监管局",
                region_id=code,
                content="商业秘密保护法律法规培训",
                created_by=creator,
            )
            for month in range(1, 13)
        ]
        activities[code] = [a.pk for a in Activity.objects.bulk_create(rows)]
    participants: list[ActivityParticipant] = []
    seen: set[tuple[int, int, str]] = set()
    made = 0
    while made < n_participants:
        pk, region = enterprises[rng.randrange(len(enterprises))]
        activity = rng.choice(activities[region])
        # Employees numbered 1..40: some people are trained twice, in different months.
        key = f"E{rng.randrange(1, 41):03d}"
        if (activity, pk, key) in seen:
            continue
        seen.add((activity, pk, key))
        participants.append(
            ActivityParticipant(
                activity_id=activity, enterprise_id=pk, name=f"员工{key}", employee_no=key, person_key=key
            )
        )
        made += 1
        if len(participants) >= BATCH:
            ActivityParticipant.objects.bulk_create(participants)
            participants.clear()
    ActivityParticipant.objects.bulk_create(participants)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "guidance_visits": GuidanceVisit.objects.count(),
        "participants": ActivityParticipant.objects.count(),
        "activities": Activity.objects.count(),
        "generate_s": round(time.perf_counter() - started, 1),
    }


def _page(client: Client, url: str, requests: int) -> dict[str, Any]:
    def get() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    with CaptureQueriesContext(connection) as ctx:
        get()
    # Copied now: the next request clears the connection's query log.
    captured = [q["sql"] for q in ctx.captured_queries]
    timing = summary(timed(get, requests))

    def replay() -> None:
        # The page's own SQL, every statement, without Django: the database's share of the page.
        with connection.cursor() as cursor:
            for sql in captured:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()

    return {
        "url": url,
        "queries_per_page": len(captured),
        "page": timing,
        "page_sql_replayed": summary(timed(replay, requests)),
        "queries": captured,
    }


def _raw(sql: str, params: list[Any], requests: int) -> dict[str, Any]:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return summary(timed(run, requests))


def halfyear_sql(province_path: str, year: int) -> tuple[str, list[Any]]:
    """The half-year aggregate in raw SQL: visits per enterprise in each half, Shanghai time."""
    start = datetime.datetime(year, 1, 1, tzinfo=SHANGHAI)
    middle = datetime.datetime(year, 7, 1, tzinfo=SHANGHAI)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    sql = (
        "SELECT e.id, "
        "SUM(CASE WHEN v.visited_at >= %s AND v.visited_at < %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN v.visited_at >= %s AND v.visited_at < %s THEN 1 ELSE 0 END) "
        "FROM enterprises_enterprise e JOIN regions_region r ON r.code = e.region_id "
        "LEFT JOIN ledgers_guidancevisit v ON v.enterprise_id = e.id AND v.visited_at >= %s AND v.visited_at < %s "
        "WHERE r.path LIKE %s GROUP BY e.id"
    )
    return sql, [start, middle, middle, end, start, end, province_path + "%"]


def training_sql(province_path: str, year: int) -> tuple[str, list[Any]]:
    """The training aggregate in raw SQL, in the page's own shape: distinct people trained in
    the year per liaison-point enterprise of the province, and those enterprises' employees
    (the page rolls both up to the districts in Python)."""
    start = datetime.datetime(year, 1, 1, tzinfo=SHANGHAI)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    sql = (
        "SELECT e.id, e.region_id, e.employee_count, t.n FROM enterprises_enterprise e "
        "JOIN regions_region r ON r.code = e.region_id "
        "LEFT JOIN (SELECT p.enterprise_id, COUNT(DISTINCT p.person_key) AS n "
        "FROM ledgers_activityparticipant p JOIN ledgers_activity a ON a.id = p.activity_id "
        "WHERE a.kind = 'training' AND a.starts_at >= %s AND a.starts_at < %s GROUP BY p.enterprise_id) t "
        "ON t.enterprise_id = e.id WHERE e.is_liaison_point AND r.path LIKE %s"
    )
    return sql, [start, end, province_path + "%"]


def bench_ledgers(*, user: Any, district_user: Any, province_code: str, year: int, requests: int) -> dict[str, Any]:
    from shangmi.regions.models import Region

    province = Region.objects.get(code=province_code)
    client = Client()
    client.force_login(user)
    out: dict[str, Any] = {}
    halfyear = reverse("ledgers:guidance_halfyear") + "?" + urlencode({"year": year})
    out["halfyear_province"] = _page(client, halfyear, requests)
    sql, params = halfyear_sql(province.path, year)
    out["halfyear_province"]["raw_sql"] = _raw(sql, params, requests)
    rates = reverse("ledgers:rates") + "?" + urlencode({"region": province_code, "year": year})
    out["rates_province"] = _page(client, rates, requests)
    sql, params = training_sql(province.path, year)
    out["rates_province"]["raw_sql"] = _raw(sql, params, requests)
    district_client = Client()
    district_client.force_login(district_user)
    out["halfyear_district"] = _page(district_client, halfyear, requests)
    sql, params = halfyear_sql(district_user.region.path, year)
    out["halfyear_district"]["raw_sql"] = _raw(sql, params, requests)
    for case in out.values():
        case["ratio_p50"] = round(case["page"]["p50_ms"] / case["raw_sql"]["p50_ms"], 2)
        case["ratio_p95"] = round(case["page"]["p95_ms"] / case["raw_sql"]["p95_ms"], 2)
        case["ratio_replayed_p50"] = round(case["page"]["p50_ms"] / case["page_sql_replayed"]["p50_ms"], 2)
    return out


def bench_survey_report(answering: int, province: str = "330000") -> dict[str, Any]:
    """A closed baseline survey answered by ``answering`` enterprises of another province (so
    the 100,000 enterprises of the main data set are not asked too): aggregation, the report
    PDF with its charts, and the raw-data workbook."""
    from benchmarks.surveys import build_synthetic_survey, measure_survey

    started = time.perf_counter()
    survey = build_synthetic_survey(answering, province=province, answer_share=1.0)
    out = {"build_s": round(time.perf_counter() - started, 1)}
    out.update(measure_survey(survey))
    return out
