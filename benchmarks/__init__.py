"""`make bench`: the platform at province scale (100,000 enterprises) on SQLite and PostgreSQL.

    python -m benchmarks                       # full run, both databases (make bench)
    python -m benchmarks --size 10000 --db sqlite   # a quick run

Each database is measured in its own subprocess (``benchmarks.run_db``) with
DATABASE_URL pointing at a fresh database; the figures are printed as a table and
written as JSON to bench-results/.
"""

# Targets from the issue.
LIST_P95_MS = 100.0
LIST_RAW_RATIO = 3.0
IMPORT_ROWS_PER_S = 10_000.0
IMPORT_PEAK_MB = 500.0
