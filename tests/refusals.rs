//! Issue 14, items 4 (interval half), 7 and 10: `parse` refuses a row that
//! repeats a key and start (F401) in bounded memory and accepts the
//! fall-back repeat; a time filter that keeps no row warns (SPEC 9.2); the
//! README's commands name files that exist; `rcx plot` without the `plot`
//! feature says which feature to enable; an unknown column (S004) reaches
//! stderr in every command that reads interval files.
//!
//! Expected lines and counts are found in the test's own text (the line
//! holding a marker, the data lines of a fixture), never taken from the
//! code under test.

use std::path::Path;

use chrono::{Duration, NaiveDate};
use ringcx_reports::convert::{Converter, Source, Target};
use ringcx_reports::rollup::Rollup;
use ringcx_reports::timeline::Timeline;
use ringcx_reports::window::TimeBound;
use ringcx_reports::write::{write_rows, ParseFormat, RowStats, RowWriter};
use ringcx_reports::{Code, QueueRow, ReaderBuilder};

use crate::util::{code, fixture, fixture_bytes, rcx, stderr, stdout, temp_file};

const QH: &str = "interval,date_from,time,queue,queue_name,offd_direct_call_cnt,overflow_in_call_cnt,aband_call_cnt,overflow_out_call_cnt,answ_call_cnt,queued_and_answ_call_dur,queued_and_aband_call_dur,talking_call_dur,wrap_up_dur,queued_answ_longest_que_dur,queued_aband_longest_que_dur,ans_servicelevel_cnt,wait_dur,aband_short_call_cnt,aband_within_sl_cnt\n";

/// A queue row: `answered` direct calls, all answered.
fn q(date: &str, time: &str, queue: u32, answered: u32) -> String {
    format!("15,{date},{time},{queue},Q{queue},{answered},0,0,0,{answered},0,0,0,0,0,0,0,0,0,0\n")
}

/// The 1-based line of the `n`-th (from 1) occurrence of `marker`.
fn nth_line_of(text: &str, marker: &str, n: usize) -> u64 {
    let (at, _) = text
        .match_indices(marker)
        .nth(n - 1)
        .unwrap_or_else(|| panic!("no {n}th {marker:?}"));
    text[..at].matches('\n').count() as u64 + 1
}

/// Data lines of a CSV text with a header: non-empty lines but the first.
fn data_lines(text: &str) -> u64 {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count() as u64
}

/// `answ_call_cnt` of each NDJSON line printed by `rcx parse`, with its
/// queue and start.
fn parsed(out: &str) -> Vec<(String, String, u64)> {
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("NDJSON line");
            (
                v["queue"].as_str().expect("queue").to_string(),
                v["start"].as_str().expect("start").to_string(),
                v["answ_call_cnt"].as_u64().expect("answered"),
            )
        })
        .collect()
}

// ---- 4: parse refuses a repeated key and start --------------------------

/// Two queues over two quarter hours, in time order, then queue 1 at 08:15
/// again (99 answered): a duplicate on the marker's line.
fn duplicate_text() -> String {
    let mut t = String::from(QH);
    t += &q("20240304", "08:00", 1, 5);
    t += &q("20240304", "08:00", 2, 6);
    t += &q("20240304", "08:15", 1, 7);
    t += &q("20240304", "08:15", 2, 8);
    t += &q("20240304", "08:15", 1, 99);
    t
}

#[test]
fn parse_refuses_a_row_repeating_a_key_and_start() {
    let text = duplicate_text();
    let line = nth_line_of(&text, ",99,", 1);
    assert_eq!(line, 6);
    let (dir, p) = temp_file("q.csv", text.as_bytes());
    let path = p.to_str().expect("utf-8 path");
    let want = format!("{path}:{line}: error[F401] time: queue 1 at 2024-03-04T08:15:00+00:00");
    for format in ["ndjson", "csv"] {
        let o = rcx(&["parse", "--format", format, path]);
        assert_eq!(code(&o), 1, "{format}");
        assert!(stderr(&o).contains(&want), "{format}: {}", stderr(&o));
    }
    // With -o, nothing is written.
    let out = dir.path().join("out.ndjson");
    let o = rcx(&["parse", path, "-o", out.to_str().expect("utf-8")]);
    assert_eq!(code(&o), 1);
    assert!(!out.exists());
    // validate finds the same row; convert refuses it too.
    let o = rcx(&["validate", path]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains(&want), "{}", stdout(&o));
    let o = rcx(&["convert", "--to", "csv", path]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!("{path}:{line}: error[F401]")),
        "{}",
        stderr(&o)
    );
}

#[test]
fn parse_skip_invalid_skips_the_repeat_and_counts_it() {
    let text = duplicate_text();
    let line = nth_line_of(&text, ",99,", 1);
    let (_d, p) = temp_file("q.csv", text.as_bytes());
    let path = p.to_str().expect("utf-8 path");
    let o = rcx(&["parse", "--skip-invalid", path]);
    assert_eq!(code(&o), 1);
    // The first row of the key and start is the one kept.
    let t = |h: &str| format!("2024-03-04T{h}:00+00:00");
    assert_eq!(
        parsed(&stdout(&o)),
        [
            ("1".to_string(), t("08:00"), 5),
            ("2".to_string(), t("08:00"), 6),
            ("1".to_string(), t("08:15"), 7),
            ("2".to_string(), t("08:15"), 8),
        ]
    );
    assert!(
        stderr(&o).starts_with(&format!(
            "rcx: skipped 1 invalid row(s) (F401: 1); first: {path}:{line}: error[F401] time:"
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn write_rows_refuses_or_skips_the_repeat() {
    let text = duplicate_text();
    let line = nth_line_of(&text, ",99,", 1);
    let run = |skip: bool| {
        let mut r = ReaderBuilder::new()
            .from_bytes("q.csv", text.clone().into_bytes())
            .expect("open");
        let (mut out, mut stats) = (Vec::new(), RowStats::default());
        let mut w = RowWriter::new(ParseFormat::Ndjson);
        let res = write_rows(&mut r, &mut w, &mut out, skip, &mut stats);
        (res, stats, String::from_utf8(out).expect("utf-8"))
    };
    let (res, stats, out) = run(false);
    let e = res.expect_err("a duplicate");
    assert_eq!(e.code(), Some(Code::DuplicateKey));
    let loc = e.location().expect("located");
    assert_eq!((loc.pos.line(), loc.field.as_deref()), (line, Some("time")));
    assert_eq!((stats.rows, out.lines().count()), (4, 4));
    let (res, stats, out) = run(true);
    res.expect("skipped");
    assert_eq!(stats.rows, 4);
    assert_eq!(stats.skipped.get(&Code::DuplicateKey), Some(&1));
    assert!(!out.contains("\"answ_call_cnt\":99"));
}

#[test]
fn parse_names_the_line_of_the_repeated_start_in_json() {
    let text = r#"[
  {"interval": 15, "dateTimeFrom": "03-04-2024T08:00:00", "queue": 7, "answIxnCnt": 1},
  {
    "interval": 15,
    "queue": 7,
    "answIxnCnt": 2,
    "dateTimeFrom":
      "03-04-2024T08:00:00"
  }
]
"#;
    let line = nth_line_of(text, "\"03-04-2024T08:00:00\"", 2);
    assert_eq!(line, 8);
    let (_d, p) = temp_file("q.json", text.as_bytes());
    let path = p.to_str().expect("utf-8 path");
    let o = rcx(&["parse", path]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!(
            "{path}:{line}: error[F401] date_time_from: queue 7"
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(parsed(&stdout(&o)).len(), 1);
}

#[test]
fn parse_accepts_the_fall_back_repeat_and_refuses_a_third_pass() {
    // Read in its zone, the New York export's second 01:00 hour is the
    // fall-back repeat: every row is printed once, each 01:xx start twice
    // (-04:00, then -05:00).
    let file = "fixtures/queue_dst_days_ny.csv";
    let text = String::from_utf8(fixture_bytes("queue_dst_days_ny.csv")).expect("utf-8");
    let o = rcx(&["parse", "--source-tz", "America/New_York", file]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rows = parsed(&stdout(&o));
    assert_eq!(rows.len() as u64, data_lines(&text));
    for m in ["00", "15", "30", "45"] {
        for off in ["-04:00", "-05:00"] {
            let start = format!("2024-11-03T01:{m}:00{off}");
            assert_eq!(rows.iter().filter(|r| r.1 == start).count(), 1, "{start}");
        }
    }
    // Read in UTC the second pass repeats the first: F401 on its first row.
    let line = nth_line_of(&text, ",20241103,01:00,", 2);
    let o = rcx(&["parse", file]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!(
            "{file}:{line}: error[F401] time: queue 5686 at 2024-11-03T01:00:00+00:00"
        )),
        "{}",
        stderr(&o)
    );
    // A third row of a key at a repeated local start is a duplicate even
    // in the right zone.
    let mut t = String::from(QH);
    for time in ["00:45", "01:00", "01:00", "01:00"] {
        t += &q("20241103", time, 5686, 1);
    }
    let line = nth_line_of(&t, ",01:00,", 3);
    let (_d, p) = temp_file("ny.csv", t.as_bytes());
    let path = p.to_str().expect("utf-8 path");
    let o = rcx(&["parse", "--source-tz", "America/New_York", path]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!(
            "{path}:{line}: error[F401] time: queue 5686 at 2024-11-03T01:00:00-05:00"
        )),
        "{}",
        stderr(&o)
    );
    let starts: Vec<String> = parsed(&stdout(&o)).into_iter().map(|r| r.1).collect();
    assert_eq!(
        starts,
        [
            "2024-11-03T00:45:00-04:00",
            "2024-11-03T01:00:00-04:00",
            "2024-11-03T01:00:00-05:00"
        ]
    );
}

#[test]
fn parse_keeps_only_the_keys_of_open_intervals_on_a_time_ordered_file() {
    // 70 000 queues, one quarter hour each, in time order: past 65 536
    // keys the closed ones are dropped. A repeat of a dropped key (the
    // file is then no longer in time order) cannot be checked and is
    // counted; a repeat of a key still open is refused.
    const N: u32 = 70_000;
    let t0 = NaiveDate::from_ymd_opt(2024, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("date");
    let at = |i: u32| {
        let t = t0 + Duration::minutes(15 * i64::from(i));
        (
            t.format("%Y%m%d").to_string(),
            t.format("%H:%M").to_string(),
        )
    };
    let mut text = String::with_capacity(64 * N as usize);
    text += QH;
    for i in 0..N {
        let (d, h) = at(i);
        text += &q(&d, &h, i, 1);
    }
    let (d, h) = at(0);
    text += &q(&d, &h, 0, 2);
    let (d, h) = at(N - 1);
    text += &q(&d, &h, N - 1, 3);
    let mut r = ReaderBuilder::new()
        .from_bytes("many.csv", text.into_bytes())
        .expect("open");
    let (mut out, mut stats) = (std::io::sink(), RowStats::default());
    let mut w = RowWriter::new(ParseFormat::Ndjson);
    write_rows(&mut r, &mut w, &mut out, true, &mut stats).expect("skipping run");
    assert_eq!(stats.skipped.get(&Code::DuplicateKey), Some(&1));
    assert_eq!(stats.unchecked_duplicates, 1);
    assert_eq!(stats.rows, u64::from(N) + 1);
}

// ---- 7: quiet emptiness --------------------------------------------------

#[test]
fn a_filter_that_keeps_no_row_warns_in_rollup() {
    let file = "fixtures/queue_header.csv";
    let n = data_lines(&String::from_utf8(fixture_bytes("queue_header.csv")).expect("utf-8"));
    let cases: [(&[&str], &str); 4] = [
        (&["--from", "2030-01-01"], "--from"),
        (
            &["--from", "2024-03-04T09:00:00Z", "--to", "2024-03-05"],
            "--from/--to",
        ),
        (&["--days", "sun"], "--days"),
        (
            &[
                "--days",
                "mon",
                "--hours",
                "01:00-02:00",
                "--interval",
                "total",
            ],
            "--days/--hours",
        ),
    ];
    for (flags, named) in cases {
        let mut args = vec!["rollup", file];
        args.extend_from_slice(flags);
        let o = rcx(&args);
        assert_eq!(code(&o), 0, "{flags:?}");
        assert_eq!(
            stderr(&o),
            format!("rcx: warning: no row kept by {named} ({n} rows read)\n"),
            "{flags:?}"
        );
        // The header alone, as without the warning.
        assert_eq!(stdout(&o).lines().count(), 1, "{flags:?}");
    }
    // A filter that keeps a row says nothing.
    let o = rcx(&["rollup", file, "--days", "mon", "--hours", "08:00-09:00"]);
    assert_eq!((code(&o), stderr(&o).as_str()), (0, ""));
    assert!(stdout(&o).lines().count() > 1);
}

#[test]
fn rollup_stats_carry_the_empty_filter_warning() {
    let n = data_lines(&String::from_utf8(fixture_bytes("queue_header.csv")).expect("utf-8"));
    // The library names the option as its builder does (`Rollup::to`).
    let want = format!("no row kept by `to` ({n} rows read)");
    let to: TimeBound = "2000-01-01".parse().expect("bound");
    let rollup = Rollup::new().to(to);
    // The chunked file path, the reference path and the row path.
    let t = rollup
        .run_files(&[fixture("queue_header.csv")], &ReaderBuilder::new())
        .expect("rollup");
    assert_eq!(t.stats().warnings, std::slice::from_ref(&want));
    assert!(t.records().is_empty());
    let t = rollup
        .run_files_sequential(&[fixture("queue_header.csv")], &ReaderBuilder::new())
        .expect("rollup");
    assert_eq!(t.stats().warnings, std::slice::from_ref(&want));
    let mut r = ReaderBuilder::new()
        .from_path(fixture("queue_header.csv"))
        .expect("open");
    let rows: Vec<_> = r.rows::<QueueRow>().collect();
    let t = rollup.run_rows(rows).expect("rollup");
    assert_eq!(t.stats().warnings, [want]);
    // Without filters, or with rows kept: no warning.
    let t = Rollup::new()
        .run_files(&[fixture("queue_header.csv")], &ReaderBuilder::new())
        .expect("rollup");
    assert!(t.stats().warnings.is_empty());
}

#[test]
fn a_filter_that_keeps_no_segment_warns_in_timeline() {
    let file = "fixtures/segments_timeline.ndjson";
    let text = String::from_utf8(fixture_bytes("segments_timeline.ndjson")).expect("utf-8");
    let n = text.lines().filter(|l| !l.trim().is_empty()).count();
    let o = rcx(&["timeline", file, "--to", "2000-01-01"]);
    assert_eq!(code(&o), 0);
    let want = format!("rcx: warning: no segment kept by --to ({n} segments read)\n");
    assert!(stderr(&o).ends_with(&want), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 1);
    // Library: the timeline's stats carry it.
    let to: TimeBound = "2000-01-01".parse().expect("bound");
    let t = Timeline::new()
        .to(to)
        .run_files(
            &[fixture("segments_timeline.ndjson")],
            &ReaderBuilder::new(),
        )
        .expect("timeline");
    assert_eq!(
        t.stats().warnings,
        [format!("no segment kept by `to` ({n} segments read)")]
    );
    let t = Timeline::new()
        .run_files(
            &[fixture("segments_timeline.ndjson")],
            &ReaderBuilder::new(),
        )
        .expect("timeline");
    assert!(t.stats().warnings.is_empty());
}

#[cfg(feature = "plot")]
#[test]
fn a_filter_that_keeps_no_row_warns_in_plot() {
    let n = data_lines(&String::from_utf8(fixture_bytes("queue_header.csv")).expect("utf-8"));
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("x.svg");
    let o = rcx(&[
        "plot",
        "fixtures/queue_header.csv",
        "--days",
        "sun",
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "rcx: warning: no row kept by --days ({n} rows read)\n"
        )),
        "{}",
        stderr(&o)
    );
}

#[cfg(not(feature = "plot"))]
#[test]
fn plot_without_the_feature_says_which_feature_to_enable() {
    for args in [
        &["plot", "fixtures/queue_header.csv", "-o", "x.svg"][..],
        &["plot"],
        &["plot", "--help"],
    ] {
        let o = rcx(args);
        assert_eq!(code(&o), 2, "{args:?}");
        let e = stderr(&o);
        assert!(e.contains("`plot` cargo feature"), "{args:?}: {e}");
        assert!(e.contains("--features plot"), "{args:?}: {e}");
        assert!(!e.contains("completions"), "{args:?}: {e}");
        assert!(!Path::new(env!("CARGO_MANIFEST_DIR")).join("x.svg").exists());
    }
}

/// The command lines of the README's `sh` blocks (continuations joined,
/// comments dropped).
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README");
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut cont = String::new();
    for l in readme.lines() {
        if l.starts_with("```") {
            in_sh = l == "```sh";
            continue;
        }
        if !in_sh || l.trim_start().starts_with('#') || l.trim().is_empty() {
            continue;
        }
        let l = l.split(" # ").next().unwrap_or("").trim();
        match l.strip_suffix('\\') {
            Some(head) => cont += head,
            None => {
                out.push(format!("{cont}{l}"));
                cont.clear();
            }
        }
    }
    out
}

#[test]
fn readme_commands_name_inputs_that_exist_and_create_their_directories() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let commands = readme_commands();
    assert!(commands.iter().any(|c| c.contains("convert")));
    let mut made: Vec<String> = Vec::new();
    for c in &commands {
        let words: Vec<&str> = c.split_whitespace().collect();
        if words.first() == Some(&"mkdir") {
            made.extend(
                words[1..]
                    .iter()
                    .filter(|w| !w.starts_with('-'))
                    .map(|w| w.to_string()),
            );
            continue;
        }
        // Input files: arguments with a report's extension that are not
        // the value of -o and not a redirection.
        for (i, w) in words.iter().enumerate() {
            let input = [".csv", ".json", ".ndjson", ".xml"]
                .iter()
                .any(|e| w.ends_with(e));
            let output = i > 0 && matches!(words[i - 1], "-o" | ">" | "--output");
            if input && !output && !w.starts_with('/') {
                assert!(
                    root.join(w).exists(),
                    "README: `{c}` reads {w}, which does not exist"
                );
            }
        }
        // A redirection into a directory the README has not created.
        if let Some(i) = words.iter().position(|w| *w == ">") {
            let target = Path::new(words[i + 1]);
            if let Some(parent) = target.parent().and_then(Path::to_str) {
                if !parent.is_empty() {
                    assert!(
                        made.iter().any(|m| m == parent),
                        "README: `{c}` writes into {parent}, which no command before creates"
                    );
                }
            }
        }
    }
}

// ---- 10: an unknown column reaches stderr in every command --------------

#[test]
fn an_unknown_column_is_a_warning_in_every_command() {
    let rows = q("20240304", "08:00", 7, 1) + &q("20240304", "08:15", 7, 2);
    // `queue_name` misspelt, with a NUL, with a byte that is not UTF-8.
    let headers: [(&str, &[u8], &str); 3] = [
        ("typo", b"queue_nmae", "queue_nmae"),
        ("nul", b"queue\0name", "queue\\0name"),
        ("bad", b"queue_n\xffame", "queue_n\u{fffd}ame"),
    ];
    let column = QH
        .split(',')
        .position(|c| c == "queue_name")
        .expect("column")
        + 1;
    for (what, name, shown) in headers {
        let mut bytes = QH.replace("queue_name", "@").into_bytes();
        let at = bytes.iter().position(|&b| b == b'@').expect("@");
        bytes.splice(at..=at, name.iter().copied());
        bytes.extend_from_slice(rows.as_bytes());
        let (dir, p) = temp_file(&format!("{what}.csv"), &bytes);
        let path = p.to_str().expect("utf-8 path");
        let want = format!("{path}:1: warning[S004] ");
        let tail = format!(
            "column {column} is not a field of the queue report; its values are not read (value \"{shown}\")"
        );
        let svg = dir.path().join("x.svg");
        let mut commands: Vec<Vec<&str>> = vec![
            vec!["parse", path],
            vec!["parse", "--format", "csv", path],
            vec!["convert", "--to", "csv", path],
            vec!["convert", "--to", "teleopti", path],
            vec!["inspect", path],
            vec!["rollup", path],
        ];
        if cfg!(feature = "plot") {
            commands.push(vec!["plot", path, "-o", svg.to_str().expect("utf-8")]);
        }
        for args in &commands {
            let o = rcx(args);
            assert_eq!(code(&o), 0, "{what} {args:?}: {}", stderr(&o));
            let e = stderr(&o);
            let line = e
                .lines()
                .find(|l| l.starts_with(&format!("rcx: warning: {want}")))
                .unwrap_or_else(|| panic!("{what} {args:?}: no S004 on stderr: {e}"));
            assert!(line.ends_with(&tail), "{what} {args:?}: {line}");
            assert_eq!(
                e.matches("warning[S004]").count(),
                1,
                "{what} {args:?}: {e}"
            );
        }
        // validate reports it as a finding, and counts it on stderr.
        let o = rcx(&["validate", path]);
        assert_eq!(code(&o), 0);
        assert!(
            stdout(&o).contains(&want) && stdout(&o).contains(&tail),
            "{}",
            stdout(&o)
        );
        assert!(stderr(&o).contains("1 warning"), "{}", stderr(&o));
    }
}

#[test]
fn convert_stats_carry_each_sources_header_findings() {
    let text = QH.replace("queue_name", "queue_nmae") + &q("20240304", "08:00", 7, 1);
    let sources = [
        Source::bytes("a.csv", text.clone().into_bytes()),
        Source::bytes("b.csv", text.replace("08:00", "08:15").into_bytes()),
    ];
    let stats = Converter::new(Target::Csv)
        .write(&sources, Vec::new())
        .expect("convert");
    assert_eq!(stats.warnings.len(), 2);
    assert!(stats.warnings[0].starts_with("a.csv:1: warning[S004] queue_nmae:"));
    assert!(stats.warnings[1].starts_with("b.csv:1: warning[S004] queue_nmae:"));
}

/// Without the `parquet` feature the library names the crate feature it
/// lacks and no flag; `rcx` says how to rebuild it.
#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_without_the_feature_names_the_feature() {
    let dir = tempfile::tempdir().expect("temp dir");
    let e = Converter::new(Target::Parquet)
        .write_dir(&[Source::path(fixture("queue_header.csv"))], dir.path())
        .expect_err("no parquet writer in this build");
    assert!(e.is_usage());
    assert!(e.to_string().contains("`parquet` cargo feature"), "{e}");
    assert!(!e.to_string().contains("--"), "{e}");
    let out = dir.path().join("out");
    let o = rcx(&[
        "convert",
        "fixtures/queue_header.csv",
        "--to",
        "parquet",
        "-o",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "rcx: parquet output needs the `parquet` cargo feature; rebuild with --features parquet\n"
    );
    assert!(!out.exists());
}
