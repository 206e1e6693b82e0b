"""Checks that the results of rcx and the other tools agree: every key and
hour present in all, sums (counts) equal, seconds and ratios within 0.01.

Usage: check.py [--calls] RCX_CSV OTHER_CSV [OTHER_CSV...]   (exit 1 on disagreement)
  default  the hourly per-queue rollup (key: queue)
  --calls  the hourly call KPIs of `rcx calls --by all` (no key column)
"""
import sys

import duckdb

args = sys.argv[1:]
calls = bool(args) and args[0] == "--calls"
if calls:
    args = args[1:]
    KEYS = []
    EXACT = [
        "calls", "offered", "answered", "abandoned", "short_abandoned",
        "answered_within_sl", "abandoned_within_sl", "handled",
    ]
    NEAR = [
        "wait_answered_s", "longest_wait_answered_s", "handle_s",
        "service_level_pct", "abandon_rate_pct", "asa_s", "aht_s",
    ]
else:
    KEYS = ["queue"]
    EXACT = [
        "offered", "answered", "abandoned", "short_abandoned", "answered_within_sl",
        "handle_s", "answer_wait_s", "longest_answer_wait_s",
    ]
    NEAR = ["service_level_pct", "abandon_rate_pct", "aht_s", "asa_s"]

con = duckdb.connect()
con.execute("SET threads = 2")
cols = ", ".join(EXACT + NEAR)
keys = "".join(f"CAST({k} AS VARCHAR) AS {k}, " for k in KEYS)
types = ", ".join(f"'{k}': 'VARCHAR'" for k in KEYS + ["bucket_start"])


def load(table, path, bucket):
    con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(
        f"""CREATE TABLE {table} AS SELECT {keys}CAST({bucket} AS TIMESTAMP) AS b, {cols}
        FROM read_csv('{path}', header = true, types = {{{types}}})"""
    )
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# rcx prints RFC 3339 bucket starts (`2024-01-01T00:00:00+00:00`).
n = load("r", args[0], "replace(substr(bucket_start, 1, 19), 'T', ' ')")
on = " AND ".join([f"r.{k} = o.{k}" for k in KEYS] + ["r.b = o.b"])
ok = True
for other in args[1:]:
    m = load("o", other, "bucket_start")
    conds = [f"r.{s} IS DISTINCT FROM o.{s}" for s in EXACT]
    conds += [
        f"(r.{x} IS NULL) <> (o.{x} IS NULL) OR abs(r.{x} - o.{x}) > 0.01 + 1e-9" for x in NEAR
    ]
    bad = con.execute(
        f"""SELECT count(*) FROM r FULL JOIN o ON {on}
        WHERE r.b IS NULL OR o.b IS NULL OR {' OR '.join('(' + c + ')' for c in conds)}"""
    ).fetchone()[0]
    status = "agree" if bad == 0 and n == m else "DISAGREE"
    print(f"  {other}: {m} rows vs rcx {n}: {bad} differing -> {status}")
    ok = ok and status == "agree"
sys.exit(0 if ok else 1)
