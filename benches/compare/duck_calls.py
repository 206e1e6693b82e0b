"""Hourly call KPIs (SPEC 5.1) of a cx v1 interaction-metadata (segment)
export in DuckDB SQL: what `rcx calls --by all --interval hour` computes.

Usage: duck_calls.py INPUT OUTPUT THREADS
INPUT is NDJSON or a JSON array of cx v1 segment objects (read_json,
format auto). Writes one CSV row per UTC hour with the columns of COLUMNS
in run.sh.

The definitions, as rcx applies them (src/calls, src/timeline):
- a call is one interaction (`interactionId`); a segment is an agent
  segment when its `segmentType` is AGENT (case and spaces ignored), or,
  without a type, when it has a participant (agent) id;
- a segment's span ends at its end, else at its start + its duration;
- the call starts at the dialog start, else at its first segment's start,
  and ends at the dialog end, else the dialog start + the dialog duration,
  else at the end of its last segment (by start);
- direction: `dialogOrigination`, case ignored; the queue columns count
  INBOUND calls only;
- answered: the call has an agent segment; wait: the first agent segment's
  start − the call's start (unanswered: its end − its start), a negative
  wait counted as 0; handle: Σ agent segment spans of calls with an agent
  segment, any direction;
- a call belongs to the hour of its start; short abandon: wait < 5 s;
  within service level: wait <= 20 s; service level answered_within_sl /
  (answered + abandoned − short_abandoned), abandon rate (abandoned −
  short_abandoned) / (offered − short_abandoned) (SPEC 4.3 defaults; every
  call of a cx v1 export counts in the abandon rate's offered).
The dialog fields repeat on every segment of a dialog; where rcx takes the
first value in segment order, this takes the least (min/max/any_value),
which is the same value whenever a dialog's segments agree, as exports
(and `rcx gen`) write them. On fixtures/calls/segments_calls.ndjson
(a negative wait, unanswered calls, waits on the thresholds, segments out
of order) it prints what `rcx calls` prints, to the millisecond.
"""
import sys

import duckdb

src, out, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
# Only the fields the KPIs need, with their types, so nothing is sampled
# or guessed; timestamps are RFC 3339 text (`...T00:00:34.043Z`).
scan = (
    f"read_json('{src}', format = 'auto', "
    "columns = {'interactionId': 'VARCHAR', 'dialogOrigination': 'VARCHAR', "
    "'dialogStartTimeMs': 'TIMESTAMP', 'dialogEndTimeMs': 'TIMESTAMP', "
    "'dialogDurationMs': 'BIGINT', 'segmentType': 'VARCHAR', "
    "'segmentParticipantId': 'VARCHAR', 'segmentStartTimeMs': 'TIMESTAMP', "
    "'segmentEndTimeMs': 'TIMESTAMP', 'segmentDurationMs': 'BIGINT'})"
)
sql = f"""
COPY (
  WITH seg AS (
    SELECT interactionId AS id,
           upper(dialogOrigination) AS dir,
           epoch_ms(dialogStartTimeMs) AS d_start,
           coalesce(epoch_ms(dialogEndTimeMs),
                    epoch_ms(dialogStartTimeMs) + dialogDurationMs) AS d_end,
           epoch_ms(segmentStartTimeMs) AS s_start,
           coalesce(epoch_ms(segmentEndTimeMs),
                    epoch_ms(segmentStartTimeMs) + segmentDurationMs) AS s_end,
           CASE WHEN segmentType IS NOT NULL THEN upper(trim(segmentType)) = 'AGENT'
                ELSE segmentParticipantId IS NOT NULL END AS agent
    FROM {scan}
  ),
  call AS (
    SELECT any_value(dir) AS dir,
           coalesce(min(d_start), min(s_start)) AS start,
           coalesce(max(d_end), arg_max(s_end, s_start)) AS stop,
           min(s_start) FILTER (WHERE agent) AS first_agent,
           sum(s_end - s_start) FILTER (WHERE agent) AS handle_ms
    FROM seg
    GROUP BY id
  ),
  judged AS (
    SELECT start // 3600000 AS hour,
           dir = 'INBOUND' AS inbound,
           first_agent IS NOT NULL AS answered,
           greatest(coalesce(first_agent, stop) - start, 0) AS wait_ms,
           handle_ms
    FROM call
  ),
  s AS (
    SELECT make_timestamp(hour * 3600000000) AS bucket_start,
           count(*) AS calls,
           count(*) FILTER (WHERE inbound) AS offered,
           count(*) FILTER (WHERE inbound AND answered) AS answered,
           count(*) FILTER (WHERE inbound AND NOT answered) AS abandoned,
           count(*) FILTER (WHERE inbound AND NOT answered AND wait_ms < 5000)
             AS short_abandoned,
           count(*) FILTER (WHERE inbound AND answered AND wait_ms <= 20000)
             AS answered_within_sl,
           count(*) FILTER (WHERE inbound AND NOT answered AND wait_ms >= 5000
                            AND wait_ms <= 20000) AS abandoned_within_sl,
           coalesce(sum(wait_ms) FILTER (WHERE inbound AND answered), 0)
             AS wait_answered_ms,
           coalesce(max(wait_ms) FILTER (WHERE inbound AND answered), 0)
             AS longest_wait_answered_ms,
           count(*) FILTER (WHERE answered) AS handled,
           coalesce(sum(handle_ms) FILTER (WHERE answered), 0) AS handle_ms
    FROM judged
    GROUP BY hour
  )
  SELECT bucket_start, calls, offered, answered, abandoned, short_abandoned,
    answered_within_sl, abandoned_within_sl,
    wait_answered_ms / 1000 AS wait_answered_s,
    longest_wait_answered_ms / 1000 AS longest_wait_answered_s,
    handled,
    handle_ms / 1000 AS handle_s,
    round(100 * answered_within_sl / NULLIF(answered + abandoned - short_abandoned, 0), 2)
      AS service_level_pct,
    round(100 * (abandoned - short_abandoned) / NULLIF(offered - short_abandoned, 0), 2)
      AS abandon_rate_pct,
    round(wait_answered_ms / NULLIF(answered, 0)) / 1000 AS asa_s,
    round(handle_ms / NULLIF(handled, 0)) / 1000 AS aht_s
  FROM s
  ORDER BY bucket_start
) TO '{out}' (HEADER, DELIMITER ',')
"""
con.execute(sql)
