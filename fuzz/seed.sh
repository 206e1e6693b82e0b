#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ (git-ignored) from the fixtures and from the
# hand-picked fuzz/seeds/. Every fuzz input starts with 4 option bytes (see
# Opts::decode in src/checks.rs); a fixture gets options that read it as
# intended: America/New_York for *_ny files, dd/MM/yyyy for *dmy* files,
# and otherwise UTC with detection. Run from anywhere; idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fixtures="$here/../fixtures"
targets=(csv_reader csv_tiny_buffer validate)

header() {
    local name zone=0 flags=0
    name="$(basename "$1")"
    case "$name" in *_ny*) zone=1 ;; esac
    case "$name" in *dmy*) flags=1 ;; esac
    # zone, flags, record limit (0 = default), tiny buffer (byte 3: size - 1)
    printf "\\x$(printf %02x "$zone")\\x$(printf %02x "$flags")\\x00\\x$(printf %02x "$2")"
}

for t in "${targets[@]}"; do
    mkdir -p "$here/corpus/$t"
    i=0
    for f in "$fixtures"/*.csv "$fixtures"/invalid/*.csv; do
        # Vary the tiny buffer size across the seeds (1..=16).
        { header "$f" $((i % 16)); cat "$f"; } > "$here/corpus/$t/fixture-$(basename "$f" .csv)"
        i=$((i + 1))
    done
    if [ -d "$here/seeds" ]; then
        cp "$here"/seeds/* "$here/corpus/$t/" 2>/dev/null || true
    fi
    echo "$t: $(ls "$here/corpus/$t" | wc -l) inputs"
done
