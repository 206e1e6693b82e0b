"""Reads what rcx wrote as Parquet with DuckDB (tests/parquet_duckdb.rs).

  compare.py table PARQUET CSV TYPES
      The Parquet file must hold the CSV's columns, in its order, with the
      DuckDB types TYPES gives (a JSON object, column -> type; a column it
      does not name must be BIGINT), and the CSV's rows: the same text, the
      same integer, the same decimal digits (an empty cell is NULL), the
      same instant.

  compare.py query PARQUET SQL
      Runs SQL over the view `t` of the Parquet file, in a session whose
      time zone is UTC, and prints its one row,
      comma-separated (NULL as an empty field), after the DuckDB type of each
      result column.

  compare.py sql QUERY_FILE CSV
      Runs the query in QUERY_FILE (what `rcx sql --dialect duckdb`
      prints) in a session whose time zone is Asia/Kathmandu (the query
      must not depend on it) and writes its result to CSV (`-`: standard
      output) as rcx writes CSV: a header, then each row, an empty field
      for NULL.
"""
import csv
import datetime
import decimal
import json
import sys

import duckdb


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def table(parquet, csv_path, types):
    want_types = json.loads(types)
    con = duckdb.connect()
    rel = con.sql(f"SELECT * FROM read_parquet('{parquet}')")
    names, got_types = rel.columns, [str(t) for t in rel.types]
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    if names != header:
        fail(f"columns {names} != CSV header {header}")
    for n, t in zip(names, got_types):
        want = want_types.get(n, "BIGINT")
        if t != want:
            fail(f"column {n}: DuckDB reads {t}, expected {want}")
    unknown = set(want_types) - set(names)
    if unknown:
        fail(f"expected columns missing: {sorted(unknown)}")
    got = rel.fetchall()
    if len(got) != len(rows):
        fail(f"{len(got)} rows in Parquet, {len(rows)} in the CSV")
    for i, (g, w) in enumerate(zip(got, rows), start=2):
        for n, t, v, text in zip(names, got_types, g, w):
            where = f"CSV line {i}, column {n}"
            if text == "" and t != "VARCHAR":
                if v is not None:
                    fail(f"{where}: {v!r} where the CSV is empty")
            elif t == "VARCHAR":
                if v != text:
                    fail(f"{where}: {v!r} != {text!r}")
            elif t == "TIMESTAMP WITH TIME ZONE":
                if v != datetime.datetime.fromisoformat(text):
                    fail(f"{where}: {v} is not the instant {text}")
            elif t.startswith("DECIMAL"):
                if not isinstance(v, decimal.Decimal) or str(v) != text:
                    fail(f"{where}: {v!r} != {text}")
            elif t == "BIGINT":
                if v != int(text):
                    fail(f"{where}: {v!r} != {text}")
            else:
                fail(f"{where}: unexpected type {t}")
    print(f"ok: {len(got)} rows, {len(names)} columns")


def query(parquet, sql):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.sql(f"CREATE VIEW t AS SELECT * FROM read_parquet('{parquet}')")
    rel = con.sql(sql)
    rows = rel.fetchall()
    if len(rows) != 1:
        fail(f"{len(rows)} rows, expected one")
    print(",".join(str(t) for t in rel.types))
    print(",".join("" if v is None else str(v) for v in rows[0]))


def sql(query_file, out):
    with open(query_file, encoding="utf-8") as f:
        query = f.read()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Kathmandu'")
    rel = con.sql(query)
    f = sys.stdout if out == "-" else open(out, "w", newline="", encoding="utf-8")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(rel.columns)
    for row in rel.fetchall():
        w.writerow(["" if v is None else str(v) for v in row])
    f.flush()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "table":
        table(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "sql":
        sql(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "query":
        query(*sys.argv[2:])
    else:
        fail(__doc__)
