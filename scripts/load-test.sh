#!/usr/bin/env bash
# `make load`: the platform under a province's staff, on the production topology of
# docs/deploy.md (scripts/topology-lib.sh: nginx over HTTPS, two page servers, a sign-in pool,
# two job workers, PostgreSQL), everything on 127.0.0.1 only. It seeds a province
# (benchmarks/load_seed.py: regions, thousands of enterprises, guidance and training ledgers,
# the accounts), runs locust headless with benchmarks/locustfile.py (the roles' journeys, 5-15 s
# think time), stops by itself after LOAD_RUN_TIME, and writes the figures per page
# (benchmarks/load_report.py) into BENCHMARKS.md with the command that produced them.
#
#   make load                                  200 users signing in at 2 a second, 5 minutes
#   LOAD_USERS=50 LOAD_TAG="50 users" make load
#   LOAD_SPAWN_RATE=10 LOAD_TAG="200 users, sign-in wave 10/s" make load
#   LOAD_ENTERPRISES=20000 LOAD_LEDGER_ENTRIES=100000 LOAD_RUN_TIME=5m LOAD_WRITE=0 (print only)
#   SHANGMI_LOAD_PG=postgres://postgres@127.0.0.1:5432 SHANGMI_LOAD_DB=t_load SHANGMI_LOAD_PORT=18500
set -euo pipefail
USERS=${LOAD_USERS:-200}
SPAWN_RATE=${LOAD_SPAWN_RATE:-2}
RUN_TIME=${LOAD_RUN_TIME:-5m}
ENTERPRISES=${LOAD_ENTERPRISES:-20000}
LEDGER_ENTRIES=${LOAD_LEDGER_ENTRIES:-100000}
TAG=${LOAD_TAG:-$USERS users, sign-in $SPAWN_RATE/s}
TOPOLOGY_PG=${SHANGMI_LOAD_PG:-postgres://postgres@127.0.0.1:5432}
TOPOLOGY_DB=${SHANGMI_LOAD_DB:-t_load}
TOPOLOGY_PORT=${SHANGMI_LOAD_PORT:-18500}
# Four page workers in all (two servers of two), as the issue's measurements had; sign-in
# gets its own two.
TOPOLOGY_PAGE_WORKERS=${LOAD_PAGE_WORKERS:-2}
TOPOLOGY_SIGNIN_WORKERS=${LOAD_SIGNIN_WORKERS:-2}
# shellcheck source=scripts/topology-lib.sh
. "$(dirname "$0")/topology-lib.sh"
command -v "$ROOT/.venv/bin/locust" >/dev/null || { echo "locust is missing: make install (requirements-dev.txt)" >&2; exit 1; }

topology_init
topology_setup
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(16))')
step "seed: $ENTERPRISES enterprises, $LEDGER_ENTRIES ledger entries, $USERS accounts"
$PY -m benchmarks.load_seed --enterprises "$ENTERPRISES" --ledger-entries "$LEDGER_ENTRIES" --users "$USERS" \
  --password "$PASSWORD" --accounts "$WORK/accounts.json"
topology_serve

step "locust: $USERS users, $SPAWN_RATE new a second, for $RUN_TIME"
# The load's own time limit, and a hard stop past it should locust hang.
LOAD_ACCOUNTS=$WORK/accounts.json LOAD_PASSWORD=$PASSWORD LOAD_CAFILE=$WORK/fullchain.pem \
  timeout --signal=INT --kill-after=30 900 \
  "$ROOT/.venv/bin/locust" -f benchmarks/locustfile.py --headless --host "$BASE" \
  --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" --stop-timeout 20 \
  --csv "$WORK/locust" --only-summary --loglevel WARNING >"$WORK/locust.log" 2>&1 || true
tail -n 40 "$WORK/locust.log"
[ -f "$WORK/locust_stats.csv" ] || fail "locust wrote no statistics"

COMMAND="LOAD_USERS=$USERS LOAD_SPAWN_RATE=$SPAWN_RATE LOAD_RUN_TIME=$RUN_TIME LOAD_ENTERPRISES=$ENTERPRISES"
COMMAND+=" LOAD_LEDGER_ENTRIES=$LEDGER_ENTRIES make load"
NOTE="PostgreSQL $(psql "$PG/$DB" -qAtc 'SHOW server_version'), $(nproc) CPUs shared with other work;"
NOTE+=" $ENTERPRISES enterprises, $LEDGER_ENTRIES ledger entries; nginx, 2 page servers of"
NOTE+=" $TOPOLOGY_PAGE_WORKERS gunicorn workers, a sign-in pool of $TOPOLOGY_SIGNIN_WORKERS, 2 job workers."
cp "$WORK/locust_stats.csv" "$ROOT/var/load-last_stats.csv" 2>/dev/null || { mkdir -p "$ROOT/var"; cp "$WORK/locust_stats.csv" "$ROOT/var/load-last_stats.csv"; }
[ -f "$WORK/locust_failures.csv" ] && cp "$WORK/locust_failures.csv" "$ROOT/var/load-last_failures.csv"
if [ "${LOAD_WRITE:-1}" = 1 ]; then
  $PY -m benchmarks.load_report "$WORK/locust" --command "$COMMAND" --note "$NOTE" --tag "$TAG" --write BENCHMARKS.md
else
  $PY -m benchmarks.load_report "$WORK/locust" --command "$COMMAND" --note "$NOTE"
fi
step "done"
