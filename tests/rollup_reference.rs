//! Issue 4 "Done when", verified independently: a seeded call-level
//! simulation (3 queues, 6 agents, both 2024 US DST changes in
//! America/New_York, 15-minute rows) is aggregated into Queue Statistics and
//! Agent Extended rows, written as CSV, XML and JSON by the test's own
//! writers, and every bucket of `rcx rollup` (library and CLI) for every
//! grouping, interval and formula is compared with a reference
//! implementation of SPEC 4 written from the spec alone
//! (`reference/refimpl.rs`), and summed back to the simulated calls.

#[path = "reference/refimpl.rs"]
mod refimpl;
#[path = "reference/sim.rs"]
mod sim;

use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::OnceLock;

use serde_json::{json, Value};

use chrono::TimeZone;
use chrono_tz::Tz;
use ringcx_reports::rollup::{
    Cell, GroupMap, GroupOf, Grouping, Offered, Rollup, RollupTable, ShortAbandons, SlFormula,
};
use ringcx_reports::window::{BucketInterval, HourRange, TimeBound, WeekStart};
use ringcx_reports::write::{write_table, TableFormat};
use ringcx_reports::{AgentExtRow, QueueRow, ReaderBuilder};
use rust_decimal::Decimal;

use crate::util::{code, rcx, stderr, stdout};
use refimpl::{By, Filter, Iv, Opts, OutRow, Sl, Unit};
use sim::{Report, Sim, SimRow, SOURCE_TZ};

const SEED: u64 = 20_240_310;
const UTC: Tz = chrono_tz::UTC;
const KOLKATA: Tz = chrono_tz::Asia::Kolkata;

/// The simulation, its files (two per report and wire form: March and
/// November), the group maps, and the rows the library read from the CSV
/// files (read once, rolled up many times).
struct Data {
    sim: Sim,
    dir: PathBuf,
    queue_groups: HashMap<String, String>,
    agent_groups: HashMap<String, String>,
    lib_queue_rows: Vec<QueueRow>,
    lib_agent_rows: Vec<AgentExtRow>,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let sim = Sim::run(SEED);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rollup_reference");
        std::fs::create_dir_all(&dir).expect("create data dir");
        let march = |r: &&SimRow| r.start < sim::ny(2024, 6, 1, 0, 0);
        for (report, rows, stem) in [
            (Report::Queue, &sim.queue_rows, "queue"),
            (Report::AgentExt, &sim.agent_rows, "agent_ext"),
        ] {
            let a: Vec<SimRow> = rows.iter().filter(march).cloned().collect();
            let b: Vec<SimRow> = rows.iter().filter(|r| !march(r)).cloned().collect();
            for (part, rows) in [("a", &a), ("b", &b)] {
                let w = |ext: &str, text: String| {
                    let p = dir.join(format!("{stem}_{part}.{ext}"));
                    std::fs::write(p, text).expect("write data file");
                };
                w("csv", sim::write_csv(report, rows));
                w("xml", sim::write_xml(report, rows));
                w("json", sim::write_json(report, rows));
            }
        }
        // Queue groups as CSV (10020 unmapped); agent groups as the
        // queue-groups/{id}/with-agents JSON (15003 and 900 unmapped).
        std::fs::write(
            dir.join("queue_groups.csv"),
            "id,group\n600,Back office\n5686,\"Sales, floor\"\n",
        )
        .expect("write queue groups");
        std::fs::write(
            dir.join("agent_groups.json"),
            r#"[{"queueId": 600, "queueName": "Billing", "queueGroupId": 301, "agentIds": [7, "1002"]},
{"queueId": 5686, "queueName": "Sales", "queueGroupId": 302, "agentIds": [42, 1001]}]"#,
        )
        .expect("write agent groups");
        let queue_groups = [("600", "Back office"), ("5686", "Sales, floor")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let agent_groups = [("7", "301"), ("1002", "301"), ("42", "302"), ("1001", "302")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let reader = ReaderBuilder::new().source_tz(SOURCE_TZ);
        let mut lib_queue_rows = Vec::new();
        let mut lib_agent_rows = Vec::new();
        for part in ["a", "b"] {
            let mut r = reader
                .from_path(dir.join(format!("queue_{part}.csv")))
                .expect("open queue csv");
            for row in r.rows::<QueueRow>() {
                lib_queue_rows.push(row.expect("queue row"));
            }
            let mut r = reader
                .from_path(dir.join(format!("agent_ext_{part}.csv")))
                .expect("open agent csv");
            for row in r.rows::<AgentExtRow>() {
                lib_agent_rows.push(row.expect("agent row"));
            }
        }
        Data {
            sim,
            dir,
            queue_groups,
            agent_groups,
            lib_queue_rows,
            lib_agent_rows,
        }
    })
}

impl Data {
    fn file(&self, stem: &str, part: &str, ext: &str) -> PathBuf {
        self.dir.join(format!("{stem}_{part}.{ext}"))
    }
    fn files(&self, report: Report, ext: &str) -> [PathBuf; 2] {
        let stem = stem(report);
        [self.file(stem, "a", ext), self.file(stem, "b", ext)]
    }
    fn rows(&self, report: Report) -> &[SimRow] {
        match report {
            Report::Queue => &self.sim.queue_rows,
            Report::AgentExt => &self.sim.agent_rows,
        }
    }
    fn opts(&self, report: Report, by: By, iv: Iv, tz: Tz) -> Opts {
        Opts {
            report,
            by,
            iv,
            tz,
            week_sunday: false,
            sl: Sl::AbandonsAgainst,
            short_include: false,
            offered_direct: false,
            queue_groups: self.queue_groups.clone(),
            agent_groups: self.agent_groups.clone(),
            filter: Filter::default(),
        }
    }
}

fn stem(report: Report) -> &'static str {
    match report {
        Report::Queue => "queue",
        Report::AgentExt => "agent_ext",
    }
}

fn groupings(report: Report) -> &'static [By] {
    match report {
        Report::Queue => &[By::Queue, By::QueueGroup, By::All],
        Report::AgentExt => &[
            By::Agent,
            By::Queue,
            By::AgentQueue,
            By::AgentGroup,
            By::QueueGroup,
            By::All,
        ],
    }
}

/// The library builder for reference options.
fn builder(o: &Opts) -> Rollup {
    let d = data();
    let by = match o.by {
        By::Queue => Grouping::Queue,
        By::Agent => Grouping::Agent,
        By::AgentQueue => Grouping::AgentQueue,
        By::QueueGroup => Grouping::QueueGroup,
        By::AgentGroup => Grouping::AgentGroup,
        By::All => Grouping::All,
    };
    let iv = match o.iv {
        Iv::Native => BucketInterval::Native,
        Iv::M15 => BucketInterval::Min15,
        Iv::M30 => BucketInterval::Min30,
        Iv::Hour => BucketInterval::Hour,
        Iv::Day => BucketInterval::Day,
        Iv::Week => BucketInterval::Week,
        Iv::Month => BucketInterval::Month,
        Iv::Total => BucketInterval::Total,
    };
    let sl = match o.sl {
        Sl::AbandonsAgainst => SlFormula::AbandonsAgainst,
        Sl::AbandonsIgnored => SlFormula::AbandonsIgnored,
        Sl::AbandonsPositive => SlFormula::AbandonsPositive,
        Sl::Answered => SlFormula::Answered,
        Sl::Offered => SlFormula::Offered,
    };
    let mut r = Rollup::new()
        .by(by)
        .interval(iv)
        .source_tz(SOURCE_TZ)
        .tz(o.tz)
        .sl_formula(sl)
        .short_abandons(if o.short_include {
            ShortAbandons::Include
        } else {
            ShortAbandons::Exclude
        })
        .offered(if o.offered_direct {
            Offered::Direct
        } else {
            Offered::DirectAndOverflow
        })
        .week_start(if o.week_sunday {
            WeekStart::Sunday
        } else {
            WeekStart::Monday
        });
    if o.by == By::QueueGroup {
        r = r.queue_groups(
            GroupMap::from_path(d.dir.join("queue_groups.csv"), GroupOf::Queues)
                .expect("queue groups"),
        );
    }
    if o.by == By::AgentGroup {
        r = r.agent_groups(
            GroupMap::from_path(d.dir.join("agent_groups.json"), GroupOf::Agents)
                .expect("agent groups"),
        );
    }
    r
}

/// The library's rollup of the rows it read from the CSV files.
fn lib_table(o: &Opts) -> RollupTable {
    let d = data();
    let r = builder(o);
    match o.report {
        Report::Queue => r.run_rows(d.lib_queue_rows.iter().cloned().map(Ok)),
        Report::AgentExt => r.run_rows(d.lib_agent_rows.iter().cloned().map(Ok)),
    }
    .unwrap_or_else(|e| panic!("library rollup {o:?}: {e}"))
}

fn table_csv(t: &RollupTable) -> String {
    let mut out = Vec::new();
    write_table(t, TableFormat::Csv, &mut out).expect("write table");
    String::from_utf8(out).expect("utf-8 csv")
}

/// Panics with the first differing line of two outputs.
fn assert_same(label: &str, got: &str, want: &str) {
    if got == want {
        return;
    }
    let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    for i in 0..g.len().max(w.len()) {
        let (gl, wl) = (g.get(i).copied(), w.get(i).copied());
        if gl != wl {
            panic!(
                "{label}: first difference at output line {} of {} (want {})\n got: {gl:?}\nwant: {wl:?}\nheader: {:?}",
                i + 1,
                g.len(),
                w.len(),
                w.first()
            );
        }
    }
    panic!("{label}: outputs differ in line endings only");
}

fn cell_text(c: Cell) -> String {
    match c {
        Cell::Int(u) => u.to_string(),
        Cell::Signed(i) => i.to_string(),
        Cell::Ratio(Some(d)) => d.to_string(),
        Cell::Ratio(None) => String::new(),
    }
}

/// The typed records of a library table equal the reference's, field by
/// field (keys, bucket instants and labels, every metric; ratios compared as
/// decimals).
fn assert_typed(label: &str, t: &RollupTable, want: &[OutRow], o: &Opts) {
    assert_eq!(t.key_columns(), o.by.key_columns(), "{label}: key columns");
    let cols = refimpl::metric_columns(o.report);
    let names: Vec<&str> = t.metric_columns().iter().map(|c| c.name).collect();
    let want_names: Vec<&str> = cols.iter().map(|c| c.0).collect();
    assert_eq!(names, want_names, "{label}: metric columns");
    assert_eq!(t.records().len(), want.len(), "{label}: record count");
    for (rec, w) in t.records().iter().zip(want) {
        assert_eq!(rec.keys(), w.keys.as_slice(), "{label}: keys");
        assert_eq!(rec.bucket_start().timestamp(), w.start, "{label}: start");
        assert_eq!(rec.bucket_end().timestamp(), w.end, "{label}: end");
        assert_eq!(rec.bucket_start().to_rfc3339(), w.bucket_start, "{label}");
        assert_eq!(rec.bucket_end().to_rfc3339(), w.bucket_end, "{label}");
        for ((name, unit), want_cell) in cols.iter().zip(&w.cells) {
            let got = rec
                .metrics()
                .get(name)
                .unwrap_or_else(|| panic!("{label}: no metric {name}"));
            let ctx = || format!("{label}: {:?} {} {name}", w.keys, w.bucket_start);
            match (got, unit) {
                (Cell::Ratio(d), _) => {
                    let want_d = (!want_cell.is_empty())
                        .then(|| Decimal::from_str(want_cell).expect("reference decimal"));
                    assert_eq!(d, want_d, "{}", ctx());
                }
                (c, Unit::Percent) => panic!("{}: percent column is {c:?}", ctx()),
                (c, _) => assert_eq!(&cell_text(c), want_cell, "{}", ctx()),
            }
        }
    }
}

/// Library (typed and CSV bytes) against the reference for one option set.
fn check_library(o: &Opts) {
    let d = data();
    let want = refimpl::rollup(d.rows(o.report), o);
    let want_csv = refimpl::to_csv(&want, o);
    let t = lib_table(o);
    let label = format!("library {o:?}");
    assert_same(&label, &table_csv(&t), &want_csv);
    assert_typed(&label, &t, &want, o);
}

/// The `rcx rollup` arguments for reference options (`--tz` left out when
/// it is the source zone, so the default is exercised too).
fn cli_args(o: &Opts, files: &[PathBuf]) -> Vec<String> {
    let d = data();
    let mut a: Vec<String> = vec![
        "rollup".into(),
        "-q".into(),
        "--source-tz".into(),
        "America/New_York".into(),
        "--by".into(),
        o.by.cli().into(),
        "--interval".into(),
        o.iv.cli().into(),
    ];
    if o.tz != SOURCE_TZ {
        a.extend(["--tz".into(), o.tz.name().into()]);
    }
    if o.sl != Sl::AbandonsAgainst {
        a.extend(["--sl-formula".into(), o.sl.cli().into()]);
    }
    if o.short_include {
        a.extend(["--short-abandons".into(), "include".into()]);
    }
    if o.offered_direct {
        a.extend(["--offered".into(), "direct".into()]);
    }
    if o.week_sunday {
        a.extend(["--week-start".into(), "sunday".into()]);
    }
    if o.by == By::QueueGroup {
        a.extend([
            "--queue-groups".into(),
            d.dir.join("queue_groups.csv").display().to_string(),
        ]);
    }
    if o.by == By::AgentGroup {
        a.extend([
            "--agent-groups".into(),
            d.dir.join("agent_groups.json").display().to_string(),
        ]);
    }
    a.extend(files.iter().map(|p| p.display().to_string()));
    a
}

fn run_cli(args: &[String]) -> String {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = rcx(&refs);
    assert_eq!(code(&out), 0, "rcx {refs:?}: {}", stderr(&out));
    stdout(&out)
}

/// The CLI's CSV against the reference's, byte for byte.
fn check_cli(o: &Opts, ext: &str) {
    let d = data();
    let want = refimpl::to_csv(&refimpl::rollup(d.rows(o.report), o), o);
    let args = cli_args(o, &d.files(o.report, ext));
    assert_same(&format!("rcx {}", args.join(" ")), &run_cli(&args), &want);
}

fn with_metric(o: &Opts, sl: Sl, short_include: bool, offered_direct: bool) -> Opts {
    Opts {
        sl,
        short_include,
        offered_direct,
        ..o.clone()
    }
}

// ---------------------------------------------------------------------------
// The simulation itself and the files it writes.

#[test]
fn simulation_rows_sum_to_calls_and_cross_both_dst_changes() {
    let d = data();
    let t = d.sim.truth();
    let qsum = |i: usize| d.sim.queue_rows.iter().map(|r| r.v[i]).sum::<u64>();
    let asum = |i: usize| d.sim.agent_rows.iter().map(|r| r.v[i]).sum::<u64>();
    assert_eq!(
        (qsum(0), qsum(1), qsum(3)),
        (t.direct, t.overflow_in, t.overflow_out)
    );
    assert_eq!((qsum(4), qsum(2)), (t.answered, t.abandoned));
    assert_eq!((qsum(7), qsum(8), qsum(12)), (t.talk, t.wrap, t.idle));
    assert_eq!(
        (asum(2), asum(0), asum(1), asum(3)),
        (t.answered, t.talk, t.wrap, t.transferred)
    );
    // Every kind of call occurs, so every metric is exercised.
    assert!(
        t.overflow_in > 10 && t.abandoned > 50 && t.answered > 500,
        "{t:?}"
    );
    assert!(
        qsum(13) > 5 && qsum(14) > qsum(13),
        "short and within-SL abandons"
    );
    // The files never name a spring-forward local time, and name every
    // fall-back local time twice per dense queue (first pass -04:00, then
    // second pass -05:00).
    let csv = std::fs::read_to_string(d.file("queue", "a", "csv")).expect("read");
    assert!(!csv.contains(",20240310,02:"), "spring-forward gap written");
    assert!(csv.contains(",20240310,01:45,") && csv.contains(",20240310,03:00,"));
    let csv = std::fs::read_to_string(d.file("queue", "b", "csv")).expect("read");
    assert_eq!(csv.matches("15,20241103,01:15,5686,").count(), 2);
    let first = csv.find("15,20241103,01:45,10020,").expect("first pass");
    let second = csv.rfind("15,20241103,01:00,600,").expect("second pass");
    assert!(first < second, "second pass written after the first");
    // What the library reads back is the simulation, instant for instant.
    assert_eq!(d.lib_queue_rows.len(), d.sim.queue_rows.len());
    assert_eq!(d.lib_agent_rows.len(), d.sim.agent_rows.len());
    for (got, want) in d.lib_queue_rows.iter().zip(&d.sim.queue_rows) {
        assert_eq!(got.start.timestamp(), want.start);
        assert_eq!(
            (got.queue.as_str(), got.answ_call_cnt),
            (want.queue.as_str(), Some(want.v[4]))
        );
    }
    for (got, want) in d.lib_agent_rows.iter().zip(&d.sim.agent_rows) {
        assert_eq!(got.start.timestamp(), want.start);
        assert_eq!(
            (got.agent_id.as_str(), got.talking_call_dur),
            (want.agent_id.as_str(), Some(want.v[0]))
        );
    }
}

#[test]
fn reference_ratio_rounds_half_away_from_zero() {
    assert_eq!(refimpl::ratio(1, 8, false), "0.13"); // 0.125
    assert_eq!(refimpl::ratio(-1, 8, false), "-0.13");
    assert_eq!(refimpl::ratio(1, 3, true), "33.33");
    assert_eq!(refimpl::ratio(2, 3, true), "66.67");
    assert_eq!(refimpl::ratio(115, 5, false), "23.00");
    assert_eq!(refimpl::ratio(5, 0, true), "");
    assert_eq!(refimpl::ratio(7, 4, true), "175.00"); // not clamped
    assert_eq!(refimpl::ratio(1, 200_000, true), "0.00"); // 0.0005 %
    assert_eq!(refimpl::ratio(1, 20_000, true), "0.01"); // 0.005 %
}

// ---------------------------------------------------------------------------
// Library: every grouping × interval × zone × formula option.

/// Every grouping × interval × bucket zone, with the default metric options
/// and with every option changed at once; every formula × short-abandon ×
/// offered choice for every grouping at `native` (the smallest sums, so the
/// most zero denominators), `day` (DST days) and `total`. (The full cross
/// product of all of them would take minutes in a debug build; the metric
/// options do not touch bucketing, which the first loop covers.)
#[test]
fn library_queue_every_grouping_interval_and_formula() {
    let d = data();
    for &by in groupings(Report::Queue) {
        for iv in Iv::ALL {
            let base = d.opts(Report::Queue, by, iv, SOURCE_TZ);
            check_library(&base);
            check_library(&with_metric(&base, Sl::AbandonsPositive, true, true));
            for tz in [UTC, KOLKATA] {
                check_library(&d.opts(Report::Queue, by, iv, tz));
            }
        }
        for iv in [Iv::Native, Iv::Day, Iv::Total] {
            let base = d.opts(Report::Queue, by, iv, SOURCE_TZ);
            for sl in Sl::ALL {
                for short in [false, true] {
                    for direct in [false, true] {
                        check_library(&with_metric(&base, sl, short, direct));
                    }
                }
            }
        }
    }
}

#[test]
fn library_agent_ext_every_grouping_interval_and_zone() {
    let d = data();
    for &by in groupings(Report::AgentExt) {
        for iv in Iv::ALL {
            for tz in [SOURCE_TZ, UTC, KOLKATA] {
                check_library(&d.opts(Report::AgentExt, by, iv, tz));
            }
        }
    }
}

#[test]
fn library_week_buckets_start_on_sunday_on_request() {
    let d = data();
    for report in [Report::Queue, Report::AgentExt] {
        for tz in [SOURCE_TZ, UTC, KOLKATA] {
            let o = Opts {
                week_sunday: true,
                ..d.opts(report, By::All, Iv::Week, tz)
            };
            check_library(&o);
        }
    }
}

// ---------------------------------------------------------------------------
// CLI: byte-exact CSV against the reference.

#[test]
fn cli_queue_matches_reference() {
    let d = data();
    for &by in groupings(Report::Queue) {
        for iv in Iv::ALL {
            check_cli(&d.opts(Report::Queue, by, iv, SOURCE_TZ), "csv");
        }
        for tz in [UTC, KOLKATA] {
            for iv in [Iv::Hour, Iv::Day] {
                check_cli(&d.opts(Report::Queue, by, iv, tz), "csv");
            }
        }
    }
    let base = d.opts(Report::Queue, By::Queue, Iv::Day, SOURCE_TZ);
    for sl in Sl::ALL {
        for short in [false, true] {
            for direct in [false, true] {
                check_cli(&with_metric(&base, sl, short, direct), "csv");
            }
        }
    }
    let o = Opts {
        week_sunday: true,
        ..d.opts(Report::Queue, By::Queue, Iv::Week, SOURCE_TZ)
    };
    check_cli(&o, "csv");
}

#[test]
fn cli_agent_ext_matches_reference() {
    let d = data();
    for &by in groupings(Report::AgentExt) {
        for iv in Iv::ALL {
            check_cli(&d.opts(Report::AgentExt, by, iv, SOURCE_TZ), "csv");
        }
        for tz in [UTC, KOLKATA] {
            for iv in [Iv::Hour, Iv::Day] {
                check_cli(&d.opts(Report::AgentExt, by, iv, tz), "csv");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Sums back to the simulated calls; DST day lengths.

fn int(t: &RollupTable, rec: usize, name: &str) -> u64 {
    match t.records()[rec].metrics().get(name) {
        Some(Cell::Int(u)) => u,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn every_grouping_and_interval_sums_back_to_the_simulated_calls() {
    let d = data();
    let truth = d.sim.truth();
    for report in [Report::Queue, Report::AgentExt] {
        for &by in groupings(report) {
            for iv in Iv::ALL {
                for tz in [SOURCE_TZ, UTC, KOLKATA] {
                    let t = lib_table(&d.opts(report, by, iv, tz));
                    let label = format!("{report:?} {by:?} {iv:?} {tz}");
                    let sum = |name: &str| -> u64 {
                        (0..t.records().len()).map(|i| int(&t, i, name)).sum()
                    };
                    assert_eq!(sum("rows"), d.rows(report).len() as u64, "{label}");
                    assert_eq!(sum("answered"), truth.answered, "{label}");
                    assert_eq!(sum("talk_s"), truth.talk, "{label}");
                    assert_eq!(sum("wrap_s"), truth.wrap, "{label}");
                    assert_eq!(sum("handle_s"), truth.talk + truth.wrap, "{label}");
                    match report {
                        Report::Queue => {
                            assert_eq!(sum("abandoned"), truth.abandoned, "{label}");
                            assert_eq!(sum("direct"), truth.direct, "{label}");
                            assert_eq!(sum("overflow_in"), truth.overflow_in, "{label}");
                            assert_eq!(sum("overflow_out"), truth.overflow_out, "{label}");
                            assert_eq!(sum("offered"), truth.direct + truth.overflow_in, "{label}");
                            assert_eq!(sum("agent_wait_s"), truth.idle, "{label}");
                        }
                        Report::AgentExt => {
                            assert_eq!(sum("transferred_out"), truth.transferred, "{label}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn dst_days_span_23_and_25_hours_and_the_fall_back_hour_is_two_buckets() {
    let d = data();
    for report in [Report::Queue, Report::AgentExt] {
        let t = lib_table(&d.opts(report, By::All, Iv::Day, SOURCE_TZ));
        let spans: Vec<(String, i64)> = t
            .records()
            .iter()
            .map(|r| {
                let s = r.bucket_start();
                (
                    s.format("%Y-%m-%d").to_string(),
                    (r.bucket_end() - s).num_hours(),
                )
            })
            .collect();
        let want: Vec<(String, i64)> = d
            .sim
            .days
            .iter()
            .map(|day| {
                let h = match day.format("%m-%d").to_string().as_str() {
                    "03-10" => 23,
                    "11-03" => 25,
                    _ => 24,
                };
                (day.format("%Y-%m-%d").to_string(), h)
            })
            .collect();
        assert_eq!(spans, want, "{report:?}");
        // The day buckets hold every row of their day: 92 quarter hours on
        // 2024-03-10 and 100 on 2024-11-03 for each dense queue.
        if report == Report::Queue {
            let rows = |day: &str| {
                d.sim
                    .queue_rows
                    .iter()
                    .filter(|r| {
                        sim::SOURCE_TZ
                            .timestamp_opt(r.start, 0)
                            .unwrap()
                            .format("%Y-%m-%d")
                            .to_string()
                            == day
                    })
                    .count() as u64
            };
            assert!(rows("2024-11-03") >= 200 && rows("2024-03-10") >= 184);
            assert_eq!(int(&t, 1, "rows"), rows("2024-03-10"));
            assert_eq!(int(&t, 4, "rows"), rows("2024-11-03"));
        }
        let hours = lib_table(&d.opts(report, By::All, Iv::Hour, SOURCE_TZ));
        let labels: Vec<String> = hours
            .records()
            .iter()
            .map(|r| r.bucket_start().to_rfc3339())
            .collect();
        let at = |s: &str| labels.iter().position(|l| l == s);
        let first = at("2024-11-03T01:00:00-04:00").expect("first 01:00 hour");
        assert_eq!(at("2024-11-03T01:00:00-05:00"), Some(first + 1));
        assert_eq!(at("2024-11-03T02:00:00-05:00"), Some(first + 2));
        assert_eq!(
            hours.records()[first].bucket_end().to_rfc3339(),
            "2024-11-03T01:00:00-05:00"
        );
        let before_gap = at("2024-03-10T01:00:00-05:00").expect("01:00 before the gap");
        assert_eq!(at("2024-03-10T03:00:00-04:00"), Some(before_gap + 1));
        assert!(!labels.iter().any(|l| l.starts_with("2024-03-10T02:")));
    }
}

// ---------------------------------------------------------------------------
// The Analytics API response shape.

/// The API's options with the values SPEC 8.3's table gives them, from
/// the reference cells (`null` where the report cannot give a value):
/// `(section, option, values)`.
fn api_values(report: Report, cells: &[String]) -> Vec<(&'static str, &'static str, Value)> {
    let cols = refimpl::metric_columns(report);
    let n = |name: &str| -> i64 {
        let i = cols.iter().position(|(c, _)| *c == name).expect(name);
        cells[i].parse().expect("a count")
    };
    match report {
        Report::Queue => {
            let (o, a, b, w) = (
                n("offered"),
                n("answered"),
                n("abandoned"),
                n("answered_within_sl"),
            );
            let (aw, bw, talk) = (n("answer_wait_s"), n("abandon_wait_s"), n("talk_s"));
            vec![
                ("counters", "allCalls", json!(o)),
                (
                    "counters",
                    "callsByDirection",
                    json!({"inbound": o, "outbound": 0}),
                ),
                (
                    "counters",
                    "callsByResponse",
                    json!({"answered": a, "notAnswered": b, "connected": null, "notConnected": null}),
                ),
                (
                    "counters",
                    "callsByResult",
                    json!({"completed": null, "abandoned": b, "voicemail": null, "missed": null,
                        "accepted": null, "unknown": null}),
                ),
                (
                    "counters",
                    "callsByQueueSla",
                    json!({"inSla": w, "outOfSla": a - w}),
                ),
                (
                    "counters",
                    "callsByType",
                    json!({"direct": null, "fromQueue": a, "parkRetrieval": null,
                        "transferred": null, "outbound": 0}),
                ),
                ("timers", "allCalls", json!(aw + bw + talk)),
                (
                    "timers",
                    "callsByResponse",
                    json!({"answered": aw + talk, "notAnswered": bw, "connected": null,
                        "notConnected": null}),
                ),
                ("timers", "callsSegments", segments(talk)),
            ]
        }
        Report::AgentExt => {
            let (a, talk, wrap) = (n("answered"), n("talk_s"), n("wrap_s"));
            vec![
                ("counters", "allCalls", json!(a)),
                (
                    "counters",
                    "callsByType",
                    json!({"direct": null, "fromQueue": a, "parkRetrieval": null,
                        "transferred": null, "outbound": null}),
                ),
                ("timers", "allCalls", json!(talk + wrap)),
                ("timers", "callsSegments", segments(talk)),
            ]
        }
    }
}

/// `callsSegments` with live talk only.
fn segments(talk: i64) -> Value {
    json!({"ringing": null, "liveTalk": talk, "hold": null, "park": null, "transfer": null,
           "ivrPrompt": null, "voicemail": null, "vmGreeting": null, "setup": null})
}

/// `counters` and `timers` of one record or point are the API's options
/// with the reference values, in the schema's order.
fn assert_metrics(label: &str, v: &Value, report: Report, cells: &[String]) {
    let want = api_values(report, cells);
    for section in ["counters", "timers"] {
        let got = v[section].as_object().expect("section object");
        // (serde_json's map sorts keys: the names are compared as sets.)
        let mut names: Vec<&str> = want
            .iter()
            .filter(|(s, _, _)| *s == section)
            .map(|(_, n, _)| *n)
            .collect();
        names.sort_unstable();
        assert_eq!(
            got.keys().map(String::as_str).collect::<Vec<_>>(),
            names,
            "{label}: {section}"
        );
        let unit = if section == "counters" {
            "Instances"
        } else {
            "Seconds"
        };
        for (_, name, values) in want.iter().filter(|(s, _, _)| *s == section) {
            assert_eq!(
                got[*name],
                json!({"valueType": unit, "values": values}),
                "{label}: {section}.{name}"
            );
        }
    }
}

fn check_analytics(o: &Opts, grouped_by: &str) {
    let d = data();
    let mut args = cli_args(o, &d.files(o.report, "csv"));
    args.extend(["--format".into(), "analytics".into()]);
    let text = run_cli(&args);
    let label = format!("rcx {}", args.join(" "));
    let v: Value = serde_json::from_str(&text).expect("analytics JSON");
    let top: Vec<&String> = v.as_object().expect("object").keys().collect();
    assert_eq!(top, ["data", "paging"], "{label}");
    assert_eq!(v["data"]["groupedBy"], grouped_by, "{label}");
    let records = v["data"]["records"].as_array().expect("records array");
    let buckets = refimpl::rollup(d.rows(o.report), o);
    let totals = refimpl::rollup(
        d.rows(o.report),
        &Opts {
            iv: Iv::Total,
            ..o.clone()
        },
    );
    let e = totals.len();
    assert_eq!(
        v["paging"],
        json!({"page": 1, "perPage": e, "totalPages": usize::from(e > 0), "totalElements": e}),
        "{label}"
    );
    assert_eq!(records.len(), e, "{label}: one record per key");
    for (rec, total) in records.iter().zip(&totals) {
        let k = &total.keys;
        let (key, name) = match o.by {
            By::Queue | By::Agent => (k[0].clone(), k[1].clone()),
            By::QueueGroup | By::AgentGroup => (k[0].clone(), k[0].clone()),
            By::All => ("company".to_string(), "Company".to_string()),
            By::AgentQueue => unreachable!("refused"),
        };
        let label = format!("{label}: record {key}");
        assert_eq!(rec["key"], key.as_str(), "{label}");
        assert_eq!(rec["info"], json!({"name": name}), "{label}");
        if o.iv == Iv::Total {
            // An aggregate: the key's values over the range, no points.
            assert!(rec.get("points").is_none(), "{label}: no points for total");
            assert_metrics(&label, rec, o.report, &total.cells);
            continue;
        }
        // A timeline: one point per bucket, no totals.
        assert!(rec.get("counters").is_none(), "{label}: no totals");
        let mine: Vec<&OutRow> = buckets.iter().filter(|b| &b.keys == k).collect();
        let points = rec["points"].as_array().expect("points array");
        assert_eq!(points.len(), mine.len(), "{label}: one point per bucket");
        for (p, b) in points.iter().zip(mine) {
            assert_eq!(p["time"], b.bucket_start.as_str(), "{label}");
            assert_metrics(
                &format!("{label} @ {}", b.bucket_start),
                p,
                o.report,
                &b.cells,
            );
        }
    }
}

#[test]
fn analytics_output_has_the_api_shape_and_the_csv_values() {
    let d = data();
    let q = |by, iv| d.opts(Report::Queue, by, iv, SOURCE_TZ);
    let a = |by, iv| d.opts(Report::AgentExt, by, iv, SOURCE_TZ);
    check_analytics(&q(By::Queue, Iv::Hour), "Queues");
    check_analytics(&q(By::All, Iv::Day), "Company");
    check_analytics(&q(By::QueueGroup, Iv::Total), "QueueGroups");
    check_analytics(
        &with_metric(&q(By::Queue, Iv::Native), Sl::Offered, true, true),
        "Queues",
    );
    check_analytics(&a(By::Agent, Iv::Day), "Users");
    check_analytics(&a(By::AgentGroup, Iv::Month), "UserGroups");
    check_analytics(&a(By::Queue, Iv::Total), "Queues");
}

// ---------------------------------------------------------------------------
// Wire forms, thread counts and file order do not change a byte.

#[test]
fn csv_xml_json_inputs_threads_and_file_order_give_identical_bytes() {
    let d = data();
    let cases = [
        d.opts(Report::Queue, By::Queue, Iv::Hour, SOURCE_TZ),
        d.opts(Report::Queue, By::All, Iv::Native, KOLKATA),
        d.opts(Report::AgentExt, By::AgentQueue, Iv::Day, SOURCE_TZ),
        d.opts(Report::AgentExt, By::Agent, Iv::Hour, UTC),
    ];
    for o in &cases {
        let want = refimpl::to_csv(&refimpl::rollup(d.rows(o.report), o), o);
        let [ca, cb] = d.files(o.report, "csv");
        let [xa, xb] = d.files(o.report, "xml");
        let [ja, jb] = d.files(o.report, "json");
        for files in [
            vec![xa.clone(), xb.clone()],
            vec![ja.clone(), jb.clone()],
            vec![cb.clone(), ca.clone()],
            vec![jb.clone(), xa.clone()],
            vec![ca.clone(), jb.clone()],
        ] {
            for threads in ["1", "2"] {
                let mut args = cli_args(o, &files);
                args.extend(["--threads".into(), threads.into()]);
                assert_same(&format!("rcx {}", args.join(" ")), &run_cli(&args), &want);
            }
        }
        // The library reading the files itself (not pre-read rows), in both
        // orders, parallel and sequential.
        let reader = ReaderBuilder::new();
        let r = builder(o);
        for files in [[xa.clone(), jb.clone()], [jb, xa]] {
            assert_same(
                "run_files",
                &table_csv(&r.run_files(&files, &reader).expect("run")),
                &want,
            );
            assert_same(
                "run_files_sequential",
                &table_csv(&r.run_files_sequential(&files, &reader).expect("run")),
                &want,
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Time settings (SPEC 4.2): filters apply before grouping, naming and the
// `total` span.

/// One set of time settings, as CLI flags, as library calls, and resolved
/// for the reference.
struct FilterCase {
    tz: Tz,
    cli: &'static [&'static str],
    from: Option<TimeBound>,
    to: Option<TimeBound>,
    days: Option<u8>,
    hours: Vec<HourRange>,
    filter: Filter,
}

fn local_naive(s: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("test date-time")
}

fn instant(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("test instant")
        .to_utc()
}

fn filter_cases() -> Vec<FilterCase> {
    let none = || FilterCase {
        tz: SOURCE_TZ,
        cli: &[],
        from: None,
        to: None,
        days: None,
        hours: Vec::new(),
        filter: Filter::default(),
    };
    let mut weekend = [false; 7];
    weekend[5] = true;
    weekend[6] = true;
    vec![
        // A range that wraps past midnight keeps the night agent's rows and
        // both passes of the fall-back hour.
        FilterCase {
            cli: &["--hours", "22:00-06:00"],
            hours: vec![HourRange {
                from: 1320,
                to: 360,
            }],
            filter: Filter {
                hours: vec![(1320, 360)],
                ..Filter::default()
            },
            ..none()
        },
        // A local `--to` before queue 600's rename: its name is the old one
        // ("from the key's rows kept after filtering"), and `total` ends at
        // the last kept row's end.
        FilterCase {
            cli: &["--to", "2024-11-03T12:00:00"],
            to: Some(TimeBound::Local(local_naive("2024-11-03 12:00"))),
            filter: Filter {
                to: Some(sim::ny(2024, 11, 3, 12, 0)),
                ..Filter::default()
            },
            ..none()
        },
        // RFC 3339 bounds; `to` inside the second pass of the fall-back hour.
        FilterCase {
            cli: &[
                "--from",
                "2024-03-10T01:00:00-05:00",
                "--to",
                "2024-11-03T01:30:00-05:00",
            ],
            from: Some(TimeBound::Instant(instant("2024-03-10T01:00:00-05:00"))),
            to: Some(TimeBound::Instant(instant("2024-11-03T01:30:00-05:00"))),
            filter: Filter {
                from: Some(instant("2024-03-10T01:00:00-05:00").timestamp()),
                to: Some(instant("2024-11-03T01:30:00-05:00").timestamp()),
                ..Filter::default()
            },
            ..none()
        },
        // Days and hours judged in the bucket zone (Kolkata), not the
        // source zone; `--hours` repeated.
        FilterCase {
            tz: KOLKATA,
            cli: &[
                "--days",
                "sat,sun",
                "--hours",
                "08:00-12:00",
                "--hours",
                "13:00-17:00",
            ],
            days: Some(0b110_0000),
            hours: vec![
                HourRange { from: 480, to: 720 },
                HourRange {
                    from: 780,
                    to: 1020,
                },
            ],
            filter: Filter {
                days: Some(weekend),
                hours: vec![(480, 720), (780, 1020)],
                ..Filter::default()
            },
            ..none()
        },
        // Local dates in a bucket zone other than the source zone.
        FilterCase {
            tz: UTC,
            cli: &["--from", "2024-11-03", "--to", "2024-11-04"],
            from: Some(TimeBound::Local(local_naive("2024-11-03 00:00"))),
            to: Some(TimeBound::Local(local_naive("2024-11-04 00:00"))),
            filter: Filter {
                from: Some(instant("2024-11-03T00:00:00Z").timestamp()),
                to: Some(instant("2024-11-04T00:00:00Z").timestamp()),
                ..Filter::default()
            },
            ..none()
        },
    ]
}

#[test]
fn time_settings_filter_before_grouping_naming_and_total() {
    let d = data();
    for case in filter_cases() {
        for report in [Report::Queue, Report::AgentExt] {
            for &by in groupings(report) {
                for iv in [Iv::Native, Iv::Hour, Iv::Day, Iv::Total] {
                    let o = Opts {
                        filter: case.filter.clone(),
                        ..d.opts(report, by, iv, case.tz)
                    };
                    let want = refimpl::rollup(d.rows(report), &o);
                    assert!(!want.is_empty(), "{:?} keeps rows", case.cli);
                    let want_csv = refimpl::to_csv(&want, &o);
                    let mut r = builder(&o);
                    if let Some(b) = case.from {
                        r = r.from(b);
                    }
                    if let Some(b) = case.to {
                        r = r.to(b);
                    }
                    if let Some(m) = case.days {
                        r = r.days(m);
                    }
                    if !case.hours.is_empty() {
                        r = r.hours(case.hours.clone());
                    }
                    let t = match report {
                        Report::Queue => r.run_rows(d.lib_queue_rows.iter().cloned().map(Ok)),
                        Report::AgentExt => r.run_rows(d.lib_agent_rows.iter().cloned().map(Ok)),
                    }
                    .expect("library rollup");
                    let label = format!("library {:?} {o:?}", case.cli);
                    assert_same(&label, &table_csv(&t), &want_csv);
                    assert_typed(&label, &t, &want, &o);
                    if matches!(iv, Iv::Day | Iv::Total) {
                        let mut args = cli_args(&o, &d.files(report, "csv"));
                        args.extend(case.cli.iter().map(|s| s.to_string()));
                        assert_same(
                            &format!("rcx {}", args.join(" ")),
                            &run_cli(&args),
                            &want_csv,
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn names_follow_the_kept_rows() {
    // The reference's choice, pinned: before the rename queue 600 is
    // "Billing", after it "Billing & Payments"; agent 1001's two spellings
    // tie at the last interval and the smaller string wins.
    let d = data();
    let cases = filter_cases();
    let early = Opts {
        filter: cases[1].filter.clone(),
        ..d.opts(Report::Queue, By::Queue, Iv::Total, SOURCE_TZ)
    };
    let names: Vec<String> = refimpl::rollup(&d.sim.queue_rows, &early)
        .iter()
        .map(|r| r.keys[1].clone())
        .collect();
    assert_eq!(names, ["Billing", "Sales", "Support, Tier 1"]);
    let all = d.opts(Report::AgentExt, By::Agent, Iv::Total, SOURCE_TZ);
    let t = lib_table(&all);
    let got: Vec<(&str, &str)> = t
        .records()
        .iter()
        .map(|r| (r.keys()[0].as_str(), r.keys()[1].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("7", "Ng, Ada"),
            ("42", "O\"Brien, Pat"),
            ("900", "Zed Night"),
            ("1001", "Kaduk, Alena"),
            ("1002", "Lee-Park, Sam"),
            ("15003", "Øyvind <Ops> & co"),
        ]
    );
}
