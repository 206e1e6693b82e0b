//! The examples ending each subcommand's `--help`: commands on the
//! bundled fixtures, run from the repository's root as written (a test
//! runs every one).

pub const ROLLUP: &str = "Examples:
  rcx rollup fixtures/queue_header.csv --interval day --format table
  rcx rollup fixtures/queue_dst_days_ny.csv --source-tz America/New_York --interval day
  gzip -c fixtures/queue_header.csv | rcx rollup - --columns offered,service_level_pct";

pub const SQL: &str = "Examples:
  rcx convert fixtures/queue_header.csv --to parquet -o q.parquet
  rcx sql --dialect duckdb --input q.parquet --report queue --interval day --tz America/New_York
  rcx sql --dialect spark --input /data/queue --report queue --by all --columns offered,service_level_pct";

pub const TIMELINE: &str = "Examples:
  rcx timeline fixtures/segments_timeline.ndjson --by direction --interval 15m --format table
  rcx timeline fixtures/calls/segments_ivr.ndjson --by ivr --interval hour";

pub const INTERACTIONS: &str = "Examples:
  rcx interactions fixtures/vendor/interaction-metadata-cx-v1.json --tz America/New_York
  rcx interactions fixtures/calls/segments_calls.ndjson --format table";

pub const CALLS: &str = "Examples:
  rcx calls fixtures/calls/segments_calls.ndjson --by agent --format table
  rcx calls fixtures/calls/segments_calls.ndjson --interval day --tz Europe/Berlin --sl-threshold 10";

pub const ANALYTICS: &str = "Examples:
  rcx analytics aggregate --body fixtures/analytics/seed_aggregate.json fixtures/queue_header.csv
  cd fixtures && rcx analytics timeline --interval Hour --body analytics/seed_timeline.json \\
      queue_header.csv
  cd fixtures && rcx analytics aggregate --body analytics/calls_company.json \\
      calls/segments_calls.ndjson";

pub const VALIDATE: &str = "Examples:
  rcx validate fixtures/invalid/q201_sl_exceeds_answered.csv
  rcx validate fixtures/queue_header.csv --against fixtures/agent_ext_cross.csv
  rcx validate --explain Q201";

pub const PARSE: &str = "Examples:
  rcx parse fixtures/queue_header.csv
  rcx parse fixtures/calls/segments_calls.ndjson --format csv";

pub const INSPECT: &str = "Examples:
  rcx inspect fixtures/queue_teleopti21.csv
  rcx inspect fixtures/queue_dst_days_ny.csv";

pub const CONVERT: &str = "Examples:
  rcx convert fixtures/queue_header.csv --to teleopti
  rcx convert fixtures/queue_unsorted.csv --to ndjson";

pub const PULLS: &str = "Examples:
  rcx pulls plan --from 2024-07-22T08:00:00 --to 2024-07-22T12:00:00 --tz Europe/Berlin
  rcx pulls check fixtures/pulls/h10-pulled-20240722T105000Z.ndjson fixtures/pulls/h11.ndjson";

pub const GEN: &str = "Examples:
  rcx gen --report queue --rows 1000 --seed 7
  rcx gen --report segments --rows 200";
