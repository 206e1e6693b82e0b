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
const HUNDREDTHS: &str = "DECIMAL(18,2)";
const THOUSANDTHS: &str = "DECIMAL(18,3)";

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

/// `rcx sql --dialect duckdb` over the Parquet `rcx convert` writes: DuckDB
/// prints what `rcx rollup --format csv` prints from the source file, byte
/// for byte, for `args` (given to both; `source` only to convert and sql).
fn sql_as_rollup(dir: &Path, input: &str, report: &str, source: &[&str], args: &[&str]) {
    let pq = dir.join(format!("{report}.parquet"));
    let pq = pq.to_str().expect("utf8");
    if !Path::new(pq).exists() {
        let mut convert = vec!["convert", input, "--to", "parquet", "-o", pq, "-q"];
        convert.extend(source);
        let o = rcx(&convert);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let query = dir.join("q.sql");
    let got = dir.join("duckdb.csv");
    let (query, got) = (query.to_str().expect("utf8"), got.to_str().expect("utf8"));
    let mut sql = vec![
        "sql",
        "--dialect",
        "duckdb",
        "--input",
        pq,
        "--report",
        report,
    ];
    sql.extend(source);
    sql.extend(args);
    sql.extend(["-o", query]);
    let o = rcx(&sql);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    duckdb(&["sql", query, got]);
    let mut rollup = vec!["rollup", input];
    rollup.extend(source);
    rollup.extend(args);
    let o = rcx(&rollup);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let got = std::fs::read_to_string(got).expect("duckdb output");
    assert_eq!(got, stdout(&o), "rcx sql {args:?}");
    assert!(got.lines().count() > 1, "no rows for {args:?}");
}

/// Issue 18, item 6: the DuckDB form of `rcx sql` computes exactly the
/// rcx rollup (keys, names, DST-exact local buckets, sums, ratios), over
/// one file and over a date-partitioned directory.
#[test]
#[ignore = "needs DuckDB: RCX_DUCKDB_PYTHON=$(scripts/duckdb.sh)"]
fn duckdb_runs_rcx_sql_as_rcx_rollup_prints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gen = |report: &str, rows: &str| {
        let p = dir.path().join(format!("{report}.csv"));
        let p = p.to_str().expect("utf8").to_owned();
        let o = rcx(&["gen", "--report", report, "--rows", rows, "-q", "-o", &p]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        p
    };
    // Across both DST changes of New York, read in its zone.
    let ny = ["--source-tz", "America/New_York"];
    let sub = tempfile::tempdir().expect("tempdir");
    // The README's example first.
    let readme = [
        "--columns",
        "offered,service_level_pct,abandon_rate_pct,aht_s",
    ];
    for args in [
        &readme[..],
        &[],
        &["--interval", "day"],
        &["--interval", "30m", "--by", "all"],
    ] {
        sql_as_rollup(
            sub.path(),
            "fixtures/queue_dst_days_ny.csv",
            "queue",
            &ny,
            args,
        );
    }
    let queue = gen("queue", "3000");
    let sub = tempfile::tempdir().expect("tempdir");
    for args in [
        &[
            "--interval",
            "week",
            "--tz",
            "Europe/Berlin",
            "--week-start",
            "sunday",
        ][..],
        &["--interval", "month", "--tz", "Asia/Kolkata"],
        &["--interval", "total", "--by", "all"],
        &["--interval", "native"],
        &[
            "--interval",
            "15m",
            "--tz",
            "Asia/Kolkata",
            "--sl-formula",
            "abandons-positive",
            "--short-abandons",
            "include",
            "--offered",
            "direct",
        ],
        &[
            "--interval",
            "hour",
            "--tz",
            "America/New_York",
            "--from",
            "2024-01-01T06:00",
            "--to",
            "2024-01-02T12:00",
            "--days",
            "mon,tue",
            "--hours",
            "08:00-12:00,22:00-02:00",
        ],
        &[
            "--by",
            "all",
            "--interval",
            "day",
            "--sl-formula",
            "abandons-ignored",
            "--columns",
            "service_level_pct,offered,occupancy_pct",
        ],
    ] {
        sql_as_rollup(sub.path(), &queue, "queue", &[], args);
    }
    let ext = gen("agent-ext", "3000");
    let sub = tempfile::tempdir().expect("tempdir");
    for args in [
        &[
            "--by",
            "agent-queue",
            "--interval",
            "30m",
            "--tz",
            "America/Los_Angeles",
        ][..],
        &["--by", "queue", "--interval", "day"],
    ] {
        sql_as_rollup(sub.path(), &ext, "agent-ext", &[], args);
    }
    let agent = gen("agent", "1000");
    let sub = tempfile::tempdir().expect("tempdir");
    sql_as_rollup(
        sub.path(),
        &agent,
        "agent",
        &[],
        &[
            "--by",
            "all",
            "--interval",
            "month",
            "--tz",
            "Pacific/Auckland",
        ],
    );

    // Rows of 30 and 60 minutes on the fall-back night, names that change,
    // ids that are not all integers: by start they land where rcx puts
    // them; nested, the query fails as rcx refuses.
    let odd = dir.path().join("odd.csv");
    let header = std::fs::read_to_string(&queue).expect("queue csv");
    let header = header.lines().next().expect("header");
    std::fs::write(
        &odd,
        format!(
            "{header}\n\
             30,20241103,00:30,0600,Sales B,5,1,0,0,6,281,0,1188,312,176,0,4,2121,0,0\n\
             30,20241103,01:00,0600,Sales A,5,1,0,0,6,281,0,1188,312,176,0,4,2121,0,0\n\
             60,20241103,01:00,600,Zed,3,1,1,0,3,100,10,500,60,50,10,2,800,1,0\n\
             15,20241103,23:45,A1,\"Support, Tier 2\",2,0,1,0,1,50,5,200,30,40,5,1,100,0,1\n"
        ),
    )
    .expect("write");
    let odd = odd.to_str().expect("utf8");
    let sub = tempfile::tempdir().expect("tempdir");
    for args in [
        &["--interval", "15m", "--attribution", "start"][..],
        &["--interval", "day"],
    ] {
        sql_as_rollup(sub.path(), odd, "queue", &ny, args);
    }
    let pq = sub.path().join("queue.parquet");
    let query = sub.path().join("nest.sql");
    let o = rcx(&[
        "sql",
        "--dialect",
        "duckdb",
        "--input",
        pq.to_str().expect("utf8"),
        "--report",
        "queue",
        "--source-tz",
        "America/New_York",
        "--interval",
        "15m",
        "-o",
        query.to_str().expect("utf8"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let python = std::env::var("RCX_DUCKDB_PYTHON").expect(NEEDS);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/duckdb/compare.py");
    let o = Command::new(python)
        .arg(script)
        .args(["sql", query.to_str().expect("utf8"), "/dev/null"])
        .output()
        .expect("run python");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("does not nest in a 15m bucket"),
        "{err}"
    );

    // A date-partitioned directory reads as the one file does.
    let ds = dir.path().join("ds");
    let o = rcx(&[
        "convert",
        &queue,
        "--to",
        "parquet",
        "--partition-by",
        "date",
        "-q",
        "-o",
        ds.to_str().expect("utf8"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let q = dir.path().join("ds.sql");
    let got = dir.path().join("ds.csv");
    let o = rcx(&[
        "sql",
        "--dialect",
        "duckdb",
        "--input",
        ds.to_str().expect("utf8"),
        "--report",
        "queue",
        "--interval",
        "day",
        "-o",
        q.to_str().expect("utf8"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    duckdb(&[
        "sql",
        q.to_str().expect("utf8"),
        got.to_str().expect("utf8"),
    ]);
    let o = rcx(&["rollup", &queue, "--interval", "day"]);
    assert_eq!(std::fs::read_to_string(got).expect("read"), stdout(&o));
}
