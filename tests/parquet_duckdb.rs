//! The Parquet files rcx writes, read by DuckDB (issue 18, item 5): the
//! types DuckDB sees, and the same rows and totals as rcx's CSV. DuckDB
//! runs from the virtual environment `scripts/duckdb.sh` installs; CI runs
//! these with
//!
//! ```sh
//! RCX_DUCKDB_PYTHON=$(scripts/duckdb.sh) cargo test --all-features -- --ignored duckdb
//! ```
//!
//! Without `RCX_DUCKDB_PYTHON` they fail, naming it.

use std::path::Path;
use std::process::Command;

use crate::util::{code, rcx, stderr, stdout};

const NEEDS: &str = "needs DuckDB: RCX_DUCKDB_PYTHON=$(scripts/duckdb.sh)";

/// Runs `tests/duckdb/compare.py` with `args`; its standard output.
fn duckdb(args: &[&str]) -> String {
    let python = std::env::var("RCX_DUCKDB_PYTHON")
        .unwrap_or_else(|_| panic!("RCX_DUCKDB_PYTHON is not set; {NEEDS}"));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/duckdb/compare.py");
    let o = Command::new(python)
        .arg(script)
        .args(args)
        .output()
        .expect("run python");
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    );
    assert!(o.status.success(), "compare.py {args:?}: {err}{out}");
    out
}

/// Runs rcx with `args`, then again with `--format parquet -o FILE`, and
/// has DuckDB compare the two; `types` are the columns that are not
/// BIGINT, with the type DuckDB must read.
fn same_table(args: &[&str], types: &[(&str, &str)]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (csv, pq) = (dir.path().join("t.csv"), dir.path().join("t.parquet"));
    let (csv, pq) = (csv.to_str().expect("utf8"), pq.to_str().expect("utf8"));
    let mut with = args.to_vec();
    with.extend(["-o", csv]);
    let o = rcx(&with);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut with = args.to_vec();
    with.extend(["--format", "parquet", "-o", pq]);
    let o = rcx(&with);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let types: serde_json::Map<String, serde_json::Value> = types
        .iter()
        .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
        .collect();
    let types = serde_json::Value::Object(types).to_string();
    let out = duckdb(&["table", pq, csv, &types]);
    assert!(out.starts_with("ok: "), "{out}");
}

const TEXT: &str = "VARCHAR";
const INSTANT: &str = "TIMESTAMP WITH TIME ZONE";
const HUNDREDTHS: &str = "DECIMAL(38,2)";
const THOUSANDTHS: &str = "DECIMAL(38,3)";

#[test]
#[ignore = "needs DuckDB: RCX_DUCKDB_PYTHON=$(scripts/duckdb.sh)"]
fn duckdb_reads_a_queue_rollup_across_the_fall_back_hour() {
    // Two local 01:00 buckets, -04:00 then -05:00: distinct instants.
    same_table(
        &[
            "rollup",
            "fixtures/queue_fallback_ny.csv",
            "--source-tz",
            "America/New_York",
            "--tz",
            "America/New_York",
        ],
        &[
            ("queue", TEXT),
            ("queue_name", TEXT),
            ("bucket_start", INSTANT),
            ("bucket_end", INSTANT),
            ("service_level_pct", HUNDREDTHS),
            ("abandon_rate_pct", HUNDREDTHS),
            ("aht_s", HUNDREDTHS),
            ("asa_s", HUNDREDTHS),
            ("avg_abandon_wait_s", HUNDREDTHS),
            ("occupancy_pct", HUNDREDTHS),
        ],
    );
}

#[test]
#[ignore = "needs DuckDB: RCX_DUCKDB_PYTHON=$(scripts/duckdb.sh)"]
fn duckdb_reads_an_agent_rollup_with_chosen_columns() {
    same_table(
        &[
            "rollup",
            "fixtures/agent_ext_vendor_sample.csv",
            "--by",
            "agent",
            "--interval",
            "day",
            "--tz",
            "Asia/Kolkata",
            "--columns",
            "transfer_rate_pct,answered,aht_s",
        ],
        &[
            ("agent_id", TEXT),
            ("agent_name", TEXT),
            ("bucket_start", INSTANT),
            ("bucket_end", INSTANT),
            ("transfer_rate_pct", HUNDREDTHS),
            ("aht_s", HUNDREDTHS),
        ],
    );
}

#[test]
#[ignore = "needs DuckDB: RCX_DUCKDB_PYTHON=$(scripts/duckdb.sh)"]
fn duckdb_reads_calls_with_seconds_to_the_millisecond() {
    same_table(
        &[
            "calls",
            "fixtures/calls/segments_calls.ndjson",
            "--by",
            "agent",
        ],
        &[
            ("agent_id", TEXT),
            ("bucket_start", INSTANT),
            ("bucket_end", INSTANT),
            ("wait_answered_s", THOUSANDTHS),
            ("longest_wait_answered_s", THOUSANDTHS),
            ("handle_s", THOUSANDTHS),
            ("recorded_s", THOUSANDTHS),
            ("asa_s", THOUSANDTHS),
            ("aht_s", THOUSANDTHS),
            ("service_level_pct", HUNDREDTHS),
            ("abandon_rate_pct", HUNDREDTHS),
            ("transfer_rate_pct", HUNDREDTHS),
            ("recorded_pct", HUNDREDTHS),
        ],
    );
}

#[test]
#[ignore = "needs DuckDB: RCX_DUCKDB_PYTHON=$(scripts/duckdb.sh)"]
fn duckdb_reads_a_timeline() {
    same_table(
        &[
            "timeline",
            "fixtures/segments_timeline.ndjson",
            "--interval",
            "15m",
            "--tz",
            "Europe/Berlin",
        ],
        &[
            ("agent_id", TEXT),
            ("bucket_start", INSTANT),
            ("bucket_end", INSTANT),
            ("handle_s", THOUSANDTHS),
            ("recorded_s", THOUSANDTHS),
            ("avg_segment_s", THOUSANDTHS),
        ],
    );
}

/// `convert -o x.parquet`: DuckDB reads the interval rows with their types,
/// and their sums are the totals `rcx rollup` gives.
#[test]
#[ignore = "needs DuckDB: RCX_DUCKDB_PYTHON=$(scripts/duckdb.sh)"]
fn duckdb_sums_converted_rows_to_the_rollup_totals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pq = dir.path().join("q.parquet");
    let pq = pq.to_str().expect("utf8");
    let input = "fixtures/queue_header.csv";
    let o = rcx(&["convert", input, "--to", "parquet", "-o", pq]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = duckdb(&[
        "query",
        pq,
        "SELECT count(*), sum(answ_call_cnt), sum(offd_direct_call_cnt), \
         sum(ans_servicelevel_cnt), sum(talking_call_dur), \
         any_value(typeof(\"interval\")), any_value(typeof(date_from)), \
         any_value(typeof(\"time\")), any_value(typeof(start)) FROM t",
    ]);
    let o = rcx(&[
        "rollup",
        input,
        "--by",
        "all",
        "--interval",
        "total",
        "--columns",
        "rows,answered,direct,answered_within_sl,talk_s",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let total = stdout(&o);
    let cells: Vec<&str> = total.lines().nth(1).expect("a row").split(',').collect();
    // After bucket_start and bucket_end.
    let sums = cells[2..].join(",");
    assert_eq!(
        out,
        format!(
            "BIGINT,HUGEINT,HUGEINT,HUGEINT,HUGEINT,VARCHAR,VARCHAR,VARCHAR,VARCHAR\n\
             {sums},INTEGER,DATE,TIME,TIMESTAMP WITH TIME ZONE\n"
        )
    );
}

/// `convert` of segment files to one Parquet file: DuckDB reads a row per
/// segment with typed instants and the events as a list of structs, with
/// the counts and sums `rcx parse --format ndjson` gives.
#[test]
#[ignore = "needs DuckDB: RCX_DUCKDB_PYTHON=$(scripts/duckdb.sh)"]
fn duckdb_reads_converted_segments_with_their_events() {
    let files = [
        "fixtures/segments_mixed.ndjson",
        "fixtures/segments_timeline.ndjson",
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let pq = dir.path().join("s.parquet");
    let pq = pq.to_str().expect("utf8");
    let o = rcx(&["convert", files[0], files[1], "--to", "parquet", "-o", pq]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The same from parse's NDJSON.
    let (mut n, mut dur, mut lists, mut events, mut stops) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut first_start: Option<String> = None;
    for f in files {
        let o = rcx(&["parse", f, "--format", "ndjson"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        for line in stdout(&o).lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            n += 1;
            dur += v["segment_duration_ms"].as_u64().unwrap_or(0);
            // Every instant prints in UTC with milliseconds: text order is
            // time order.
            let start = v["segment_start"].as_str().expect("start").to_owned();
            if first_start.as_ref().is_none_or(|f| start < *f) {
                first_start = Some(start);
            }
            if let Some(list) = v["events"].as_array() {
                lists += 1;
                events += list.len() as u64;
                stops += list.iter().filter(|e| e["type"] == "REC_STOP").count() as u64;
            }
        }
    }
    let out = duckdb(&[
        "query",
        pq,
        "SELECT count(*), sum(segment_duration_ms), count(events), sum(len(events)), \
         sum(len(list_filter(events, lambda e: e.type = 'REC_STOP'))), \
         strftime(min(segment_start), '%Y-%m-%dT%H:%M:%S.%g+00:00'), \
         any_value(typeof(events)) FROM t",
    ]);
    let got: Vec<&str> = out.lines().nth(1).expect("values").split(',').collect();
    assert_eq!(
        got[..6],
        [
            n.to_string(),
            dur.to_string(),
            lists.to_string(),
            events.to_string(),
            stops.to_string(),
            first_start.expect("a segment")
        ],
        "{out}"
    );
    // The type's own commas split it: the rest of the line.
    assert_eq!(
        got[6..].join(","),
        "STRUCT(\"time\" TIMESTAMP WITH TIME ZONE, client_time TIMESTAMP WITH TIME ZONE, \
         \"type\" VARCHAR)[]"
    );
}
