#!/bin/sh
# Counts the public items of the crate as rustdoc documents them: one page
# per struct, enum, function, constant, trait and type alias (rustdoc's
# redirect pages for re-exported paths left out; #[doc(hidden)] items have
# no page). Run after `cargo doc --no-deps --all-features`.
set -eu
dir=${1:-target/doc/ringcx_reports}
total=0
for kind in struct enum fn constant trait type; do
    n=$(find "$dir" -name "$kind.*.html" -exec grep -L 'Redirecting to' {} + | wc -l)
    echo "$kind $n"
    total=$((total + n))
done
echo "items $total"
