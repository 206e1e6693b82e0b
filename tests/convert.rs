//! `rcx convert` and `ringcx_reports::convert`: the Teleopti import rules,
//! totals preserved, sorting, duplicates, names with `;`, CSV/NDJSON equal
//! to `rcx parse`, Parquet round trip, completions, a silent progress bar
//! when stderr is piped.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use ringcx_reports::convert::{ConvertStats, Converter, Order, Source, Target};
use ringcx_reports::gen::{self, GenFormat, GenOptions, GenReport};
use ringcx_reports::model::Value;
use ringcx_reports::window::cmp_ids;
use ringcx_reports::{AgentExtRow, AgentRow, Code, IntervalRow, QueueRow, ReaderBuilder};

use crate::util::{code, fixture, rcx, stderr, stdout};

fn convert(target: Target, sources: &[Source]) -> (String, ConvertStats) {
    let mut out = Vec::new();
    let stats = Converter::new(target)
        .write(sources, &mut out)
        .expect("convert");
    (String::from_utf8(out).expect("utf-8 output"), stats)
}

fn fixture_source(name: &str) -> Source {
    Source::path(fixture(name))
}

/// Every row of a document, read with `tz`.
fn read_all<T: IntervalRow>(name: &str, bytes: Vec<u8>, tz: &str) -> Vec<T> {
    let mut reader = ReaderBuilder::new()
        .source_tz(tz.parse().expect("zone"))
        .from_bytes(name, bytes)
        .expect("open");
    reader.rows().collect::<Result<_, _>>().expect("valid rows")
}

/// Σ of every integer field, and Σ of decimals as text, by field name.
fn totals<T: IntervalRow>(rows: &[T]) -> BTreeMap<&'static str, String> {
    let mut ints: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut decs: BTreeMap<&'static str, rust_decimal::Decimal> = BTreeMap::new();
    for r in rows {
        r.visit(&mut |f, v| match v {
            Value::Int(n) => *ints.entry(f.name()).or_default() += n.unwrap_or(0),
            Value::Decimal(d) => *decs.entry(f.name()).or_default() += d.unwrap_or_default(),
            Value::Text(_) => {}
        });
    }
    let mut out: BTreeMap<&'static str, String> =
        ints.into_iter().map(|(k, v)| (k, v.to_string())).collect();
    out.extend(
        decs.into_iter()
            .map(|(k, v)| (k, v.normalize().to_string())),
    );
    out
}

/// The Teleopti importer's rules: exactly `width` `;`-separated fields,
/// `yyyyMMdd`, `HH:mm`, integer counts, no header, no duplicate key at a
/// local date and time. `texts` are the 0-based columns that hold ids and
/// names, `decimal` the one that may hold a decimal.
fn assert_teleopti_rules(out: &str, width: usize, texts: &[usize], decimal: Option<usize>) {
    assert!(!out.is_empty());
    assert!(out.ends_with('\n'));
    let mut seen = HashSet::new();
    for (i, line) in out.lines().enumerate() {
        let f: Vec<&str> = line.split(';').collect();
        assert_eq!(f.len(), width, "line {}: {line:?}", i + 1);
        assert!(
            matches!(f[0], "15" | "30" | "45" | "60"),
            "interval {:?}",
            f[0]
        );
        assert_eq!(f[1].len(), 8, "date {:?}", f[1]);
        assert!(NaiveDate::parse_from_str(f[1], "%Y%m%d").is_ok(), "{line}");
        assert!(
            f[2].len() == 5 && chrono::NaiveTime::parse_from_str(f[2], "%H:%M").is_ok(),
            "time {:?}",
            f[2]
        );
        for (j, v) in f.iter().enumerate().skip(3) {
            if texts.contains(&j) {
                continue;
            }
            if Some(j) == decimal {
                assert!(
                    v.parse::<rust_decimal::Decimal>().is_ok(),
                    "line {}: column {} = {v:?}",
                    i + 1,
                    j + 1
                );
            } else {
                assert!(
                    !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()),
                    "line {}: column {} = {v:?} is not an integer",
                    i + 1,
                    j + 1
                );
            }
        }
        let key: Vec<&str> = texts
            .iter()
            .filter(|&&j| j == 3 || (width == 11 && j == 5))
            .map(|&j| f[j])
            .collect();
        assert!(
            seen.insert((key.join("|"), f[1].to_string(), f[2].to_string())),
            "line {}: duplicate key {line}",
            i + 1
        );
    }
}

const QUEUE_TEXTS: &[usize] = &[3, 4];

#[test]
fn queue_fixture_to_teleopti_exact_lines_and_rules() {
    let (out, stats) = convert(Target::Teleopti, &[fixture_source("queue_header.csv")]);
    assert_eq!(
        out,
        "15;20240304;08:00;5686;Sales;12;2;2;1;11;180;40;1650;220;45;30;0;9;600;1;1\n\
         15;20240304;08:00;5688;Support, Tier 1;8;0;1;0;7;70;15;1120;140;20;15;0;6;720;0;1\n\
         15;20240304;08:15;5686;Sales;15;1;3;0;13;260;75;2080;300;60;40;0;10;420;1;1\n\
         15;20240304;08:15;5688;Support, Tier 1;9;1;0;0;10;90;0;1500;200;25;0;0;9;510;0;0\n"
    );
    assert_eq!(stats.rows, 4);
    assert!(!stats.sorted_in_memory);
    assert_teleopti_rules(&out, 21, QUEUE_TEXTS, Some(16));
}

#[test]
fn teleopti_avg_avail_member_cnt_is_the_17th_column_and_round_trips() {
    let src = std::fs::read(fixture("queue_teleopti21.csv")).unwrap();
    let (out, _) = convert(Target::Teleopti, &[fixture_source("queue_teleopti21.csv")]);
    // The headerless source is the same data in the same layout.
    let expected = std::fs::read_to_string(fixture("queue_headerless21_semicolon.csv")).unwrap();
    assert_eq!(out, expected);
    let back: Vec<QueueRow> = read_all("out.csv", out.into_bytes(), "UTC");
    let orig: Vec<QueueRow> = read_all("in.csv", src, "UTC");
    assert_eq!(back[0].avg_avail_member_cnt.unwrap().to_string(), "4.5");
    assert_eq!(totals(&back), totals(&orig));
}

#[test]
fn generated_queue_export_to_teleopti_keeps_totals_and_streams() {
    let opts = GenOptions::new(GenReport::Queue, 3_000).seed(5).queues(7);
    let mut bytes = Vec::new();
    gen::write(&opts, &mut bytes).unwrap();
    let src = Source::bytes("gen.csv", bytes.clone());
    let (out, stats) = convert(Target::Teleopti, std::slice::from_ref(&src));
    assert_eq!(stats.rows, 3_000);
    assert!(
        !stats.sorted_in_memory,
        "a generated export is in time order"
    );
    assert_teleopti_rules(&out, 21, QUEUE_TEXTS, Some(16));
    let orig: Vec<QueueRow> = read_all("gen.csv", bytes, "UTC");
    let back: Vec<QueueRow> = read_all("out.csv", out.clone().into_bytes(), "UTC");
    assert_eq!(back.len(), orig.len());
    assert_eq!(totals(&back), totals(&orig));
    // Sorting in memory gives the same bytes.
    let mut mem = Vec::new();
    let s2 = Converter::new(Target::Teleopti)
        .order(Order::Memory)
        .write(&[src], &mut mem)
        .unwrap();
    assert!(s2.sorted_in_memory);
    assert_eq!(String::from_utf8(mem).unwrap(), out);
}

#[test]
fn rows_out_of_order_sort_through_a_temporary_file_to_the_same_bytes() {
    // A generated export (in time order) is the oracle; its lines reversed
    // and split over two sources must convert to the same bytes, whether
    // the sort holds everything or writes runs of a few kilobytes.
    let opts = GenOptions::new(GenReport::Queue, 2_000).seed(9).queues(5);
    let mut bytes = Vec::new();
    gen::write(&opts, &mut bytes).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let (header, body) = text.split_once('\n').unwrap();
    let mut lines: Vec<&str> = body.lines().collect();
    lines.reverse();
    let half = lines.len() / 2;
    let part = |ls: &[&str]| format!("{header}\n{}\n", ls.join("\n")).into_bytes();
    let sources = [
        Source::bytes("b.csv", part(&lines[..half])),
        Source::bytes("a.csv", part(&lines[half..])),
    ];
    let (want, in_order) = convert(Target::Csv, &[Source::bytes("gen.csv", bytes)]);
    assert!(!in_order.sorted_in_memory);
    for memory in [usize::MAX, 4 << 10] {
        let mut out = Vec::new();
        let stats = Converter::new(Target::Csv)
            .sort_memory(memory)
            .write(&sources, &mut out)
            .unwrap();
        assert!(stats.sorted_in_memory);
        assert_eq!(stats.rows, 2_000);
        if memory == usize::MAX {
            assert_eq!(stats.sort_runs, 0);
        } else {
            assert!(stats.sort_runs > 10, "{} runs", stats.sort_runs);
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            want,
            "sort memory {memory}"
        );
    }
    // A duplicate across the sources is found through the runs too, and
    // named at the later source's line (the first in source order stays).
    let first = lines[0];
    let dup = [
        Source::bytes("b.csv", part(&lines)),
        Source::bytes("a.csv", part(&[first])),
    ];
    let err = Converter::new(Target::Csv)
        .sort_memory(4 << 10)
        .write(&dup, &mut Vec::new())
        .unwrap_err();
    assert_eq!(err.code(), Some(Code::DuplicateKey));
    let msg = err.to_string();
    assert!(msg.contains("a.csv:2") && msg.contains("b.csv:2"), "{msg}");
}

#[test]
fn ringcx_json_queue_export_to_teleopti_equals_the_csv_route_and_keeps_totals() {
    // The headline job: RingCX's current JSON (`agg-queue-stats`) into the
    // Teleopti queue layout. The same generated data as CSV is the oracle.
    let base = GenOptions::new(GenReport::Queue, 2_000).seed(11).queues(9);
    let mut json = Vec::new();
    gen::write(&base.clone().format(GenFormat::Json), &mut json).unwrap();
    let mut csv = Vec::new();
    gen::write(&base.format(GenFormat::Csv), &mut csv).unwrap();
    let (from_json, stats) = convert(Target::Teleopti, &[Source::bytes("q.json", json.clone())]);
    let (from_csv, _) = convert(Target::Teleopti, &[Source::bytes("q.csv", csv)]);
    assert_eq!(stats.rows, 2_000);
    assert_teleopti_rules(&from_json, 21, QUEUE_TEXTS, Some(16));
    assert_eq!(from_json, from_csv);
    let orig: Vec<QueueRow> = read_all("q.json", json, "UTC");
    let back: Vec<QueueRow> = read_all("out.csv", from_json.into_bytes(), "UTC");
    let (mut want, got) = (totals(&orig), totals(&back));
    // Fields the Teleopti layout has no column for.
    want.remove("completed_contacts");
    want.remove("segment_hold_time_ms");
    let mut got = got;
    got.remove("completed_contacts");
    got.remove("segment_hold_time_ms");
    assert_eq!(got, want);
    assert!(want["answ_call_cnt"].parse::<u64>().unwrap() > 0);
}

#[test]
fn split_files_in_any_order_give_the_same_output() {
    let opts = GenOptions::new(GenReport::AgentExt, 2_000).seed(9);
    let mut bytes = Vec::new();
    gen::write(&opts, &mut bytes).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let body: Vec<&str> = lines.collect();
    // Rows alternate between two files: each is in time order, and the two
    // overlap in time, so the k-way merge has to interleave them.
    let mut a = format!("{header}\n");
    let mut b = format!("{header}\n");
    for (i, l) in body.iter().enumerate() {
        let f = if i % 2 == 0 { &mut a } else { &mut b };
        f.push_str(l);
        f.push('\n');
    }
    let sa = Source::bytes("a.csv", a.into_bytes());
    let sb = Source::bytes("b.csv", b.into_bytes());
    let (whole, _) = convert(Target::Teleopti, &[Source::bytes("all.csv", bytes.clone())]);
    let (ab, st) = convert(Target::Teleopti, &[sa.clone(), sb.clone()]);
    let (ba, _) = convert(Target::Teleopti, &[sb, sa]);
    assert!(!st.sorted_in_memory);
    assert_eq!(ab, whole);
    assert_eq!(ba, whole);
    assert_teleopti_rules(&whole, 11, &[3, 4, 5, 6], None);
    let orig: Vec<AgentExtRow> = read_all("gen.csv", bytes, "UTC");
    let back: Vec<AgentExtRow> = read_all("out.csv", whole.into_bytes(), "UTC");
    assert_eq!(totals(&back), totals(&orig));
    assert_eq!(back.len(), 2_000);
}

#[test]
fn agent_ext_has_11_fields_and_agent_stats_14() {
    let (out, _) = convert(Target::Teleopti, &[fixture_source("agent_ext_quoted.csv")]);
    assert_teleopti_rules(&out, 11, &[3, 4, 5, 6], None);
    // The line break inside a quoted queue name became a space.
    assert_eq!(
        out.lines().nth(2).unwrap(),
        "15;20240304;08:00;1002;O\"Brien, Pat;5688;Support Tier 1;300;30;2;0"
    );
    let (out, _) = convert(
        Target::Teleopti,
        &[fixture_source("agent_stats_teleopti14.csv")],
    );
    assert_eq!(
        out,
        std::fs::read_to_string(fixture("agent_stats_teleopti14.csv"))
            .unwrap()
            .lines()
            .skip(2)
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    );
    assert_teleopti_rules(&out, 14, &[3, 4], None);
    let gen_agent = {
        let mut b = Vec::new();
        gen::write(&GenOptions::new(GenReport::Agent, 500).seed(2), &mut b).unwrap();
        b
    };
    let (out, stats) = convert(
        Target::Teleopti,
        &[Source::bytes("g.csv", gen_agent.clone())],
    );
    assert_eq!(stats.rows, 500);
    assert_teleopti_rules(&out, 14, &[3, 4], None);
    let orig: Vec<AgentRow> = read_all("g.csv", gen_agent, "UTC");
    let back: Vec<AgentRow> = read_all("o.csv", out.into_bytes(), "UTC");
    assert_eq!(totals(&back), totals(&orig));
}

#[test]
fn unsorted_input_is_sorted_by_start_then_numeric_key_and_semicolons_in_names_are_replaced() {
    let (out, stats) = convert(Target::Teleopti, &[fixture_source("queue_unsorted.csv")]);
    assert!(stats.sorted_in_memory);
    assert_eq!(
        out,
        "15;20240304;23:45;5686;Sales;2;0;0;0;2;20;0;240;30;12;0;0;2;500;0;0\n\
         15;20240305;08:00;600;Retention, VIP;5;1;0;0;6;80;0;900;90;25;0;0;5;200;0;0\n\
         15;20240305;08:00;5686;Sales;7;0;1;1;5;60;12;700;75;18;12;0;4;410;1;0\n\
         15;20240305;08:15;600;Retention, VIP;4;0;1;0;3;45;10;540;60;20;10;0;3;300;0;1\n\
         15;20240305;08:15;5686;Sales;6;2;2;0;6;70;25;800;85;22;15;0;5;350;1;1\n"
    );
    assert_teleopti_rules(&out, 21, QUEUE_TEXTS, Some(16));
}

#[test]
fn id_comparison_is_numeric_then_text() {
    use std::cmp::Ordering::*;
    assert_eq!(cmp_ids("600", "5686"), Less);
    assert_eq!(cmp_ids("0600", "600"), Less);
    assert_eq!(cmp_ids("99999999999999999999999", "5"), Greater);
    assert_eq!(cmp_ids("5686", "A1"), Less);
    assert_eq!(cmp_ids("a", "b"), Less);
}

#[test]
fn an_id_with_a_semicolon_is_refused_or_skipped() {
    let data = "15,20240304,08:00,7;8,Sales,1,0,0,0,1,5,0,60,10,5,0,1,30,0,0\n\
                15,20240304,08:00,9,Sales,1,0,0,0,1,5,0,60,10,5,0,1,30,0,0\n";
    let src = [Source::bytes("q.csv", data.as_bytes().to_vec())];
    let mut out = Vec::new();
    let e = Converter::new(Target::Teleopti)
        .write(&src, &mut out)
        .unwrap_err();
    assert_eq!(e.to_string(), "q.csv:1: error[V113] queue: an id written to the Teleopti layout cannot hold ';' or a line break (value \"7;8\")");
    assert!(
        out.is_empty(),
        "nothing is written when the first pass fails"
    );
    let stats = Converter::new(Target::Teleopti)
        .skip_invalid(true)
        .write(&src, &mut out)
        .unwrap();
    assert_eq!(stats.rows, 1);
    assert_eq!(stats.skipped.get(&Code::BadValue), Some(&1));
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "15;20240304;08:00;9;Sales;1;0;0;0;1;5;0;60;10;5;0;0;1;30;0;0\n"
    );
    // CSV keeps the id as it is; numeric ids sort before text ones.
    let (csv, _) = convert(Target::Csv, &src);
    assert!(csv.ends_with("\n15,2024-03-04,08:00,7;8,Sales,1,0,0,0,1,5,0,60,10,5,0,1,30,0,0,,,,2024-03-04T08:00:00+00:00\n"), "{csv}");
}

#[test]
fn duplicate_key_is_f401_or_skipped_with_exit_1() {
    let o = rcx(&[
        "convert",
        "fixtures/invalid/f401_duplicate_key.csv",
        "--to",
        "teleopti",
    ]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("fixtures/invalid/f401_duplicate_key.csv:3: error[F401] queue: queue 5686 at 2024-03-04T08:00:00+00:00 already appears at fixtures/invalid/f401_duplicate_key.csv:2"),
        "{}",
        stderr(&o)
    );
    let o = rcx(&[
        "convert",
        "fixtures/invalid/f401_duplicate_key.csv",
        "--to",
        "teleopti",
        "--skip-invalid",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stdout(&o),
        "15;20240304;08:00;5686;Sales;12;2;2;1;11;180;40;1650;220;45;30;0;9;600;1;1\n"
    );
    assert!(
        stderr(&o).starts_with("rcx: skipped 1 invalid row(s) (F401: 1); first: "),
        "{}",
        stderr(&o)
    );
    // The same row given twice in two files is a duplicate too.
    let o = rcx(&[
        "convert",
        "fixtures/queue_header.csv",
        "fixtures/queue_header.csv",
        "--to",
        "csv",
        "--skip-invalid",
        "--quiet",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(stdout(&o).lines().count(), 5);
    assert_eq!(stderr(&o), "");
}

#[test]
fn invalid_row_stops_before_any_output_and_skip_counts_by_code() {
    let o = rcx(&[
        "convert",
        "fixtures/invalid/v101_not_a_number.csv",
        "--to",
        "teleopti",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("error[V101] answ_call_cnt"),
        "{}",
        stderr(&o)
    );
    let o = rcx(&[
        "convert",
        "fixtures/invalid/v101_not_a_number.csv",
        "--to",
        "teleopti",
        "--skip-invalid",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(stdout(&o).lines().count(), 1);
    assert!(stderr(&o).contains("(V101: 1)"), "{}", stderr(&o));
}

#[test]
fn fall_back_hour_is_written_twice_in_time_order_and_reads_back_to_the_same_instants() {
    let name = "queue_fallback_ny.csv";
    let tz: chrono_tz::Tz = "America/New_York".parse().unwrap();
    let mut out = Vec::new();
    Converter::new(Target::Teleopti)
        .reader(ReaderBuilder::new().source_tz(tz))
        .write(&[fixture_source(name)], &mut out)
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    let times: Vec<&str> = out.lines().map(|l| &l[12..17]).step_by(2).collect();
    assert_eq!(
        times,
        [
            "00:45", "01:00", "01:15", "01:30", "01:45", "01:00", "01:15", "01:30", "01:45",
            "02:00"
        ]
    );
    let back: Vec<QueueRow> = read_all("o.csv", out.into_bytes(), "America/New_York");
    let orig: Vec<QueueRow> = read_all(
        name,
        std::fs::read(fixture(name)).unwrap(),
        "America/New_York",
    );
    let instants = |rows: &[QueueRow]| {
        let mut v: Vec<(i64, String)> = rows
            .iter()
            .map(|r| (r.start.timestamp(), r.queue.clone()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(instants(&back), instants(&orig));
}

#[test]
fn csv_and_ndjson_targets_equal_rcx_parse_on_sorted_input() {
    for (to, format) in [("csv", "csv"), ("ndjson", "ndjson")] {
        let c = rcx(&["convert", "fixtures/queue_header.csv", "--to", to]);
        let p = rcx(&["parse", "fixtures/queue_header.csv", "--format", format]);
        assert_eq!(code(&c), 0, "{}", stderr(&c));
        assert_eq!(stdout(&c), stdout(&p));
        assert!(!stdout(&c).is_empty());
    }
}

#[test]
fn cli_writes_a_file_atomically_and_refuses_mixed_reports() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("queue.txt");
    let o = rcx(&[
        "convert",
        "fixtures/queue_unsorted.csv",
        "--to",
        "teleopti",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stderr(&o), "rcx: converted 5 row(s)\n");
    assert_eq!(std::fs::read_to_string(&target).unwrap().lines().count(), 5);
    let o = rcx(&[
        "convert",
        "fixtures/queue_header.csv",
        "fixtures/agent_ext_quoted.csv",
        "--to",
        "teleopti",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("fixtures/agent_ext_quoted.csv: the file holds agent-ext rows, but the first input holds queue rows"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
}

#[test]
fn stdin_input_is_converted() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_rcx"))
        .args(["convert", "-", "--to", "teleopti"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(fixture("queue_unsorted.csv")).unwrap())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0);
    assert_eq!(
        stdout(&o).lines().next(),
        Some("15;20240304;23:45;5686;Sales;2;0;0;0;2;20;0;240;30;12;0;0;2;500;0;0")
    );
}

#[test]
fn completions_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let o = rcx(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}");
        let script = stdout(&o);
        for sub in [
            "parse",
            "inspect",
            "validate",
            "gen",
            "convert",
            "completions",
        ] {
            assert!(script.contains(sub), "{shell} script lacks {sub}");
        }
        assert!(script.contains("teleopti"), "{shell}: --to values");
    }
    assert_eq!(code(&rcx(&["completions", "tcsh"])), 2);
}

#[test]
fn progress_is_silent_when_stderr_is_piped() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.csv");
    let mut bytes = Vec::new();
    gen::write(&GenOptions::new(GenReport::Queue, 20_000), &mut bytes).unwrap();
    std::fs::write(&big, bytes).unwrap();
    let big = big.to_str().unwrap();
    for args in [
        vec!["convert", big, "--to", "teleopti"],
        vec!["parse", big],
        vec!["validate", big],
    ] {
        let o = rcx(&args);
        assert!(code(&o) == 0, "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            !err.contains('\u{1b}') && !err.contains('\r'),
            "{args:?}: progress drawn on a pipe: {err:?}"
        );
    }
}

#[test]
fn progress_counts_every_byte_and_row() {
    let progress = ringcx_reports::progress::Progress::new();
    let path = fixture("queue_header.csv");
    let size = std::fs::metadata(&path).unwrap().len();
    let mut out = Vec::new();
    Converter::new(Target::Csv)
        .progress(progress.clone())
        .write(&[Source::path(&path)], &mut out)
        .unwrap();
    // Two passes (order check, conversion), each reading the whole file.
    assert_eq!(progress.bytes(), 2 * size);
    assert_eq!(progress.total(), 2 * size);
    assert_eq!(progress.rows(), 8);
}

#[test]
fn segments_and_parquet_to_a_stream_are_usage_errors() {
    let e = Converter::new(Target::Parquet)
        .write(&[fixture_source("queue_header.csv")], Vec::new())
        .unwrap_err();
    assert!(e.is_usage());
    let e = Converter::new(Target::Csv)
        .write_dir(&[fixture_source("queue_header.csv")], "unused")
        .unwrap_err();
    assert!(e.is_usage());
    let o = rcx(&["convert", "fixtures/queue_header.csv", "--to", "parquet"]);
    assert_eq!(code(&o), 2);
}

#[allow(dead_code)]
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[cfg(feature = "parquet")]
mod parquet_target {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{
        Date32Type, Decimal128Type, Int32Type, Int64Type, Time32MillisecondType,
        TimestampMillisecondType,
    };
    use arrow_array::{Array, RecordBatch};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use ringcx_reports::write::parquet::ParquetOptions;

    fn read_batches(path: &Path) -> Vec<RecordBatch> {
        let f = std::fs::File::open(path).unwrap();
        ParquetRecordBatchReaderBuilder::try_new(f)
            .unwrap()
            .build()
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// Rebuilds rows as `rcx parse --format csv` would print them, from
    /// the Parquet columns.
    fn rows_as_csv(batches: &[RecordBatch]) -> Vec<String> {
        let mut out = Vec::new();
        for b in batches {
            for i in 0..b.num_rows() {
                let mut cells = Vec::new();
                for (c, field) in b.schema().fields().iter().enumerate() {
                    let col = b.column(c);
                    if col.is_null(i) {
                        cells.push(String::new());
                        continue;
                    }
                    cells.push(match field.name().as_str() {
                        "interval" => col.as_primitive::<Int32Type>().value(i).to_string(),
                        "date_from" => {
                            let d = col.as_primitive::<Date32Type>().value(i);
                            (NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
                                + chrono::Duration::days(d as i64))
                            .format("%Y-%m-%d")
                            .to_string()
                        }
                        "time" => {
                            let ms = col.as_primitive::<Time32MillisecondType>().value(i);
                            format!("{:02}:{:02}", ms / 3_600_000, ms / 60_000 % 60)
                        }
                        "start" => {
                            let ms = col.as_primitive::<TimestampMillisecondType>().value(i);
                            chrono::DateTime::from_timestamp_millis(ms)
                                .unwrap()
                                .to_rfc3339()
                        }
                        "utc_offset_s" => col.as_primitive::<Int32Type>().value(i).to_string(),
                        "avg_avail_member_cnt" => {
                            let v = col.as_primitive::<Decimal128Type>().value(i);
                            rust_decimal::Decimal::from_i128_with_scale(v, 10)
                                .normalize()
                                .to_string()
                        }
                        _ => match col.data_type() {
                            arrow_schema::DataType::Utf8 => col.as_string::<i32>().value(i).into(),
                            _ => col.as_primitive::<Int64Type>().value(i).to_string(),
                        },
                    });
                }
                out.push(cells.join("|"));
            }
        }
        out
    }

    #[test]
    fn parquet_round_trip_every_value_and_totals() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ds");
        let sources = [
            fixture_source("queue_unsorted.csv"),
            fixture_source("queue_teleopti21.csv"),
        ];
        let stats = Converter::new(Target::Parquet)
            .write_dir(&sources, &out)
            .unwrap();
        assert_eq!(stats.rows, 7);
        let rel: Vec<String> = files_under(&out)
            .iter()
            .map(|p| {
                p.strip_prefix(&out)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(
            rel,
            [
                "date=2024-03-04/part-0.parquet",
                "date=2024-03-05/part-0.parquet"
            ]
        );
        assert_eq!(stats.files, files_under(&out));
        let day1 = read_batches(&out.join("date=2024-03-04/part-0.parquet"));
        let schema = day1[0].schema();
        assert_eq!(
            schema.field_with_name("start").unwrap().data_type(),
            &arrow_schema::DataType::Timestamp(
                arrow_schema::TimeUnit::Millisecond,
                Some("UTC".into())
            )
        );
        assert_eq!(
            schema
                .field_with_name("avg_avail_member_cnt")
                .unwrap()
                .data_type(),
            &arrow_schema::DataType::Decimal128(38, 10)
        );
        // Sorted by start: 09:00, 09:30 (Billing) before 23:45 (Sales).
        assert_eq!(
            rows_as_csv(&day1),
            [
                "30|2024-03-04|09:00|7001|Billing|20|0|2|0|18|360|50|2700|450|55|35|15|900|0|1|4.5|||2024-03-04T09:00:00+00:00|0",
                "30|2024-03-04|09:30|7001|Billing|22|3|1|2|22|300|10|3100|520|40|10|20|800|1|0|5|||2024-03-04T09:30:00+00:00|0",
                "15|2024-03-04|23:45|5686|Sales|2|0|0|0|2|20|0|240|30|12||2|500|0|0||||2024-03-04T23:45:00+00:00|0",
            ]
        );
        let day2 = read_batches(&out.join("date=2024-03-05/part-0.parquet"));
        assert_eq!(
            rows_as_csv(&day2),
            [
                "15|2024-03-05|08:00|600|Retention; VIP|5|1|0|0|6|80|0|900|90|25|0|5|200|0|0||||2024-03-05T08:00:00+00:00|0",
                "15|2024-03-05|08:00|5686|Sales|7|0|1|1|5|60|12|700|75|18|12|4|410|1|0||||2024-03-05T08:00:00+00:00|0",
                "15|2024-03-05|08:15|600|Retention; VIP|4|0|1|0|3|45|10|540|60|20|10|3|300|0|1||||2024-03-05T08:15:00+00:00|0",
                "15|2024-03-05|08:15|5686|Sales|6|2|2|0|6|70|25|800|85|22|15|5|350|1|1||||2024-03-05T08:15:00+00:00|0",
            ]
        );
        // Totals of every integer column equal the sources'.
        let mut want: Vec<QueueRow> = Vec::new();
        for s in &sources {
            let Source::Path(p) = s else { unreachable!() };
            want.extend(read_all::<QueueRow>(
                "s.csv",
                std::fs::read(p).unwrap(),
                "UTC",
            ));
        }
        let want = totals(&want);
        for (name, total) in &want {
            if *name == "avg_avail_member_cnt" {
                continue;
            }
            let mut got = 0i64;
            for b in day1.iter().chain(&day2) {
                let col = b.column_by_name(name).unwrap().as_primitive::<Int64Type>();
                got += col.iter().flatten().sum::<i64>();
            }
            assert_eq!(got.to_string(), *total, "{name}");
        }
        assert_eq!(want["avg_avail_member_cnt"], "9.5");
    }

    /// `-o x.parquet`: every row in one file, the rows of the dated
    /// dataset in the same order; counts and the interval signed.
    #[test]
    fn one_parquet_file_holds_the_rows_of_the_dataset_with_signed_counts() {
        let dir = tempfile::tempdir().unwrap();
        let sources = [
            fixture_source("queue_unsorted.csv"),
            fixture_source("queue_teleopti21.csv"),
        ];
        let ds = dir.path().join("ds");
        Converter::new(Target::Parquet)
            .write_dir(&sources, &ds)
            .unwrap();
        let one = dir.path().join("q.parquet");
        let stats = Converter::new(Target::Parquet)
            .parquet_options(ParquetOptions {
                partition: ringcx_reports::write::parquet::Partition::OneFile,
                ..ParquetOptions::default()
            })
            .write_dir(&sources, &one)
            .unwrap();
        assert_eq!((stats.rows, stats.files.clone()), (7, vec![one.clone()]));
        let dataset: Vec<String> = files_under(&ds)
            .iter()
            .flat_map(|p| rows_as_csv(&read_batches(p)))
            .collect();
        let batches = read_batches(&one);
        assert_eq!(rows_as_csv(&batches), dataset);
        let schema = batches[0].schema();
        use arrow_schema::DataType;
        assert_eq!(
            schema.field_with_name("interval").unwrap().data_type(),
            &DataType::Int32
        );
        assert_eq!(
            schema.field_with_name("answ_call_cnt").unwrap().data_type(),
            &DataType::Int64
        );
        // The CLI: a path ending in .parquet is one file, --partition-by
        // date a directory whatever its name.
        let q = fixture("queue_unsorted.csv");
        let cli_one = dir.path().join("cli.parquet");
        let o = rcx(&[
            "convert",
            "--to",
            "parquet",
            q.to_str().unwrap(),
            "-o",
            cli_one.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(cli_one.is_file());
        let cli_dir = dir.path().join("d.parquet");
        let o = rcx(&[
            "convert",
            "--to",
            "parquet",
            "--partition-by",
            "date",
            q.to_str().unwrap(),
            "-o",
            cli_dir.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(cli_dir.join("date=2024-03-04").is_dir());
        let o = rcx(&[
            "convert",
            "--to",
            "csv",
            "--partition-by",
            "none",
            q.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 2);
        assert!(
            stderr(&o).contains("--partition-by applies to --to parquet"),
            "{}",
            stderr(&o)
        );
    }

    /// A count past 2^63 - 1 cannot be a signed Parquet integer: refused,
    /// naming the field and value.
    #[test]
    fn a_count_past_i64_is_refused_by_name() {
        let row =
            "15,20240304,08:00,5686,Sales,3,0,0,0,3,30,0,400,40,20,0,3,9223372036854775808,0,0\n";
        let (_dir, path) = crate::util::temp_file("q.csv", row.as_bytes());
        let out = tempfile::tempdir().unwrap();
        let e = Converter::new(Target::Parquet)
            .write_dir(&[Source::path(&path)], out.path().join("x.parquet"))
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("V110")
                && text.contains("signed 64-bit")
                && text.contains("9223372036854775808"),
            "{text}"
        );
    }

    #[test]
    fn parquet_is_deterministic_splits_parts_and_keeps_fall_back_offsets() {
        let tz: chrono_tz::Tz = "America/New_York".parse().unwrap();
        let run = |dir: &Path| {
            Converter::new(Target::Parquet)
                .reader(ReaderBuilder::new().source_tz(tz))
                .parquet_options(ParquetOptions {
                    rows_per_file: 8,
                    row_group_rows: 3,
                    ..ParquetOptions::default()
                })
                .write_dir(&[fixture_source("queue_fallback_ny.csv")], dir)
                .unwrap()
        };
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let sa = run(&a.path().join("x"));
        run(&b.path().join("x"));
        assert_eq!(sa.rows, 20);
        let fa = files_under(&a.path().join("x"));
        let fb = files_under(&b.path().join("x"));
        let names: Vec<String> = fa
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            ["part-0.parquet", "part-1.parquet", "part-2.parquet"]
        );
        for (x, y) in fa.iter().zip(&fb) {
            assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
        }
        let offsets: Vec<i32> = fa
            .iter()
            .flat_map(|p| read_batches(p))
            .flat_map(|b| {
                b.column_by_name("utc_offset_s")
                    .unwrap()
                    .as_primitive::<Int32Type>()
                    .values()
                    .to_vec()
            })
            .collect();
        assert_eq!(offsets.iter().filter(|&&o| o == -4 * 3600).count(), 10);
        assert_eq!(offsets.iter().filter(|&&o| o == -5 * 3600).count(), 10);
        // A directory that is not empty is refused.
        let e = Converter::new(Target::Parquet)
            .write_dir(&[fixture_source("queue_header.csv")], a.path().join("x"))
            .unwrap_err();
        assert!(e.to_string().contains("not empty"), "{e}");
    }
}

/// Segment files convert to CSV and NDJSON as `rcx parse` prints them,
/// files in the order given.
#[test]
fn segments_convert_to_what_parse_prints() {
    let files = [
        "fixtures/segments_mixed.ndjson",
        "fixtures/segments_timeline.ndjson",
    ];
    for (to, format) in [("csv", "csv"), ("ndjson", "ndjson")] {
        let mut want = String::new();
        for (i, f) in files.iter().enumerate() {
            let o = rcx(&["parse", f, "--format", format]);
            assert_eq!(code(&o), 0, "{}", stderr(&o));
            let text = stdout(&o);
            // One CSV header.
            let skip = usize::from(i > 0 && format == "csv");
            for line in text.lines().skip(skip) {
                want.push_str(line);
                want.push('\n');
            }
        }
        let o = rcx(&["convert", "--to", to, files[0], files[1]]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(stdout(&o), want, "{to}");
    }
    // A dataset partitioned by date needs a local date, which segments
    // lack; mixing segments with interval rows is refused.
    let dir = tempfile::tempdir().unwrap();
    let o = rcx(&[
        "convert",
        files[0],
        "--to",
        "ndjson",
        "fixtures/queue_header.csv",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the first input holds segments"),
        "{}",
        stderr(&o)
    );
    if cfg!(feature = "parquet") {
        let o = rcx(&[
            "convert",
            files[0],
            "--to",
            "parquet",
            "-o",
            dir.path().join("ds").to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 2);
        assert!(
            stderr(&o).contains("segments have no local date"),
            "{}",
            stderr(&o)
        );
    }
}
