#!/usr/bin/env bash
# Cases (一网统管) benchmark: intake, the workbench list on a big database, and
# the fan-out of one transition to many event-stream subscribers.
#
#   bench/cases.sh [--pg] [--runs N] [--duration 15s] [--list-duration 20s]
#                  [--cases N] [--subscribers N] [--shequ-threads 4]
#                  [--only intake,fanout,list]
#
# 1. intake: `shequ demo --scale small` on a temp SQLite database, then
#    `wrk -t2 -cC -d15s --latency` with a Lua script that POSTs new cases to
#    /api/v1/cases, C = 32 and 8, interleaved, RUNS rounds after a 2 s warm-up.
#    Four sessions logged in beforehand (2 x jiangsu-grid, 2 x hotline) take
#    turns: the grid worker reports a random point inside grid 31010500200101
#    (its box from GET /api/v1/grid-shapes, 5 % inset), the hotline operator the
#    grid's area_code; the category is random among all categories. The Lua
#    script counts every answer that is not 201: a round with one is FAILED.
#    With --pg the same on a throwaway PostgreSQL 15 cluster (tests/pg.sh).
#    Goal: >= 2,000 cases/s (median of the -c32 rounds, no failed round).
# 2. fanout (on the intake server, whose event backlog is full by then): a node
#    script reports a case in grid 31010500200101 (jiangsu-grid), opens N
#    (default 2000) streams GET /api/v1/events with 4 sessions (2 x
#    jiangsu-dispatcher, 2 x jiangsu), waits 1 s, then POSTs the transition
#    `file` as jiangsu-dispatcher and times, for each subscriber, the arrival
#    of that case's `case` event from the POST's response (and from its send).
#    RUNS rounds, fresh connections each. Goal: every subscriber gets it.
# 3. list: `shequ demo --scale district --cases N` (default 1,000,000; timed)
#    on a second SQLite database, then GET /api/v1/cases?page=1&page_size=50 as
#    jiangsu-dispatcher (subdistrict 310105002) and admin (district), each
#    without and with the filter state=dispatched&deadline=red, with wrk
#    -t1 -c1 (one user: the latency of one request) and -t2 -c2, -d20s,
#    --timeout 120s, RUNS rounds interleaved; before each run the script waits
#    until the server has finished the requests wrk abandoned at the end of the
#    previous one (/metrics: no database connection in use). No goal was set:
#    p50/p99 and requests/s.
#
# Everything runs on 127.0.0.1 from a copy of build/shequ in a temp dir that a
# trap removes at exit, with the servers, wrk, node and the cluster.
set -euo pipefail

# Tools: Debian packages, installed only when missing (node 20 is expected to
# be there already; Debian's nodejs is installed only when `node` is missing).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_install wrk curl
command -v node >/dev/null 2>&1 || bench_install nodejs

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHEQU=${SHEQU:-$ROOT/build/shequ}
COMMAND_LINE="bench/cases.sh${*:+ $*}"

PG=0 RUNS=3 DURATION=15s LIST_DURATION=20s CASES=1000000 SUBSCRIBERS=2000 SHEQU_THREADS=4 ONLY=intake,fanout,list
while [ $# -gt 0 ]; do
  case "$1" in
    --pg) PG=1 ;;
    --runs) RUNS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --list-duration) LIST_DURATION=$2; shift ;;
    --cases) CASES=$2; shift ;;
    --subscribers) SUBSCRIBERS=$2; shift ;;
    --shequ-threads) SHEQU_THREADS=$2; shift ;;
    --only) ONLY=$2; shift ;;
    -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
want() { [[ ",$ONLY," == *",$1,"* ]]; }
[ -x "$SHEQU" ] || { echo "no shequ binary at $SHEQU (build it first: cmake --build build)" >&2; exit 1; }

# Each stream is a socket in the server and one in node.
NOFILE_WANTED=$(( 2 * SUBSCRIBERS + 1024 ))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$NOFILE_WANTED" ]; then
  ulimit -n "$NOFILE_WANTED" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
if want fanout && [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $(( SUBSCRIBERS + 256 )) ]; then
  echo "ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)): too low for $SUBSCRIBERS streams" >&2; exit 1
fi

bench_workspace shequ-bench-cases

log() { echo "[cases.sh] $*" >&2; }
problem() { echo "$*" | tee -a "$TMP/problems" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# Run a private copy: the build may be replaced while the benchmark runs.
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
BIN_INFO="build/shequ of $(date -u -r "$SHEQU" '+%Y-%m-%d %H:%M UTC'), sha256 $(sha256sum "$SHEQU" | cut -c1-12)"
cp "$SHEQU" "$TMP/shequ"
SHEQU=$TMP/shequ

# Runs a command in the background so that a signal reaches the trap at once.
run_child() {
  "$@" &
  CHILD=$!
  local status=0
  wait "$CHILD" || status=$?
  CHILD=""
  return "$status"
}

# ---- shequ ------------------------------------------------------------------
# start_shequ NAME DB_URL [serve options...]: serves an existing database, sets PORT_<NAME>, PID_<NAME>.
start_shequ() {
  local name=$1 db=$2
  shift 2
  "$SHEQU" serve --db "$db" --key-file "$TMP/$name.key" --listen 127.0.0.1:0 --web /nonexistent --no-access-log \
    --threads "$SHEQU_THREADS" --login-rate 1000 --max-connections $(( SUBSCRIBERS + 1000 )) "$@" \
    >"$TMP/$name.out" 2>"$TMP/$name.err" &
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

# stop_shequ NAME: SIGTERM, and notes a non-zero exit.
stop_shequ() {
  local pidvar="PID_$1" status=0
  kill -TERM "${!pidvar}" 2>/dev/null || true
  wait "${!pidvar}" 2>/dev/null || status=$?
  [ "$status" -eq 0 ] || problem "shequ ($1) exited with status $status on SIGTERM"
  check_log "$1"
}

check_log() {
  local n
  n=$(grep -ciE 'error|warn|critical' "$TMP/$1.err" || true)
  if [ "$n" -gt 0 ]; then
    echo "shequ ($1) logged $n warning/error lines; first ones:" >>"$TMP/problems"
    grep -iE 'error|warn|critical' "$TMP/$1.err" | head -5 | sed 's/^/    /' >>"$TMP/problems"
  fi
}

# login PORT USER → prints a bearer token (a new session each call)
login() {
  local reply
  reply=$(curl -sS --fail -X POST -H 'Content-Type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"Shequ-demo-2026\"}" "http://127.0.0.1:$1/api/v1/auth/login")
  local token
  token=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' <<<"$reply")
  [ -n "$token" ] || { echo "login as $2 failed: $reply" >&2; exit 1; }
  echo "$token"
}

# total PORT TOKEN QUERY → the "total" of the case list
list_total() {
  curl -sS --fail -H "Authorization: Bearer $2" "http://127.0.0.1:$1/api/v1/cases?page=1&page_size=1$3" |
    sed -n 's/.*"total":\([0-9]*\).*/\1/p'
}

alive() {
  local pidvar="PID_$1"
  kill -0 "${!pidvar}" 2>/dev/null || problem "SERVER DIED: shequ ($1) $2"
}

# ---- wrk --------------------------------------------------------------------
cat >"$TMP/intake.lua" <<'EOF'
-- POSTs new cases. env SHEQU_TOKENS: "grid:TOKEN hotline:TOKEN ..."; SHEQU_CATEGORIES:
-- "C0101 C0102 ..."; SHEQU_GRID: "CODE X0 Y0 X1 Y1" (the grid and its box, inset).
-- Grid tokens report a random point inside the box, hotline tokens the grid's area_code.
-- Every answer but 201 is counted; done() prints CREATED and NON201 for bench/cases.sh.
local threads = {}

function setup(thread)
  thread:set("thread_no", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  tokens, categories = {}, {}
  for kind, token in string.gmatch(os.getenv("SHEQU_TOKENS"), "(%a+):([%w_%-]+)") do
    table.insert(tokens, { kind, "Bearer " .. token })
  end
  for code in string.gmatch(os.getenv("SHEQU_CATEGORIES"), "%S+") do table.insert(categories, code) end
  local g = {}
  for v in string.gmatch(os.getenv("SHEQU_GRID"), "%S+") do table.insert(g, v) end
  grid, x0, y0, x1, y1 = g[1], tonumber(g[2]), tonumber(g[3]), tonumber(g[4]), tonumber(g[5])
  math.randomseed(os.time() * 100 + thread_no)
  n, created, non201, first_bad = 0, 0, 0, 0
end

function request()
  n = n + 1
  local t = tokens[(n + thread_no) % #tokens + 1]
  local category = categories[math.random(#categories)]
  local body
  if t[1] == "grid" then
    body = string.format('{"category_code":"%s","title":"wrk %d-%d","lng":%.6f,"lat":%.6f}', category, thread_no, n,
                         x0 + (x1 - x0) * math.random(), y0 + (y1 - y0) * math.random())
  else
    body = string.format('{"category_code":"%s","title":"wrk %d-%d","area_code":"%s"}', category, thread_no, n, grid)
  end
  return wrk.format("POST", "/api/v1/cases", { ["Authorization"] = t[2], ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    non201 = non201 + 1
    if first_bad == 0 then first_bad = status end
  end
end

function done(summary, latency, requests)
  local c, bad, first = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    bad = bad + t:get("non201")
    if first == 0 then first = t:get("first_bad") end
  end
  io.write(string.format("CREATED %d\nNON201 %d\nFIRST_NON201_STATUS %d\n", c, bad, first))
end
EOF

cat >"$TMP/auth.lua" <<'EOF'
-- Adds the session token of the benchmark's account to every request.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SHEQU_TOKEN")
EOF

# Parses one wrk output: "req/s p50_ms p99_ms requests non2xx socket_errors created non201 first_non201"
parse_wrk() {
  awk '
    function ms(v,   unit) { unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
                             return (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : (unit == "m") ? v * 60000 : v }
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    / requests in / { reqs = $1 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { gsub(/,/, ""); socket = $4 + $6 + $8 + $10 }
    /^CREATED / { created = $2 }
    /^NON201 / { non201 = $2 }
    /^FIRST_NON201_STATUS / { first = $2 }
    END { printf "%s %.3f %.3f %s %d %d %s %s %s\n", rps, p50, p99, reqs, non2xx, socket,
                 (created == "" ? "-" : created), (non201 == "" ? "-" : non201), (first == "" ? "-" : first) }' "$1"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---- 1. intake ---------------------------------------------------------------
GRID=31010500200101
# intake_setup NAME: tokens, categories and the grid's box for the Lua script.
intake_setup() {
  local name=$1 portvar="PORT_$1"
  local port=${!portvar}
  local g1 g2 h1 h2 shapes
  g1=$(login "$port" jiangsu-grid); g2=$(login "$port" jiangsu-grid)
  h1=$(login "$port" hotline); h2=$(login "$port" hotline)
  eval "TOKENS_$name='grid:$g1 hotline:$h1 grid:$g2 hotline:$h2'"
  eval "GRIDTOKEN_$name=$g1"
  eval "ADMIN_$name=$(login "$port" admin)"
  CATEGORIES=$(curl -sS --fail -H "Authorization: Bearer $g1" "http://127.0.0.1:$port/api/v1/case-categories" |
    grep -o '"code":"[^"]*"' | cut -d'"' -f4 | tr '\n' ' ')
  shapes=$(curl -sS --fail -H "Authorization: Bearer $g1" "http://127.0.0.1:$port/api/v1/grid-shapes")
  # The grid's bounding box, 5 % inset on each side (the demo's grids are rectangles).
  GRID_BOX=$(node -e '
    const fc = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const f = fc.features.find((f) => f.properties.code === process.argv[1]);
    const pts = f.geometry.coordinates[0];
    const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
    let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const dx = (x1 - x0) * 0.05, dy = (y1 - y0) * 0.05;
    console.log([x0 + dx, y0 + dy, x1 - dx, y1 - dy].map((v) => v.toFixed(6)).join(" "));' "$GRID" <<<"$shapes")
  log "intake ($name): $(wc -w <<<"$CATEGORIES") categories, grid $GRID box $GRID_BOX"
}

INTAKE_CONNS=(32 8)
# run_intake NAME ROUND CONNS DURATION
run_intake() {
  local name=$1 round=$2 conns=$3 duration=$4 portvar="PORT_$1" tokvar="TOKENS_$1"
  SHEQU_TOKENS=${!tokvar} SHEQU_CATEGORIES=$CATEGORIES SHEQU_GRID="$GRID $GRID_BOX" \
    run_child wrk -t2 -c"$conns" -d"$duration" --latency --timeout 10s -s "$TMP/intake.lua" \
    "http://127.0.0.1:${!portvar}/" >"$TMP/intake.$name.$conns.$round" 2>&1 || true
  alive "$name" "during intake -c$conns round $round"
}

intake_phase() {
  local name=$1 label=$2 admvar="ADMIN_$1" portvar="PORT_$1"
  intake_setup "$name"
  local before after created_sum=0
  before=$(list_total "${!portvar}" "${!admvar}" "")
  local load_before
  load_before=$(loadavg)
  local start
  start=$(date +%s)
  log "intake ($label): warm-up 2s -c32"
  run_intake "$name" warmup 32 2s
  read -r _ _ _ _ _ _ c _ _ < <(parse_wrk "$TMP/intake.$name.32.warmup")
  [[ "$c" =~ ^[0-9]+$ ]] && created_sum=$(( created_sum + c ))
  for round in $(seq "$RUNS"); do
    for conns in "${INTAKE_CONNS[@]}"; do
      log "intake ($label) round $round/$RUNS: -c$conns $DURATION"
      run_intake "$name" "$round" "$conns" "$DURATION"
      local rps p50 p99 reqs non2xx socket created non201 first ok=yes
      read -r rps p50 p99 reqs non2xx socket created non201 first < <(parse_wrk "$TMP/intake.$name.$conns.$round")
      log "  $rps req/s, p50 $p50 ms, p99 $p99 ms, $reqs requests, 201: $created, non-201: $non201, socket errors $socket"
      if ! [[ "$non201" =~ ^[0-9]+$ ]] || [ "$non201" -ne 0 ] || [ "$socket" -ne 0 ]; then
        ok=no
        problem "intake ($label) -c$conns round $round FAILED: non-201 $non201 (first status $first), socket errors $socket: $(grep 'Socket errors' "$TMP/intake.$name.$conns.$round" || true)"
      fi
      [[ "$created" =~ ^[0-9]+$ ]] && created_sum=$(( created_sum + created ))
      echo "$label $conns $round $rps $p50 $p99 $reqs $non201 $socket $ok" >>"$TMP/intake.results"
    done
  done
  eval "INTAKE_SECONDS_$name=$(( $(date +%s) - start ))"
  eval "INTAKE_LOAD_$name='$load_before / $(loadavg)'"
  after=$(list_total "${!portvar}" "${!admvar}" "")
  # wrk drops the answers still in flight when the time is up: at most one per connection per run.
  local grown=$(( after - before )) slack=$(( (32 + 8) * RUNS + 32 ))
  eval "INTAKE_CHECK_$name='admin total $before → $after (+$grown); wrk counted $created_sum answers 201'"
  if [ "$grown" -lt "$created_sum" ] || [ "$grown" -gt $(( created_sum + slack )) ]; then
    problem "intake ($label): the list grew by $grown cases, wrk counted $created_sum answers 201 (expected up to $slack more in flight)"
  fi
  # Every case wrk reported lies in the grid (the points were drawn inside its box).
  local all in_grid
  all=$(list_total "${!portvar}" "${!admvar}" "&q=wrk%20")
  in_grid=$(list_total "${!portvar}" "${!admvar}" "&q=wrk%20&area=$GRID")
  [ "$all" = "$in_grid" ] || problem "intake ($label): $all cases titled 'wrk …', $in_grid of them in grid $GRID"
  eval "INTAKE_CHECK_$name+='; $in_grid of the $all cases titled \"wrk …\" lie in grid $GRID'"
}

if want intake || want fanout; then
  log "demo --scale small on SQLite"
  run_child "$SHEQU" demo --db "sqlite:$TMP/intake.db" --key-file "$TMP/sqlite.key" --scale small --seed 1 >"$TMP/intake.demo.log" 2>&1
  start_shequ sqlite "sqlite:$TMP/intake.db"
fi
if want intake; then
  intake_phase sqlite "SQLite"
  if [ "$PG" = 1 ]; then
    PG_DIR="$TMP/pg"
    "$ROOT/tests/pg.sh" start "$PG_DIR" >&2
    PG_URL=$(cat "$PG_DIR/url")
    log "demo --scale small on PostgreSQL"
    run_child "$SHEQU" demo --db "$PG_URL" --key-file "$TMP/pg.key" --scale small --seed 1 >"$TMP/pg.demo.log" 2>&1
    start_shequ pg "$PG_URL"
    intake_phase pg "PostgreSQL"
    stop_shequ pg
    "$ROOT/tests/pg.sh" stop "$PG_DIR" >/dev/null 2>&1
    PG_DIR=""
  fi
fi

# ---- 2. fan-out --------------------------------------------------------------
cat >"$TMP/fanout.js" <<'EOF'
// One round of the event-stream fan-out (bench/cases.sh). env: PORT, SUB_TOKENS
// (comma-separated), SUBSCRIBERS, REPORT_TOKEN (reports the case), ACT_TOKEN (files it),
// GRID_CODE, WAIT_MS. Prints one JSON line.
'use strict';
const http = require('node:http');
const { performance } = require('node:perf_hooks');

const port = Number(process.env.PORT);
const subTokens = process.env.SUB_TOKENS.split(',');
const n = Number(process.env.SUBSCRIBERS || 2000);
const waitMs = Number(process.env.WAIT_MS || 10000);
const host = '127.0.0.1';

function call(method, path, token, body) {
  return new Promise((resolve, reject) => {
    const data = body ? JSON.stringify(body) : undefined;
    const t0 = performance.now();
    const req = http.request({ host, port, method, path, agent: false, headers: {
      Authorization: `Bearer ${token}`, 'Content-Type': 'application/json',
      ...(data ? { 'Content-Length': Buffer.byteLength(data) } : {}) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString(), t0, t1: performance.now() }));
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

// Opens one stream; resolves once its 200 head and first bytes (the retry: line) arrived.
function subscribe(i, state) {
  return new Promise((resolve) => {
    const req = http.request({ host, port, method: 'GET', path: '/api/v1/events', agent: false,
      headers: { Authorization: `Bearer ${subTokens[i % subTokens.length]}`, Accept: 'text/event-stream' } });
    const sub = { req, buf: '', got: null, other: 0, open: false, error: null };
    state.subs[i] = sub;
    req.on('response', (res) => {
      if (res.statusCode !== 200) { sub.error = `HTTP ${res.statusCode}`; res.resume(); resolve(); return; }
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const now = performance.now();
        if (!sub.open) { sub.open = true; resolve(); }
        sub.buf += chunk;
        let end;
        while ((end = sub.buf.indexOf('\n\n')) >= 0) {
          const block = sub.buf.slice(0, end);
          sub.buf = sub.buf.slice(end + 2);
          let type = 'message', data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) type = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (type !== 'case' || !data) continue;
          const ev = JSON.parse(data);
          if (ev.id === state.caseId && ev.action === 'file' && sub.got === null) {
            sub.got = now;
            if (++state.received === n && state.allIn) state.allIn();
          } else {
            sub.other++;
          }
        }
      });
      res.on('error', () => {});
      res.on('close', () => { if (!sub.open) { sub.error = sub.error || 'closed'; resolve(); } });
    });
    req.on('error', (e) => { sub.error = e.code || String(e); resolve(); });
    req.end();
  });
}

function pct(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))];
}

async function main() {
  const state = { subs: new Array(n), caseId: -1, received: 0, allIn: null };
  // A new case in the subscribers' territory, reported before they subscribe.
  const created = await call('POST', '/api/v1/cases', process.env.REPORT_TOKEN,
    { category_code: 'C0101', title: 'SSE fan-out bench', area_code: process.env.GRID_CODE });
  if (created.status !== 201) throw new Error(`report: HTTP ${created.status} ${created.body}`);
  const c = JSON.parse(created.body);
  const tOpen = performance.now();
  let next = 0;  // at most 200 connection attempts in flight
  async function opener() { while (next < n) { const i = next++; await subscribe(i, state); } }
  await Promise.all(Array.from({ length: 200 }, opener));
  const openMs = performance.now() - tOpen;
  const connected = state.subs.filter((s) => s.open).length;
  const errors = {};
  for (const s of state.subs) if (s.error) errors[s.error] = (errors[s.error] || 0) + 1;
  await new Promise((r) => setTimeout(r, 1000));
  state.caseId = c.id;
  const done = new Promise((r) => { state.allIn = r; });
  const post = await call('POST', `/api/v1/cases/${c.id}/actions`, process.env.ACT_TOKEN,
    { action: 'file', version: c.version, note: 'bench' });
  if (post.status !== 200) throw new Error(`file: HTTP ${post.status} ${post.body}`);
  if (state.received < n) await Promise.race([done, new Promise((r) => setTimeout(r, waitMs))]);
  const fromResponse = [], fromSend = [];
  let other = 0;
  for (const s of state.subs) {
    other += s.other;
    if (s.got === null) continue;
    fromResponse.push(s.got - post.t1);
    fromSend.push(s.got - post.t0);
  }
  fromResponse.sort((a, b) => a - b);
  fromSend.sort((a, b) => a - b);
  const r3 = (x) => Math.round(x * 1000) / 1000;
  const stats = (v) => ({ min: r3(v[0]), p50: r3(pct(v, 50)), p99: r3(pct(v, 99)), max: r3(v[v.length - 1]) });
  console.log(JSON.stringify({
    subscribers: n, connected, connect_errors: errors, open_ms: r3(openMs), case_id: c.id,
    post_ms: r3(post.t1 - post.t0), received: fromResponse.length,
    before_response: fromResponse.filter((x) => x < 0).length,
    from_response_ms: stats(fromResponse), from_send_ms: stats(fromSend), other_events: other }));
  for (const s of state.subs) if (s) s.req.destroy();
  process.exit(0);
}

main().catch((e) => { console.error(String(e.stack || e)); process.exit(1); });
EOF

# Open streams according to the server's /metrics.
sse_open() {
  curl -sS "http://127.0.0.1:$1/metrics" | sed -n 's/^shequ_sse_subscribers \([0-9]*\).*/\1/p'
}

if want fanout; then
  D1=$(login "$PORT_sqlite" jiangsu-dispatcher); D2=$(login "$PORT_sqlite" jiangsu-dispatcher)
  J1=$(login "$PORT_sqlite" jiangsu); J2=$(login "$PORT_sqlite" jiangsu)
  GRID_REPORTER=$(login "$PORT_sqlite" jiangsu-grid)
  FANOUT_LOAD_BEFORE=$(loadavg)
  for round in $(seq "$RUNS"); do
    log "fan-out round $round/$RUNS: $SUBSCRIBERS streams"
    PORT=$PORT_sqlite SUB_TOKENS="$D1,$J1,$D2,$J2" SUBSCRIBERS=$SUBSCRIBERS REPORT_TOKEN=$GRID_REPORTER \
      ACT_TOKEN=$D1 GRID_CODE=$GRID run_child node "$TMP/fanout.js" >"$TMP/fanout.$round" 2>"$TMP/fanout.$round.err" ||
      problem "fan-out round $round: node failed: $(head -3 "$TMP/fanout.$round.err")"
    alive sqlite "during fan-out round $round"
    log "  $(cat "$TMP/fanout.$round")"
    # The server should notice the closed streams within a few seconds.
    left=""
    for _ in $(seq 100); do
      left=$(sse_open "$PORT_sqlite"); [ "$left" = 0 ] && break; sleep 0.1
    done
    [ "$left" = 0 ] || problem "fan-out round $round: the server still counted $left open streams 10 s after the client closed them"
  done
  FANOUT_LOAD_AFTER=$(loadavg)
fi
if want intake || want fanout; then stop_shequ sqlite; fi

# ---- 3. workbench list -------------------------------------------------------
# wait_idle PORT: waits until /metrics shows no database connection in use twice
# in a row, 0.2 s apart; prints the seconds waited.
wait_idle() {
  local t0 idle=0 in_use
  t0=$(date +%s.%N)
  while [ "$idle" -lt 2 ]; do
    in_use=$(curl -sS --max-time 300 "http://127.0.0.1:$1/metrics" | sed -n 's/^shequ_db_pool_in_use \([0-9]*\).*/\1/p')
    if [ "$in_use" = 0 ]; then idle=$(( idle + 1 )); else idle=0; fi
    sleep 0.2
  done
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a - 0.4 }'
}

LIST_TARGETS=()
if want list; then
  log "demo --scale district --cases $CASES on SQLite (timed)"
  t0=$(date +%s.%N)
  run_child "$SHEQU" demo --db "sqlite:$TMP/list.db" --key-file "$TMP/list.key" --scale district --seed 1 --cases "$CASES" \
    >"$TMP/list.demo.log" 2>&1
  DEMO_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  DEMO_BYTES=$(du -cb "$TMP"/list.db* | tail -1 | cut -f1)
  log "demo took ${DEMO_SECONDS}s, database $(( DEMO_BYTES / 1048576 )) MiB"
  start_shequ list "sqlite:$TMP/list.db"
  TOKEN_dispatcher=$(login "$PORT_list" jiangsu-dispatcher)
  TOKEN_admin=$(login "$PORT_list" admin)
  FILTER='&state=dispatched&deadline=red'
  # name|query|token variable
  LIST_TARGETS=("jiangsu-dispatcher (subdistrict)|page=1&page_size=50|TOKEN_dispatcher"
                "admin (district)|page=1&page_size=50|TOKEN_admin"
                "jiangsu-dispatcher, state=dispatched&deadline=red|page=1&page_size=50$FILTER|TOKEN_dispatcher"
                "admin, state=dispatched&deadline=red|page=1&page_size=50$FILTER|TOKEN_admin")
  : >"$TMP/list.info"
  for i in "${!LIST_TARGETS[@]}"; do
    IFS='|' read -r name query tokvar <<<"${LIST_TARGETS[$i]}"
    # One request first (not measured): checks the answer, warms the caches.
    t1=$(date +%s.%N)
    code=$(curl -sS -o "$TMP/list.$i.json" -w '%{http_code}' -H "Authorization: Bearer ${!tokvar}" \
      "http://127.0.0.1:$PORT_list/api/v1/cases?$query")
    first_ms=$(awk -v a="$t1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
    [ "$code" = 200 ] || problem "list '$name' answered $code"
    total=$(sed -n 's/.*"total":\([0-9]*\).*/\1/p' "$TMP/list.$i.json")
    items=$(grep -o '"category_code"' "$TMP/list.$i.json" | wc -l)
    echo "$i $total $items $(stat -c %s "$TMP/list.$i.json") $first_ms" >>"$TMP/list.info"
    log "list '$name': total $total, $items items, first request ${first_ms} ms"
  done
  admin_total=$(awk '$1 == 1 { print $2 }' "$TMP/list.info")
  [ "$admin_total" = "$CASES" ] || problem "admin's list total is $admin_total, expected $CASES"
  LIST_CONNS=("1 1" "2 2")  # wrk threads, connections
  LIST_LOAD_BEFORE=$(loadavg)
  start=$(date +%s)
  for round in $(seq "$RUNS"); do
    for i in "${!LIST_TARGETS[@]}"; do
      IFS='|' read -r name query tokvar <<<"${LIST_TARGETS[$i]}"
      for tc in "${LIST_CONNS[@]}"; do
        read -r threads conns <<<"$tc"
        # wrk drops its connections at the end, but the server finishes the requests it was
        # running: wait until no database connection is in use, so runs do not overlap.
        waited=$(wait_idle "$PORT_list")
        echo "$waited" >>"$TMP/list.idle"
        log "list round $round/$RUNS: $name, -c$conns (waited ${waited}s for the server to finish the previous run's requests)"
        SHEQU_TOKEN=${!tokvar} run_child wrk -t"$threads" -c"$conns" -d"$LIST_DURATION" --latency --timeout 120s \
          -s "$TMP/auth.lua" "http://127.0.0.1:$PORT_list/api/v1/cases?$query" >"$TMP/list.$i.$conns.$round" 2>&1 || true
        alive list "during list '$name' -c$conns round $round"
        read -r rps p50 p99 reqs non2xx socket _ _ _ < <(parse_wrk "$TMP/list.$i.$conns.$round")
        log "  $rps req/s, p50 $p50 ms, p99 $p99 ms, $reqs requests, non-2xx $non2xx, socket errors $socket"
        [ "$non2xx" -eq 0 ] || problem "list '$name' -c$conns round $round: $non2xx non-2xx responses"
        [ "$socket" -eq 0 ] || problem "list '$name' -c$conns round $round: $(grep 'Socket errors' "$TMP/list.$i.$conns.$round")"
        echo "$i $conns $round $rps $p50 $p99 $reqs $non2xx $socket" >>"$TMP/list.results"
      done
    done
  done
  LIST_SECONDS=$(( $(date +%s) - start ))
  LIST_LOAD_AFTER=$(loadavg)
  stop_shequ list
fi

# ---- report -----------------------------------------------------------------
echo
echo "## Cases benchmark"
echo
echo "Started $START_DATE; $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1);" \
  "work tree $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (src/ modified)')" \
  "($BIN_INFO) with --threads $SHEQU_THREADS; $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'); node $(node --version);" \
  "ulimit -n $(ulimit -n); finished $(date -u '+%H:%M UTC'), load average at the end: $(loadavg)."

rcol() { awk -v l="$1" -v c="$2" -v k="$3" -F'|' '$1 == l && $2 == c { print $k }' "$TMP/intake.table"; }
if want intake; then
  # label|conns|round|rps|p50|p99|reqs|non201|socket|ok, with the label's spaces kept
  awk '{ printf "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }' "$TMP/intake.results" >"$TMP/intake.table"
  echo
  echo "### 1. Intake: POST /api/v1/cases, wrk -t2 -cC -d$DURATION --latency, medians of $RUNS rounds"
  echo
  for name in sqlite pg; do
    var="INTAKE_CHECK_$name"; [ -n "${!var:-}" ] || continue
    s="INTAKE_SECONDS_$name"; l="INTAKE_LOAD_$name"
    echo "- $name: ${!var}; load phase ${!s}s; load average before/after: ${!l}."
  done
  echo
  echo "| database | connections | cases/s (median, 201 only) | p50 ms (median) | p99 ms (median) | runs: cases/s | runs: p99 ms | non-201 | socket errors | failed rounds |"
  echo "|---|---:|---:|---:|---:|---|---|---:|---:|---:|"
  goal_lines=()
  for label in SQLite PostgreSQL; do
    for conns in "${INTAKE_CONNS[@]}"; do
      [ -n "$(rcol "$label" "$conns" 4)" ] || continue
      ok_rows=$(awk -v l="$label" -v c="$conns" -F'|' '$1 == l && $2 == c && $10 == "yes"' "$TMP/intake.table")
      rps=$(awk -F'|' '{ print $4 }' <<<"$ok_rows" | grep . | median)
      p50=$(awk -F'|' '{ print $5 }' <<<"$ok_rows" | grep . | median)
      p99=$(awk -F'|' '{ print $6 }' <<<"$ok_rows" | grep . | median)
      failed=$(rcol "$label" "$conns" 10 | grep -c no || true)
      non201=$(rcol "$label" "$conns" 8 | awk '{ s += ($1 ~ /^[0-9]+$/) ? $1 : 0 } END { print s + 0 }')
      socket=$(rcol "$label" "$conns" 9 | awk '{ s += $1 } END { print s + 0 }')
      echo "| $label | $conns | $rps | $p50 | $p99 | $(rcol "$label" "$conns" 4 | paste -sd/ -) | $(rcol "$label" "$conns" 6 | paste -sd/ -) | $non201 | $socket | $failed |"
      if [ "$conns" = 32 ]; then
        yes=$(awk -v r="$rps" -v f="$failed" 'BEGIN { print (r != "-" && r >= 2000 && f == 0) ? "yes" : "no" }')
        if [ "$yes" = yes ]; then verdict=MET; else verdict="NOT MET"; fi
        goal_lines+=("Goal on $label (median of the -c32 rounds >= 2,000 cases/s, no failed round: $rps cases/s, $failed failed: $yes; p99 $p99 ms): **$verdict**")
      fi
    done
  done
  for line in "${goal_lines[@]}"; do echo; echo "$line"; done
fi

if want fanout; then
  echo
  echo "### 2. Fan-out of one transition (file) to $SUBSCRIBERS event streams, $RUNS rounds"
  echo
  echo "SQLite $(want intake && echo "intake server (its event backlog of 1,000 events is full after the intake phase)" || echo "server with the small demo (no intake before: the event backlog is nearly empty)"); streams as 2 x jiangsu-dispatcher and 2 x jiangsu sessions; load average before/after: $FANOUT_LOAD_BEFORE / $FANOUT_LOAD_AFTER."
  echo
  echo "| round | connected | received | arrived before the POST's response | from response ms: p50 | p99 | max | from send ms: p50 | p99 | max | POST round trip ms | opening all streams ms |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  all_got=yes
  for round in $(seq "$RUNS"); do
    f="$TMP/fanout.$round"
    if [ ! -s "$f" ]; then echo "| $round | failed | | | | | | | | | | |"; all_got=no; continue; fi
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const a = r.from_response_ms, b = r.from_send_ms;
      console.log(`| ${process.argv[2]} | ${r.connected} | ${r.received} | ${r.before_response} | ${a.p50} | ${a.p99} | ${a.max} | ${b.p50} | ${b.p99} | ${b.max} | ${r.post_ms} | ${r.open_ms} |`);' "$f" "$round"
    node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      console.log([r.from_response_ms.p50, r.from_response_ms.p99, r.from_response_ms.max, r.from_send_ms.p50,
                   r.from_send_ms.p99, r.from_send_ms.max, r.post_ms, r.received, r.subscribers].join(" "));' "$f" >>"$TMP/fanout.results"
    got=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(r.received === r.subscribers && r.connected === r.subscribers ? "yes" : "no")' "$f")
    [ "$got" = yes ] || all_got=no
  done
  if [ -s "$TMP/fanout.results" ]; then
    fcol() { awk -v c="$1" '{ print $c }' "$TMP/fanout.results" | median; }
    echo "| **median** | | | | $(fcol 1) | $(fcol 2) | $(fcol 3) | $(fcol 4) | $(fcol 5) | $(fcol 6) | $(fcol 7) | |"
  fi
  echo
  if [ "$all_got" = yes ]; then verdict=MET; else verdict="NOT MET"; fi
  echo "Goal (every one of the $SUBSCRIBERS subscribers gets the event, in every round: $all_got): **$verdict**"
fi

if want list; then
  echo
  echo "### 3. Workbench list: GET /api/v1/cases?page=1&page_size=50 with $CASES cases, wrk -d$LIST_DURATION --timeout 120s --latency, medians of $RUNS rounds"
  echo
  echo "\`shequ demo --scale district --seed 1 --cases $CASES\`: ${DEMO_SECONDS}s, database $(( DEMO_BYTES / 1048576 )) MiB; list phase ${LIST_SECONDS}s; before each run the script waited for the server to finish the requests wrk had abandoned at the end of the previous one: $(sort -g "$TMP/list.idle" | tail -1)s at most, $(awk '{ s += $1 } END { printf "%.0f", s }' "$TMP/list.idle")s in all; load average before/after: $LIST_LOAD_BEFORE / $LIST_LOAD_AFTER."
  echo
  echo "| caller, filter | total | wrk | requests/s (median) | p50 ms (median) | p99 ms (median) | runs: requests/s | runs: p99 ms | requests per run | first request ms | non-2xx | socket errors |"
  echo "|---|---:|---|---:|---:|---:|---|---|---|---:|---:|---:|"
  lcol() { awk -v i="$1" -v c="$2" -v k="$3" '$1 == i && $2 == c { print $k }' "$TMP/list.results"; }
  for i in "${!LIST_TARGETS[@]}"; do
    name=${LIST_TARGETS[$i]%%|*}
    read -r _ total items bytes first_ms < <(awk -v i="$i" '$1 == i' "$TMP/list.info")
    for tc in "${LIST_CONNS[@]}"; do
      read -r threads conns <<<"$tc"
      echo "| $name | $total | -t$threads -c$conns | $(lcol "$i" "$conns" 4 | median) | $(lcol "$i" "$conns" 5 | median) | $(lcol "$i" "$conns" 6 | median) | $(lcol "$i" "$conns" 4 | paste -sd/ -) | $(lcol "$i" "$conns" 6 | paste -sd/ -) | $(lcol "$i" "$conns" 7 | paste -sd/ -) | $first_ms | $(lcol "$i" "$conns" 8 | awk '{ s += $1 } END { print s + 0 }') | $(lcol "$i" "$conns" 9 | awk '{ s += $1 } END { print s + 0 }') |"
    done
  done
  echo
  echo "Goal: none was set for the list; measured only."
fi

echo
if [ -s "$TMP/problems" ]; then
  echo "Problems seen:"; sed 's/^/- /' "$TMP/problems"
else
  echo "Problems seen: none (no non-201/non-2xx answers, no socket errors, no server exits, every stream closed on the server after each round, no warnings in the server logs)."
fi
echo
echo "Command: $COMMAND_LINE"
