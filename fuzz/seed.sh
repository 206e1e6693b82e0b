#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ (git-ignored) from the fixtures and from the
# hand-picked fuzz/seeds/. Every fuzz input starts with 4 option bytes (see
# Opts::decode in src/checks.rs); a fixture gets options that read it as
# intended: America/New_York for *_ny files, dd/MM/yyyy for *dmy* files,
# and otherwise UTC with detection. Run from anywhere; idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fixtures="$here/../fixtures"
targets=(csv_reader csv_tiny_buffer validate xml_reader json_reader segments_reader csv_chunked rollup_split)

header() {
    local name zone=0 flags=0
    name="$(basename "$1")"
    case "$name" in *_ny*) zone=1 ;; esac
    case "$name" in *dmy*) flags=1 ;; esac
    # zone, flags, record limit (0 = default), tiny buffer (byte 3: size - 1)
    printf "\\x$(printf %02x "$zone")\\x$(printf %02x "$flags")\\x00\\x$(printf %02x "$2")"
}

# The fixtures each target reads: CSV for the CSV targets, XML, JSON and
# NDJSON (the vendor samples too) for the others.
fixtures_for() {
    case "$1" in
    xml_reader) ls "$fixtures"/*.xml ;;
    json_reader | segments_reader)
        ls "$fixtures"/*.json "$fixtures"/*.ndjson "$fixtures"/invalid/*.json \
            "$fixtures"/invalid/*.ndjson "$fixtures"/vendor/*.json ;;
    rollup_split) ;;
    *) ls "$fixtures"/*.csv "$fixtures"/invalid/*.csv ;;
    esac
}

for t in "${targets[@]}"; do
    mkdir -p "$here/corpus/$t"
    i=0
    for f in $(fixtures_for "$t"); do
        # Vary the tiny buffer size across the seeds (1..=16).
        out="$here/corpus/$t/fixture-$(basename "$f")"
        {
            header "$f" $((i % 16))
            # csv_chunked: a rollup option byte (grouping, interval) after
            # the reader options.
            if [ "$t" = csv_chunked ]; then printf "\\x$(printf %02x $((i * 9 % 64)))"; fi
            cat "$f"
        } > "$out"
        i=$((i + 1))
    done
    # The hand-picked seeds: the CSV ones for the CSV targets, and the
    # target's own (seeds/<target>/) for the others.
    case "$t" in
    csv_reader | csv_tiny_buffer | validate | csv_chunked)
        find "$here/seeds" -maxdepth 1 -type f -exec cp {} "$here/corpus/$t/" \; ;;
    esac
    if [ -d "$here/seeds/$t" ]; then
        cp "$here/seeds/$t"/* "$here/corpus/$t/"
    fi
    echo "$t: $(ls "$here/corpus/$t" | wc -l) inputs"
done
