"""Hourly per-queue rollup of a Queue Statistics export in Polars (lazy).

Usage: pl.py INPUT OUTPUT   (set POLARS_MAX_THREADS for the thread count)
Writes one CSV row per queue and hour with the SPEC 4.3 default metrics.
"""
import sys

import polars as pl

src, out = sys.argv[1], sys.argv[2]
lf = pl.scan_csv(
    src,
    schema_overrides={"queue": pl.Utf8, "date_from": pl.Utf8, "time": pl.Utf8},
)
c = pl.col
s = (
    lf.with_columns(
        bucket_start=(c("date_from") + " " + c("time"))
        .str.strptime(pl.Datetime, "%Y%m%d %H:%M")
        .dt.truncate("1h")
    )
    .group_by("queue", "bucket_start")
    .agg(
        offered=c("offd_direct_call_cnt").sum() + c("overflow_in_call_cnt").sum(),
        answered=c("answ_call_cnt").sum(),
        abandoned=c("aband_call_cnt").sum(),
        short_abandoned=c("aband_short_call_cnt").sum(),
        answered_within_sl=c("ans_servicelevel_cnt").sum(),
        handle_s=c("talking_call_dur").sum() + c("wrap_up_dur").sum(),
        answer_wait_s=c("queued_and_answ_call_dur").sum(),
        longest_answer_wait_s=c("queued_answ_longest_que_dur").max(),
    )
)


def ratio(num, den, scale=1):
    return pl.when(den != 0).then((scale * num / den).round(2)).otherwise(None)


s = s.with_columns(
    service_level_pct=ratio(
        c("answered_within_sl"),
        c("answered") + c("abandoned") - c("short_abandoned"),
        100,
    ),
    abandon_rate_pct=ratio(
        c("abandoned") - c("short_abandoned"), c("offered") - c("short_abandoned"), 100
    ),
    aht_s=ratio(c("handle_s"), c("answered")),
    asa_s=ratio(c("answer_wait_s"), c("answered")),
)
s.collect().write_csv(out, datetime_format="%Y-%m-%d %H:%M:%S")
