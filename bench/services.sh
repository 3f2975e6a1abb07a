#!/usr/bin/env bash
# Service-guide search benchmark: hit@1, hit@3 and latency over the project's
# resident question sets (tests/services/*.tsv), on SQLite and with --pg
# also on PostgreSQL.
#
#   bench/services.sh [--pg] [--rounds N]
#
# Starts a copy of build/shequ on 127.0.0.1 with a fresh small demo database
# (and with --pg on a throwaway PostgreSQL 15 cluster from tests/pg.sh), runs
# bench/services.mjs against it, and removes everything at exit.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/bench/lib.sh"
PG=0 ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --pg) PG=1 ;;
    --rounds) ROUNDS=$2; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
bench_workspace shequ-services-bench
cp "$ROOT/build/shequ" "$TMP/shequ"

run() {  # label db-url
  local label=$1 url=$2 port
  "$TMP/shequ" demo --db "$url" --key-file "$TMP/$label.key" --scale small >/dev/null
  "$TMP/shequ" serve --db "$url" --key-file "$TMP/$label.key" --listen 127.0.0.1:0 >"$TMP/$label.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do
    port=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$TMP/$label.log")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$TMP/$label.log" >&2; exit 1; }
  echo "$label: $(node "$ROOT/bench/services.mjs" "http://127.0.0.1:$port" --rounds "$ROUNDS")"
}

echo "bench/services.sh${*:+ $*} — $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); work tree $(git -C "$ROOT" rev-parse --short HEAD)"
run sqlite "sqlite:$TMP/s.db"
if [ "$PG" = 1 ]; then
  PG_DIR="$TMP/pg"
  "$ROOT/tests/pg.sh" start "$PG_DIR" >/dev/null
  run postgresql "$(cat "$PG_DIR/url")"
fi
