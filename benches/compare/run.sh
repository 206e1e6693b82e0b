#!/usr/bin/env bash
# Side-by-side benchmark: the same hourly per-queue rollup (SPEC 4.3
# default metrics) of one generated Queue Statistics export in rcx, DuckDB
# SQL and Polars, 2 threads each. Prints, per tool, the median wall time of
# RUNS warm runs (interleaved: one run of each tool per round), MB/s, peak
# RSS, and the ratios against rcx, after checking
# that the three results agree (sums exactly, ratios within 0.01). rcx
# prints only the twelve metrics the SQL computes (--columns), so every
# tool formats the same output.
#
# With --calls it runs the calls job instead: the hourly call KPIs of SPEC
# 5.1 (calls, the INBOUND counts, waits, handle time, service level,
# abandon rate, ASA, AHT) of one generated cx v1 interaction-metadata
# (segment) export in NDJSON, `rcx calls --by all --interval hour
# --columns ...` against DuckDB SQL (read_json, duck_calls.py), checked the
# same way (counts exactly, seconds and ratios within 0.01) and reported
# alike. The export is in time order (interaction start), as pulled.
#
# Usage: benches/compare/run.sh [--rows N] [--runs N] [--threads N] [--json]
#        benches/compare/run.sh --calls [--segments N] [--runs N] [--threads N]
#   --rows      rows to generate (default 10000000, about 820 MB)
#   --runs      timed runs per tool after one warm-up run (default 5)
#   --threads   threads of each tool (default 2)
#   --json      also the JSON form of the export against DuckDB read_json
#   --calls     the calls job instead of the queue rollup
#   --segments  segment objects to generate for --calls (default 1000000,
#               about 1.07 GB; 4000000 is about 4.3 GB)
# Needs: cargo, python3 (with venv), GNU time at /usr/bin/time.
# DuckDB and Polars are installed into benches/compare/.venv; the data goes
# to benches/compare/data (both git-ignored).
set -euo pipefail

ROWS=10000000
RUNS=5
THREADS=2
JSON=0
CALLS=0
SEGMENTS=1000000
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --json) JSON=1; shift ;;
    --calls) CALLS=1; shift ;;
    --segments) SEGMENTS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA="$HERE/data"
VENV="$HERE/.venv"

if [ ! -x /usr/bin/time ] || ! /usr/bin/time -f "%M" true >/dev/null 2>&1; then
  echo "GNU time is needed at /usr/bin/time for peak memory (apt-get install time)" >&2
  exit 2
fi
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 2; }

if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV"
  python3 -m venv "$VENV"
fi
# The calls job needs DuckDB only.
MODULES="duckdb polars"
[ "$CALLS" = 1 ] && MODULES=duckdb
if ! "$VENV/bin/python" -c "import ${MODULES// /, }" 2>/dev/null; then
  echo "== installing $MODULES"
  "$VENV/bin/pip" install --quiet $MODULES
fi
PY="$VENV/bin/python"

echo "== building rcx (release)"
(cd "$ROOT" && cargo build --release --quiet)
RCX="$ROOT/target/release/rcx"

mkdir -p "$DATA"
OUT="$DATA/out"
mkdir -p "$OUT"

# measure NAME...: each NAME names an array CMD_NAME holding a command.
# Runs every command once to warm up, then RUNS rounds in which each runs
# once, in turn: a machine whose speed drifts over minutes (a shared host)
# then slows every tool alike. Sets MED_NAME (median wall seconds) and
# RSS_NAME (largest peak RSS, KiB).
measure() {
  local f wall kb
  for f in "$@"; do
    local -n cmd="CMD_$f"
    "${cmd[@]}" >/dev/null 2>&1 || { echo "failed: ${cmd[*]}" >&2; "${cmd[@]}" >&2 || true; exit 1; }
    : > "$DATA/walls.$f"
    printf -v "RSS_$f" '%s' 0
    unset -n cmd
  done
  for _ in $(seq "$RUNS"); do
    for f in "$@"; do
      local -n cmd="CMD_$f" rss="RSS_$f"
      /usr/bin/time -f "%e %M" -o "$DATA/time.log" "${cmd[@]}" >/dev/null 2>&1
      read -r wall kb < "$DATA/time.log"
      echo "$wall" >> "$DATA/walls.$f"
      [ "$kb" -gt "$rss" ] && rss="$kb"
      unset -n cmd rss
    done
  done
  for f in "$@"; do
    printf -v "MED_$f" '%s' "$(sort -g "$DATA/walls.$f" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
  done
}

report() {
  local title="$1" file="$2"; shift 2
  local bytes mb
  bytes=$(stat -c %s "$file")
  mb=$(awk -v b="$bytes" 'BEGIN {printf "%.0f", b/1e6}')
  echo
  echo "$title: $(basename "$file"), $mb MB, $THREADS threads, median of $RUNS warm runs"
  printf '%-8s %9s %9s %10s %12s %12s\n' tool wall_s MB/s peak_MiB wall_vs_rcx mem_vs_rcx
  local rw rm
  while [ $# -gt 0 ]; do
    local name="$1" wall="$2" kb="$3"; shift 3
    [ -z "${rw:-}" ] && { rw="$wall"; rm="$kb"; }
    awk -v n="$name" -v w="$wall" -v k="$kb" -v b="$bytes" -v rw="$rw" -v rm="$rm" 'BEGIN {
      printf "%-8s %9.2f %9.0f %10.0f %11.2fx %11.2fx\n", n, w, b/1e6/w, k/1024, w/rw, k/rm }'
  done
}

# The metrics duck.py and pl.py compute, in their order.
COLUMNS=offered,answered,abandoned,short_abandoned,answered_within_sl,handle_s,answer_wait_s,longest_answer_wait_s,service_level_pct,abandon_rate_pct,aht_s,asa_s

if [ "$CALLS" = 1 ]; then
  # rcx gen writes a JSON array with one object per line; NDJSON (the
  # same lines without the brackets and commas) is the form DuckDB reads
  # fastest (a third faster than the array in a trial), and rcx reads
  # both.
  SEG="$DATA/segments-$SEGMENTS.ndjson"
  if [ ! -s "$SEG" ]; then
    echo "== generating $SEG"
    "$RCX" gen --report segments --rows "$SEGMENTS" --quiet | sed '1d;$d;s/,$//' > "$SEG.tmp"
    mv "$SEG.tmp" "$SEG"
  fi
  # The columns duck_calls.py computes, in its order (SPEC 5.1).
  CALL_COLUMNS=calls,offered,answered,abandoned,short_abandoned,answered_within_sl,abandoned_within_sl,wait_answered_s,longest_wait_answered_s,handled,handle_s,service_level_pct,abandon_rate_pct,asa_s,aht_s
  echo "== NDJSON segments: calls --by all --interval hour --columns (15 metrics)"
  CMD_rcxcalls=("$RCX" --threads "$THREADS" calls --by all --interval hour --columns "$CALL_COLUMNS" "$SEG" -o "$OUT/rcx-calls.csv")
  CMD_duckcalls=("$PY" "$HERE/duck_calls.py" "$SEG" "$OUT/duckdb-calls.csv" "$THREADS")
  measure rcxcalls duckcalls
  echo "== checking agreement"
  "$PY" "$HERE/check.py" --calls "$OUT/rcx-calls.csv" "$OUT/duckdb-calls.csv"
  report "Hourly call KPIs, cx v1 segments" "$SEG" rcx "$MED_rcxcalls" "$RSS_rcxcalls" duckdb "$MED_duckcalls" "$RSS_duckcalls"
  exit 0
fi

CSV="$DATA/queue-$ROWS.csv"
if [ ! -s "$CSV" ]; then
  echo "== generating $CSV"
  "$RCX" gen --report queue --rows "$ROWS" --queues 200 -o "$CSV"
fi

echo "== CSV: rollup --interval hour --by queue --columns (12 metrics)"
CMD_rcx=("$RCX" --threads "$THREADS" rollup --interval hour --columns "$COLUMNS" "$CSV" -o "$OUT/rcx.csv")
CMD_duckdb=("$PY" "$HERE/duck.py" csv "$CSV" "$OUT/duckdb.csv" "$THREADS")
CMD_polars=(env POLARS_MAX_THREADS="$THREADS" "$PY" "$HERE/pl.py" "$CSV" "$OUT/polars.csv")
measure rcx duckdb polars
echo "== checking agreement"
"$PY" "$HERE/check.py" "$OUT/rcx.csv" "$OUT/duckdb.csv" "$OUT/polars.csv"
report "Hourly per-queue rollup, CSV" "$CSV" rcx "$MED_rcx" "$RSS_rcx" duckdb "$MED_duckdb" "$RSS_duckdb" polars "$MED_polars" "$RSS_polars"

if [ "$JSON" = 1 ]; then
  JS="$DATA/queue-$ROWS.json"
  if [ ! -s "$JS" ]; then
    echo "== generating $JS"
    "$RCX" gen --report queue --rows "$ROWS" --queues 200 --format json -o "$JS"
  fi
  if ! "$RCX" inspect "$JS" >/dev/null 2>&1; then
    echo
    echo "JSON: skipped, this build of rcx does not read the JSON form ($("$RCX" inspect "$JS" 2>&1 | head -1))"
    exit 0
  fi
  echo "== JSON: rollup --interval hour --by queue --columns (12 metrics)"
  CMD_rcxjson=("$RCX" --threads "$THREADS" rollup --interval hour --columns "$COLUMNS" "$JS" -o "$OUT/rcx-json.csv")
  CMD_duckjson=("$PY" "$HERE/duck.py" json "$JS" "$OUT/duckdb-json.csv" "$THREADS")
  measure rcxjson duckjson
  "$PY" "$HERE/check.py" "$OUT/rcx-json.csv" "$OUT/duckdb-json.csv"
  report "Hourly per-queue rollup, JSON" "$JS" rcx "$MED_rcxjson" "$RSS_rcxjson" duckdb "$MED_duckjson" "$RSS_duckjson"
fi
