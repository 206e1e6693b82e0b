//! SPEC 9 item 7: the TSV and Markdown output formats, and the CSV input
//! overrides `--delimiter` and `--no-header`.
//!
//! TSV and Markdown print the values CSV prints, laid out another way: each
//! is read back here by a reader of its own (the `csv` crate with a TAB,
//! a Markdown table split by hand) and compared with the CSV output read by
//! the `csv` crate, for every command that prints a table.

use crate::util::{code, fixture, rcx, stderr, stdout, temp_file};

/// CSV (or TSV with `delim` TAB) text as records of fields.
fn delimited(text: &str, delim: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// A Markdown table as records of fields (the rule under the header left
/// out, `\|` and `\\` unescaped), and the rule's cells.
fn markdown(text: &str) -> (Vec<Vec<String>>, Vec<String>) {
    let mut rows = Vec::new();
    let mut rule = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let inner = line
            .strip_prefix("| ")
            .and_then(|l| l.strip_suffix(" |"))
            .unwrap_or_else(|| panic!("line {} is no table row: {line:?}", i + 1));
        // Split at ` | ` not preceded by a backslash escape.
        let mut cells = vec![String::new()];
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => cells.last_mut().unwrap().push(chars.next().unwrap()),
                ' ' if chars.peek() == Some(&'|') => {
                    chars.next();
                    assert_eq!(chars.next(), Some(' '), "{line:?}");
                    cells.push(String::new());
                }
                _ => cells.last_mut().unwrap().push(c),
            }
        }
        if i == 1 {
            rule = cells;
        } else {
            rows.push(cells);
        }
    }
    (rows, rule)
}

/// Runs `args` with `--format csv`, `tsv` and `markdown`: the three read
/// back as the same records; the Markdown rule aligns the first
/// `text_cols` columns left and the rest right. Returns the records.
fn same_in_every_format(args: &[&str], text_cols: usize) -> Vec<Vec<String>> {
    let run = |format: &str| {
        let mut a = args.to_vec();
        a.extend(["--format", format]);
        let o = rcx(&a);
        assert_eq!(code(&o), 0, "{a:?}: {}", stderr(&o));
        stdout(&o)
    };
    let csv_rows = delimited(&run("csv"), b',');
    assert!(csv_rows.len() > 1, "{args:?} printed no row");
    let tsv = run("tsv");
    assert_eq!(delimited(&tsv, b'\t'), csv_rows, "{args:?} tsv");
    let (md_rows, rule) = markdown(&run("markdown"));
    assert_eq!(md_rows, csv_rows, "{args:?} markdown");
    let want: Vec<&str> = (0..csv_rows[0].len())
        .map(|i| if i < text_cols { ":--" } else { "--:" })
        .collect();
    assert_eq!(rule, want, "{args:?} markdown rule");
    csv_rows
}

#[test]
fn rollup_prints_the_same_values_as_tsv_and_markdown() {
    let q = fixture("queue_header.csv");
    let q = q.to_str().unwrap();
    // Streamed from the packed result, and from a table (--by all keeps
    // no key column).
    let rows = same_in_every_format(&["rollup", q], 4);
    // The name with a comma: quoted in CSV, bare in TSV and Markdown.
    assert!(rows.iter().any(|r| r[1] == "Support, Tier 1"), "{rows:?}");
    same_in_every_format(&["rollup", q, "--by", "all", "--interval", "day"], 2);
}

#[test]
fn calls_timeline_and_interactions_print_the_same_values_as_tsv_and_markdown() {
    let seg = fixture("calls/segments_calls.ndjson");
    let seg = seg.to_str().unwrap();
    same_in_every_format(&["calls", seg, "--by", "agent"], 3);
    same_in_every_format(&["timeline", seg], 3);
    // interaction_id, direction, channel, start, end, segments (a count),
    // agents: the first seven are text.
    same_in_every_format(&["interactions", seg], 7);
}

#[test]
fn a_markdown_cell_escapes_pipes_and_backslashes_and_flattens_line_breaks() {
    let data = "15,20240304,08:00,42,\"a|b\\c\nd\",5686,Sales,300,30,2,1\n";
    let (_dir, path) = temp_file("a.csv", data.as_bytes());
    let o = rcx(&["rollup", path.to_str().unwrap(), "--format", "markdown"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let row = out.lines().nth(2).unwrap();
    assert!(
        row.starts_with("| 42 | a\\|b\\\\c d | 2024-03-04T08:00:00+00:00 |"),
        "{row}"
    );
    assert_eq!(out.lines().count(), 3, "{out}");
}

/// An Agent Extended record with the name `Kaduk, Alena`, its fields
/// joined by `delim`.
fn agent_ext_line(delim: &str) -> String {
    [
        "15",
        "20240304",
        "08:00",
        "42",
        "Kaduk, Alena",
        "5686",
        "Sales",
        "300",
        "30",
        "2",
        "1",
    ]
    .join(delim)
        + "\n"
}

#[test]
fn a_delimiter_given_reads_a_file_detection_cannot() {
    let (_dir, path) = temp_file("a.csv", agent_ext_line("~").as_bytes());
    let p = path.to_str().unwrap();
    // Detection sees the comma in the name: two fields, no layout.
    let o = rcx(&["rollup", p]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a headerless record has 2 fields")
            && stderr(&o).contains("needs it given (--delimiter)"),
        "{}",
        stderr(&o)
    );
    let o = rcx(&["rollup", p, "--delimiter", "~"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rows = delimited(&stdout(&o), b',');
    // agent_id, agent_name, …, answered (2), transferred_out (1), talk_s (300).
    assert_eq!(&rows[1][..2], ["42", "Kaduk, Alena"]);
    assert_eq!(&rows[1][4..8], ["1", "2", "1", "300"]);
    // `tab` names the TAB; a TAB file with a given TAB reads as detected.
    let (_d2, tabbed) = temp_file("t.csv", agent_ext_line("\t").as_bytes());
    let t = tabbed.to_str().unwrap();
    assert_eq!(
        stdout(&rcx(&["rollup", t, "--delimiter", "tab"])),
        stdout(&o)
    );
    assert_eq!(stdout(&rcx(&["rollup", t])), stdout(&o));
}

#[test]
fn a_delimiter_that_cannot_be_one_or_an_option_for_json_is_refused_by_name() {
    let (_dir, path) = temp_file("a.csv", agent_ext_line(",").as_bytes());
    let p = path.to_str().unwrap();
    for d in ["\"", "x", "7"] {
        let o = rcx(&["rollup", p, "--delimiter", d]);
        assert_eq!(code(&o), 2, "{d}");
        assert!(stderr(&o).contains("--delimiter"), "{d}: {}", stderr(&o));
    }
    let o = rcx(&["rollup", p, "--delimiter", "ab"]);
    assert_eq!(code(&o), 2);
    let seg = fixture("calls/segments_calls.ndjson");
    for flag in [&["--delimiter", ";"][..], &["--no-header"]] {
        let mut args = vec!["calls", seg.to_str().unwrap()];
        args.extend(flag);
        let o = rcx(&args);
        assert_eq!(code(&o), 2, "{flag:?}");
        assert!(
            stderr(&o).contains(&format!("{} applies to CSV, and the file is json", flag[0])),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn no_header_reads_the_first_record_as_data() {
    // A headerless file reads the same either way.
    let q = fixture("queue_headerless20.csv");
    let q = q.to_str().unwrap();
    let plain = rcx(&["rollup", q]);
    assert_eq!(code(&plain), 0, "{}", stderr(&plain));
    assert_eq!(stdout(&rcx(&["rollup", q, "--no-header"])), stdout(&plain));
    // A header read as data is a bad value on line 1, named.
    let h = fixture("queue_header.csv");
    let o = rcx(&["rollup", h.to_str().unwrap(), "--no-header"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(":1: error[V105] interval:")
            && stderr(&o).contains("(value \"interval\")"),
        "{}",
        stderr(&o)
    );
}

/// `--format parquet` on standard output (a pipe here): a Parquet file,
/// whose bytes are the ones `-o` writes.
#[cfg(feature = "parquet")]
#[test]
fn parquet_goes_to_a_pipe_as_it_goes_to_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.parquet");
    for cmd in [
        ["rollup", "fixtures/queue_header.csv"],
        ["calls", "fixtures/calls/segments_calls.ndjson"],
        ["timeline", "fixtures/segments_timeline.ndjson"],
    ] {
        let piped = rcx(&[cmd[0], cmd[1], "--format", "parquet"]);
        assert_eq!(code(&piped), 0, "{}", stderr(&piped));
        let o = rcx(&[
            cmd[0],
            cmd[1],
            "--format",
            "parquet",
            "-o",
            path.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let file = std::fs::read(&path).expect("read");
        assert!(
            file.starts_with(b"PAR1") && file.ends_with(b"PAR1"),
            "{cmd:?}"
        );
        assert!(piped.stdout == file, "{cmd:?}");
    }
}

/// Without the `parquet` feature the format is refused by name before any
/// input is read.
#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_without_the_feature_is_refused_by_name() {
    for cmd in ["rollup", "calls", "timeline"] {
        let o = rcx(&[cmd, "no-such-file", "--format", "parquet"]);
        assert_eq!(code(&o), 2, "{cmd}");
        assert!(
            stderr(&o).contains("--format parquet needs the `parquet` cargo feature"),
            "{cmd}: {}",
            stderr(&o)
        );
    }
}
