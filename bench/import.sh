#!/usr/bin/env bash
# Import benchmark: `shequ import` of a persons CSV against the raw load rate
# of the same rows into the same database.
#
#   bench/import.sh [--rows N] [--pg] [--pg-rows N] [--runs N]
#
# Generates one CSV of N persons (default 1000000; unique, valid GB 11643
# resident IDs in 310105/310104, born 1930-2005) with awk, then RUNS rounds
# (default 3) of:
#   - shequ sqlite: fresh `shequ demo --scale small --seed 1` database (not
#     timed), then `shequ import --mode all_or_nothing` of the file, timed;
#   - raw sqlite:   fresh database, `sqlite3 .import --csv --skip 1` of the same
#     file into a plain 5-column table, timed;
#   with --pg also, on a throwaway PostgreSQL 15 cluster (tests/pg.sh), each in
#   a fresh database:
#   - shequ postgresql: demo (not timed), then `shequ import`, timed;
#   - raw postgresql:   psql `\copy persons_raw FROM file CSV HEADER`, timed;
#   and the same-table baselines: the persons the first shequ import stored
#   (sealed, hashed, masked; dumped untimed after it) loaded raw into the
#   persons table of a fresh demo database, with its indexes, constraints and
#   foreign keys: sqlite3 `.import` into a staging table and one INSERT …
#   SELECT, with shequ's connection settings; psql `\copy persons(…)`.
# --pg-rows imports only the first N rows on PostgreSQL (default: --rows).
# Times are wall clock, process start to exit. The order of the targets is
# reversed every other round, so that drift in the machine's load falls on
# every target alike. The table reports medians and, for each shequ target,
# the ratios of its median rows/s to both raw rates of the same database from
# the same invocation. Everything (CSV, databases, key files, the cluster) lives in
# one temp dir that a trap removes at exit.
set -euo pipefail

# Tools: Debian packages, installed only when missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_install sqlite3 time

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHEQU=${SHEQU:-$ROOT/build/shequ}
COMMAND_LINE="bench/import.sh${*:+ $*}"

ROWS=1000000 PG=0 PG_ROWS="" RUNS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift ;;
    --pg) PG=1 ;;
    --pg-rows) PG_ROWS=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
PG_ROWS=${PG_ROWS:-$ROWS}
[ "$PG_ROWS" -le "$ROWS" ] || { echo "--pg-rows ($PG_ROWS) cannot exceed --rows ($ROWS)" >&2; exit 2; }
[ -x "$SHEQU" ] || { echo "no shequ binary at $SHEQU (build it first: cmake --build build)" >&2; exit 1; }
if [ "$PG" = 1 ] && [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  echo "--pg needs PostgreSQL 15 (Debian postgresql-15) for tests/pg.sh" >&2; exit 1
fi
AWK=$(command -v mawk || command -v awk)

bench_workspace shequ-import-bench

log() { echo "[import.sh] $*" >&2; }
problem() { echo "$*" >>"$TMP/problems"; log "PROBLEM: $*"; }

# Run a private copy: the build may be replaced while the benchmark runs.
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
BIN_INFO="build/shequ of $(date -u -r "$SHEQU" '+%Y-%m-%d %H:%M UTC'), sha256 $(sha256sum "$SHEQU" | cut -c1-12)"
cp "$SHEQU" "$TMP/shequ"
SHEQU=$TMP/shequ

# ---- the CSV ----------------------------------------------------------------
# Row r: region 310105 or 310104 by parity, birth date r mod (days 1930-01-01 ..
# 2005-12-31), sequence 500 + r div (that many days). The demo numbers its own
# persons from sequence 0 up, so none of these collide with the demo's.
cat >"$TMP/gen.awk" <<'EOF'
BEGIN {
  split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", W, " ")   # ISO 7064 MOD 11-2 weights
  split("1 0 X 9 8 7 6 5 4 3 2", C, " ")                # check character of sum mod 11
  split("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗", S, " ")
  split("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 桂 英 华 玉 兰 建 国 文 辉", G, " ")
  nd = 0
  for (y = 1930; y <= 2005; y++) {
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
    for (m = 1; m <= 12; m++) {
      dim = (m == 2) ? (leap ? 29 : 28) : ((m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31)
      for (d = 1; d <= dim; d++) D[nd++] = sprintf("%04d%02d%02d", y, m, d)
    }
  }
  if (ROWS > nd * 500) { print "at most " nd * 500 " rows" > "/dev/stderr"; exit 1 }
  # Weighted sums of each part of the number, so that a row only adds three.
  for (p = 0; p < 2; p++) {
    P[p] = p ? "310104" : "310105"; s = 0
    for (k = 1; k <= 6; k++) s += substr(P[p], k, 1) * W[k]
    PS[p] = s
  }
  for (i = 0; i < nd; i++) { s = 0; for (k = 1; k <= 8; k++) s += substr(D[i], k, 1) * W[6 + k]; DS[i] = s }
  for (q = 500; q < 1000; q++) { QS[q] = int(q / 100) * W[15] + int(q / 10) % 10 * W[16] + q % 10 * W[17] }
  print "name,document_type,document_number,hukou,area_code"
  for (r = 0; r < ROWS; r++) {
    di = r % nd; q = 500 + int(r / nd); p = r % 2
    name = S[r % 20 + 1] G[int(r / 20) % 30 + 1] ((r % 3) ? G[int(r / 600) % 30 + 1] : "")
    print name ",resident_id," P[p] D[di] q C[(PS[p] + DS[di] + QS[q]) % 11 + 1] ",registered,31010500200101"
  }
}
EOF
CSV=$TMP/persons.csv
GEN_START=$(date +%s.%N)
"$AWK" -v ROWS="$ROWS" -f "$TMP/gen.awk" >"$CSV"
GEN_SECONDS=$(awk -v a="$GEN_START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
[ "$(wc -l <"$CSV")" -eq $((ROWS + 1)) ] || { echo "the generator wrote $(wc -l <"$CSV") lines, not $((ROWS + 1))" >&2; exit 1; }
DUPLICATES=$(cut -d, -f3 "$CSV" | sort | uniq -d | wc -l)
[ "$DUPLICATES" -eq 0 ] || { echo "the generator wrote $DUPLICATES duplicate document numbers" >&2; exit 1; }
CSV_BYTES=$(stat -c %s "$CSV")
log "CSV: $ROWS rows, $CSV_BYTES bytes in ${GEN_SECONDS}s ($(basename "$AWK")); first row: $(sed -n 2p "$CSV")"
PG_CSV=$CSV
if [ "$PG" = 1 ] && [ "$PG_ROWS" != "$ROWS" ]; then
  PG_CSV=$TMP/persons-pg.csv
  head -n $((PG_ROWS + 1)) "$CSV" >"$PG_CSV"
fi

if [ "$PG" = 1 ]; then
  PG_DIR="$TMP/pg"
  "$ROOT/tests/pg.sh" start "$PG_DIR" >&2
  PG_URL=$(cat "$PG_DIR/url")
  PG_BASE=${PG_URL%/*}
  PG_VERSION=$(psql -XAtq "$PG_URL" -c 'SHOW server_version' | cut -d' ' -f1)
fi

# ---- timing -----------------------------------------------------------------
# timed OUT_PREFIX CMD...: runs CMD with stdout/stderr in OUT_PREFIX.{out,err};
# sets ELAPSED (wall seconds), RC and RSS_KB (peak resident set, /usr/bin/time).
timed() {
  local prefix=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  # In the background, so that a signal reaches the trap at once.
  /usr/bin/time -f '%M' -o "$prefix.rss" "$@" >"$prefix.out" 2>"$prefix.err" &
  CHILD=$!
  RC=0
  wait "$CHILD" || RC=$?
  CHILD=""
  t1=$(date +%s.%N)
  ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  RSS_KB=$(grep -E '^[0-9]+$' "$prefix.rss" | tail -1 || true)
}

# check_shequ NAME PREFIX ROWS BEFORE AFTER: the import's summary line and row counts.
# Sets INSIDE (the seconds shequ prints itself: from after reading the file to the commit).
check_shequ() {
  local name=$1 prefix=$2 rows=$3 before=$4 after=$5 line total inserted updated unchanged rejected
  line=$(grep -E '^[0-9]+ rows \(' "$prefix.out" | tail -1 || true)
  INSIDE=""
  if [ -z "$line" ]; then
    problem "$name round $round: no summary line (exit $RC); stderr: $(tr '\r' '\n' <"$prefix.err" | grep -v '^导入\|^$' | tail -3 | tr '\n' ' ')"
    return
  fi
  read -r total inserted updated unchanged rejected INSIDE < <(
    sed -E 's/^([0-9]+) rows \([^)]*\): ([0-9]+) inserted, ([0-9]+) updated, ([0-9]+) unchanged, ([0-9]+) rejected in ([0-9.]+) s$/\1 \2 \3 \4 \5 \6/' <<<"$line")
  [ "$RC" -eq 0 ] || problem "$name round $round: exit status $RC: $line"
  [ "$total" = "$rows" ] && [ "$inserted" = "$rows" ] && [ "$updated" = 0 ] && [ "$unchanged" = 0 ] && [ "$rejected" = 0 ] ||
    problem "$name round $round: expected $rows inserted and nothing else: $line"
  [ $((after - before)) -eq "$rows" ] || problem "$name round $round: persons went from $before to $after, not +$rows"
  local noise
  noise=$(tr '\r' '\n' <"$prefix.err" | grep -ciE 'error|warn|critical|错误' || true)
  [ "$noise" -eq 0 ] || problem "$name round $round: $noise error/warning lines on stderr: $(tr '\r' '\n' <"$prefix.err" | grep -iE 'error|warn|critical|错误' | head -2 | tr '\n' ' ')"
}

record() {  # record TARGET_INDEX ROUND
  echo "$1 $2 $ELAPSED ${RSS_KB:-0} ${INSIDE:-}" >>"$TMP/results"
  log "  ${TARGET_NAMES[$1]}: ${ELAPSED}s ($(awk -v n="${TARGET_ROWS[$1]}" -v s="$ELAPSED" 'BEGIN { printf "%.0f", n / s }') rows/s)${INSIDE:+, shequ says ${INSIDE}s}, peak RSS ${RSS_KB:-?} KB"
}

# ---- targets ----------------------------------------------------------------
# demo DB_URL DIR [--key-file FILE]: the small demo the imports go into (not timed).
demo() {
  local url=$1 dir=$2; shift 2
  "$SHEQU" demo --db "$url" "$@" --scale small --seed 1 >"$dir/demo.log" 2>&1 ||
    { cat "$dir/demo.log" >&2; echo "shequ demo ($url) failed" >&2; exit 1; }
}

# check_raw NAME ERR_FILE GOT EXPECTED: a raw load's exit status, row count and stderr.
check_raw() {
  local name=$1 err=$2 got=$3 expected=$4
  [ "$RC" -eq 0 ] || problem "$name round $round: exit status $RC: $(head -3 "$err")"
  [ "$got" -eq "$expected" ] || problem "$name round $round: $got rows loaded, not $expected"
  [ ! -s "$err" ] || problem "$name round $round: stderr: $(head -3 "$err")"
}

run_shequ_sqlite() {
  local dir=$TMP/sqlite-r$round
  mkdir -p "$dir"
  demo "sqlite:$dir/shequ.db" "$dir"
  local before after
  before=$(sqlite3 "$dir/shequ.db" 'SELECT count(*) FROM persons')
  INSIDE=""
  timed "$dir/import" "$SHEQU" import --db "sqlite:$dir/shequ.db" --file "$CSV" --mode all_or_nothing
  after=$(sqlite3 "$dir/shequ.db" 'SELECT count(*) FROM persons')
  check_shequ "shequ sqlite" "$dir/import" "$ROWS" "$before" "$after"
  record 0 "$round"
  [ -s "$STORED" ] || dump_stored "$dir/shequ.db" "$before"
  rm -rf "$dir"
}

# The persons just imported, as the registry stores them (sealed, hashed,
# masked, with area paths and timestamps; the generated file has no phone or
# address, so the other columns are NULL): the rows of the same-table baselines.
STORED_COLUMNS="name,document_type,document_sealed,document_hash,document_masked,sex,birth_date,hukou,ethnicity,area_code,area_path,version,created_at,updated_at"
STORED=$TMP/stored.csv
dump_stored() {  # dump_stored DB ROWS_BEFORE_THE_IMPORT
  sqlite3 -csv "$1" "SELECT $STORED_COLUMNS FROM persons ORDER BY id LIMIT -1 OFFSET $2" >"$STORED.part"
  mv "$STORED.part" "$STORED"
  [ "$(wc -l <"$STORED")" -eq "$ROWS" ] || { echo "dumped $(wc -l <"$STORED") stored rows, not $ROWS" >&2; exit 1; }
  log "stored rows: $(stat -c %s "$STORED") bytes, for the same-table baselines"
}

run_raw_sqlite() {
  local dir=$TMP/raw-r$round count
  mkdir -p "$dir"
  INSIDE=""
  timed "$dir/import" sqlite3 -bail "$dir/raw.db" \
    'CREATE TABLE persons_raw(name,document_type,document_number,hukou,area_code)' \
    ".import --csv --skip 1 $CSV persons_raw"
  count=$(sqlite3 "$dir/raw.db" 'SELECT count(*) FROM persons_raw')
  check_raw "raw sqlite" "$dir/import.err" "$count" "$ROWS"
  record 1 "$round"
  rm -rf "$dir"
}

# The stored rows into the persons table of a fresh demo database, with the
# registry's indexes, constraints and foreign keys and shequ's connection
# settings: loaded with .import into a staging table, then one INSERT … SELECT.
run_stored_sqlite() {
  local dir=$TMP/stored-r$round before after
  mkdir -p "$dir"
  demo "sqlite:$dir/shequ.db" "$dir"
  before=$(sqlite3 "$dir/shequ.db" 'SELECT count(*) FROM persons')
  INSIDE=""
  timed "$dir/import" sqlite3 -bail "$dir/shequ.db" \
    'PRAGMA journal_mode=WAL' 'PRAGMA foreign_keys=ON' 'PRAGMA synchronous=NORMAL' 'PRAGMA cache_size=-65536' 'PRAGMA temp_store=MEMORY' \
    "CREATE TEMP TABLE stored($STORED_COLUMNS)" ".import --csv $STORED stored" \
    "INSERT INTO persons($STORED_COLUMNS) SELECT * FROM stored"
  after=$(sqlite3 "$dir/shequ.db" 'SELECT count(*) FROM persons')
  check_raw "stored sqlite" "$dir/import.err" $((after - before)) "$ROWS"
  record 4 "$round"
  rm -rf "$dir"
}

run_stored_pg() {
  local db=stored_r$round dir=$TMP/pgstored-r$round before after
  mkdir -p "$dir"
  psql -XAtq "$PG_URL" -c "CREATE DATABASE $db" >/dev/null
  demo "$PG_BASE/$db" "$dir" --key-file "$dir/shequ.key"
  head -n "$PG_ROWS" "$STORED" >"$dir/stored.csv"
  before=$(psql -XAtq "$PG_BASE/$db" -c 'SELECT count(*) FROM persons')
  INSIDE=""
  timed "$dir/copy" psql -XAtq -v ON_ERROR_STOP=1 "$PG_BASE/$db" -c "\\copy persons($STORED_COLUMNS) FROM '$dir/stored.csv' CSV"
  after=$(psql -XAtq "$PG_BASE/$db" -c 'SELECT count(*) FROM persons')
  check_raw "stored postgresql" "$dir/copy.err" $((after - before)) "$PG_ROWS"
  record 5 "$round"
  psql -XAtq "$PG_URL" -c "DROP DATABASE $db" >/dev/null
  rm -rf "$dir"
}

run_shequ_pg() {
  local db=shequ_r$round dir=$TMP/pg-r$round before after
  mkdir -p "$dir"
  psql -XAtq "$PG_URL" -c "CREATE DATABASE $db" >/dev/null
  # --key-file: without it a PostgreSQL database would use var/shequ.key in the current directory.
  demo "$PG_BASE/$db" "$dir" --key-file "$dir/shequ.key"
  before=$(psql -XAtq "$PG_BASE/$db" -c 'SELECT count(*) FROM persons')
  INSIDE=""
  timed "$dir/import" "$SHEQU" import --db "$PG_BASE/$db" --key-file "$dir/shequ.key" --file "$PG_CSV" --mode all_or_nothing
  after=$(psql -XAtq "$PG_BASE/$db" -c 'SELECT count(*) FROM persons')
  check_shequ "shequ postgresql" "$dir/import" "$PG_ROWS" "$before" "$after"
  record 2 "$round"
  psql -XAtq "$PG_URL" -c "DROP DATABASE $db" >/dev/null
  rm -rf "$dir"
}

run_raw_pg() {
  local db=raw_r$round dir=$TMP/pgraw-r$round count
  mkdir -p "$dir"
  psql -XAtq "$PG_URL" -c "CREATE DATABASE $db" >/dev/null
  psql -XAtq "$PG_BASE/$db" -c \
    'CREATE TABLE persons_raw(name text, document_type text, document_number text, hukou text, area_code text)' >/dev/null
  INSIDE=""
  timed "$dir/copy" psql -XAtq -v ON_ERROR_STOP=1 "$PG_BASE/$db" -c "\\copy persons_raw FROM '$PG_CSV' CSV HEADER"
  count=$(psql -XAtq "$PG_BASE/$db" -c 'SELECT count(*) FROM persons_raw')
  check_raw "raw postgresql" "$dir/copy.err" "$count" "$PG_ROWS"
  record 3 "$round"
  psql -XAtq "$PG_URL" -c "DROP DATABASE $db" >/dev/null
  rm -rf "$dir"
}

TARGET_NAMES=("shequ import, SQLite" "sqlite3 .import (raw), SQLite" "shequ import, PostgreSQL" "psql \\copy (raw), PostgreSQL"
              "sqlite3 .import of the stored rows into persons (raw, same table), SQLite"
              "psql \\copy of the stored rows into persons (raw, same table), PostgreSQL")
TARGET_ROWS=("$ROWS" "$ROWS" "$PG_ROWS" "$PG_ROWS" "$ROWS" "$PG_ROWS")
TARGET_RUN=(run_shequ_sqlite run_raw_sqlite run_shequ_pg run_raw_pg run_stored_sqlite run_stored_pg)
TARGET_RAW=(1 "" 3 "" "" "")  # the raw baseline of each shequ target
TARGET_SAME=(4 "" 5 "" "" "")  # its same-table baseline
# The first round runs shequ's SQLite import first: the same-table baselines load the rows it stored.
ORDER=(0 1 4)
[ "$PG" = 1 ] && ORDER+=(2 3 5)

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date +%s)
for round in $(seq "$RUNS"); do
  order=("${ORDER[@]}")
  if [ $((round % 2)) -eq 0 ]; then  # reversed every other round
    order=(); for ((k = ${#ORDER[@]} - 1; k >= 0; k--)); do order+=("${ORDER[$k]}"); done
  fi
  for i in "${order[@]}"; do
    log "round $round/$RUNS: ${TARGET_NAMES[$i]} (${TARGET_ROWS[$i]} rows)"
    "${TARGET_RUN[$i]}"
  done
done
ELAPSED_ALL=$(( $(date +%s) - START ))

# ---- report -----------------------------------------------------------------
col() { awk -v i="$1" -v c="$2" '$1 == i && $c != "" { print $c }' "$TMP/results"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else if (NR) printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
declare -A MEDIAN_RATE
for i in "${ORDER[@]}"; do MEDIAN_RATE[$i]=$(rate "${TARGET_ROWS[$i]}" "$(col "$i" 3 | median)"); done

echo
echo "## Import benchmark: medians of $RUNS runs"
echo
pg_note=""
[ "$PG" = 1 ] && pg_note=" PostgreSQL $PG_VERSION (tests/pg.sh: fsync=off, synchronous_commit=off, full_page_writes=off), $PG_ROWS rows;"
echo "Started $START_DATE; $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1);" \
  "work tree $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (src/ modified)')" \
  "($BIN_INFO); SQLite $(sqlite3 --version | cut -d' ' -f1);$pg_note" \
  "CSV $ROWS rows, $CSV_BYTES bytes (generated in ${GEN_SECONDS}s); temp dir on $(df --output=source "$TMP" | tail -1);" \
  "timed phase ${ELAPSED_ALL}s; load average before/after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| target | rows | rows/s (median) | seconds (median) | ratio to the bare raw load | ratio to the same-table raw load | runs: seconds | shequ's own \"in X s\" (median) | peak RSS MB (median) |"
echo "|---|---:|---:|---:|---:|---:|---|---:|---:|"
ratio() {  # ratio TARGET BASELINE: "0.123 (12.3 %)", or "-" without a baseline
  if [ -n "$2" ]; then
    awk -v a="${MEDIAN_RATE[$1]}" -v b="${MEDIAN_RATE[$2]}" 'BEGIN { printf "%.3f (%.1f %%)", a / b, 100 * a / b }'
  else
    echo "-"
  fi
}
for i in "${ORDER[@]}"; do
  secs=$(col "$i" 3 | median)
  inside=$(col "$i" 5 | median); inside=${inside:--}
  rss=$(col "$i" 4 | median | awk '{ printf "%.0f", $1 / 1024 }')
  echo "| ${TARGET_NAMES[$i]} | ${TARGET_ROWS[$i]} | ${MEDIAN_RATE[$i]} | $secs | $(ratio "$i" "${TARGET_RAW[$i]}") | $(ratio "$i" "${TARGET_SAME[$i]}") | $(col "$i" 3 | paste -sd/ -) | $inside | $rss |"
done
echo
# verdict BASELINES DESCRIPTION: the goal line against one kind of baseline.
verdict() {
  local -n baselines=$1
  local result=MET parts=() i ok
  for i in 0 2; do
    case " ${ORDER[*]} " in *" $i "*) ;; *) continue ;; esac
    ok=$(awk -v a="${MEDIAN_RATE[$i]}" -v b="${MEDIAN_RATE[${baselines[$i]}]}" 'BEGIN { print (a >= 0.5 * b) ? "yes" : "no" }')
    [ "$ok" = yes ] || result="NOT MET"
    parts+=("${TARGET_NAMES[$i]##*, }: $ok")
  done
  local summary
  summary=$(printf '%s; ' "${parts[@]}")
  echo "Goal against $2 (shequ import >= 50 % of its rate; ${summary%; }): **$result**"
}
verdict TARGET_RAW "the bare raw load (the file's 5 columns into a table without indexes)"
echo
verdict TARGET_SAME "the same-table raw load (the rows as stored, into persons with its indexes and constraints)"
echo
if [ -s "$TMP/problems" ]; then
  echo "Problems seen:"; sed 's/^/- /' "$TMP/problems"
else
  echo "Problems seen: none (every shequ import exited 0 and inserted every row, 0 rejected; the row count checked in every database; no error or warning lines on stderr)."
fi
echo
echo "Command: $COMMAND_LINE"
