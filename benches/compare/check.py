"""Checks that the rollups of rcx and the other tools agree: every queue
and hour present in all, sums equal, ratios within 0.01.

Usage: check.py RCX_CSV OTHER_CSV [OTHER_CSV...]   (exit 1 on disagreement)
"""
import sys

import duckdb

SUMS = [
    "offered", "answered", "abandoned", "short_abandoned", "answered_within_sl",
    "handle_s", "answer_wait_s", "longest_answer_wait_s",
]
RATIOS = ["service_level_pct", "abandon_rate_pct", "aht_s", "asa_s"]

con = duckdb.connect()
con.execute("SET threads = 2")
cols = ", ".join(SUMS + RATIOS)
con.execute(
    f"""CREATE TABLE r AS SELECT CAST(queue AS VARCHAR) AS queue,
    CAST(replace(substr(bucket_start, 1, 19), 'T', ' ') AS TIMESTAMP) AS b, {cols}
    FROM read_csv('{sys.argv[1]}', header = true, all_varchar = false,
                  types = {{'queue': 'VARCHAR', 'bucket_start': 'VARCHAR'}})"""
)
n = con.execute("SELECT count(*) FROM r").fetchone()[0]
ok = True
for other in sys.argv[2:]:
    con.execute("DROP TABLE IF EXISTS o")
    con.execute(
        f"""CREATE TABLE o AS SELECT CAST(queue AS VARCHAR) AS queue,
        CAST(bucket_start AS TIMESTAMP) AS b, {cols}
        FROM read_csv('{other}', header = true,
                      types = {{'queue': 'VARCHAR', 'bucket_start': 'VARCHAR'}})"""
    )
    m = con.execute("SELECT count(*) FROM o").fetchone()[0]
    conds = [f"r.{s} IS DISTINCT FROM o.{s}" for s in SUMS]
    conds += [
        f"(r.{x} IS NULL) <> (o.{x} IS NULL) OR abs(r.{x} - o.{x}) > 0.01 + 1e-9" for x in RATIOS
    ]
    bad = con.execute(
        f"""SELECT count(*) FROM r FULL JOIN o ON r.queue = o.queue AND r.b = o.b
        WHERE r.queue IS NULL OR o.queue IS NULL OR {' OR '.join('(' + c + ')' for c in conds)}"""
    ).fetchone()[0]
    status = "agree" if bad == 0 and n == m else "DISAGREE"
    print(f"  {other}: {m} rows vs rcx {n}: {bad} differing -> {status}")
    ok = ok and status == "agree"
sys.exit(0 if ok else 1)
