//! Issue 14, items 4 (interval half) and 10: `parse` refuses a row that
//! repeats a key and start (F401) in bounded memory and accepts the
//! fall-back repeat; an unknown column (S004) reaches stderr in every
//! command that reads interval files.
//!
//! Expected lines and counts are found in the test's own text (the line
//! holding a marker, the data lines of a fixture), never taken from the
//! code under test.

use chrono::{Duration, NaiveDate};
use ringcx_reports::convert::{Converter, Source, Target};
use ringcx_reports::write::{write_rows, ParseFormat, RowStats, RowWriter};
use ringcx_reports::{Code, ReaderBuilder};

use crate::util::{code, fixture_bytes, rcx, stderr, stdout, temp_file};

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
