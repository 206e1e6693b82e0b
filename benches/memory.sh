#!/usr/bin/env bash
# Peak memory of every long-running rcx command at two input sizes (SPEC 9,
# issue 18: "peak memory within 10% between a 1 GB and a 3 GB input for
# every command, in time order or not").
#
# Generates a queue export (CSV) of --rows rows and one --factor times as
# large, each also with its data lines reversed (the worst order), and a
# cx v1 segment export of --segments objects and --factor times as many
# (time-ordered, as exports are written). Runs each job once on each size,
# records the peak resident set (GNU time's %M) and prints one table:
# the job, both peaks in MiB, their ratio, and whether the larger input
# stayed within 10% of the smaller.
#
# Usage: benches/memory.sh [--rows N] [--segments N] [--factor K] [--threads N] [--runs N]
#   --rows      queue rows of the smaller export (default 12000000, about
#               1 GB; the issue's sizes)
#   --segments  segment objects of the smaller export (default 1000000,
#               about 1.07 GB)
#   --factor    how many times larger the second input is (default 3)
#   --threads   threads of each run (default 2)
#   --runs      runs of each job at each size, the median peak taken
#               (default 1; the peaks of the two-thread segment jobs vary
#               by 2-3 MiB from run to run, so --runs 5 settles a ratio
#               near 1.10)
# Needs: cargo, GNU time at /usr/bin/time, tac. The data goes to
# benches/memory-data (git-ignored); --rows 1000000 --segments 100000 is a
# quick look (a few minutes).
set -euo pipefail

ROWS=12000000
SEGMENTS=1000000
FACTOR=3
THREADS=2
RUNS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --segments) SEGMENTS="$2"; shift 2 ;;
    --factor) FACTOR="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
echo "== building rcx (release, with plot)" >&2
cargo build --release --quiet --features plot
RCX="$PWD/target/release/rcx"
DATA="$PWD/benches/memory-data"
mkdir -p "$DATA"
cd "$DATA"

# Generates the exports of one size: queue CSV in order and reversed
# (q$rows.csv, r$rows.csv), segments in order (s$segs.ndjson). Named by
# their size, so a later run of another size never reuses them; kept
# between runs of the script.
generate() {
  local rows="$1" segs="$2"
  if [ ! -s "q$rows.csv" ]; then
    echo "== generating $rows queue rows" >&2
    "$RCX" gen --report queue --rows "$rows" -q > "q$rows.csv"
  fi
  if [ ! -s "r$rows.csv" ]; then
    (head -n 1 "q$rows.csv"; tail -n +2 "q$rows.csv" | tac) > "r$rows.csv"
  fi
  if [ ! -s "s$segs.ndjson" ]; then
    echo "== generating $segs segment objects" >&2
    "$RCX" gen --report segments --rows "$segs" -q > "s$segs.ndjson"
  fi
}
generate "$ROWS" "$SEGMENTS"
generate "$((ROWS * FACTOR))" "$((SEGMENTS * FACTOR))"
cat > body.json <<'EOF'
{"grouping": {"groupBy": "Queues"},
 "timeSettings": {"timeZone": "UTC",
  "timeRange": {"timeFrom": "2000-01-01T00:00:00Z", "timeTo": "2100-01-01T00:00:00Z"}}}
EOF
# A timeline lists every day of the range for each key: the same points
# (about 1.5 million) at both sizes, while the larger input has three times
# the days with rows per key.
cat > timeline.json <<'EOF'
{"grouping": {"groupBy": "Queues"},
 "timeSettings": {"timeZone": "UTC",
  "timeRange": {"timeFrom": "2000-01-01T00:00:00Z", "timeTo": "2100-01-01T00:00:00Z"}},
 "responseOptions": {"counters": {"allCalls": true, "callsByResponse": true}}}
EOF

# Each job: a name, then the command with IN standing for the input (the
# queue export q/r or the segments s, chosen by the job's first letter).
JOBS=(
  "q|parse|parse IN"
  "q|validate|validate IN"
  "q|rollup csv|rollup IN"
  "q|rollup table|rollup IN --format table"
  "q|convert teleopti|convert IN --to teleopti -o OUT"
  "q|analytics aggregate|analytics aggregate --body body.json IN"
  "q|analytics timeline|analytics timeline --interval Day --body timeline.json IN"
  "q|plot|plot IN -o OUT.svg"
  "r|parse|parse IN"
  "r|validate|validate IN"
  "r|rollup csv|rollup IN"
  "r|convert teleopti|convert IN --to teleopti -o OUT"
  "r|plot|plot IN -o OUT.svg"
  "s|validate|validate IN"
  "s|timeline|timeline IN"
  "s|interactions|interactions IN"
  "s|calls|calls IN"
  "s|convert csv|convert IN --to csv -o OUT"
)

# Peak RSS in KiB of one run; the run's output is discarded (a failing run
# stops the script: a memory figure of a failed run means nothing).
peak() {
  local cmd="$1"
  /usr/bin/time -f "%M" -o peak.txt bash -c "$cmd > /dev/null 2> err.txt" || {
    echo "failed: $cmd" >&2
    cat err.txt >&2
    exit 1
  }
  tail -n 1 peak.txt
}

printf "Peak memory (max RSS, median of %s run(s)), %s threads: small = %s queue rows / %s segments, large = %sx\n" \
  "$RUNS" "$THREADS" "$ROWS" "$SEGMENTS" "$FACTOR"
printf "%-8s %-22s %10s %10s %7s  %s\n" input job small_MiB large_MiB ratio within_10%
for job in "${JOBS[@]}"; do
  IFS='|' read -r kind name args <<< "$job"
  case "$kind" in
    q) label="in order"; ext=csv; n="$ROWS" ;;
    r) label="reversed"; ext=csv; n="$ROWS" ;;
    s) label="segments"; ext=ndjson; n="$SEGMENTS" ;;
  esac
  kib=()
  for size in "$n" "$((n * FACTOR))"; do
    cmd="$RCX --threads $THREADS -q ${args//IN/$kind$size.$ext}"
    cmd="${cmd//OUT/$DATA/out}"
    runs=()
    for _ in $(seq "$RUNS"); do
      rm -rf "$DATA/out" "$DATA/out.svg"
      runs+=("$(peak "$cmd")")
    done
    kib+=("$(printf '%s\n' "${runs[@]}" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')")
  done
  awk -v i="$label" -v j="$name" -v a="${kib[0]}" -v b="${kib[1]}" 'BEGIN {
    r = b / a
    printf "%-8s %-22s %10.1f %10.1f %7.2f  %s\n", i, j, a / 1024, b / 1024, r, (r <= 1.10 ? "yes" : "NO")
  }'
done
rm -rf "$DATA/out" "$DATA/out.svg" peak.txt err.txt
