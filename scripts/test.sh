#!/usr/bin/env bash
# Runs the whole suite on SQLite, then on PostgreSQL.
#   scripts/test.sh            both halves; PostgreSQL is skipped (with a line saying so) when
#                              unreachable, unless CI=true or SHANGMI_REQUIRE_POSTGRES=1
#   scripts/test.sh sqlite     only SQLite
#   scripts/test.sh postgres   only PostgreSQL, and it fails if the server is unreachable
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
which=${1:-both}
shift || true
PG_URL=${SHANGMI_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
export SHANGMI_DEBUG=0 SHANGMI_SECRET_KEY=test-only-key

run_sqlite() {
  echo "== test suite on SQLite =="
  env -u DATABASE_URL $PY -m pytest "$@"
}

pg_reachable() {
  $PY - "$PG_URL" <<'PYEOF'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL unreachable at {sys.argv[1]}: {exc}", file=sys.stderr)
    sys.exit(1)
PYEOF
}

run_postgres() {
  local required=$1; shift
  if ! pg_reachable; then
    if [ "$required" = 1 ]; then
      echo "FAILED: the PostgreSQL half needs a server at $PG_URL" >&2
      return 1
    fi
    echo "== SKIPPED the PostgreSQL half: no server at $PG_URL (CI requires it) =="
    return 0
  fi
  echo "== test suite on PostgreSQL ($PG_URL) =="
  DATABASE_URL=$PG_URL $PY -m pytest "$@"
}

required=0
if [ "${CI:-}" = "true" ] || [ "${SHANGMI_REQUIRE_POSTGRES:-}" = 1 ]; then required=1; fi
case "$which" in
  sqlite) run_sqlite "$@" ;;
  postgres) run_postgres 1 "$@" ;;
  both) run_sqlite "$@"; run_postgres "$required" "$@" ;;
  *) echo "usage: scripts/test.sh [sqlite|postgres|both] [pytest args]" >&2; exit 2 ;;
esac
