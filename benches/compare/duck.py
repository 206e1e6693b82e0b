"""Hourly per-queue rollup of a Queue Statistics export in DuckDB SQL.

Usage: duck.py csv|json INPUT OUTPUT THREADS
Writes one CSV row per queue and hour with the SPEC 4.3 default metrics.
"""
import sys

import duckdb

form, src, out, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
if form == "csv":
    scan = (
        f"read_csv('{src}', header = true, "
        "types = {'queue': 'VARCHAR', 'date_from': 'VARCHAR', 'time': 'VARCHAR'})"
    )
    start = "strptime(date_from || ' ' || time, '%Y%m%d %H:%M')"
else:
    # The current JSON form (as in RingCX's published agg-queue-stats
    # sample): camelCase keys with `Ixn`, `dateTimeFrom` as
    # MM-dd-yyyyTHH:mm:ss, read as text so DuckDB does not guess.
    scan = (
        f"read_json('{src}', format = 'auto', "
        "columns = {'queue': 'VARCHAR', 'dateTimeFrom': 'VARCHAR', "
        "'offdDirectIxnCnt': 'BIGINT', 'overflowInIxnCnt': 'BIGINT', "
        "'answIxnCnt': 'BIGINT', 'abandIxnCnt': 'BIGINT', "
        "'abandShortIxnCnt': 'BIGINT', 'ansServicelevelCnt': 'BIGINT', "
        "'talkingIxnDur': 'BIGINT', 'wrapUpDur': 'BIGINT', "
        "'queuedAndAnswIxnDur': 'BIGINT', 'queuedAnswLongestQueDur': 'BIGINT'})"
    )
    start = "strptime(dateTimeFrom, '%m-%d-%YT%H:%M:%S')"

cols = {
    "csv": dict(
        queue="queue", direct="offd_direct_call_cnt", over="overflow_in_call_cnt",
        ans="answ_call_cnt", ab="aband_call_cnt", short="aband_short_call_cnt",
        sl="ans_servicelevel_cnt", talk="talking_call_dur", wrap="wrap_up_dur",
        wait="queued_and_answ_call_dur", longest="queued_answ_longest_que_dur",
    ),
    "json": dict(
        queue="queue", direct="offdDirectIxnCnt", over="overflowInIxnCnt",
        ans="answIxnCnt", ab="abandIxnCnt", short="abandShortIxnCnt",
        sl="ansServicelevelCnt", talk="talkingIxnDur", wrap="wrapUpDur",
        wait="queuedAndAnswIxnDur", longest="queuedAnswLongestQueDur",
    ),
}[form]
c = cols
sql = f"""
COPY (
  WITH s AS (
    SELECT CAST({c['queue']} AS VARCHAR) AS queue,
           date_trunc('hour', {start}) AS bucket_start,
           SUM({c['direct']}) + SUM({c['over']}) AS offered,
           SUM({c['ans']}) AS answered,
           SUM({c['ab']}) AS abandoned,
           SUM({c['short']}) AS short_abandoned,
           SUM({c['sl']}) AS answered_within_sl,
           SUM({c['talk']}) + SUM({c['wrap']}) AS handle_s,
           SUM({c['wait']}) AS answer_wait_s,
           MAX({c['longest']}) AS longest_answer_wait_s
    FROM {scan}
    GROUP BY ALL
  )
  SELECT *,
    round(100 * answered_within_sl / NULLIF(answered + abandoned - short_abandoned, 0), 2)
      AS service_level_pct,
    round(100 * (abandoned - short_abandoned) / NULLIF(offered - short_abandoned, 0), 2)
      AS abandon_rate_pct,
    round(handle_s / NULLIF(answered, 0), 2) AS aht_s,
    round(answer_wait_s / NULLIF(answered, 0), 2) AS asa_s
  FROM s
) TO '{out}' (HEADER, DELIMITER ',')
"""
con.execute(sql)
