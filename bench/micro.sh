#!/usr/bin/env bash
# Builds the Google Benchmark micro-benchmarks (bench/micro/) in build-bench/
# (Release, -DSHEQU_BENCH=ON) and runs them 3 times, reporting medians.
#
#   bench/micro.sh [extra Google Benchmark flags, e.g. --benchmark_filter=Children]
#
# The databases live in $SHEQU_BENCH_DIR (default: the system temp folder) and
# are removed when the binary exits.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_install libbenchmark-dev cmake ninja-build jq

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${SHEQU_BENCH_BUILD:-$ROOT/build-bench}
COMMAND_LINE="bench/micro.sh${*:+ $*}"

if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSHEQU_BENCH=ON >&2
fi
ninja -C "$BUILD" shequ_micro_bench >&2

START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
OUT=$(mktemp /tmp/shequ-micro.XXXXXX.json)
trap 'rm -f "$OUT"' EXIT
"$BUILD/shequ_micro_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$OUT" --benchmark_out_format=json "$@" >&2

# Time ratios compare medians against a baseline from the same run, on CPU
# time (the queries and JSON are CPU-bound and other processes share the
# machine), on real time for the audit appends (a commit's wall-clock time is
# what a writer waits for; their per-second figure is from real time too):
#   BM_Children_*    → BM_Children_Everything_310105 (district root, no scope limit)
#   BM_AuditAppend_* → BM_AuditAppend_WriteTx
#   BM_Json_*        → BM_Json_AreaList_BuildAndSerialize/list:0 (jiangsu's 14 areas)
echo
echo "## Micro-benchmarks: medians of 3 repetitions"
echo
echo "Started $START_DATE; $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1);" \
  "work tree $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (src/ modified)');" \
  "build $(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt"); Google Benchmark $(dpkg-query -W -f '${Version}' libbenchmark-dev)" \
  "(library_build_type $(jq -r .context.library_build_type "$OUT")); load average before/after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)."
echo
jq -r '
  def fmt: if . == null then "-" elif . >= 100 then "\(. * 10 | round / 10)" else "\(. * 1000 | round / 1000)" end;
  def base: {"BM_Children": "BM_Children_Everything_310105",
             "BM_AuditAppend": "BM_AuditAppend_WriteTx",
             "BM_Json": "BM_Json_AreaList_BuildAndSerialize/list:0"};
  def basis: if startswith("BM_AuditAppend") then "real_time" else "cpu_time" end;
  [.benchmarks[] | select(.aggregate_name == "median") | .run_name |= sub("/real_time$"; "")] as $m
  | ($m | map({key: .run_name, value: .}) | from_entries) as $by
  | "| benchmark | real time (median) | CPU time (median) | per second (median) | time ratio to baseline | notes |",
    "|---|---:|---:|---:|---:|---|",
    ($m[] | . as $b
     | ($b.run_name | split("_") | .[0:2] | join("_")) as $group
     | (base | .[$group]) as $bn
     | (if $bn != null and $by[$bn] != null
        then (($b.run_name | basis) as $t | ($b[$t] / $by[$bn][$t] * 100 | round) / 100 | tostring)
             + (if $b.run_name == $bn then " (baseline)" else "" end)
        else "-" end) as $ratio
     | ([if .items_per_second then "\(.items_per_second | round)/s" else empty end,
         if .bytes_per_second then "\(.bytes_per_second / 1e5 | round / 10) MB/s" else empty end]
        | join(", ")) as $rate
     | ([("rows", "areas", "body_bytes", "chain_rows") as $k
         | select($b[$k] != null) | "\($k)=\($b[$k])"]
        + (if $b.error_occurred then ["ERROR: \($b.error_message)"] else [] end) | join(", ")) as $notes
     | "| \(.run_name) | \(.real_time | fmt) \(.time_unit) | \(.cpu_time | fmt) \(.time_unit) | \($rate) | \($ratio) | \($notes) |")
' "$OUT"
echo
echo "Command: $COMMAND_LINE"
