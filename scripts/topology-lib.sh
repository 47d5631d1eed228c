# shellcheck shell=bash
# The production topology of docs/deploy.md on loopback ports, shared by scripts/topology-test.sh
# and scripts/load-test.sh (source it; call the topology_* functions in order):
# nginx (Debian's) over HTTPS with a self-signed certificate in front of two gunicorn page
# servers and a gunicorn sign-in pool, two job workers, one PostgreSQL database of its own.
# Everything it started is stopped and its database dropped on exit (trap set by topology_init).
#
# Before sourcing, a script may set:
#   TOPOLOGY_PG    postgres://postgres@127.0.0.1:5432 (the server; the database is created on it)
#   TOPOLOGY_DB    the database (dropped first and at exit)
#   TOPOLOGY_PORT  nginx HTTPS on it, HTTP on +1, gunicorn pages on +11 and +12, sign-in on +13
#   TOPOLOGY_PAGE_WORKERS / TOPOLOGY_SIGNIN_WORKERS   gunicorn workers per page server / sign-in pool
# Everything listens on 127.0.0.1 only.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=$ROOT/.venv/bin/python
PG=${TOPOLOGY_PG:-postgres://postgres@127.0.0.1:5432}
DB=${TOPOLOGY_DB:-t_prod_topology}
PORT=${TOPOLOGY_PORT:-18400}
HTTP_PORT=$((PORT + 1)) PAGES1=$((PORT + 11)) PAGES2=$((PORT + 12)) SIGNIN=$((PORT + 13))
BASE=https://127.0.0.1:$PORT
PIDS=()
WORK=""

step() { echo "== topology: $* =="; }
fail() { echo "FAIL $*" >&2; [ -n "${WORK:-}" ] && tail -n 15 "$WORK"/*.log >&2; exit 1; }
psql_admin() { psql "$PG/postgres" -v ON_ERROR_STOP=1 -qAtc "$1"; }

topology_cleanup() {
  set +e
  # Each process leads its own process group (setsid): a gunicorn master and its workers go together.
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done
  [ -f "$WORK/nginx.pid" ] && kill -QUIT "$(cat "$WORK/nginx.pid")" 2>/dev/null
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null
  done
  psql_admin "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}

# A work folder, the exit trap, the tools checked, a fresh database, the settings file loaded.
topology_init() {
  cd "$ROOT"
  for tool in nginx openssl pg_dump psql curl; do
    command -v $tool >/dev/null || { echo "the topology needs $tool (apt-get install nginx openssl postgresql-client curl)" >&2; exit 1; }
  done
  WORK=$(mktemp -d /tmp/shangmi-topology.XXXXXX)
  chmod 755 "$WORK"
  trap topology_cleanup EXIT

  step "database $DB (deploy.md section 3)"
  psql_admin "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  psql_admin "CREATE DATABASE $DB"

  # deploy.md section 2: the settings, in a file every process loads.
  cat >"$WORK/env" <<EOF
DATABASE_URL=$PG/$DB
SHANGMI_DEBUG=0
SHANGMI_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
SHANGMI_ALLOWED_HOSTS=127.0.0.1
SHANGMI_CSRF_TRUSTED_ORIGINS=$BASE
SHANGMI_SECURE_SSL_REDIRECT=1
SHANGMI_HSTS_SECONDS=3600
SHANGMI_HSTS_INCLUDE_SUBDOMAINS=1
SHANGMI_HSTS_PRELOAD=1
SHANGMI_SECURE_COOKIES=1
SHANGMI_PROXY_SSL_HEADER=X-Forwarded-Proto
SHANGMI_VAR_DIR=$WORK/var
SHANGMI_MEDIA_ROOT=$WORK/var/media
SHANGMI_EVIDENCE_KEY_FILE=$WORK/keys/evidence-log.key
SHANGMI_EVIDENCE_ORIGIN=127.0.0.1/evidence/v1
SHANGMI_PUBLIC_URL=$BASE
SHANGMI_DB_CONN_MAX_AGE=60
SHANGMI_LOG_FORMAT=json
SHANGMI_LOG_LEVEL=INFO
SHANGMI_IMPORT_SYNC_ROWS=100
SHANGMI_WORKER_HEARTBEAT_SECONDS=2
SHANGMI_WORKER_STALE_SECONDS=6
SHANGMI_WEB_WORKERS=${TOPOLOGY_PAGE_WORKERS:-2}
EOF
  set -a
  # shellcheck disable=SC1091
  . "$WORK/env"
  set +a
}

# deploy.md section 3: migrate, reference data, the evidence key, static files, check --deploy.
topology_setup() {
  step "migrate, reference data, evidence key, collectstatic, check --deploy"
  $PY manage.py migrate --noinput >/dev/null
  $PY manage.py load_reference_data >/dev/null
  $PY manage.py evidence_init >/dev/null
  $PY manage.py collectstatic --noinput >/dev/null
  $PY manage.py check --deploy --fail-level WARNING
}

topology_start() { # name command...
  local name=$1; shift
  setsid "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}

# The certificate, the gunicorn processes, the job workers and nginx; waits for /health/.
# Sets PAGES2_PID and WORKER1_PID (process-group leaders) for fault tests.
topology_serve() {
  step "a self-signed certificate for 127.0.0.1 (deploy.md section 5 uses the bureau's own)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$WORK/privkey.pem" -out "$WORK/fullchain.pem" 2>/dev/null

  step "gunicorn: pages on $PAGES1 and $PAGES2, sign-in on $SIGNIN; two job workers"
  topology_start pages1 env SHANGMI_BIND=127.0.0.1:$PAGES1 .venv/bin/gunicorn -c deploy/gunicorn.conf.py
  topology_start pages2 env SHANGMI_BIND=127.0.0.1:$PAGES2 .venv/bin/gunicorn -c deploy/gunicorn.conf.py
  PAGES2_PID=${PIDS[-1]}
  topology_start signin env SHANGMI_BIND=127.0.0.1:$SIGNIN SHANGMI_WEB_WORKERS=${TOPOLOGY_SIGNIN_WORKERS:-1} \
    .venv/bin/gunicorn -c deploy/gunicorn.conf.py
  topology_start worker1 "$PY" manage.py db_worker --no-reload --worker-id topology-1
  WORKER1_PID=${PIDS[-1]}
  topology_start worker2 "$PY" manage.py db_worker --no-reload --worker-id topology-2

  step "nginx with deploy/nginx-shangmi.conf on $PORT (HTTPS) and $HTTP_PORT (HTTP)"
  mkdir -p "$WORK/nginx"
  sed -e "s#listen 443 ssl http2;#listen 127.0.0.1:$PORT ssl http2;#" \
      -e "s#listen 80;#listen 127.0.0.1:$HTTP_PORT;#" \
      -e '/listen \[::\]/d' \
      -e "s#server_name shangmi.example.gov.cn;#server_name 127.0.0.1;#" \
      -e "s#return 301 https://\$host\$request_uri;#return 301 https://\$host:$PORT\$request_uri;#" \
      -e "s#127.0.0.1:8001#127.0.0.1:$PAGES1#; s#127.0.0.1:8002#127.0.0.1:$PAGES2#; s#127.0.0.1:8003#127.0.0.1:$SIGNIN#" \
      -e "s#/etc/ssl/shangmi/#$WORK/#g" \
      -e "s#/srv/shangmi/var/static/#$WORK/var/static/#" \
      deploy/nginx-shangmi.conf >"$WORK/nginx/site.conf"
  cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log $WORK/nginx-access.log;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    include $WORK/nginx/site.conf;
}
EOF
  nginx -t -c "$WORK/nginx.conf" -p "$WORK" 2>&1 | tail -1
  nginx -c "$WORK/nginx.conf" -p "$WORK"

  step "waiting for /health/ through nginx: the database and both workers"
  local health=""
  for _ in $(seq 120); do
    health=$(curl -s --cacert "$WORK/fullchain.pem" "$BASE/health/" || true)
    [[ $health == *'"workers": 2'* && $health == *'"status": "ok"'* ]] && break
    sleep 0.5
  done
  echo "$health"
  [[ $health == *'"workers": 2'* ]] || fail "/health/ never saw both workers"
}
