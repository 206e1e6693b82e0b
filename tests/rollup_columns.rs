//! Metric column selection (`Rollup::columns`, `rcx rollup --columns`):
//! exact output on a fixture, every format a projection of the full
//! output, errors for names that are not metrics of the report.

use ringcx_reports::calls::CALL_COLUMNS;
use ringcx_reports::rollup::{
    MetricColumns, Rollup, AGENT_COLUMNS, AGENT_EXT_COLUMNS, QUEUE_COLUMNS,
};
use ringcx_reports::window::BucketInterval;
use ringcx_reports::write::{write_table, TableFormat};
use ringcx_reports::{ErrorKind, ReaderBuilder, ReportKind};
use serde_json::Value;

use crate::util::{code, fixture, rcx, stderr, stdout};

const FORMATS: [(&str, TableFormat); 5] = [
    ("csv", TableFormat::Csv),
    ("json", TableFormat::Json),
    ("ndjson", TableFormat::Ndjson),
    ("table", TableFormat::Table),
    ("analytics", TableFormat::Analytics),
];

/// `rcx rollup` on a fixture with extra arguments; stdout of a run that
/// must succeed.
fn rollup_ok(file: &str, args: &[&str]) -> String {
    let path = fixture(file);
    let mut all = vec!["rollup", path.to_str().unwrap()];
    all.extend_from_slice(args);
    let o = rcx(&all);
    assert_eq!(code(&o), 0, "rcx {all:?}: {}", stderr(&o));
    stdout(&o)
}

/// CSV text as header + records.
fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let head = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (head, rows)
}

/// The columns `names` of a parsed CSV, in that order.
fn project(head: &[String], rows: &[Vec<String>], names: &[&str]) -> Vec<Vec<String>> {
    let idx: Vec<usize> = names
        .iter()
        .map(|n| {
            head.iter()
                .position(|h| h == n)
                .expect("column in full output")
        })
        .collect();
    rows.iter()
        .map(|r| idx.iter().map(|&i| r[i].clone()).collect())
        .collect()
}

/// The keys of a JSON object as they appear in the text (serde_json's map
/// is sorted, so the order is read from the text).
fn key_order(line: &str, candidates: &[String]) -> Vec<String> {
    let mut found: Vec<(usize, String)> = candidates
        .iter()
        .filter_map(|k| line.find(&format!("\"{k}\":")).map(|at| (at, k.clone())))
        .collect();
    found.sort();
    found.into_iter().map(|(_, k)| k).collect()
}

#[test]
fn cli_csv_prints_exactly_the_selected_columns() {
    let out = rollup_ok(
        "queue_header.csv",
        &["--columns", "answered,service_level_pct,offered"],
    );
    // 08:00 bucket. Sales: answered 11+13, within SL 9+10 of 24 answered
    // + 5 abandoned − 2 short = 19/27, offered 12+2+15+1. Support:
    // answered 7+10, within SL 6+9 of 17 + 1 − 0 = 15/18, offered 8+0+9+1.
    assert_eq!(
        out,
        "queue,queue_name,bucket_start,bucket_end,answered,service_level_pct,offered\n\
         5686,Sales,2024-03-04T08:00:00+00:00,2024-03-04T09:00:00+00:00,24,70.37,30\n\
         5688,\"Support, Tier 1\",2024-03-04T08:00:00+00:00,2024-03-04T09:00:00+00:00,17,83.33,18\n"
    );
}

#[test]
fn cli_csv_and_table_are_projections_of_the_full_output() {
    let cases: [(&str, &[&str], &[&str]); 4] = [
        (
            "queue_header.csv",
            &["--interval", "native"],
            &[
                "asa_s",
                "rows",
                "occupancy_pct",
                "sl_denominator",
                "avg_abandon_wait_s",
            ],
        ),
        (
            "queue_dst_days_ny.csv",
            &["--source-tz", "America/New_York", "--interval", "day"],
            // The twelve metrics of benches/compare.
            &[
                "offered",
                "answered",
                "abandoned",
                "short_abandoned",
                "answered_within_sl",
                "handle_s",
                "answer_wait_s",
                "longest_answer_wait_s",
                "service_level_pct",
                "abandon_rate_pct",
                "aht_s",
                "asa_s",
            ],
        ),
        (
            "agent_ext_quoted.csv",
            &["--by", "agent-queue"],
            &["transfer_rate_pct", "answered", "avg_wrap_s"],
        ),
        ("agent_stats_header.csv", &[], &["direct_in_s", "rows"]),
    ];
    let mut tables_compared = 0;
    for (file, args, names) in cases {
        let list = names.join(",");
        for format in ["csv", "table"] {
            let mut full_args = args.to_vec();
            full_args.extend(["--format", format]);
            let full = rollup_ok(file, &full_args);
            let mut sel_args = full_args.clone();
            sel_args.extend(["--columns", &list]);
            let sel = rollup_ok(file, &sel_args);
            if format == "table" {
                // Whitespace-separated cells: compare the tokens of the
                // fixed and selected columns per line (names hold no
                // double spaces in these fixtures).
                let split = |l: &str| -> Vec<String> {
                    l.split("  ")
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned)
                        .collect()
                };
                let fl: Vec<Vec<String>> = full.lines().map(split).collect();
                let sl: Vec<Vec<String>> = sel.lines().map(split).collect();
                assert_eq!(fl.len(), sl.len(), "{file} {format}");
                let head = &fl[0];
                let fixed = head.iter().position(|h| h == "bucket_end").unwrap() + 1;
                let mut want: Vec<&str> = head[..fixed].iter().map(String::as_str).collect();
                want.extend(names);
                assert_eq!(sl[0], want, "{file} {format} header");
                // Undefined ratios print as nothing in a table: compare
                // rows through the CSV output instead when they differ.
                if fl.iter().all(|r| r.len() == head.len()) {
                    let proj = project(head, &fl[1..], &want);
                    assert_eq!(sl[1..].to_vec(), proj, "{file} {format}");
                    tables_compared += 1;
                }
                continue;
            }
            let (fh, fr) = parse_csv(&full);
            let (sh, sr) = parse_csv(&sel);
            let fixed = fh.iter().position(|h| h == "bucket_end").unwrap() + 1;
            let mut want: Vec<&str> = fh[..fixed].iter().map(String::as_str).collect();
            want.extend(names);
            assert_eq!(sh, want, "{file} header");
            assert!(!sr.is_empty(), "{file}: no rows");
            assert_eq!(sr, project(&fh, &fr, &want), "{file}");
        }
    }
    // The agent fixtures have no undefined ratio: their table rows were
    // compared cell by cell.
    assert!(tables_compared >= 2, "{tables_compared}");
}

#[test]
fn cli_json_and_ndjson_are_projections_of_the_full_output() {
    let names = [
        "aht_s",
        "offered",
        "abandon_rate_pct",
        "longest_abandon_wait_s",
    ];
    let list = names.join(",");
    let args = ["--source-tz", "America/New_York", "--interval", "hour"];
    for format in ["json", "ndjson"] {
        let mut full_args = args.to_vec();
        full_args.extend(["--format", format]);
        let full = rollup_ok("queue_dst_days_ny.csv", &full_args);
        let mut sel_args = full_args.clone();
        sel_args.extend(["--columns", &list]);
        let sel = rollup_ok("queue_dst_days_ny.csv", &sel_args);
        let parse = |t: &str| -> Vec<Value> {
            if format == "json" {
                serde_json::from_str::<Vec<Value>>(t).unwrap()
            } else {
                t.lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect()
            }
        };
        let (fv, sv) = (parse(&full), parse(&sel));
        assert_eq!(fv.len(), sv.len());
        assert!(fv.len() > 10, "{format}: {} records", fv.len());
        let mut want: Vec<String> = ["queue", "queue_name", "bucket_start", "bucket_end"]
            .map(String::from)
            .to_vec();
        want.extend(names.map(String::from));
        for (f, s) in fv.iter().zip(&sv) {
            let (f, s) = (f.as_object().unwrap(), s.as_object().unwrap());
            assert_eq!(s.len(), want.len(), "{format}: {s:?}");
            for k in &want {
                assert_eq!(s.get(k), f.get(k), "{format}: {k}");
            }
        }
        // Keys in the order given, after the fixed ones.
        let rows: Vec<&str> = sel.lines().filter(|l| l.contains("\"queue\"")).collect();
        assert_eq!(rows.len(), sv.len());
        for l in rows {
            assert_eq!(key_order(l, &want), want, "{format}: {l}");
        }
    }
}

/// An Analytics response lists the API's options, not table columns: a
/// column selection with it is refused by name, not ignored.
#[test]
fn cli_analytics_refuses_a_column_selection() {
    let path = fixture("queue_header.csv");
    let o = rcx(&[
        "rollup",
        path.to_str().unwrap(),
        "--format",
        "analytics",
        "--columns",
        "talk_s",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--columns chooses table columns"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
}

#[test]
fn cli_unknown_column_is_a_usage_error_naming_it() {
    let o = rcx(&[
        "rollup",
        "fixtures/queue_header.csv",
        "--columns",
        "offered,answerd",
    ]);
    assert_eq!(code(&o), 2);
    assert!(o.stdout.is_empty());
    let e = stderr(&o);
    assert!(
        e.contains("unknown metric column \"answerd\" for queue rows"),
        "{e}"
    );
    assert!(
        e.contains("expected one of rows, direct, overflow_in,"),
        "{e}"
    );
    assert!(e.contains("avg_abandon_wait_s, occupancy_pct"), "{e}");
}

#[test]
fn cli_agent_metric_on_a_queue_file_is_refused() {
    let o = rcx(&[
        "rollup",
        "fixtures/queue_header.csv",
        "--columns",
        "answered,transfer_rate_pct",
    ]);
    assert_eq!(code(&o), 2);
    assert!(o.stdout.is_empty());
    let e = stderr(&o);
    assert!(
        e.contains("\"transfer_rate_pct\" belongs to agent-ext rows, not to queue rows"),
        "{e}"
    );
    // And the other way round: a queue metric on Agent Statistics rows.
    let o = rcx(&[
        "rollup",
        "fixtures/agent_stats_header.csv",
        "--columns",
        "service_level_pct",
    ]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(
        e.contains("\"service_level_pct\" belongs to queue rows, not to agent rows"),
        "{e}"
    );
    assert!(e.contains("expected one of rows, avail_s, work_s"), "{e}");
}

#[test]
fn cli_duplicate_key_and_empty_names_are_refused() {
    for (list, want) in [
        (
            "offered,asa_s,Offered",
            "metric column \"offered\" is given twice",
        ),
        ("queue,offered", "\"queue\" is not a metric column"),
        ("bucket_start", "\"bucket_start\" is not a metric column"),
        ("offered,", "an empty metric column name"),
    ] {
        let o = rcx(&["rollup", "fixtures/queue_header.csv", "--columns", list]);
        assert_eq!(code(&o), 2, "{list}");
        assert!(stderr(&o).contains(want), "{list}: {}", stderr(&o));
    }
}

/// A library error names the option the way an embedder sets it
/// (`Rollup::columns`), never as a command-line flag.
#[test]
fn library_error_names_the_columns_option_without_a_flag() {
    let e = Rollup::new()
        .columns(["offered", "asa_s", "Offered"])
        .run_files(&[fixture("queue_header.csv")], &ReaderBuilder::new())
        .unwrap_err();
    assert!(e.is_usage());
    assert_eq!(
        e.to_string(),
        "`columns`: metric column \"offered\" is given twice"
    );
    assert!(!e.to_string().contains("--"), "{e}");
}

/// The same mistake on the command line names the flag.
#[test]
fn cli_error_names_the_columns_flag() {
    let o = rcx(&[
        "rollup",
        "fixtures/queue_header.csv",
        "--columns",
        "offered,asa_s,Offered",
    ]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "rcx: --columns: metric column \"offered\" is given twice\n"
    );
}

#[test]
fn cli_help_lists_every_metric_column() {
    let o = rcx(&["rollup", "--help"]);
    assert_eq!(code(&o), 0);
    let help = stdout(&o).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("--columns <LIST>"), "{help}");
    for (title, cols) in [
        ("Queue Statistics:", QUEUE_COLUMNS),
        ("Agent Extended Statistics:", AGENT_EXT_COLUMNS),
        ("Agent Statistics:", AGENT_COLUMNS),
    ] {
        let list = cols.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
        assert!(
            help.contains(&format!("{title} {list}.")),
            "{title}: {help}"
        );
    }
}

fn table_text(r: &Rollup, file: &str, format: TableFormat) -> String {
    let t = r
        .run_files(&[fixture(file)], &ReaderBuilder::new())
        .unwrap();
    let mut out = Vec::new();
    write_table(&t, format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn library_selection_in_tables_and_streamed_output() {
    let names = ["abandon_rate_pct", "answered", "aht_s"];
    let sel = Rollup::new().interval(BucketInterval::Min15).columns(names);
    assert_eq!(sel.selected_columns(), names);
    let t = sel
        .run_files(&[fixture("queue_header.csv")], &ReaderBuilder::new())
        .unwrap();
    let cols = t.metric_columns();
    assert!(!cols.is_all());
    assert_eq!(cols.names().collect::<Vec<_>>(), names);
    assert_eq!(cols.report_columns(), QUEUE_COLUMNS);
    // Records keep every metric; indices point into the full list.
    let m = t.records()[0].metrics();
    assert_eq!(
        cols.indexed().map(|(i, _)| i).collect::<Vec<_>>(),
        [23, 4, 24]
    );
    assert_eq!(format!("{:?}", m.cell(4)), "Int(11)");
    assert_eq!(
        csv_lines(&table_text(&sel, "queue_header.csv", TableFormat::Csv))[..2],
        [
            "queue,queue_name,bucket_start,bucket_end,abandon_rate_pct,answered,aht_s",
            // (2 − 1) / (14 − 1) abandoned; (1650 + 220) / 11 handled.
            "5686,Sales,2024-03-04T08:00:00+00:00,2024-03-04T08:15:00+00:00,7.69,11,170.00",
        ]
    );
    // output_files + write_rollup (the streamed chunked path, tiny chunks) prints the same
    // bytes as run_files + write_table, in every format.
    for (name, format) in FORMATS {
        if format == TableFormat::Analytics {
            let t = sel
                .run_files(&[fixture("queue_header.csv")], &ReaderBuilder::new())
                .unwrap();
            let e = write_table(&t, format, &mut Vec::new()).unwrap_err();
            assert!(e.to_string().contains("`columns`"), "{e}");
            continue;
        }
        let want = table_text(&sel, "queue_header.csv", format);
        for chunk in [1, 64, 1 << 20] {
            let mut out = Vec::new();
            let output = sel
                .clone()
                .chunk_size(chunk)
                .output_files(&[fixture("queue_header.csv")], &ReaderBuilder::new())
                .unwrap();
            let stats = ringcx_reports::write::write_rollup(output, format, &mut out).unwrap();
            assert_eq!(stats.rows_kept, 4);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                want,
                "{name} chunk {chunk}"
            );
        }
    }
}

fn csv_lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

#[test]
fn library_empty_selection_is_the_default_output() {
    for file in [
        "queue_header.csv",
        "agent_ext_quoted.csv",
        "agent_stats_header.csv",
    ] {
        for (name, format) in FORMATS {
            if format == TableFormat::Analytics && file.starts_with("agent_stats") {
                // Agent Statistics counts no calls the API's options describe.
                continue;
            }
            let default = table_text(&Rollup::new(), file, format);
            let empty = table_text(&Rollup::new().columns(Vec::<String>::new()), file, format);
            assert_eq!(empty, default, "{file} {name}");
        }
        let t = Rollup::new()
            .run_files(&[fixture(file)], &ReaderBuilder::new())
            .unwrap();
        assert!(t.metric_columns().is_all());
        assert_eq!(
            t.metric_columns().iter().collect::<Vec<_>>(),
            t.metric_columns().report_columns()
        );
    }
    // All columns named in full order print what the default prints.
    let all: Vec<&str> = QUEUE_COLUMNS.iter().map(|c| c.name).collect();
    assert_eq!(
        table_text(
            &Rollup::new().columns(&all),
            "queue_header.csv",
            TableFormat::Csv
        ),
        table_text(&Rollup::new(), "queue_header.csv", TableFormat::Csv)
    );
}

#[test]
fn library_bad_names_are_usage_errors() {
    let run = |names: &[&str], file: &str| {
        Rollup::new()
            .columns(names)
            .run_files(&[fixture(file)], &ReaderBuilder::new())
            .unwrap_err()
    };
    for (names, file, want) in [
        (
            &["avg_talk_s"][..],
            "queue_header.csv",
            "\"avg_talk_s\" belongs to agent-ext rows, not to queue rows",
        ),
        (
            &["offered"][..],
            "agent_ext_quoted.csv",
            "\"offered\" belongs to queue rows, not to agent-ext rows",
        ),
        (
            &["handle_s", "HANDLE_S"][..],
            "agent_ext_quoted.csv",
            "given twice",
        ),
        (
            &["nope"][..],
            "agent_stats_header.csv",
            "unknown metric column \"nope\"",
        ),
    ] {
        let e = run(names, file);
        assert!(matches!(e.kind(), ErrorKind::Usage(_)), "{e}");
        assert!(e.to_string().contains(want), "{names:?}: {e}");
    }
    // The selection is checked on its own too.
    let e = MetricColumns::select(ReportKind::AgentExt, ["rows", "occupancy_pct"]).unwrap_err();
    assert!(
        e.to_string().contains(
            "expected one of rows, answered, transferred_out, talk_s, wrap_s, handle_s, aht_s, \
             avg_talk_s, avg_wrap_s, transfer_rate_pct"
        ),
        "{e}"
    );
}

/// What the calls section says before its table.
const CALLS_NOTE: &str = "\
A call is one interaction (v2 `interactionId`, cx v1 dialog) and belongs to\n\
the bucket of its start (SPEC 5.1). The queue columns count INBOUND calls;\n\
the handling columns every call with an agent segment. Wait is the first\n\
agent segment's start − the call's start (unanswered: its end − its start).\n\
Seconds print with three decimals; `asa_s` and `aht_s` are rounded half\n\
away from zero to the millisecond. The export has no wrap-up time, so\n\
`handle_s` and `aht_s` are talk only. v2 exports list agent legs only: their\n\
calls are left out of the abandon rate, which is empty for v2 data, never 0.\n\
The catalogue is in `src/calls/metrics.rs`.\n\n";

/// `docs/metrics.md`: every report's metric columns with unit and formula,
/// from the catalogue (`Column::formula`).
fn metrics_markdown() -> String {
    use ringcx_reports::rollup::Unit;
    let mut s = String::from(
        "# Metric columns\n\n\
         The metric columns `rcx rollup` and `rcx calls` print (and `--columns`\n\
         selects), per report, in output order, after the key columns and `bucket_start`,\n\
         `bucket_end`. Ratios are computed once per bucket from its sums,\n\
         rounded half away from zero to two decimals, and are empty (CSV) or\n\
         `null` (JSON) when the denominator is 0 (SPEC 4.3). An option is\n\
         named as the library's builder method names it (`sl_formula`);\n\
         `rcx rollup` spells it as a flag (`--sl-formula`).\n\n\
         This file is generated from the metric catalogue in\n\
         `src/rollup/metrics.rs` (`src/calls/metrics.rs` for calls) and checked by the test\n\
         `rollup_columns::docs_metrics_table_matches_the_catalogue`; run it\n\
         with `RCX_BLESS=1` to rewrite this file after changing the catalogue.\n",
    );
    for (title, cols) in [
        ("Queue Statistics", QUEUE_COLUMNS),
        ("Agent Extended Statistics", AGENT_EXT_COLUMNS),
        ("Agent Statistics", AGENT_COLUMNS),
        (
            "Calls from interaction metadata (`rcx calls`)",
            CALL_COLUMNS,
        ),
    ] {
        s.push_str(&format!("\n## {title}\n\n"));
        if cols == CALL_COLUMNS {
            s.push_str(CALLS_NOTE);
        }
        s.push_str("| column | unit | how it is computed |\n|---|---|---|\n");
        for c in cols {
            let unit = match c.unit {
                Unit::Count => "count",
                Unit::Seconds => "seconds",
                Unit::Percent => "percent",
                _ => "other",
            };
            s.push_str(&format!("| `{}` | {unit} | {} |\n", c.name, c.formula));
        }
    }
    s
}

#[test]
fn docs_metrics_table_matches_the_catalogue() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/metrics.md");
    let want = metrics_markdown();
    if std::env::var_os("RCX_BLESS").is_some() {
        std::fs::write(&path, &want).expect("write docs/metrics.md");
    }
    let have = std::fs::read_to_string(&path).expect("docs/metrics.md exists");
    assert_eq!(
        have, want,
        "docs/metrics.md is stale: rerun this test with RCX_BLESS=1"
    );
}

/// The typed accessors and the cells of the catalogue agree with ratios
/// computed here from the sums, on a bucket whose every ratio is defined.
#[test]
fn typed_accessors_are_the_catalogue_cells() {
    use ringcx_reports::rollup::{
        AgentExtMetrics, AgentExtSums, Cell, MetricOptions, QueueMetrics, QueueSums,
    };
    let s = QueueSums {
        rows: 4,
        direct: 30,
        overflow_in: 5,
        answered: 27,
        abandoned: 6,
        short_abandoned: 2,
        answered_within_sl: 20,
        talk_s: 3000,
        wrap_s: 240,
        answer_wait_s: 410,
        abandon_wait_s: 95,
        agent_wait_s: 900,
        ..Default::default()
    };
    let m = QueueMetrics::new(s, MetricOptions::default()).unwrap();
    // 20 / (27 + 6 − 2) = 64.516… ; (6 − 2) / (35 − 2) = 12.121… ;
    // 3240 / 27 = 120 ; 410 / 27 = 15.185… ; 95 / 6 = 15.833… ;
    // 3240 / 4140 = 78.260…
    let want = [
        ("service_level_pct", "64.52"),
        ("abandon_rate_pct", "12.12"),
        ("aht_s", "120.00"),
        ("asa_s", "15.19"),
        ("avg_abandon_wait_s", "15.83"),
        ("occupancy_pct", "78.26"),
    ];
    let accessors = [
        m.service_level_pct(),
        m.abandon_rate_pct(),
        m.aht_s(),
        m.asa_s(),
        m.avg_abandon_wait_s(),
        m.occupancy_pct(),
    ];
    for ((name, text), got) in want.iter().zip(accessors) {
        assert_eq!(got.unwrap().to_string(), *text, "{name}");
        let i = QUEUE_COLUMNS.iter().position(|c| c.name == *name).unwrap();
        assert_eq!(m.cell(i), Cell::Ratio(got), "{name}");
    }
    let a = AgentExtMetrics::new(AgentExtSums {
        answered: 8,
        transferred_out: 3,
        talk_s: 1000,
        wrap_s: 100,
        ..Default::default()
    })
    .unwrap();
    // 1100 / 8, 1000 / 8, 100 / 8, 300 / 8
    let got = [
        a.aht_s(),
        a.avg_talk_s(),
        a.avg_wrap_s(),
        a.transfer_rate_pct(),
    ];
    let got: Vec<String> = got.iter().map(|d| d.unwrap().to_string()).collect();
    assert_eq!(got, ["137.50", "125.00", "12.50", "37.50"]);
}
