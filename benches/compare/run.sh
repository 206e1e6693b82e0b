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
# Usage: benches/compare/run.sh [--rows N] [--runs N] [--threads N] [--json]
#   --rows     rows to generate (default 10000000, about 820 MB)
#   --runs     timed runs per tool after one warm-up run (default 5)
#   --json     also the JSON form of the export against DuckDB read_json
# Needs: cargo, python3 (with venv), GNU time at /usr/bin/time.
# DuckDB and Polars are installed into benches/compare/.venv; the data goes
# to benches/compare/data (both git-ignored).
set -euo pipefail

ROWS=10000000
RUNS=5
THREADS=2
JSON=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --json) JSON=1; shift ;;
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
if ! "$VENV/bin/python" -c "import duckdb, polars" 2>/dev/null; then
  echo "== installing duckdb and polars"
  "$VENV/bin/pip" install --quiet duckdb polars
fi
PY="$VENV/bin/python"

echo "== building rcx (release)"
(cd "$ROOT" && cargo build --release --quiet)
RCX="$ROOT/target/release/rcx"

mkdir -p "$DATA"
CSV="$DATA/queue-$ROWS.csv"
if [ ! -s "$CSV" ]; then
  echo "== generating $CSV"
  "$RCX" gen --report queue --rows "$ROWS" --queues 200 -o "$CSV"
fi

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

echo "== CSV: rollup --interval hour --by queue --columns (12 metrics)"
OUT="$DATA/out"
mkdir -p "$OUT"
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
