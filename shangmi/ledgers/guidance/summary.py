"""Rebuilding the half-year summaries from the ledger itself.

The database keeps the four summary tables by triggers (migrations 0003 and 0004 of the
ledgers app), in the transaction of whatever writes the visits or the enterprises, so they do
not drift. Should one ever be wrong (a restore of some tables but not others, triggers
dropped by hand), ``manage.py rebuild_guidance_summary`` recounts them here: the per-enterprise
half counts from the visits, then the per-region summaries from the enterprises and those
counts, in one transaction (on PostgreSQL with the visits and enterprises locked against
writes meanwhile).
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction

from shangmi.core.calendar import PROGRAM_TZ

VISITS = "ledgers_guidancevisit"
ENTERPRISES = "enterprises_enterprise"
COUNTS = "ledgers_guidancehalfcount"
REGIONS = "ledgers_guidanceregioncount"
OFFICERS = "ledgers_guidanceofficercount"
HALVES = "ledgers_guidanceregionhalf"
SUMMARIES = (REGIONS, OFFICERS, HALVES)

GUIDED = "(e.guidance_officer_id IS NOT NULL OR e.liaison_officer_id IS NOT NULL OR e.is_liaison_point)"


def _local_year_half() -> tuple[str, str]:
    """SQL for the local (Shanghai) year and half of ``v.visited_at``, as the triggers count them."""
    if connection.vendor == "postgresql":
        zone = str(PROGRAM_TZ)
        return (
            f"EXTRACT(YEAR FROM v.visited_at AT TIME ZONE '{zone}')::int",
            f"(CASE WHEN EXTRACT(MONTH FROM v.visited_at AT TIME ZONE '{zone}') <= 6 THEN 1 ELSE 2 END)",
        )
    # SQLite has no zones: China's fixed offset (no daylight saving since 1991).
    offset = datetime.datetime(2000, 1, 1, tzinfo=PROGRAM_TZ).utcoffset()
    hours = offset.total_seconds() / 3600 if offset is not None else 0
    return (
        f"CAST(strftime('%Y', v.visited_at, '{hours:+g} hours') AS INTEGER)",
        f"(CASE WHEN CAST(strftime('%m', v.visited_at, '{hours:+g} hours') AS INTEGER) <= 6 THEN 1 ELSE 2 END)",
    )


def recount_statements() -> list[str]:
    """INSERTs that fill the emptied summary tables from the visits and the enterprises."""
    year, half = _local_year_half()
    return [
        f"INSERT INTO {COUNTS} (enterprise_id, year, half, visits) "
        f"SELECT v.enterprise_id, {year}, {half}, COUNT(*) FROM {VISITS} v GROUP BY 1, 2, 3",
        f"INSERT INTO {REGIONS} (region_id, enterprises) "
        f"SELECT e.region_id, COUNT(*) FROM {ENTERPRISES} e WHERE {GUIDED} GROUP BY e.region_id",
        f"INSERT INTO {OFFICERS} (officer_id, region_id, enterprises) "
        f"SELECT o.officer_id, o.region_id, COUNT(*) FROM ("
        f"SELECT e.id, e.region_id, e.liaison_officer_id AS officer_id FROM {ENTERPRISES} e "
        f"WHERE e.liaison_officer_id IS NOT NULL UNION "
        f"SELECT e.id, e.region_id, e.guidance_officer_id FROM {ENTERPRISES} e WHERE e.guidance_officer_id IS NOT NULL"
        f") o GROUP BY o.officer_id, o.region_id",
        f"INSERT INTO {HALVES} (region_id, year, first_half, second_half, both_halves) "
        f"SELECT e.region_id, h.year, SUM(h.first), SUM(h.second), SUM(h.first * h.second) FROM ("
        f"SELECT enterprise_id, year, MAX(CASE WHEN half = 1 THEN 1 ELSE 0 END) AS first, "
        f"MAX(CASE WHEN half = 2 THEN 1 ELSE 0 END) AS second FROM {COUNTS} GROUP BY enterprise_id, year"
        f") h JOIN {ENTERPRISES} e ON e.id = h.enterprise_id WHERE {GUIDED} GROUP BY e.region_id, h.year",
    ]


def rebuild_summary() -> dict[str, int]:
    """Recount the four summary tables; returns the rows each holds afterwards."""
    with transaction.atomic(), connection.cursor() as cursor:
        postgresql = connection.vendor == "postgresql"
        if postgresql:
            # Writers wait; readers (the pages) go on reading the old counts until the commit.
            cursor.execute(f"LOCK TABLE {VISITS}, {ENTERPRISES} IN SHARE MODE")
            # The region summaries are counted afresh below: their trigger on the half counts
            # would only update the same few dozen rows once per half count (300,000 times, each
            # a new row version: it did not finish in 6 minutes). Off inside this transaction.
            cursor.execute(f"ALTER TABLE {COUNTS} DISABLE TRIGGER guidance_region_half")
        # The half counts first: emptying and refilling them sets the triggers of migration 0004
        # adjusting the region summaries (SQLite), which are then emptied and counted afresh anyway.
        cursor.execute(f"DELETE FROM {COUNTS}")
        counts, *summaries = recount_statements()
        cursor.execute(counts)
        if postgresql:
            cursor.execute(f"ALTER TABLE {COUNTS} ENABLE TRIGGER guidance_region_half")
        for table in SUMMARIES:
            cursor.execute(f"DELETE FROM {table}")
        for sql in summaries:
            cursor.execute(sql)
        rows = {}
        for table in (COUNTS, *SUMMARIES):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            (rows[table],) = cursor.fetchone()
    return rows


__all__ = ["rebuild_summary", "recount_statements"]
