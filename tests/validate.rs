//! `validate`: one defective fixture per rule (exact code, line, field and
//! severity, and nothing else), clean fixtures, cross-report
//! reconciliation, the CLI's exit codes and output formats, and the
//! published code table.

use std::fmt::Write as _;
use std::path::PathBuf;

use ringcx_reports::validate::{Report, Validator};
use ringcx_reports::{Code, ReaderBuilder, Severity};

use crate::util::{code, fixture, rcx, stderr, stdout};

fn validator(tz: &str) -> Validator {
    Validator::new().reader(ReaderBuilder::new().source_tz(tz.parse().expect("zone")))
}

fn run(v: &Validator, names: &[&str]) -> Report {
    let paths: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    v.validate_paths(&paths).expect("validation runs")
}

/// (code, line, field) of every finding, in report order.
fn found(r: &Report) -> Vec<(Code, u64, Option<String>)> {
    r.diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                d.location.pos.line(),
                d.location.field.as_deref().map(str::to_string),
            )
        })
        .collect()
}

fn f(code: Code, line: u64, field: &str) -> (Code, u64, Option<String>) {
    (code, line, (!field.is_empty()).then(|| field.to_string()))
}

/// The whole list of findings of one defective fixture.
fn expect(name: &str, tz: &str, gaps: bool, want: &[(Code, u64, &str)]) {
    let r = run(&validator(tz).gaps(gaps), &[&format!("invalid/{name}")]);
    let want: Vec<_> = want.iter().map(|&(c, l, fl)| f(c, l, fl)).collect();
    assert_eq!(found(&r), want, "{name}");
    let errors = r
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count() as u64;
    assert_eq!(r.summary.errors, errors, "{name}");
    assert_eq!(r.summary.warnings, r.diagnostics.len() as u64 - errors);
    for d in &r.diagnostics {
        assert_eq!(d.severity, d.code.severity(), "{name}");
        assert!(
            d.location.file.ends_with(name),
            "{name}: {}",
            d.location.file
        );
    }
}

#[test]
fn structure_rules_one_fixture_each() {
    use Code::*;
    expect(
        "s001_not_utf8.csv",
        "UTC",
        false,
        &[(Encoding, 3, "queue_name")],
    );
    expect(
        "s002_missing_column.csv",
        "UTC",
        false,
        &[(MissingColumn, 1, "interval")],
    );
    expect(
        "s003_column_count.csv",
        "UTC",
        false,
        &[(ColumnCount, 3, "")],
    );
    expect(
        "s004_unknown_column.csv",
        "UTC",
        false,
        &[(UnknownColumn, 1, "site")],
    );
    expect("s005_truncated.csv", "UTC", false, &[(Truncated, 3, "")]);
    expect(
        "s010_unknown_report.csv",
        "UTC",
        false,
        &[(UnknownReport, 1, "")],
    );
    expect(
        "s011_duplicate_column.csv",
        "UTC",
        false,
        &[(DuplicateColumn, 1, "answ_call_cnt")],
    );
}

#[test]
fn value_rules_one_fixture_each() {
    use Code::*;
    expect(
        "v101_not_a_number.csv",
        "UTC",
        false,
        &[(NotANumber, 3, "answ_call_cnt")],
    );
    expect(
        "v102_negative.csv",
        "UTC",
        false,
        &[(Negative, 3, "aband_call_cnt")],
    );
    expect(
        "v103_fraction.csv",
        "UTC",
        false,
        &[(Fraction, 3, "answ_call_cnt")],
    );
    expect(
        "v104_empty_required.csv",
        "UTC",
        false,
        &[(EmptyRequired, 3, "queue")],
    );
    expect(
        "v105_bad_interval.csv",
        "UTC",
        false,
        &[(BadInterval, 3, "interval")],
    );
    expect(
        "v106_bad_date.csv",
        "UTC",
        false,
        &[(BadDate, 3, "date_from")],
    );
    expect("v107_bad_time.csv", "UTC", false, &[(BadTime, 3, "time")]);
    expect("v108_off_grid.csv", "UTC", false, &[(OffGrid, 3, "time")]);
    expect(
        "v109_nonexistent_time_ny.csv",
        "America/New_York",
        false,
        &[(NonexistentTime, 3, "time")],
    );
    expect(
        "v110_overflow.csv",
        "UTC",
        false,
        &[(Overflow, 3, "wait_dur")],
    );
    expect(
        "v111_absent_value.csv",
        "UTC",
        false,
        &[(AbsentValue, 3, "wrap_up_dur")],
    );
}

#[test]
fn queue_row_rules_one_fixture_each() {
    use Code::*;
    expect(
        "q201_sl_exceeds_answered.csv",
        "UTC",
        false,
        &[(SlExceedsAnswered, 3, "ans_servicelevel_cnt")],
    );
    expect(
        "q202_abandon_parts_exceed.csv",
        "UTC",
        false,
        &[(AbandonPartsExceed, 3, "aband_call_cnt")],
    );
    expect(
        "q203_longest_exceeds_total.csv",
        "UTC",
        false,
        &[(LongestExceedsTotal, 3, "queued_answ_longest_que_dur")],
    );
    // A longest abandon wait with no abandoned call also leaves the total
    // abandon wait above longest × 0: both warnings, no error.
    expect(
        "q204_longest_without_calls.csv",
        "UTC",
        false,
        &[
            (LongestWithoutCalls, 3, "queued_aband_longest_que_dur"),
            (TotalExceedsLongest, 3, "queued_and_aband_call_dur"),
        ],
    );
    expect(
        "q205_total_exceeds_longest.csv",
        "UTC",
        false,
        &[(TotalExceedsLongest, 3, "queued_and_answ_call_dur")],
    );
}

#[test]
fn agent_row_rules_one_fixture_each() {
    use Code::*;
    expect(
        "a301_transfers_exceed_answered.csv",
        "UTC",
        false,
        &[(TransfersExceedAnswered, 3, "transfer_out_call_cnt")],
    );
    expect(
        "a302_time_without_calls.csv",
        "UTC",
        false,
        &[(TimeWithoutCalls, 3, "talking_call_dur")],
    );
}

#[test]
fn file_rules_one_fixture_each() {
    use Code::*;
    expect(
        "f401_duplicate_key.csv",
        "UTC",
        false,
        &[(DuplicateKey, 3, "time")],
    );
    expect(
        "f402_mixed_intervals.csv",
        "UTC",
        false,
        &[(MixedIntervals, 3, "interval")],
    );
    // Gaps are opt-in.
    expect("f403_gap.csv", "UTC", false, &[]);
    expect("f403_gap.csv", "UTC", true, &[(Gap, 3, "time")]);
    expect(
        "f404_fallback_never_switched_ny.csv",
        "America/New_York",
        false,
        &[(AmbiguousFallBack, 3, "time")],
    );
}

#[test]
fn messages_name_the_values() {
    let r = run(&validator("UTC"), &["invalid/q201_sl_exceeds_answered.csv"]);
    assert_eq!(
        r.diagnostics[0].to_string(),
        format!(
            "{}:3: error[Q201] ans_servicelevel_cnt: 12 calls answered within service level, but only 11 answered (answ_call_cnt) (value \"12\")",
            fixture("invalid/q201_sl_exceeds_answered.csv").display()
        )
    );
    let r = run(&validator("UTC").gaps(true), &["invalid/f403_gap.csv"]);
    assert!(r.diagnostics[0].message.contains(
        "no rows from 2024-03-04T08:15:00+00:00 to 2024-03-04T08:45:00+00:00 (2 interval(s) missing)"
    ));
    let r = run(&validator("UTC"), &["invalid/f401_duplicate_key.csv"]);
    assert_eq!(
        r.diagnostics[0].message,
        "queue 5686 at 2024-03-04T08:00:00+00:00 repeats line 2 (beyond the fall-back repeat)"
    );
}

/// Every top-level fixture reads without an error (the spring-forward
/// fixture exists to show its V109 errors, and has exactly those).
#[test]
fn clean_fixtures_have_no_error() {
    let dir = fixture("");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    assert!(names.len() >= 16, "{names:?}");
    for name in &names {
        if name == "queue_groups.csv" {
            continue; // a group map for the rollup, not a report
        }
        let tz = if name.ends_with("_ny.csv") {
            "America/New_York"
        } else {
            "UTC"
        };
        let mut b = ReaderBuilder::new().source_tz(tz.parse().expect("zone"));
        if name == "queue_dmy_pipe.csv" {
            b = b.date_order(ringcx_reports::DateOrder::Dmy);
        }
        let r = Validator::new()
            .reader(b)
            .validate_paths(&[fixture(name)])
            .expect("runs");
        if name == "queue_springforward_ny.csv" {
            let want: Vec<_> = (4..=7)
                .map(|l| f(Code::NonexistentTime, l, "time"))
                .collect();
            assert_eq!(found(&r), want);
            continue;
        }
        if name == "queue_duplicate.csv" {
            // Made defective on purpose for the rollup tests.
            assert_eq!(found(&r), vec![f(Code::DuplicateKey, 4, "time")]);
            continue;
        }
        assert_eq!(r.summary.errors, 0, "{name}: {:?}", r.diagnostics);
        assert!(r.summary.rows > 0, "{name}");
    }
}

#[test]
fn dst_fall_back_files_validate_clean() {
    let r = run(
        &validator("America/New_York"),
        &["queue_fallback_ny.csv", "agent_ext_fallback_sparse_ny.csv"],
    );
    assert_eq!(found(&r), []);
    assert_eq!(r.summary.rows, 26);
    // The queue file is dense: across the repeated hour its instants follow
    // each other without a gap.
    let r = run(
        &validator("America/New_York").gaps(true),
        &["queue_fallback_ny.csv"],
    );
    assert_eq!(found(&r), []);
    // Read in UTC, the repeated hour is a run of duplicates.
    let r = run(&validator("UTC"), &["queue_fallback_ny.csv"]);
    assert_eq!(r.summary.errors, 8);
    assert!(r.diagnostics.iter().all(|d| d.code == Code::DuplicateKey));
}

#[test]
fn vendor_agent_sample_transfers_exceed_answered() {
    // The two rows of the published agg-agent-extended-stats example.
    let r = run(&validator("UTC"), &["agent_ext_vendor_sample.csv"]);
    assert_eq!(
        found(&r),
        [f(Code::TransfersExceedAnswered, 2, "transfer_out_call_cnt")]
    );
    assert_eq!(r.diagnostics[0].value.as_deref(), Some("4"));
    assert_eq!(r.summary.errors, 0);
}

#[test]
fn cross_check_consistent_pair_either_order() {
    let v = validator("UTC").cross_check(true);
    for pair in [
        ["queue_header.csv", "agent_ext_cross.csv"],
        ["agent_ext_cross.csv", "queue_header.csv"],
    ] {
        let r = run(&v, &pair);
        assert_eq!(found(&r), [], "{pair:?}");
        let c = r.summary.cross.expect("cross summary");
        assert_eq!((c.queue.rows, c.agents.rows), (4, 7));
        assert_eq!(
            (c.queue.answered, c.queue.talk, c.queue.wrap),
            (41, 6350, 860)
        );
        assert_eq!(
            c.queue,
            ringcx_reports::validate::Totals {
                rows: 4,
                ..c.agents
            }
        );
        assert_eq!((c.intervals, c.differing), (4, 0));
    }
}

#[test]
fn cross_check_altered_agent_row_names_its_queue_and_interval() {
    let v = validator("UTC").cross_check(true);
    let r = run(
        &v,
        &[
            "queue_header.csv",
            "invalid/x501_x503_cross_altered_agent_ext.csv",
        ],
    );
    assert_eq!(
        found(&r),
        [
            f(Code::CrossAnswered, 3, "answ_call_cnt"),
            f(Code::CrossTalk, 3, "talking_call_dur"),
            f(Code::CrossWrap, 3, "wrap_up_dur"),
        ]
    );
    assert!(r
        .diagnostics
        .iter()
        .all(|d| d.location.file.ends_with("queue_header.csv")));
    assert_eq!(
        r.diagnostics[0].message,
        "queue 5688, interval 2024-03-04T08:00:00+00:00: Σ agent answ_call_cnt 8 (2 agent row(s)) vs queue answ_call_cnt 7"
    );
    let c = r.summary.cross.expect("cross summary");
    assert_eq!(
        (c.agents.answered, c.agents.talk, c.agents.wrap),
        (42, 6410, 870)
    );
    assert_eq!(c.differing, 1);
    // Without a queue side there is nothing to reconcile: a usage error.
    let e = v
        .validate_paths(&[fixture("agent_ext_cross.csv")])
        .expect_err("needs both sides");
    assert!(e.is_usage());
}

#[test]
fn an_agent_key_missing_from_the_queue_file_is_reported_on_the_agent_row() {
    let q = "15,20240304,08:00,5686,Sales,3,0,0,0,3,30,0,400,40,20,0,3,100,0,0\n";
    let a = "15,20240304,08:00,1001,Ann,5686,Sales,400,40,3,0\n\
             15,20240304,08:00,1001,Ann,7000,Other,10,0,1,0\n";
    let v = Validator::new().cross_check(true);
    let mut s = v.session();
    s.add(ReaderBuilder::new().from_bytes("q.csv", q.into()))
        .expect("q");
    s.add(ReaderBuilder::new().from_bytes("a.csv", a.into()))
        .expect("a");
    let r = s.finish().expect("finish");
    let lines: Vec<String> = r.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        lines,
        [
            "a.csv:2: warning[X501] answ_call_cnt: queue 7000, interval 2024-03-04T08:00:00+00:00: Σ agent answ_call_cnt 1 (1 agent row(s)) vs queue answ_call_cnt 0 (the queue file has no row for this queue and interval) (value \"0\")",
            "a.csv:2: warning[X502] talking_call_dur: queue 7000, interval 2024-03-04T08:00:00+00:00: Σ agent talking_call_dur 10 (1 agent row(s)) vs queue talking_call_dur 0 (the queue file has no row for this queue and interval) (value \"0\")",
        ]
    );
}

#[test]
fn never_stops_at_the_first_finding_and_orders_by_file_line_code() {
    let data = "\
interval,date_from,time,agent_id,agent_name,queue,queue_name,talking_call_dur,wrap_up_dur,answ_call_cnt,transfer_out_call_cnt,site
15,20240304,08:00,1001,Ann,5686,Sales,300,30,2,0,x
15,20240304,08:15,1001,Ann,5686,Sales,60,,0,1,x
20,20240304,08:30,1001,Ann,5686,Sales,60,5,1,0,x
15,20240304,08:30,1001,Ann,5686,Sales,-3,5,1,0,x
15,20240304,08:15,1001,Ann,5686,Sales,60,5,1,0,x
15,20240304,08:45,1001,Ann,5686,Sales,60,5,1,0
";
    let r = Validator::new()
        .validate_opened(ReaderBuilder::new().from_bytes("a.csv", data.into()))
        .expect("runs");
    let want = [
        f(Code::UnknownColumn, 1, "site"),
        f(Code::AbsentValue, 3, "wrap_up_dur"),
        f(Code::TransfersExceedAnswered, 3, "transfer_out_call_cnt"),
        f(Code::TimeWithoutCalls, 3, "talking_call_dur"),
        f(Code::BadInterval, 4, "interval"),
        f(Code::Negative, 5, "talking_call_dur"),
        f(Code::DuplicateKey, 6, "time"),
        f(Code::ColumnCount, 7, ""),
    ];
    assert_eq!(found(&r), want);
    assert_eq!(r.summary.rows, 6);
    assert_eq!((r.summary.errors, r.summary.warnings), (4, 4));
}

#[test]
fn out_of_order_duplicates_are_found_and_the_run_cap_is_reported() {
    let mut data = String::new();
    for day in [4, 5, 4] {
        for h in 8..10 {
            for m in [0, 15, 30, 45] {
                let _ = writeln!(
                    data,
                    "15,202403{day:02},{h:02}:{m:02},1001,Ann,5686,Sales,60,5,1,0"
                );
            }
        }
    }
    let open = || ReaderBuilder::new().from_bytes("a.csv", data.clone().into_bytes());
    // The third block repeats the first: 8 duplicates, all found.
    let r = Validator::new().validate_opened(open()).expect("runs");
    assert_eq!(r.summary.errors, 8);
    assert_eq!(r.diagnostics[0].location.pos.line(), 17);
    assert!(r.diagnostics[0]
        .message
        .contains("repeats a row between lines 1 and 8"));
    assert_eq!(r.summary.unchecked_duplicates, 0);
    // With one run kept per key the first block is forgotten: the repeats
    // cannot be checked, and the summary says so instead of passing them.
    let r = Validator::new()
        .max_runs_per_key(1)
        .validate_opened(open())
        .expect("runs");
    assert_eq!(r.summary.errors, 0);
    assert_eq!(r.summary.unchecked_duplicates, 8);
}

#[test]
fn cli_text_output_exit_codes_and_summary() {
    let o = rcx(&[
        "validate",
        "fixtures/queue_header.csv",
        "fixtures/agent_ext_quoted.csv",
    ]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        "rcx: validated 2 files, 8 rows: 0 errors, 0 warnings\n"
    );

    let o = rcx(&["validate", "fixtures/invalid/q201_sl_exceeds_answered.csv"]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stdout(&o),
        "fixtures/invalid/q201_sl_exceeds_answered.csv:3: error[Q201] ans_servicelevel_cnt: 12 calls answered within service level, but only 11 answered (answ_call_cnt) (value \"12\")\n"
    );
    assert_eq!(
        stderr(&o),
        "rcx: validated 1 file, 2 rows: 1 error, 0 warnings\n"
    );

    // Warnings pass unless denied.
    let w = "fixtures/agent_ext_vendor_sample.csv";
    assert_eq!(code(&rcx(&["validate", w])), 0);
    assert_eq!(code(&rcx(&["validate", "--deny-warnings", w])), 1);
    // --quiet drops the summary, not the findings.
    let o = rcx(&["--quiet", "validate", w]);
    assert_eq!(stderr(&o), "");
    assert_eq!(stdout(&o).lines().count(), 1);
    // Could not run: a missing file, an unknown zone, no file at all.
    assert_eq!(code(&rcx(&["validate", "fixtures/no-such-file.csv"])), 2);
    assert_eq!(code(&rcx(&["validate", "--source-tz", "Mars/Base", w])), 2);
    assert_eq!(code(&rcx(&["validate"])), 2);
    // --against needs a queue side and an agent-ext side.
    let o = rcx(&["validate", w, "--against", "fixtures/agent_ext_cross.csv"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cross-check (--against) needs Queue Statistics rows"));
}

#[test]
fn cli_json_output_has_the_published_keys() {
    let o = rcx(&[
        "validate",
        "--format",
        "json",
        "fixtures/invalid/v111_absent_value.csv",
        "fixtures/invalid/s003_column_count.csv",
    ]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("a JSON array");
    let arr = v.as_array().expect("array");
    assert_eq!(arr.len(), 2);
    let keys: Vec<&str> = arr[0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = [
        "severity", "code", "file", "line", "column", "message", "value",
    ];
    let mut got = keys.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(arr[0]["severity"], "warning");
    assert_eq!(arr[0]["code"], "V111");
    assert_eq!(arr[0]["file"], "fixtures/invalid/v111_absent_value.csv");
    assert_eq!(arr[0]["line"], 3);
    assert_eq!(arr[0]["column"], "wrap_up_dur");
    assert_eq!(arr[0]["value"], "");
    assert_eq!(arr[1]["code"], "S003");
    assert_eq!(arr[1]["column"], serde_json::Value::Null);
    // No finding: an empty array.
    let o = rcx(&["validate", "--format", "json", "fixtures/queue_header.csv"]);
    assert_eq!((code(&o), stdout(&o).as_str()), (0, "[]\n"));
}

#[test]
fn cli_against_prints_the_totals_of_both_sides() {
    let o = rcx(&[
        "validate",
        "fixtures/invalid/x501_x503_cross_altered_agent_ext.csv",
        "--against",
        "fixtures/queue_header.csv",
    ]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o).lines().count(), 3);
    assert!(stdout(&o).starts_with("fixtures/queue_header.csv:3: warning[X501] answ_call_cnt: queue 5688, interval 2024-03-04T08:00:00+00:00:"));
    assert_eq!(
        stderr(&o),
        "rcx: validated 2 files, 11 rows: 0 errors, 3 warnings\n\
         rcx: cross-check: queue rows 4 answered 41 talk 6350 s wrap 860 s; agent rows 7 answered 42 talk 6410 s wrap 870 s; 4 queue intervals, 1 differing\n"
    );
}

#[test]
fn cli_explain() {
    let o = rcx(&["validate", "--explain", "a301"]);
    assert_eq!(code(&o), 0);
    assert_eq!(
        stdout(&o),
        "A301 warning: transfer_out_call_cnt exceeds answ_call_cnt\n"
    );
    assert_eq!(code(&rcx(&["validate", "--explain", "Z999"])), 2);
}

fn diagnostics_markdown() -> String {
    let mut s = String::from(
        "# Diagnostic codes\n\n\
         Every finding of `rcx validate` (and every data error of the other\n\
         commands) carries one of these codes. Codes are stable: a published\n\
         code keeps its meaning. `rcx validate --explain CODE` prints one line.\n\
         Errors make `rcx validate` exit 1; warnings do not, unless\n\
         `--deny-warnings`. An option is named as the library names it\n\
         (`date_order`, the `ReaderBuilder` method); `rcx` prints its flag\n\
         instead (`--date-order`).\n\n\
         This file is checked against the code table in `src/diagnostic.rs` by\n\
         the test `validate::docs_diagnostics_table_matches_the_codes`; run it\n\
         with `RCX_BLESS=1` to rewrite this file after changing the table.\n\n\
         | code | severity | meaning |\n|---|---|---|\n",
    );
    for c in Code::ALL {
        let _ = writeln!(
            s,
            "| {} | {} | {} |",
            c.as_str(),
            c.severity(),
            c.explain().replace('|', "\\|")
        );
    }
    s
}

#[test]
fn docs_diagnostics_table_matches_the_codes() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
    let want = diagnostics_markdown();
    if std::env::var_os("RCX_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write docs/diagnostics.md");
    }
    let have = std::fs::read_to_string(&path).expect("docs/diagnostics.md exists");
    assert_eq!(
        have, want,
        "docs/diagnostics.md is stale: rerun this test with RCX_BLESS=1"
    );
    // Codes are unique, and each one round-trips through its printed form.
    let mut codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let n = codes.len();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), n);
    for c in Code::ALL {
        assert_eq!(Code::from_str_code(c.as_str()), Some(*c));
    }
}

/// `--max-findings N` prints the first N findings in order (text and JSON)
/// and says how many more there were; the summary and the exit status
/// count every one.
#[test]
fn cli_max_findings_prints_the_first_n_and_counts_all() {
    // Three rows, each with a negative count (V102).
    let data: String = ["08:00", "08:15", "08:30"]
        .iter()
        .map(|t| format!("15,20240304,{t},5686,Sales,3,0,0,0,3,30,0,400,40,20,0,3,100,0,-1\n"))
        .collect();
    let (_dir, path) = crate::util::temp_file("q.csv", data.as_bytes());
    let f = path.to_str().unwrap();
    let all = rcx(&["validate", f]);
    let all_out = stdout(&all);
    let all_lines: Vec<&str> = all_out.lines().collect();
    assert_eq!(all_lines.len(), 3, "{all_out}");
    assert_eq!(code(&all), 1);
    let o = rcx(&["validate", "--max-findings", "1", f]);
    assert_eq!(code(&o), 1);
    assert_eq!(stdout(&o).lines().collect::<Vec<_>>(), all_lines[..1]);
    assert_eq!(
        stderr(&o),
        "rcx: validated 1 file, 3 rows: 3 errors, 0 warnings\n\
         rcx: 2 more findings not printed (--max-findings 1)\n"
    );
    // JSON: the array of the first N.
    let json = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["validate", "--format", "json", f];
        args.extend(extra);
        serde_json::from_str(&stdout(&rcx(&args))).expect("json")
    };
    let every = json(&[]);
    assert_eq!(every.as_array().unwrap().len(), 3);
    assert_eq!(
        json(&["--max-findings", "2"]).as_array().unwrap()[..],
        every.as_array().unwrap()[..2]
    );
    assert_eq!(json(&["--max-findings", "0"]), serde_json::json!([]));
}
