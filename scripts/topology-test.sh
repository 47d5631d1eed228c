#!/usr/bin/env bash
# The production topology of docs/deploy.md, from scratch on this machine, on loopback ports:
# nginx (Debian's) over HTTPS with a self-signed certificate in front of two gunicorn page
# servers and a gunicorn sign-in pool, two job workers, one PostgreSQL database of its own.
# A client signs in, opens a list, imports a file (a background job) and deposits evidence,
# all through nginx; then one page server is killed and the pages still answer; /health/
# follows the workers. Everything it started is stopped and its database dropped on exit.
#
#   scripts/topology-test.sh        (needs nginx, openssl, PostgreSQL at 127.0.0.1:5432)
#   SHANGMI_TOPOLOGY_PG=postgres://postgres@127.0.0.1:5432  SHANGMI_TOPOLOGY_DB=t_prod_topology
#   SHANGMI_TOPOLOGY_PORT=18400     (nginx HTTPS on it, HTTP on +1, gunicorn on +11, +12, +13)
set -euo pipefail
TOPOLOGY_PG=${SHANGMI_TOPOLOGY_PG:-postgres://postgres@127.0.0.1:5432}
TOPOLOGY_DB=${SHANGMI_TOPOLOGY_DB:-t_prod_topology}
TOPOLOGY_PORT=${SHANGMI_TOPOLOGY_PORT:-18400}
# shellcheck source=scripts/topology-lib.sh
. "$(dirname "$0")/topology-lib.sh"

topology_init
topology_setup
# Accounts for the client (a real install creates its own; the demo's are known here).
$PY manage.py load_demo >/dev/null
$PY manage.py shell -c "
from pathlib import Path
from benchmarks.xlsx import write_import_file
write_import_file(Path('$WORK/import.xlsx'), rows=300, province='500000', seed=11)
" >/dev/null
topology_serve
[ "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$HTTP_PORT/enterprises/")" = "301 $BASE/enterprises/" ] ||
  fail "plain HTTP is not redirected to HTTPS"
echo "ok   plain HTTP is redirected to HTTPS"
static=$(curl -s --cacert "$WORK/fullchain.pem" -o /dev/null -w '%{http_code}' "$BASE/static/vendor/htmx/htmx.min.js")
[ "$static" = 200 ] || fail "static file: $static"
echo "ok   static files from disk (collectstatic)"

before=$(psql "$PG/$DB" -qAtc "SELECT COUNT(*) FROM enterprises_enterprise")
step "the client: sign-in, a list, an import (job), a deposit"
$PY scripts/topology_probe.py --base "$BASE" --cafile "$WORK/fullchain.pem" --password Shangmi2026demo \
  --import-file "$WORK/import.xlsx" --import-rows 300
after=$(psql "$PG/$DB" -qAtc "SELECT COUNT(*) FROM enterprises_enterprise")
[ $((after - before)) = 300 ] || fail "imported $((after - before)) enterprises, not 300"
echo "ok   300 enterprises imported ($before -> $after)"

# Every process did its share: both page servers and the sign-in pool logged requests (JSON
# lines), the jobs ran on the workers.
for name in pages1 pages2; do
  grep -q '"logger": "gunicorn.access"' "$WORK/$name.log" || fail "$name served nothing"
done
grep -q '"method": "POST", "path": "/accounts/login/"' "$WORK/signin.log" || fail "the sign-in pool saw no sign-in"
grep -q '"method": "POST", "path": "/api/v1/token/"' "$WORK/signin.log" || fail "the sign-in pool saw no API token request"
echo "ok   the sign-in and the API token request went to the sign-in pool"
if grep -qE '"method": "POST", "path": "/(accounts/login|api/v1/token)/"' "$WORK/pages1.log" "$WORK/pages2.log"; then
  fail "a password check reached a page server"
fi
echo "ok   both page servers served pages, in JSON log lines"

step "faults: a page server and a job worker die"
kill -KILL -- "-$PAGES2_PID" # the master and its workers, as when a host dies
kill -KILL -- "-$WORKER1_PID"
codes=""
for _ in $(seq 20); do
  codes+=$(curl -s --cacert "$WORK/fullchain.pem" -o /dev/null -w '%{http_code} ' "$BASE/accounts/login/?next=/")
done
[[ $codes =~ ^(200\ )+$ ]] || fail "after a page server died: $codes"
echo "ok   20 requests after a page server died: all 200"
sleep 8 # past SHANGMI_WORKER_STALE_SECONDS
health=$(curl -s --cacert "$WORK/fullchain.pem" "$BASE/health/")
[[ $health == *'"workers": 1'* ]] || fail "/health/ after a worker died: $health"
echo "ok   /health/ counts the one live worker: $health"

step "passed"
