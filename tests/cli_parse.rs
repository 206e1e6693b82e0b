//! `rcx parse` and `rcx inspect` end to end: every fixture's exact output,
//! error messages and exit codes (SPEC 3, 6).

use crate::expected::{csv, fixtures, ndjson, Fixture};
use crate::util::{code, fixture, rcx, stderr, stdout, temp_file};

fn read_args(f: &Fixture) -> Vec<String> {
    let mut v = vec!["--source-tz".to_string(), f.tz.to_string()];
    if f.dmy {
        v.extend(["--date-order".to_string(), "dmy".to_string()]);
    }
    v
}

fn run(args: &[String]) -> std::process::Output {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    rcx(&a)
}

#[test]
fn parse_prints_every_fixture_as_exact_ndjson() {
    for f in fixtures() {
        let path = format!("fixtures/{}", f.name);
        let mut args = vec!["parse".to_string(), path];
        args.extend(read_args(&f));
        let o = run(&args);
        assert_eq!(stderr(&o), "", "{}", f.name);
        assert_eq!(code(&o), 0, "{}", f.name);
        assert_eq!(stdout(&o), ndjson(&f.rows), "{}", f.name);
        // Every line is valid JSON with the fields in documented order.
        for line in stdout(&o).lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            assert!(v["start"].is_string());
        }
    }
}

#[test]
fn parse_prints_every_fixture_as_exact_csv() {
    for f in fixtures() {
        let path = format!("fixtures/{}", f.name);
        let mut args = vec![
            "parse".to_string(),
            "--format".to_string(),
            "csv".to_string(),
            path,
        ];
        args.extend(read_args(&f));
        let o = run(&args);
        assert_eq!(code(&o), 0, "{}: {}", f.name, stderr(&o));
        let out = stdout(&o);
        assert_eq!(out, csv(&f.rows), "{}", f.name);
        // The csv crate reads it back: one header plus one record per row,
        // every record as wide as the header.
        let mut rdr = csv::ReaderBuilder::new().from_reader(out.as_bytes());
        let width = rdr.headers().expect("header").len();
        let recs: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("record")).collect();
        assert_eq!(recs.len(), f.rows.len());
        assert!(recs.iter().all(|r| r.len() == width));
    }
}

#[test]
fn parse_reads_standard_input_and_several_files_in_order() {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rcx"));
    let input = std::fs::read(fixture("queue_header.csv")).expect("fixture");
    let out = {
        use std::io::Write;
        let mut child = cmd
            .args(["parse", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(&input)
            .expect("write");
        child.wait_with_output().expect("wait")
    };
    let fx = fixtures();
    let qh = fx
        .iter()
        .find(|f| f.name == "queue_header.csv")
        .expect("fixture");
    let q20 = fx
        .iter()
        .find(|f| f.name == "queue_headerless20.csv")
        .expect("fixture");
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out), ndjson(&qh.rows));
    let o = rcx(&[
        "parse",
        "fixtures/queue_headerless20.csv",
        "fixtures/queue_header.csv",
    ]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), ndjson(&q20.rows) + &ndjson(&qh.rows));
}

#[test]
fn parse_writes_an_output_file() {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("rows.csv");
    let o = rcx(&[
        "parse",
        "--format",
        "csv",
        "-o",
        out.to_str().expect("utf-8 path"),
        "fixtures/agent_ext_quoted.csv",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let f = fixtures()
        .into_iter()
        .find(|f| f.name == "agent_ext_quoted.csv")
        .expect("fixture");
    assert_eq!(std::fs::read_to_string(&out).expect("output"), csv(&f.rows));
}

/// The date order `rcx inspect` reports for a fixture read with
/// [`read_args`]: (order, basis, text). The one slash date of
/// `queue_dates_tab.csv` (03/05/2024) follows three rows of 2024-03-05 of
/// the same queue: the same day as MM/dd, May 3rd as dd/MM.
fn date_order(f: &Fixture) -> (&'static str, &'static str, String) {
    if f.dmy {
        return ("dmy", "given", "dd/MM/yyyy (given)".into());
    }
    if f.name == "queue_dates_tab.csv" {
        return (
            "mdy",
            "contiguity",
            "MM/dd/yyyy (by contiguity: 1 step(s) between consecutive rows of a key are 0 or 1 \
             day only as MM/dd/yyyy, 0 only as dd/MM/yyyy)"
                .into(),
        );
    }
    (
        "mdy",
        "no-slash-dates",
        format!(
            "MM/dd/yyyy (no slash date in the {} row(s) scanned)",
            f.rows.len()
        ),
    )
}

fn inspect_text(f: &Fixture) -> String {
    let delim = match f.delimiter {
        b',' => "comma",
        b';' => "semicolon",
        b'|' => "pipe",
        b'\t' => "tab",
        _ => unreachable!(),
    };
    let intervals: Vec<String> = f.intervals.iter().map(|m| format!("{m}m")).collect();
    let (_, basis, order) = date_order(f);
    let order = match basis {
        "no-slash-dates" => String::new(),
        _ => format!("  date order: {order}\n"),
    };
    format!(
        "fixtures/{}\n  report: {}\n  form: csv\n  dialect: {delim} delimiter, {}, {}, {} line endings, {} columns{}\n  rows: {}\n  keys: {}\n  intervals: {}\n  first: {}\n  last: {}\n{}{order}",
        f.name,
        f.kind,
        if f.header { "header" } else { "no header" },
        if f.bom { "UTF-8 BOM" } else { "no BOM" },
        if f.crlf { "CRLF" } else { "LF" },
        f.columns,
        f.title.map(|t| format!(", title {t}")).unwrap_or_default(),
        f.rows.len(),
        f.keys,
        intervals.join(", "),
        f.first,
        f.last,
        f.zone_fit_text()
    )
}

#[test]
fn inspect_reports_every_fixture() {
    for f in fixtures() {
        let mut args = vec!["inspect".to_string(), format!("fixtures/{}", f.name)];
        args.extend(read_args(&f));
        let o = run(&args);
        assert_eq!(code(&o), 0, "{}: {}", f.name, stderr(&o));
        assert_eq!(stdout(&o), inspect_text(&f), "{}", f.name);
    }
}

#[test]
fn inspect_json_reports_every_fixture() {
    for f in fixtures() {
        let mut args = vec![
            "inspect".to_string(),
            "--format".to_string(),
            "json".to_string(),
            format!("fixtures/{}", f.name),
        ];
        args.extend(read_args(&f));
        let o = run(&args);
        assert_eq!(code(&o), 0, "{}", f.name);
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
        let (order, basis, text) = date_order(&f);
        let want = serde_json::json!([{
            "file": format!("fixtures/{}", f.name),
            "report": f.kind,
            "form": "csv",
            "dialect": {
                "delimiter": (f.delimiter as char).to_string(),
                "header": f.header,
                "bom": f.bom,
                "line_ending": if f.crlf { "CRLF" } else { "LF" },
                "columns": f.columns,
                "title": f.title,
            },
            "rows": f.rows.len(),
            "invalid_rows": 0,
            "keys": f.keys,
            "intervals": f.intervals,
            "first": f.first,
            "last": f.last,
            "zone_fit": f.zone_fit(),
            "date_order": { "order": order, "basis": basis, "text": text },
        }]);
        assert_eq!(v, want, "{}", f.name);
    }
}

const SPRING_ERR: &str = "fixtures/queue_springforward_ny.csv:4: error[V109] time: local time 2024-03-10 02:00 does not exist in America/New_York (spring-forward gap) (value \"2024-03-10 02:00\")";

#[test]
fn parse_stops_on_the_first_invalid_row_and_exits_1() {
    let o = rcx(&[
        "parse",
        "--source-tz",
        "America/New_York",
        "fixtures/queue_springforward_ny.csv",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(stderr(&o), format!("rcx: {SPRING_ERR}\n"));
    // The rows before the error were streamed out.
    let lines: Vec<String> = stdout(&o).lines().map(String::from).collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1].ends_with("\"start\":\"2024-03-10T01:45:00-05:00\"}"));
}

#[test]
fn parse_skip_invalid_counts_by_code_and_exits_1() {
    let o = rcx(&[
        "parse",
        "--skip-invalid",
        "--source-tz",
        "America/New_York",
        "fixtures/queue_springforward_ny.csv",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        format!("rcx: skipped 4 invalid row(s) (V109: 4); first: {SPRING_ERR}\n")
    );
    let starts: Vec<String> = stdout(&o)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            v["start"].as_str().expect("start").to_string()
        })
        .collect();
    assert_eq!(
        starts,
        [
            "2024-03-10T01:30:00-05:00",
            "2024-03-10T01:45:00-05:00",
            "2024-03-10T03:00:00-04:00"
        ]
    );
}

#[test]
fn parse_skip_invalid_counts_several_codes() {
    let text = "15,20240304,08:00,7,A,1,0,0,0,1,10,0,60,5,10,0,1,30,0,0\n\
                15,20240304,08:10,7,A,1,0,0,0,1,10,0,60,5,10,0,1,30,0,0\n\
                15,20240304,08:15,7,A,x,0,0,0,1,10,0,60,5,10,0,1,30,0,0\n\
                15,20240304,08:30,7,A,y,0,0,0,1,10,0,60,5,10,0,1,30,0,0\n\
                15,20240304,08:45,7,A,1,0,0,0,1,10,0,60,5,10,0,1,30,0\n";
    let (_d, path) = temp_file("q.csv", text.as_bytes());
    let o = rcx(&["parse", "--skip-invalid", path.to_str().expect("path")]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.starts_with("rcx: skipped 4 invalid row(s) (S003: 1, V101: 2, V108: 1); first: "),
        "{err}"
    );
    assert!(err.ends_with(
        "q.csv:2: error[V108] time: the interval start is not on the 15-minute grid from local midnight (value \"08:10\")\n"
    ), "{err}");
    assert_eq!(stdout(&o).lines().count(), 1);
    // --quiet keeps the exit status and drops the message.
    let o = rcx(&[
        "--quiet",
        "parse",
        "--skip-invalid",
        path.to_str().expect("path"),
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(stderr(&o), "");
}

#[test]
fn parse_fatal_error_is_printed_once_with_file_and_line() {
    let text = "15,20240304,08:00,7,A,1,0,0,0,1,10,0,60,5,10,0,1,30,0,0\n15,20240304,08:15,7,\"A";
    let (_d, path) = temp_file("cut.csv", text.as_bytes());
    let p = path.to_str().expect("path");
    for skip in [false, true] {
        let mut args = vec!["parse", p];
        if skip {
            args.push("--skip-invalid");
        }
        let o = rcx(&args);
        assert_eq!(code(&o), 1);
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_eq!(
            err,
            format!("rcx: {p}:2: error[S005] the file ends inside a quoted field opened in this record (truncated file?)\n")
        );
    }
}

#[test]
fn data_errors_at_open_exit_1() {
    let (_d, path) = temp_file("empty.csv", b"");
    let p = path.to_str().expect("path");
    let o = rcx(&["parse", p]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        format!("rcx: {p}:1: error[S010] the file is empty: there is no report to read\n")
    );
    let o = rcx(&["inspect", p]);
    assert_eq!(code(&o), 1);
}

#[test]
fn inspect_counts_invalid_rows_and_exits_1() {
    let o = rcx(&[
        "inspect",
        "--source-tz",
        "America/New_York",
        "fixtures/queue_springforward_ny.csv",
    ]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("  rows: 3\n"), "{out}");
    assert!(out.contains("  invalid rows: 4\n"), "{out}");
    assert!(
        out.contains(&format!("  first invalid: {SPRING_ERR}\n")),
        "{out}"
    );
    assert!(out.contains("  first: 2024-03-10T01:30:00-05:00\n  last: 2024-03-10T03:00:00-04:00\n"));
}

#[test]
fn usage_and_io_problems_exit_2() {
    let o = rcx(&["parse", "fixtures/no_such_file.csv"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).starts_with("rcx: fixtures/no_such_file.csv: "),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
    let o = rcx(&[
        "parse",
        "--source-tz",
        "Mars/Olympus",
        "fixtures/queue_header.csv",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unknown time zone \"Mars/Olympus\""),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
    let o = rcx(&["parse", "--bogus", "fixtures/queue_header.csv"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--bogus"));
    let o = rcx(&["parse"]);
    assert_eq!(code(&o), 2);
    let o = rcx(&["inspect", "fixtures/no_such_file.csv"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn report_override_that_does_not_fit_the_header_is_s002() {
    // `--report agent` on a queue file: the header lacks the agent columns.
    let o = rcx(&["parse", "--report", "agent", "fixtures/queue_header.csv"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).starts_with(
        "rcx: fixtures/queue_header.csv:1: error[S002] agent_id: the agent header lacks required column(s): agent_id, avail_dur,"
    ));
    // A headerless 20-column file read as agent-ext: no such layout.
    let o = rcx(&[
        "parse",
        "--report",
        "agent-ext",
        "fixtures/queue_headerless20.csv",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("error[S003]"), "{}", stderr(&o));
}

#[test]
fn date_order_dmy_on_the_command_line() {
    // Not given, the file decides: 13/03/2024 has no month 13 (SPEC 9.1).
    let o = rcx(&["parse", "fixtures/queue_dmy_pipe.csv"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("\"date_from\":\"2024-03-13\""));
    assert!(stdout(&o).contains("\"date_from\":\"2024-03-05\""));
    // Given, it is not questioned, and the error names the flag to give.
    let o = rcx(&[
        "parse",
        "--date-order",
        "mdy",
        "fixtures/queue_dmy_pipe.csv",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        "rcx: fixtures/queue_dmy_pipe.csv:2: error[V106] date_from: expected a date as yyyyMMdd, yyyy-MM-dd, yyyy/MM/dd or MM/dd/yyyy; 13 is not a month, and the date reads as dd/MM/yyyy: give --date-order dmy (value \"13/03/2024\")\n"
    );
    let o = rcx(&[
        "parse",
        "--date-order",
        "dmy",
        "fixtures/queue_dmy_pipe.csv",
    ]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("\"date_from\":\"2024-03-13\""));
    let o = rcx(&[
        "parse",
        "--date-order",
        "ymd",
        "fixtures/queue_dmy_pipe.csv",
    ]);
    assert_eq!(code(&o), 2);
}

/// Every defective fixture: one line on stderr naming file, line, code,
/// field and value; exit status 1 (SPEC 3: a data defect).
#[test]
fn every_bad_fixture_reports_its_error_once_and_exits_1() {
    let cases: &[(&str, &str)] = &[
        ("utf16.csv", "1: error[S001] the file is UTF-16 (byte-order mark); convert it to UTF-8"),
        ("bad_utf8.csv", "3: error[S001] queue_name: the value is not valid UTF-8 (value \"Sal\u{FFFD}es\")"),
        ("missing_column.csv", "1: error[S002] wait_dur: the queue header lacks required column(s): wait_dur"),
        ("column_count.csv", "3: error[S003] expected 20 fields, found 21 (value \"15,20240304,08:15,5686,Sales,12,2,2,1,11,180,40,1650,220,45,30,9,600,1,1,7\")"),
        ("truncated.csv", "3: error[S005] the file ends inside a quoted field opened in this record (truncated file?)"),
        ("unknown_header.csv", "1: error[S010] the header has neither a queue nor an agent_id column"),
        ("empty.csv", "1: error[S010] the file is empty: there is no report to read"),
        ("duplicate_column.csv", "1: error[S011] queue: column 5 appears twice in the header (value \"queue\")"),
        ("values.csv", "3: error[V101] answ_call_cnt: expected a non-negative integer (value \"eleven\")"),
    ];
    for (name, tail) in cases {
        let path = format!("fixtures/bad/{name}");
        let o = rcx(&["parse", &path]);
        assert_eq!(code(&o), 1, "{name}");
        assert_eq!(stderr(&o), format!("rcx: {path}:{tail}\n"), "{name}");
        let o = rcx(&["inspect", &path]);
        assert_eq!(code(&o), 1, "inspect {name}");
    }
}

#[test]
fn bad_values_fixture_skips_one_row_per_code() {
    let o = rcx(&["parse", "--skip-invalid", "fixtures/bad/values.csv"]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stderr(&o),
        "rcx: skipped 9 invalid row(s) (V101: 1, V102: 1, V103: 1, V104: 1, V105: 1, V106: 1, V107: 1, V108: 1, V110: 1); first: fixtures/bad/values.csv:3: error[V101] answ_call_cnt: expected a non-negative integer (value \"eleven\")\n"
    );
    let times: Vec<String> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json")["time"].to_string())
        .collect();
    assert_eq!(times, ["\"08:00\"", "\"10:00\""]);
}
