#!/usr/bin/env bash
# Golden outputs: runs every `rcx` command over the bundled fixtures and
# over generated exports, and stores each run's standard output, standard
# error, exit status and written files under OUT_DIR. Run it with the binary
# before a change and the binary after, then compare:
#
#   cargo build --release --all-features && cp target/release/rcx /tmp/rcx-before
#   scripts/golden.sh /tmp/rcx-before /tmp/golden-before
#   # ... change the code ...
#   cargo build --release --all-features
#   scripts/golden.sh target/release/rcx /tmp/golden-after
#   diff -r /tmp/golden-before /tmp/golden-after && echo identical
#
# Generated inputs go to target/golden-inputs (the same paths for both runs,
# so messages naming them compare equal). Commands that need a feature the
# binary lacks (plot, parquet) record the refusal, which then differs: build
# both binaries with the same features.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 2 ]; then
    echo "usage: scripts/golden.sh RCX OUT_DIR" >&2
    exit 2
fi
RCX=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
OUT=$2
IN=target/golden-inputs
rm -rf "$OUT"
mkdir -p "$OUT" "$IN"

n=0
# run NAME ARGS...: one command; files it writes go to $OUT/NAME.files/.
run() {
    local name
    name=$(printf '%03d-%s' "$n" "$1")
    n=$((n + 1))
    shift
    local files="$OUT/$name.files"
    mkdir -p "$files"
    local args=()
    for a in "$@"; do
        args+=("${a//@FILES@/$files}")
    done
    "$RCX" --threads 2 "${args[@]}" >"$OUT/$name.out" 2>"$OUT/$name.err" </dev/null
    echo $? >"$OUT/$name.code"
    printf '%s\n' "${args[*]}" | sed "s|$files|FILES|g" >"$OUT/$name.cmd"
    sed -i "s|$files|FILES|g" "$OUT/$name.out" "$OUT/$name.err"
    rmdir "$files" 2>/dev/null || true
}

# Zone and date order of a fixture, from its name.
read_opts() {
    case $1 in
        *_ny.*) echo "--source-tz America/New_York" ;;
        *dmy*) echo "--date-order dmy" ;;
        *) echo "" ;;
    esac
}

# Every fixture: inspect, parse, validate.
for f in fixtures/*.csv fixtures/*.xml fixtures/*.json fixtures/*.ndjson \
    fixtures/vendor/*.json fixtures/invalid/* fixtures/bad/*; do
    case $f in
        *groups*|*request*) continue ;;
    esac
    base=$(basename "$f")
    # shellcheck disable=SC2046
    run "inspect-$base" inspect $(read_opts "$base") "$f"
    # shellcheck disable=SC2046
    run "inspect-json-$base" inspect --format json $(read_opts "$base") "$f"
    # shellcheck disable=SC2046
    run "parse-$base" parse $(read_opts "$base") "$f"
    # shellcheck disable=SC2046
    run "parse-csv-$base" parse --format csv --skip-invalid $(read_opts "$base") "$f"
    # shellcheck disable=SC2046
    run "validate-$base" validate --gaps $(read_opts "$base") "$f"
    # shellcheck disable=SC2046
    run "validate-json-$base" validate --format json $(read_opts "$base") "$f"
done
run explain validate --explain Q201
run cross validate fixtures/queue_header.csv --against fixtures/agent_ext_cross.csv

# Rollups of the fixtures: every interval, grouping and format.
for iv in native 15m 30m hour day week month total; do
    run "rollup-dst-$iv" rollup fixtures/queue_dst_days_ny.csv --source-tz America/New_York --interval "$iv"
done
for fmt in csv json ndjson table analytics; do
    run "rollup-fmt-$fmt" rollup fixtures/queue_header.csv --interval day --format "$fmt"
done
for by in queue agent agent-queue all; do
    run "rollup-agent-$by" rollup fixtures/agent_ext_cross.csv --by "$by" --interval day
done
run rollup-qgroups rollup fixtures/queue_header.csv --by queue-group --queue-groups fixtures/queue_groups.csv
run rollup-agroups rollup fixtures/agent_ext_cross.csv --by agent-group --agent-groups fixtures/queue_groups_with_agents.json
run rollup-request rollup fixtures/queue_header.csv --request fixtures/analytics_request.json
run rollup-options rollup fixtures/queue_dst_days_ny.csv --source-tz America/New_York --tz Europe/London \
    --sl-formula offered --short-abandons include --offered direct --interval day --columns service_level_pct,aht_s,offered
run rollup-window rollup fixtures/queue_dst_days_ny.csv --source-tz America/New_York --days mon,tue,wed,thu,fri --hours 08:00-17:00 --interval day
run rollup-agent-stats rollup fixtures/agent_stats_header.csv --interval total
run rollup-unsorted rollup fixtures/queue_unsorted.csv --interval total
run rollup-dup rollup fixtures/queue_duplicate.csv
run rollup-dup-skip rollup fixtures/queue_duplicate.csv --skip-invalid

# Convert, timeline, interactions, plot on fixtures.
for to in teleopti csv ndjson; do
    run "convert-$to" convert fixtures/queue_header.csv fixtures/queue_unsorted.csv --to "$to"
    run "convert-ny-$to" convert fixtures/queue_dst_days_ny.csv --source-tz America/New_York --to "$to"
done
run convert-parquet convert fixtures/queue_header.csv --to parquet -o @FILES@/pq
for f in fixtures/segments_*.ndjson fixtures/vendor/interaction-metadata-*.json; do
    base=$(basename "$f")
    run "interactions-$base" interactions "$f"
    run "interactions-csv-$base" interactions --format csv "$f"
    for by in agent direction channel all; do
        run "timeline-$by-$base" timeline "$f" --by "$by" --interval 15m
    done
done
run plot-svg plot fixtures/queue_dst_days_ny.csv --source-tz America/New_York --interval day -o @FILES@/sl.svg

# Generated exports: each report and wire form, then every command on them.
# gen_input PATH NAME ARGS...: `rcx gen` of the binary under test writes the
# export (kept among the outputs, so gen itself is compared) and it is copied
# to PATH, the same path in both runs.
gen_input() {
    local g=$1 name=$2
    shift 2
    run "$name" -q gen "$@" -o @FILES@/export
    cp "$OUT/$(printf '%03d' $((n - 1)))-$name.files/export" "$g" || echo "$name failed" >&2
}
for report in queue agent-ext agent; do
    for form in csv xml json; do
        g="$IN/$report.$form"
        gen_input "$g" "gen-$report-$form" --report "$report" --rows 20000 --seed 7 --format "$form"
        run "gen-inspect-$report-$form" inspect "$g"
        run "gen-validate-$report-$form" validate --gaps "$g"
        run "gen-rollup-$report-$form" rollup "$g" --interval day
        run "gen-rollup-week-$report-$form" rollup "$g" --interval week --by all --format json
        run "gen-convert-$report-$form" convert "$g" --to csv
    done
done
g="$IN/segments.json"
gen_input "$g" gen-segments --report segments --rows 5000 --seed 7
run gen-inspect-segments inspect "$g"
run gen-validate-segments validate "$g"
run gen-interactions-segments interactions "$g"
run gen-timeline-segments timeline "$g" --by agent --interval hour
run gen-timeline-day-segments timeline "$g" --by all --interval day --tz America/New_York

# Calls (SPEC 5.1), last so that adding them left the numbers of the runs
# above as they were.
run gen-calls-segments calls "$g" --by agent --interval hour
run gen-calls-day-segments calls "$g" --by direction --interval day --tz America/New_York --format json
for f in fixtures/calls/*.ndjson fixtures/segments_*.ndjson fixtures/vendor/interaction-metadata-*.json; do
    base=$(basename "$f")
    for by in agent agent-group direction channel all; do
        run "calls-$by-$base" calls "$f" --by "$by"
    done
done
run calls-interactions interactions fixtures/calls/segments_calls.ndjson
run calls-table-formulas calls fixtures/calls/segments_calls.ndjson --format table --sl-formula abandons-positive --short-abandons include --sl-threshold 10
run calls-analytics calls fixtures/calls/segments_calls.ndjson --format analytics

echo "golden: $n runs in $OUT"
