#!/usr/bin/env bash
# HTTP benchmark: shequ against nginx serving a static file of the same size.
#
#   bench/http.sh [--pg] [--runs N] [--duration 10s] [--connections 64]
#                 [--wrk-threads 2] [--nginx-workers auto|N] [--shequ-threads 4]
#
# Everything runs on 127.0.0.1 and is removed at exit: nginx (generated config,
# `daemon off;`, pid and logs in a temp dir), shequ on a temp SQLite database
# with the 长宁区 district demo, and with --pg also shequ on a throwaway
# PostgreSQL 15 cluster (tests/pg.sh). Each target gets a 2 s warm-up (not
# reported), then `wrk -t2 -c64 -d10s --latency` RUNS times; the rounds are
# interleaved (nginx, health, scoped, nginx, ...) so that noise from other
# processes on the machine falls on every target alike. The table reports the
# median requests/s and the median p99 latency of the runs, and the ratio of
# each median requests/s to nginx's median requests/s from the same invocation.
set -euo pipefail

# Tools: Debian packages, installed only when missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_install wrk nginx-light curl

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHEQU=${SHEQU:-$ROOT/build/shequ}
COMMAND_LINE="bench/http.sh${*:+ $*}"

PG=0 RUNS=3 DURATION=10s CONNECTIONS=64 WRK_THREADS=2 NGINX_WORKERS=auto SHEQU_THREADS=4
while [ $# -gt 0 ]; do
  case "$1" in
    --pg) PG=1 ;;
    --runs) RUNS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    --wrk-threads) WRK_THREADS=$2; shift ;;
    --nginx-workers) NGINX_WORKERS=$2; shift ;;
    --shequ-threads) SHEQU_THREADS=$2; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$SHEQU" ] || { echo "no shequ binary at $SHEQU (build it first: cmake --build build)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/shequ-bench.XXXXXX)
chmod 755 "$TMP"  # nginx workers run as nobody and read the static file from here
PIDS=()
PG_DIR=""
WRK_PID=""
cleanup() {
  local status=$?
  set +e
  [ -n "$WRK_PID" ] && kill -TERM "$WRK_PID" 2>/dev/null && wait "$WRK_PID" 2>/dev/null
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  [ -n "$PG_DIR" ] && "$ROOT/tests/pg.sh" stop "$PG_DIR" >/dev/null 2>&1
  rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "[http.sh] $*" >&2; }

# Run a private copy: the build may be replaced while the benchmark runs.
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
BIN_INFO="build/shequ of $(date -u -r "$SHEQU" '+%Y-%m-%d %H:%M UTC'), sha256 $(sha256sum "$SHEQU" | cut -c1-12)"
cp "$SHEQU" "$TMP/shequ"
SHEQU=$TMP/shequ

# ---- shequ ------------------------------------------------------------------
# start_shequ NAME DB_URL: creates the demo, serves it, sets PORT_<NAME>.
start_shequ() {
  local name=$1 db=$2
  "$SHEQU" demo --db "$db" --scale district --seed 1 >"$TMP/$name.demo.log" 2>&1
  "$SHEQU" serve --db "$db" --listen 127.0.0.1:0 --web /nonexistent --no-access-log \
    --threads "$SHEQU_THREADS" --login-rate 1000 >"$TMP/$name.out" 2>"$TMP/$name.err" &
  local pid=$!
  PIDS+=("$pid")
  eval "PID_$name=$pid"
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$TMP/$name.out" | head -1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$TMP/$name.err" >&2; echo "shequ ($name) exited" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { echo "shequ ($name) did not print its port" >&2; exit 1; }
  eval "PORT_$name=$port"
  log "shequ ($name, $db) on 127.0.0.1:$port"
}

# login PORT USER → prints the bearer token
login() {
  local reply
  reply=$(curl -sS --fail -X POST -H 'Content-Type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"Shequ-demo-2026\"}" "http://127.0.0.1:$1/api/v1/auth/login")
  sed -n 's/.*"token":"\([^"]*\)".*/\1/p' <<<"$reply"
}

start_shequ sqlite "sqlite:$TMP/shequ.db"
TOKEN_sqlite=$(login "$PORT_sqlite" jiangsu)
[ -n "$TOKEN_sqlite" ] || { echo "login as jiangsu failed" >&2; exit 1; }

SCOPED=/api/v1/areas/310105002/children
# The body jiangsu sees: nginx serves these same bytes, so the sizes are equal.
mkdir -p "$TMP/www"
curl -sS --fail -H "Authorization: Bearer $TOKEN_sqlite" -o "$TMP/www/children.json" \
  "http://127.0.0.1:$PORT_sqlite$SCOPED"
BODY_BYTES=$(stat -c %s "$TMP/www/children.json")
chmod 755 "$TMP/www"; chmod 644 "$TMP/www/children.json"
log "scoped body: $BODY_BYTES bytes ($(grep -o '"code"' "$TMP/www/children.json" | wc -l) areas)"

if [ "$PG" = 1 ]; then
  PG_DIR="$TMP/pg"
  "$ROOT/tests/pg.sh" start "$PG_DIR" >&2
  start_shequ pg "$(cat "$PG_DIR/url")"
  TOKEN_pg=$(login "$PORT_pg" jiangsu)
  [ -n "$TOKEN_pg" ] || { echo "login as jiangsu failed (pg)" >&2; exit 1; }
  PG_BYTES=$(curl -sS --fail -H "Authorization: Bearer $TOKEN_pg" "http://127.0.0.1:$PORT_pg$SCOPED" | wc -c)
  [ "$PG_BYTES" = "$BODY_BYTES" ] || log "note: PostgreSQL body is $PG_BYTES bytes, SQLite $BODY_BYTES"
fi

# ---- nginx ------------------------------------------------------------------
NGINX_PORT=$(( 40000 + RANDOM % 20000 ))
mkdir -p "$TMP/nginx/logs" "$TMP/nginx/tmp"
chmod -R 755 "$TMP/nginx"
cat >"$TMP/nginx/nginx.conf" <<EOF
# Generated by bench/http.sh.
worker_processes $NGINX_WORKERS;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 1000000;  # wrk keeps its 64 connections open: so does shequ
  client_body_temp_path $TMP/nginx/tmp/body;
  proxy_temp_path $TMP/nginx/tmp/proxy;
  fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
  uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
  scgi_temp_path $TMP/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $TMP/www;
    location = $SCOPED { default_type application/json; try_files /children.json =404; }
  }
}
EOF
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/logs/error.log" -t -q
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/logs/error.log" &
PID_nginx=$!
PIDS+=("$PID_nginx")
for _ in $(seq 50); do
  curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT$SCOPED" && break
  kill -0 "$PID_nginx" 2>/dev/null || { cat "$TMP/nginx/logs/error.log" >&2; exit 1; }
  sleep 0.1
done
NGINX_BYTES=$(curl -sS --fail "http://127.0.0.1:$NGINX_PORT$SCOPED" | wc -c)
[ "$NGINX_BYTES" = "$BODY_BYTES" ] || { echo "nginx body $NGINX_BYTES != $BODY_BYTES" >&2; exit 1; }
NGINX_WORKER_COUNT=$(pgrep -P "$PID_nginx" | wc -l)
log "nginx on 127.0.0.1:$NGINX_PORT (worker_processes $NGINX_WORKERS = $NGINX_WORKER_COUNT workers), same $BODY_BYTES-byte body"

# ---- wrk --------------------------------------------------------------------
cat >"$TMP/auth.lua" <<'EOF'
-- Adds the session token of the benchmark's account to every request.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SHEQU_TOKEN")
EOF

# Targets: name|url|token-variable ("" = no header)|pid to watch
TARGETS=("nginx static file ($BODY_BYTES B)|http://127.0.0.1:$NGINX_PORT$SCOPED||$PID_nginx"
         "shequ sqlite GET /api/v1/health|http://127.0.0.1:$PORT_sqlite/api/v1/health||$PID_sqlite"
         "shequ sqlite GET $SCOPED as jiangsu|http://127.0.0.1:$PORT_sqlite$SCOPED|TOKEN_sqlite|$PID_sqlite")
if [ "$PG" = 1 ]; then
  TARGETS+=("shequ postgresql GET /api/v1/health|http://127.0.0.1:$PORT_pg/api/v1/health||$PID_pg"
            "shequ postgresql GET $SCOPED as jiangsu|http://127.0.0.1:$PORT_pg$SCOPED|TOKEN_pg|$PID_pg")
fi
WRK_ARGS=(-t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency)

# run_wrk INDEX ROUND DURATION: output in $TMP/wrk.INDEX.ROUND
run_wrk() {
  local i=$1 round=$2 duration=$3 name url tokvar pid
  IFS='|' read -r name url tokvar pid <<<"${TARGETS[$i]}"
  local args=("${WRK_ARGS[@]}" -d"$duration")
  [ -n "$tokvar" ] && args+=(-s "$TMP/auth.lua")
  # In the background, so that a signal reaches the trap at once.
  SHEQU_TOKEN=${tokvar:+${!tokvar}} wrk "${args[@]}" "$url" >"$TMP/wrk.$i.$round" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID"
  WRK_PID=""
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "SERVER DIED during '$name' round $round" | tee -a "$TMP/problems" >&2
  fi
}

# Parses one wrk output: "req/s p99_ms requests non2xx socket_errors"
parse_wrk() {
  awk '
    /Requests\/sec:/ { rps = $2 }
    /^ +99%/ { v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
               p99 = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : (unit == "m") ? v * 60000 : v }
    / requests in / { reqs = $1 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { gsub(/,/, ""); socket = $4 + $6 + $8 + $10 }
    END { printf "%s %.3f %s %d %d\n", rps, p99, reqs, non2xx, socket }' "$1"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date +%s)
for i in "${!TARGETS[@]}"; do
  log "warm-up 2s: ${TARGETS[$i]%%|*}"
  run_wrk "$i" warmup 2s
done
for round in $(seq "$RUNS"); do
  for i in "${!TARGETS[@]}"; do
    log "round $round/$RUNS: ${TARGETS[$i]%%|*}"
    run_wrk "$i" "$round" "$DURATION"
    read -r rps p99 reqs non2xx socket < <(parse_wrk "$TMP/wrk.$i.$round")
    log "  $rps req/s, p99 $p99 ms, $reqs requests, non-2xx $non2xx, socket errors $socket"
    [ "$non2xx" -eq 0 ] || echo "'${TARGETS[$i]%%|*}' round $round: $non2xx non-2xx/3xx responses" >>"$TMP/problems"
    [ "$socket" -eq 0 ] || echo "'${TARGETS[$i]%%|*}' round $round: socket errors: $(grep 'Socket errors' "$TMP/wrk.$i.$round")" >>"$TMP/problems"
    echo "$i $round $rps $p99 $reqs $non2xx $socket" >>"$TMP/results"
  done
done
ELAPSED=$(( $(date +%s) - START ))

# Each responds correctly still after the load?
for i in "${!TARGETS[@]}"; do
  IFS='|' read -r name url tokvar pid <<<"${TARGETS[$i]}"
  hdr=()
  [ -n "$tokvar" ] && hdr=(-H "Authorization: Bearer ${!tokvar}")
  code=$(curl -s -o /dev/null -w '%{http_code}' "${hdr[@]}" "$url" || true)
  [ "$code" = 200 ] || echo "'$name' answers $code after the load" >>"$TMP/problems"
done
for name in sqlite pg; do
  [ -f "$TMP/$name.err" ] || continue
  n=$(grep -ciE 'error|warn|critical' "$TMP/$name.err" || true)
  if [ "$n" -gt 0 ]; then
    echo "shequ ($name) logged $n warning/error lines; first ones:" >>"$TMP/problems"
    grep -iE 'error|warn|critical' "$TMP/$name.err" | head -5 | sed 's/^/    /' >>"$TMP/problems"
  fi
done
if [ -s "$TMP/nginx/logs/error.log" ]; then
  echo "nginx error.log:" >>"$TMP/problems"; head -5 "$TMP/nginx/logs/error.log" | sed 's/^/    /' >>"$TMP/problems"
fi

# ---- report -----------------------------------------------------------------
col() { awk -v i="$1" -v c="$2" '$1 == i { print $c }' "$TMP/results"; }
NGINX_RPS=$(col 0 3 | median)
GOAL_RPS="" GOAL_P99=""
echo
echo "## HTTP benchmark: medians of $RUNS runs of wrk ${WRK_ARGS[*]}"
echo
echo "Started $START_DATE; $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1);" \
  "work tree $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (src/ modified)')" \
  "($BIN_INFO) with --threads $SHEQU_THREADS; nginx $(nginx -v 2>&1 | sed 's|.*/||') worker_processes $NGINX_WORKERS ($NGINX_WORKER_COUNT);" \
  "$(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'); response body $BODY_BYTES bytes; load phase ${ELAPSED}s;" \
  "load average before/after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| target | requests/s (median) | p99 latency ms (median) | ratio to nginx req/s | runs: req/s | runs: p99 ms | non-2xx | socket errors |"
echo "|---|---:|---:|---:|---|---|---:|---:|"
for i in "${!TARGETS[@]}"; do
  name=${TARGETS[$i]%%|*}
  rps=$(col "$i" 3 | median)
  p99=$(col "$i" 4 | median)
  ratio=$(awk -v a="$rps" -v b="$NGINX_RPS" 'BEGIN { printf "%.2f (%.0f %%)", a / b, 100 * a / b }')
  runs_rps=$(col "$i" 3 | paste -sd/ -)
  runs_p99=$(col "$i" 4 | paste -sd/ -)
  non2xx=$(col "$i" 6 | awk '{ s += $1 } END { print s + 0 }')
  socket=$(col "$i" 7 | awk '{ s += $1 } END { print s + 0 }')
  echo "| $name | $rps | $p99 | $ratio | $runs_rps | $runs_p99 | $non2xx | $socket |"
  if [ "$i" = 2 ]; then GOAL_RPS=$(awk -v a="$rps" -v b="$NGINX_RPS" 'BEGIN { print (a >= 0.6 * b) ? "yes" : "no" }')
                        GOAL_P99=$(awk -v p="$p99" 'BEGIN { print (p < 20) ? "yes" : "no" }'); fi
done
echo
if [ "$GOAL_RPS" = yes ] && [ "$GOAL_P99" = yes ]; then verdict=MET; else verdict="NOT MET"; fi
echo "Goal (scoped read on SQLite >= 60 % of nginx req/s: $GOAL_RPS; its p99 < 20 ms: $GOAL_P99): **$verdict**"
echo
if [ -s "$TMP/problems" ]; then
  echo "Problems seen:"; sed 's/^/- /' "$TMP/problems"
else
  echo "Problems seen: none (no non-2xx/3xx responses, no socket errors, no server exits, every target answered 200 afterwards, no warnings in the server logs)."
fi
echo
echo "Command: $COMMAND_LINE"
