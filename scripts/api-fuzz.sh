#!/usr/bin/env bash
# Schemathesis over the whole REST API, against a live server on 127.0.0.1 with a token.
#   scripts/api-fuzz.sh            bounded run (SHANGMI_FUZZ_EXAMPLES per operation, SHANGMI_FUZZ_SECONDS)
# Builds a throw-away install (SQLite in a temporary folder, the demo data), starts the server,
# takes an enterprise admin's token (the one role that can write every API resource it sees:
# deposits), then runs schemathesis's checks: it fails on any server error, any status code,
# content type, header or body the schema does not declare, any request that breaks the schema
# yet is accepted, and any request the schema allows that is refused (positive_data_acceptance).
# What OpenAPI cannot say, which rows exist, is put into the valid requests by
# scripts/api_fuzz_hooks.py: a park and a region this install has, no previous deposit.
# Left out: the checks that need a second account or a stateful run. The server and the folder
# are removed whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
ST=${ST:-.venv/bin/schemathesis}
PORT=${SHANGMI_FUZZ_PORT:-8765}
EXAMPLES=${SHANGMI_FUZZ_EXAMPLES:-30}
SECONDS_BUDGET=${SHANGMI_FUZZ_SECONDS:-240}
work=$(mktemp -d)
export SHANGMI_VAR_DIR="$work/var" SHANGMI_DEBUG=0 SHANGMI_SECRET_KEY=fuzz-only-key
export SHANGMI_ALLOWED_HOSTS=127.0.0.1
unset DATABASE_URL
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== api-fuzz: preparing a throw-away install in $work =="
$PY manage.py migrate --noinput >/dev/null
$PY manage.py load_reference_data >/dev/null
$PY manage.py evidence_init >/dev/null
$PY manage.py load_demo >/dev/null
$PY manage.py runserver "127.0.0.1:$PORT" --noreload >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 60); do
  curl -fsS "http://127.0.0.1:$PORT/api/schema/" -o "$work/schema.yaml" 2>/dev/null && break
  sleep 1
done
token=$(curl -fsS -X POST -H 'Content-Type: application/json' \
  -d '{"username": "enterprise_admin", "password": "Shangmi2026demo"}' \
  "http://127.0.0.1:$PORT/api/v1/token/" | $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# Rows that exist, for the valid requests (scripts/api_fuzz_hooks.py): the enterprise admin's own
# enterprise's region, and a park the token can see (none: an empty park filter).
read_first() {
  curl -fsS -H "Authorization: Token $token" "http://127.0.0.1:$PORT/api/v1/$1" |
    $PY -c "import json,sys; rows=json.load(sys.stdin)['results']; print(rows[0]['$2'] if rows else '')"
}
export SHANGMI_FUZZ_REGION SHANGMI_FUZZ_PARK SCHEMATHESIS_HOOKS=scripts.api_fuzz_hooks
SHANGMI_FUZZ_REGION=$(read_first enterprises/ region)
SHANGMI_FUZZ_PARK=$(read_first parks/ id)
echo "== api-fuzz: valid requests name region ${SHANGMI_FUZZ_REGION:-none} and park ${SHANGMI_FUZZ_PARK:-none} =="

echo "== api-fuzz: schemathesis, at most $EXAMPLES examples per operation and ${SECONDS_BUDGET}s =="
status=0
timeout $((SECONDS_BUDGET + 120)) $ST run "http://127.0.0.1:$PORT/api/schema/" \
  --url "http://127.0.0.1:$PORT" \
  -H "Authorization: Token $token" \
  --checks all --exclude-checks ignored_auth,use_after_free,ensure_resource_availability,object_level_authorization \
  --phases examples,coverage,fuzzing \
  --max-examples "$EXAMPLES" --max-time "$SECONDS_BUDGET" --seed 2026 \
  --generation-database none --workers 1 --no-color \
  --suppress-health-check too_slow,filter_too_much,data_too_large \
  --request-timeout 30 --request-retries 2 || status=$?
# Any 5xx in the server's access log fails the run too, even one schemathesis did not see.
if grep -E '" 5[0-9]{2} ' "$work/server.log"; then
  echo "api-fuzz: the server answered with a server error (above); its log:" >&2
  grep -B2 -A30 "Traceback" "$work/server.log" | head -120 >&2
  status=1
fi
exit $status
