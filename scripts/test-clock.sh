#!/usr/bin/env bash
# Runs the suite (SQLite, browser tests aside) with the clock set to the hours where China's
# calendar and UTC's disagree, so that a date, year, half-year or deadline taken in UTC (or from
# the machine's clock) fails here rather than only between 16:00 and 24:00 UTC on CI:
#   19:30 UTC          Shanghai is already 03:30 the next day
#   31 Dec 16:30 UTC   00:30 on 1 January in Shanghai: the year changes
#   30 Jun 16:30 UTC   00:30 on 1 July in Shanghai: the half-year changes
# Debian's libfaketime (package faketime) sets the clock of pytest and everything it starts;
# SQLite computes its own CURRENT_TIMESTAMP in the same process, so the database agrees. The
# clock is shifted by a fixed offset rather than started at the moment, so that every process
# (pytest, openssl behind the test timestamp authority, a child server) reads the same time.
#   scripts/test-clock.sh                 all three moments
#   scripts/test-clock.sh MOMENT [args]   one moment ("2026-12-31 16:30:00", UTC), pytest args
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
command -v faketime >/dev/null || { echo "FAILED: needs Debian's faketime (apt-get install faketime)" >&2; exit 1; }
export SHANGMI_DEBUG=0 SHANGMI_SECRET_KEY=test-only-key TZ=UTC
# The monotonic clock moves by the same offset: leaving it real makes libfaketime's absolute
# sleeps (time.sleep, subprocess timeouts) fail with EINVAL.
unset FAKETIME_DONT_FAKE_MONOTONIC

year=$(date -u +%Y)
run_at() {
  local moment=$1; shift
  echo "== test suite on SQLite with the clock at $moment UTC ($(TZ=Asia/Shanghai date -d "$moment UTC" '+%F %H:%M') in Shanghai) =="
  local offset seen
  offset="$(( $(date -u -d "$moment" +%s) - $(date -u +%s) ))"
  [[ $offset == -* ]] || offset="+$offset"
  # The wall clock must really have moved, or this run proves nothing.
  seen=$(faketime -f "$offset" date -u +%F)
  [ "$seen" = "${moment%% *}" ] || { echo "FAILED: faketime did not set the clock ($seen)" >&2; exit 1; }
  # The slow checks that read no calendar run once, in the main halves: the upgrade from the
  # previous release and the killed job worker.
  env -u DATABASE_URL faketime -f "$offset" $PY -m pytest -p xdist -n 2 -m "not browser" \
    --ignore=tests/test_upgrade.py --ignore=tests/jobs/test_worker_kill.py "$@"
}

if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]{4}- ]]; then
  moment=$1; shift
  run_at "$moment" "$@"
  exit 0
fi
run_at "$(date -u +%F) 19:30:00" "$@"
run_at "$year-12-31 16:30:00" "$@"
run_at "$year-06-30 16:30:00" "$@"
