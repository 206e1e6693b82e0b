#!/usr/bin/env bash
# Installs DuckDB's Python package, at the version below, into a virtual
# environment (default: target/duckdb-venv, git-ignored) and prints the path
# of its python. The tests that read rcx's Parquet with DuckDB run with that
# path in RCX_DUCKDB_PYTHON:
#
#   RCX_DUCKDB_PYTHON=$(scripts/duckdb.sh) cargo test --all-features -- --ignored duckdb
#
# Needs python3 with venv and pip, and the Python package index. Run again,
# it only checks the installed version.
set -euo pipefail
DUCKDB_VERSION=2.0.1
cd "$(dirname "$0")/.."
VENV="${1:-target/duckdb-venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" >&2
fi
if ! "$VENV/bin/python" -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION')" 2>/dev/null; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "duckdb==$DUCKDB_VERSION" >&2
fi
echo "$(cd "$VENV" && pwd)/bin/python"
