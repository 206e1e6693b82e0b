//! Rollup (SPEC 4): worked examples, DST buckets, nesting, filters, groups,
//! output formats, determinism and the CLI.

use chrono::{FixedOffset, NaiveDate};
use proptest::prelude::*;
use ringcx_reports::rollup::{
    Accumulator, AnalyticsRequest, Cell, GroupMap, GroupOf, Grouping, Offered, QueueSums, Rollup,
    RollupTable, ShortAbandons, SlFormula,
};
use ringcx_reports::window::{parse_days, Attribution, BucketInterval, HourRange, TimeBound};
use ringcx_reports::write::{write_table, TableFormat};
use ringcx_reports::{
    Code, IntervalLength, IntervalStart, Position, QueueRow, ReaderBuilder, Result,
};

use crate::util::{code, fixture, rcx, stderr, stdout};

fn utc_start(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> IntervalStart {
    IntervalStart::new(
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap(),
        FixedOffset::east_opt(0).unwrap(),
    )
}

fn qrow(queue: &str, start: IntervalStart, len: u32, line: u64) -> QueueRow {
    QueueRow {
        pos: Position::new(0, line, line - 1),
        interval: IntervalLength::new(len).unwrap(),
        start,
        queue: queue.into(),
        queue_name: format!("Q{queue}"),
        ..Default::default()
    }
}

fn pct(t: &RollupTable, i: usize, col: &str) -> String {
    match t.records()[i].metrics().get(col).expect("column") {
        Cell::Ratio(Some(d)) => d.to_string(),
        Cell::Ratio(None) => "empty".into(),
        Cell::Int(v) => v.to_string(),
        Cell::Signed(v) => v.to_string(),
    }
}

fn csv_of(t: &RollupTable) -> String {
    let mut out = Vec::new();
    write_table(t, TableFormat::Csv, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The ICMI worked example in RingCX fields.
fn icmi() -> QueueRow {
    let mut r = qrow("1", utc_start(2024, 3, 4, 8, 0), 60, 2);
    r.answ_call_cnt = Some(1000);
    r.aband_call_cnt = Some(60);
    r.aband_short_call_cnt = Some(10);
    r.ans_servicelevel_cnt = Some(860);
    r.aband_within_sl_cnt = Some(10);
    r.offd_direct_call_cnt = Some(1060);
    r
}

#[test]
fn icmi_service_level_formulas() {
    let cases = [
        (SlFormula::AbandonsAgainst, ShortAbandons::Exclude, "81.90"),
        (SlFormula::AbandonsIgnored, ShortAbandons::Exclude, "82.69"),
        (SlFormula::AbandonsPositive, ShortAbandons::Exclude, "82.86"),
        (SlFormula::Answered, ShortAbandons::Exclude, "86.00"),
        (SlFormula::AbandonsAgainst, ShortAbandons::Include, "81.13"),
        (SlFormula::AbandonsPositive, ShortAbandons::Include, "83.02"),
    ];
    for (f, s, want) in cases {
        let t = Rollup::new()
            .sl_formula(f)
            .short_abandons(s)
            .run_rows([Ok(icmi())])
            .unwrap();
        assert_eq!(pct(&t, 0, "service_level_pct"), want, "{f} {s:?}");
    }
    // Abandon rate: (60 − 10) / (1060 − 10) by default, 60 / 1060 with
    // short abandons included.
    let t = Rollup::new().run_rows([Ok(icmi())]).unwrap();
    assert_eq!(pct(&t, 0, "abandon_rate_pct"), "4.76");
    assert_eq!(pct(&t, 0, "sl_denominator"), "1050");
    let t = Rollup::new()
        .short_abandons(ShortAbandons::Include)
        .run_rows([Ok(icmi())])
        .unwrap();
    assert_eq!(pct(&t, 0, "abandon_rate_pct"), "5.66");
}

#[test]
fn offered_formula_sums_before_dividing() {
    let mut a = qrow("1", utc_start(2024, 3, 4, 8, 0), 15, 2);
    a.offd_direct_call_cnt = Some(300);
    a.ans_servicelevel_cnt = Some(234);
    let mut b = qrow("2", utc_start(2024, 3, 4, 8, 0), 15, 3);
    b.offd_direct_call_cnt = Some(1000);
    b.overflow_in_call_cnt = Some(200);
    b.ans_servicelevel_cnt = Some(1020);
    let base = Rollup::new().sl_formula(SlFormula::Offered);
    let all = base
        .clone()
        .by(Grouping::All)
        .run_rows([Ok(a.clone()), Ok(b.clone())])
        .unwrap();
    assert_eq!(pct(&all, 0, "service_level_pct"), "83.60"); // not 81.50
    let per = base
        .clone()
        .run_rows([Ok(a.clone()), Ok(b.clone())])
        .unwrap();
    assert_eq!(pct(&per, 0, "service_level_pct"), "78.00");
    assert_eq!(pct(&per, 1, "service_level_pct"), "85.00");
    // --offered direct leaves overflow out: 1020 / 1000.
    let d = base.offered(Offered::Direct).run_rows([Ok(b)]).unwrap();
    assert_eq!(pct(&d, 0, "service_level_pct"), "102.00"); // not clamped
    assert_eq!(pct(&d, 0, "aht_s"), "empty"); // no answered calls
}

#[test]
fn queue_header_by_hand() {
    // 5686 at 08:00 + 08:15 (fixture values): A 11+13, W 9+10, B 2+3, S 1+1,
    // direct 12+15, overflow in 2+1, talk 1650+2080, wrap 220+300,
    // answer wait 180+260, agent wait 600+420.
    let t = Rollup::new()
        .run_files(&[fixture("queue_header.csv")], &ReaderBuilder::new())
        .unwrap();
    assert_eq!(t.records().len(), 2);
    let r = &t.records()[0];
    assert_eq!(r.keys(), ["5686", "Sales"]);
    let q = r.queue().unwrap();
    assert_eq!(q.sums.answered, 24);
    assert_eq!(q.offered, 30);
    assert_eq!(q.handle_s, 1650 + 2080 + 220 + 300);
    // 19 / (24 + 5 − 2) = 70.370…
    assert_eq!(q.service_level_pct().unwrap().to_string(), "70.37");
    // (5 − 2) / (30 − 2) = 10.714…
    assert_eq!(q.abandon_rate_pct().unwrap().to_string(), "10.71");
    // 4250 / 24 = 177.083…; 440 / 24 = 18.333…; 4250 / (4250 + 1020) = 80.645…
    assert_eq!(q.aht_s().unwrap().to_string(), "177.08");
    assert_eq!(q.asa_s().unwrap().to_string(), "18.33");
    assert_eq!(q.occupancy_pct().unwrap().to_string(), "80.65");
    assert_eq!(q.sums.longest_answer_wait_s, 60);
    assert_eq!(t.records()[1].keys(), ["5688", "Support, Tier 1"]);
}

#[test]
fn agent_ext_and_agent_metrics() {
    let t = Rollup::new()
        .run_files(&[fixture("agent_ext_quoted.csv")], &ReaderBuilder::new())
        .unwrap();
    // 1001: 08:00 (4 answered, 600+60) and 08:15 (5, 720+80, 1 transfer).
    let r = &t.records()[0];
    assert_eq!(r.keys(), ["1001", "kaduk, alena"]);
    let m = r.agent_ext().unwrap();
    assert_eq!(
        (m.sums.answered, m.sums.transferred_out, m.handle_s),
        (9, 1, 1460)
    );
    assert_eq!(m.aht_s().unwrap().to_string(), "162.22");
    assert_eq!(m.transfer_rate_pct().unwrap().to_string(), "11.11");
    // 1002 in two queues: 5 answered, 1 transfer = 20.00 %.
    let r = &t.records()[1];
    assert_eq!(r.keys(), ["1002", "O\"Brien, Pat"]);
    assert_eq!(
        r.agent_ext()
            .unwrap()
            .transfer_rate_pct()
            .unwrap()
            .to_string(),
        "20.00"
    );

    let aq = Rollup::new()
        .by(Grouping::AgentQueue)
        .run_files(&[fixture("agent_ext_quoted.csv")], &ReaderBuilder::new())
        .unwrap();
    let keys: Vec<_> = aq.records().iter().map(|r| r.keys().to_vec()).collect();
    assert_eq!(
        keys[2],
        ["1002", "O\"Brien, Pat", "5688", "Support\nTier 1"]
    );

    let a = Rollup::new()
        .interval(BucketInterval::Total)
        .run_files(&[fixture("agent_stats_header.csv")], &ReaderBuilder::new())
        .unwrap();
    let m = a.records()[0].agent().unwrap().sums;
    assert_eq!(
        (m.rows, m.avail_s, m.work_s, m.direct_in, m.direct_in_s),
        (2, 1620, 1800, 3, 290)
    );
    assert_eq!(
        a.records()[0].bucket_end().to_rfc3339(),
        "2024-03-04T08:30:00+00:00"
    );
}

#[test]
fn fall_back_hours_are_two_buckets() {
    let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
    let t = Rollup::new()
        .source_tz(ny)
        .run_files(&[fixture("queue_fallback_ny.csv")], &ReaderBuilder::new())
        .unwrap();
    let got: Vec<(String, String, u64)> = t
        .records()
        .iter()
        .filter(|r| r.keys()[0] == "5686")
        .map(|r| {
            (
                r.bucket_start().to_rfc3339(),
                r.bucket_end().to_rfc3339(),
                r.metrics().rows(),
            )
        })
        .collect();
    let want = [
        ("2024-11-03T00:00:00-04:00", "2024-11-03T01:00:00-04:00", 1),
        ("2024-11-03T01:00:00-04:00", "2024-11-03T01:00:00-05:00", 4),
        ("2024-11-03T01:00:00-05:00", "2024-11-03T02:00:00-05:00", 4),
        ("2024-11-03T02:00:00-05:00", "2024-11-03T03:00:00-05:00", 1),
    ];
    assert_eq!(got.len(), 4);
    for (g, w) in got.iter().zip(want) {
        assert_eq!((g.0.as_str(), g.1.as_str(), g.2), w);
    }
}

#[test]
fn dst_days_are_23_and_25_hours() {
    let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
    let t = Rollup::new()
        .source_tz(ny)
        .interval(BucketInterval::Day)
        .run_files(&[fixture("queue_dst_days_ny.csv")], &ReaderBuilder::new())
        .unwrap();
    assert_eq!(t.records().len(), 2);
    let spring = &t.records()[0];
    assert_eq!(
        spring.bucket_start().to_rfc3339(),
        "2024-03-10T00:00:00-05:00"
    );
    assert_eq!(
        spring.bucket_end().to_rfc3339(),
        "2024-03-11T00:00:00-04:00"
    );
    assert_eq!(
        (spring.bucket_end() - spring.bucket_start()).num_hours(),
        23
    );
    assert_eq!(spring.metrics().rows(), 92);
    let fall = &t.records()[1];
    assert_eq!(
        fall.bucket_start().to_rfc3339(),
        "2024-11-03T00:00:00-04:00"
    );
    assert_eq!(fall.bucket_end().to_rfc3339(), "2024-11-04T00:00:00-05:00");
    assert_eq!((fall.bucket_end() - fall.bucket_start()).num_hours(), 25);
    let q = fall.queue().unwrap();
    assert_eq!((q.sums.rows, q.sums.answered, q.offered), (100, 100, 200));

    // Hour buckets of the same day: 25 of them, two labelled 01:00.
    let h = Rollup::new()
        .source_tz(ny)
        .from("2024-11-03".parse().unwrap())
        .to("2024-11-04".parse().unwrap())
        .run_files(&[fixture("queue_dst_days_ny.csv")], &ReaderBuilder::new())
        .unwrap();
    assert_eq!(h.records().len(), 25);
    let ones: Vec<String> = h
        .records()
        .iter()
        .map(|r| r.bucket_start().to_rfc3339())
        .filter(|s| s.contains("T01:00"))
        .collect();
    assert_eq!(
        ones,
        ["2024-11-03T01:00:00-04:00", "2024-11-03T01:00:00-05:00"]
    );
    assert!(h.records().iter().all(|r| r.metrics().rows() == 4));

    // Weeks: Monday 2024-03-04 to Monday 2024-03-11 (167 h); Sunday start
    // puts 2024-03-10 first in its week.
    let w = Rollup::new()
        .source_tz(ny)
        .interval(BucketInterval::Week)
        .week_start(ringcx_reports::window::WeekStart::Sunday)
        .run_files(&[fixture("queue_dst_days_ny.csv")], &ReaderBuilder::new())
        .unwrap();
    assert_eq!(
        w.records()[0].bucket_start().to_rfc3339(),
        "2024-03-10T00:00:00-05:00"
    );
    assert_eq!(
        w.records()[0].bucket_end().to_rfc3339(),
        "2024-03-17T00:00:00-04:00"
    );
    let m = Rollup::new()
        .source_tz(ny)
        .interval(BucketInterval::Month)
        .run_files(&[fixture("queue_dst_days_ny.csv")], &ReaderBuilder::new())
        .unwrap();
    assert_eq!(
        m.records()[1].bucket_start().to_rfc3339(),
        "2024-11-01T00:00:00-04:00"
    );
    assert_eq!(
        m.records()[1].bucket_end().to_rfc3339(),
        "2024-12-01T00:00:00-05:00"
    );
}

/// UTC rows of `len` minutes from 04:00 to 05:45 UTC on 2024-03-04.
fn utc_rows(len: u32) -> Vec<Result<QueueRow>> {
    (0..120 / len)
        .map(|i| {
            let m = i * len;
            let mut r = qrow(
                "1",
                utc_start(2024, 3, 4, 4 + m / 60, m % 60),
                len,
                2 + i as u64,
            );
            r.answ_call_cnt = Some(1);
            Ok(r)
        })
        .collect()
}

fn hours_of(t: &RollupTable) -> Vec<(String, u64)> {
    t.records()
        .iter()
        .map(|r| (r.bucket_start().to_rfc3339(), r.metrics().rows()))
        .collect()
}

#[test]
fn half_and_quarter_hour_zones() {
    let kolkata = Rollup::new()
        .tz("Asia/Kolkata".parse().unwrap())
        .run_rows(utc_rows(15))
        .unwrap();
    // 04:00Z = 09:30 IST: 09:30 and 09:45, then 10:00–10:45, then 11:00, 11:15.
    assert_eq!(
        hours_of(&kolkata),
        [
            ("2024-03-04T09:00:00+05:30".into(), 2),
            ("2024-03-04T10:00:00+05:30".into(), 4),
            ("2024-03-04T11:00:00+05:30".into(), 2)
        ]
    );
    let kathmandu = Rollup::new()
        .tz("Asia/Kathmandu".parse().unwrap())
        .run_rows(utc_rows(15))
        .unwrap();
    assert_eq!(
        hours_of(&kathmandu),
        [
            ("2024-03-04T09:00:00+05:45".into(), 1),
            ("2024-03-04T10:00:00+05:45".into(), 4),
            ("2024-03-04T11:00:00+05:45".into(), 3)
        ]
    );
    assert_eq!(
        kathmandu.records()[1].bucket_end().to_rfc3339(),
        "2024-03-04T11:00:00+05:45"
    );
}

#[test]
fn rows_that_do_not_nest_are_refused() {
    let ktm: chrono_tz::Tz = "Asia/Kathmandu".parse().unwrap();
    let e = Rollup::new().tz(ktm).run_rows(utc_rows(30)).unwrap_err();
    assert!(e.is_usage());
    let msg = e.to_string();
    assert!(
        msg.contains("choose `interval` native, day, week, month, total"),
        "{msg}"
    );
    assert!(
        msg.contains("a 30-minute row starting 2024-03-04T04:00:00+00:00"),
        "{msg}"
    );
    // With --attribution start: by start, and a warning.
    let t = Rollup::new()
        .tz(ktm)
        .attribution(Attribution::Start)
        .run_rows(utc_rows(30))
        .unwrap();
    assert_eq!(
        hours_of(&t),
        [
            ("2024-03-04T09:00:00+05:45".into(), 1),
            ("2024-03-04T10:00:00+05:45".into(), 2),
            ("2024-03-04T11:00:00+05:45".into(), 1)
        ]
    );
    assert_eq!(t.stats().warnings.len(), 1);
    assert!(t.stats().warnings[0].starts_with("2 row(s) do not nest in hour buckets"));
    // 45-minute rows never fit hours (00:45–01:30 crosses one).
    let rows: Vec<QueueRow> = (0..4)
        .map(|i| {
            let m = i * 45;
            qrow("1", utc_start(2024, 3, 4, m / 60, m % 60), 45, 2 + i as u64)
        })
        .collect();
    let e = Rollup::new()
        .run_rows(rows.iter().cloned().map(Ok))
        .unwrap_err();
    assert!(e
        .to_string()
        .contains("choose `interval` native, day, week, month, total"));
    let ok = Rollup::new()
        .interval(BucketInterval::Native)
        .run_rows(rows.into_iter().map(Ok))
        .unwrap();
    assert_eq!(
        ok.records()[1].bucket_end().to_rfc3339(),
        "2024-03-04T01:30:00+00:00"
    );
}

#[test]
fn filters_hours_days_and_range() {
    let rows = || utc_rows(15);
    let keep = |r: Rollup| -> Vec<(String, u64)> {
        hours_of(&r.interval(BucketInterval::Native).run_rows(rows()).unwrap())
    };
    // 04:00–05:45 UTC; wrap-around range and a second range.
    let h = keep(Rollup::new().hours(HourRange::parse_list("05:30-04:15,04:45-05:00").unwrap()));
    let starts: Vec<&str> = h.iter().map(|x| &x.0[11..16]).collect();
    assert_eq!(starts, ["04:00", "04:45", "05:30", "05:45"]);
    assert!(keep(Rollup::new().days(parse_days("tue").unwrap())).is_empty());
    assert_eq!(
        keep(Rollup::new().days(parse_days("mon").unwrap())).len(),
        8
    );
    let r = keep(
        Rollup::new()
            .from("2024-03-04T09:45:00+05:30".parse::<TimeBound>().unwrap())
            .to("2024-03-04T05:00".parse::<TimeBound>().unwrap()),
    );
    assert_eq!(r.len(), 3); // 04:15, 04:30, 04:45
                            // Filters apply before the nesting check: the 30-minute rows that do
                            // not nest in Kathmandu hours (09:45, 10:45) are filtered out.
    let t = Rollup::new()
        .tz("Asia/Kathmandu".parse().unwrap())
        .hours(HourRange::parse_list("10:00-10:30,11:00-12:00").unwrap())
        .run_rows(utc_rows(30))
        .unwrap();
    assert_eq!(
        hours_of(&t),
        [
            ("2024-03-04T10:00:00+05:45".into(), 1),
            ("2024-03-04T11:00:00+05:45".into(), 1)
        ]
    );
}

#[test]
fn names_per_key_latest_start_then_smallest() {
    let mut rows = Vec::new();
    for (i, (h, name)) in [(8, "Old"), (10, "Zeta"), (10, "Alpha"), (9, "Mid")]
        .iter()
        .enumerate()
    {
        let mut r = qrow("7", utc_start(2024, 3, 4, *h, 0), 15, 2 + i as u64);
        r.queue_name = (*name).into();
        // Different keys need different rows; names differ per row of one key.
        if i == 2 {
            r.start = utc_start(2024, 3, 4, 10, 15);
            r.queue_name = "Alpha".into();
        }
        rows.push(Ok(r));
    }
    let t = Rollup::new()
        .interval(BucketInterval::Day)
        .run_rows(rows)
        .unwrap();
    // Latest start is 10:15 (Alpha).
    assert_eq!(t.records()[0].keys(), ["7", "Alpha"]);
    let tie = vec![
        Ok(QueueRow {
            queue_name: "Zeta".into(),
            ..qrow("7", utc_start(2024, 3, 4, 10, 0), 15, 2)
        }),
        Ok(QueueRow {
            queue_name: "Beta".into(),
            ..qrow("8", utc_start(2024, 3, 4, 10, 0), 15, 3)
        }),
    ];
    let t = Rollup::new().by(Grouping::All).run_rows(tie).unwrap();
    assert_eq!(t.key_columns().len(), 0);
    assert_eq!(t.records()[0].metrics().rows(), 2);
}

#[test]
fn sort_numeric_when_every_value_is_an_integer() {
    let rows = |ids: &[&str]| -> Vec<Result<QueueRow>> {
        ids.iter()
            .enumerate()
            .map(|(i, q)| Ok(qrow(q, utc_start(2024, 3, 4, 8, 0), 15, 2 + i as u64)))
            .collect()
    };
    let ids = |t: RollupTable| -> Vec<String> {
        t.records().iter().map(|r| r.keys()[0].clone()).collect()
    };
    let t = Rollup::new()
        .run_rows(rows(&["10", "9", "123456789012345678901234567890", "100"]))
        .unwrap();
    assert_eq!(ids(t), ["9", "10", "100", "123456789012345678901234567890"]);
    let t = Rollup::new().run_rows(rows(&["10", "9", "A1"])).unwrap();
    assert_eq!(ids(t), ["10", "9", "A1"]);
}

#[test]
fn group_maps_csv_and_json() {
    let csv = GroupMap::from_path(fixture("queue_groups.csv"), GroupOf::Queues).unwrap();
    let t = Rollup::new()
        .by(Grouping::QueueGroup)
        .queue_groups(csv)
        .run_files(&[fixture("queue_header.csv")], &ReaderBuilder::new())
        .unwrap();
    let keys: Vec<_> = t.records().iter().map(|r| r.keys()[0].clone()).collect();
    assert_eq!(keys, ["(unmapped)", "Sales floor"]);
    assert_eq!(t.records()[1].queue().unwrap().sums.answered, 24);

    let agents =
        GroupMap::from_path(fixture("queue_groups_with_agents.json"), GroupOf::Agents).unwrap();
    let t = Rollup::new()
        .by(Grouping::AgentGroup)
        .agent_groups(agents)
        .run_files(&[fixture("agent_ext_quoted.csv")], &ReaderBuilder::new())
        .unwrap();
    let got: Vec<_> = t
        .records()
        .iter()
        .map(|r| (r.keys()[0].clone(), r.agent_ext().unwrap().sums.answered))
        .collect();
    assert_eq!(got, [("301".to_owned(), 9), ("302".to_owned(), 5)]);
    // A grouping needs its map; a grouping must suit the report.
    let e = Rollup::new()
        .by(Grouping::QueueGroup)
        .run_rows(Vec::<Result<QueueRow>>::new())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "`by` queue-group needs `queue_groups`: the map of queues to their groups"
    );
    let e = Rollup::new()
        .by(Grouping::Agent)
        .run_rows(Vec::<Result<QueueRow>>::new())
        .unwrap_err();
    assert!(e
        .to_string()
        .contains("`by` takes one of queue, queue-group, all"));
}

#[test]
fn analytics_request_maps_onto_options() {
    let req = AnalyticsRequest::from_path(fixture("analytics_request.json")).unwrap();
    let t = Rollup::new()
        .source_tz("America/New_York".parse().unwrap())
        .request(&req)
        .unwrap()
        .run_files(&[fixture("queue_fallback_ny.csv")], &ReaderBuilder::new())
        .unwrap();
    assert_eq!(t.grouping(), Grouping::All);
    assert_eq!(
        hours_of(&t),
        [
            ("2024-11-03T01:00:00-04:00".into(), 8),
            ("2024-11-03T01:00:00-05:00".into(), 8)
        ]
    );
    let bad = AnalyticsRequest::parse("r.json", r#"{"grouping":{"groupBy":"IVRs"}}"#).unwrap();
    assert!(Rollup::new().request(&bad).is_err());
}

#[test]
fn duplicates_stop_or_are_skipped() {
    let e = Rollup::new()
        .run_files(&[fixture("queue_duplicate.csv")], &ReaderBuilder::new())
        .unwrap_err();
    assert_eq!(e.code(), Some(Code::DuplicateKey));
    assert_eq!(e.location().unwrap().pos.line(), 4);
    let t = Rollup::new()
        .skip_invalid(true)
        .run_files(&[fixture("queue_duplicate.csv")], &ReaderBuilder::new())
        .unwrap();
    assert_eq!(t.stats().skipped.get(&Code::DuplicateKey), Some(&1));
    // The first row is kept, the repeat dropped.
    assert_eq!(t.records()[0].queue().unwrap().sums.answered, 24);
    // The same file twice: every row is a duplicate across files.
    let p = fixture("queue_header.csv");
    let e = Rollup::new()
        .run_files(&[p.clone(), p.clone()], &ReaderBuilder::new())
        .unwrap_err();
    assert_eq!(e.code(), Some(Code::DuplicateKey));
    let t = Rollup::new()
        .skip_invalid(true)
        .run_files(&[p.clone(), p], &ReaderBuilder::new())
        .unwrap();
    assert_eq!(t.stats().skipped.get(&Code::DuplicateKey), Some(&4));
    assert_eq!(t.records()[0].queue().unwrap().sums.rows, 2);
}

#[test]
fn sums_overflow_is_an_error() {
    let mut a = qrow("1", utc_start(2024, 3, 4, 8, 0), 15, 2);
    a.talking_call_dur = Some(u64::MAX - 1);
    let mut b = qrow("1", utc_start(2024, 3, 4, 8, 15), 15, 3);
    b.talking_call_dur = Some(2);
    let e = Rollup::new().run_rows([Ok(a), Ok(b)]).unwrap_err();
    assert_eq!(e.code(), Some(Code::Overflow));
    assert!(
        e.to_string().contains("the sum of talk_s for key 1 Q1"),
        "{e}"
    );
}

#[test]
fn json_null_and_csv_empty_for_zero_denominators() {
    let t = Rollup::new()
        .run_rows([Ok(qrow("1", utc_start(2024, 3, 4, 8, 0), 15, 2))])
        .unwrap();
    let csv = csv_of(&t);
    assert!(
        csv.lines().nth(1).unwrap().ends_with(",0,0,,0,0,,,,,"),
        "{csv}"
    );
    let mut out = Vec::new();
    write_table(&t, TableFormat::Json, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(v[0]["service_level_pct"].is_null());
    assert_eq!(v[0]["queue"], "1");
    assert_eq!(v[0]["bucket_end"], "2024-03-04T09:00:00+00:00");
}

fn arb_rows() -> impl Strategy<Value = Vec<QueueRow>> {
    proptest::collection::vec(
        (
            0u8..4,
            0u32..(3 * 96),
            proptest::collection::vec(0u64..50, 6),
        ),
        0..120,
    )
    .prop_map(|v| {
        let mut seen = std::collections::HashSet::new();
        v.into_iter()
            .filter(|(q, slot, _)| seen.insert((*q, *slot)))
            .enumerate()
            .map(|(i, (q, slot, vals))| {
                let day = 4 + slot / 96;
                let m = (slot % 96) * 15;
                let mut r = qrow(
                    &format!("{}", 10 - q),
                    utc_start(2024, 3, day, m / 60, m % 60),
                    15,
                    2 + i as u64,
                );
                r.queue_name = format!("n{}", vals[5] % 3);
                r.offd_direct_call_cnt = Some(vals[0] + vals[1]);
                r.answ_call_cnt = Some(vals[1]);
                r.aband_call_cnt = Some(vals[0]);
                r.ans_servicelevel_cnt = Some(vals[2]);
                r.talking_call_dur = Some(vals[3] * 37);
                r.queued_answ_longest_que_dur = Some(vals[4]);
                r
            })
            .collect()
    })
}

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}

fn arb_sums() -> impl Strategy<Value = QueueSums> {
    (0u64..u64::MAX / 4, 0u64..1000, 0u64..1000, 0u64..100).prop_map(|(t, a, r, l)| QueueSums {
        rows: r,
        answered: a,
        talk_s: t,
        longest_answer_wait_s: l,
        ..Default::default()
    })
}

proptest! {
    #![proptest_config(crate::util::proptest_config(48, "proptest-regressions/rollup.txt"))]

    #[test]
    fn parallel_equals_sequential(rows in arb_rows(), tz in 0usize..3) {
        let zone = ["UTC", "America/New_York", "Asia/Kathmandu"][tz];
        let r = Rollup::new()
            .tz(zone.parse().unwrap())
            .interval(BucketInterval::Day)
            .sl_formula(SlFormula::AbandonsPositive);
        let seq = r.run_rows_sequential(rows.iter().cloned().map(Ok)).unwrap();
        for n in [1, 2, 3] {
            let par = pool(n).install(|| r.run_rows(rows.iter().cloned().map(Ok))).unwrap();
            prop_assert_eq!(csv_of(&par), csv_of(&seq));
        }
        // Reversed row order: the same names, sums and output.
        let rev = r.run_rows(rows.iter().rev().cloned().map(Ok)).unwrap();
        prop_assert_eq!(csv_of(&rev), csv_of(&seq));
    }

    #[test]
    fn merge_is_associative_with_identity(a in arb_sums(), b in arb_sums(), c in arb_sums()) {
        let mut ab = a; ab.merge(&b);
        let mut ab_c = ab; ab_c.merge(&c);
        let mut bc = b; bc.merge(&c);
        let mut a_bc = a; a_bc.merge(&bc);
        prop_assert_eq!(ab_c, a_bc);
        let mut ba = b; ba.merge(&a);
        prop_assert_eq!(ab, ba);
        let mut id = a; id.merge(&QueueSums::default());
        prop_assert_eq!(id, a);
        let mut id2 = QueueSums::default(); id2.merge(&a);
        prop_assert_eq!(id2, a);
    }
}

const HEADER: &str = "interval,date_from,time,queue,queue_name,offd_direct_call_cnt,overflow_in_call_cnt,aband_call_cnt,overflow_out_call_cnt,answ_call_cnt,queued_and_answ_call_dur,queued_and_aband_call_dur,talking_call_dur,wrap_up_dur,queued_answ_longest_que_dur,queued_aband_longest_que_dur,ans_servicelevel_cnt,wait_dur,aband_short_call_cnt,aband_within_sl_cnt";

#[test]
fn file_order_and_threads_do_not_change_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for f in 0..4 {
        let mut s = format!("{HEADER}\n");
        for q in 0..5 {
            for slot in 0..40 {
                let m = slot * 15;
                let (h, mi) = (m / 60, m % 60);
                s.push_str(&format!(
                    "15,2024030{},{h:02}:{mi:02},{},Q{q}-{f},{},0,{},0,{},5,1,{},7,3,1,{},9,0,0\n",
                    4 + f,
                    q * 7 + 3,
                    slot % 5 + 1,
                    slot % 2,
                    slot % 4,
                    slot * 11 + f,
                    slot % 3
                ));
            }
        }
        let p = dir.path().join(format!("part{f}.csv"));
        std::fs::write(&p, s).unwrap();
        paths.push(p);
    }
    let r = Rollup::new().interval(BucketInterval::Min30);
    let rb = ReaderBuilder::new();
    let reference = csv_of(&r.run_files_sequential(&paths, &rb).unwrap());
    assert_eq!(reference.lines().count(), 1 + 5 * 80);
    // Names come from each key's latest row (the last file's day).
    assert!(reference
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("3,Q0-3,2024-03-04T00:00:00+00:00,"));
    for n in [1, 2] {
        let mut shuffled = paths.clone();
        shuffled.reverse();
        shuffled.swap(0, 2);
        let a = pool(n).install(|| r.run_files(&paths, &rb)).unwrap();
        let b = pool(n).install(|| r.run_files(&shuffled, &rb)).unwrap();
        assert_eq!(csv_of(&a), reference);
        assert_eq!(csv_of(&b), reference);
    }
}

#[test]
fn cli_formats() {
    let o = rcx(&["rollup", "fixtures/queue_header.csv"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("queue,queue_name,bucket_start,bucket_end,rows,direct,"));
    assert!(lines[0].ends_with(",aht_s,asa_s,avg_abandon_wait_s,occupancy_pct"));
    assert_eq!(
        lines[2],
        "5688,\"Support, Tier 1\",2024-03-04T08:00:00+00:00,2024-03-04T09:00:00+00:00,2,17,1,0,17,1,0,1,15,18,2620,340,2960,160,15,1230,25,15,15,18,83.33,1,18,5.56,174.12,9.41,15.00,70.64"
    );

    let o = rcx(&[
        "rollup",
        "fixtures/queue_header.csv",
        "--format",
        "json",
        "--interval",
        "native",
    ]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 4);
    assert_eq!(v[1]["bucket_start"], "2024-03-04T08:15:00+00:00");
    assert_eq!(v[1]["service_level_pct"].to_string(), "66.67"); // 10 / (13+3−1)

    let o = rcx(&[
        "rollup",
        "fixtures/queue_header.csv",
        "--format",
        "ndjson",
        "--by",
        "all",
    ]);
    assert_eq!(stdout(&o).lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["answered"], 41);

    let o = rcx(&["rollup", "fixtures/queue_header.csv", "--format", "table"]);
    let t = stdout(&o);
    assert!(t
        .lines()
        .next()
        .unwrap()
        .starts_with("queue  queue_name       bucket_start"));
    assert!(t
        .lines()
        .nth(2)
        .unwrap()
        .starts_with("5688   Support, Tier 1  2024-03-04T08:00:00+00:00"));

    let o = rcx(&[
        "rollup",
        "fixtures/queue_header.csv",
        "--format",
        "analytics",
        "--interval",
        "15m",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["data"]["groupedBy"], "Queues");
    let rec = &v["data"]["records"][0];
    assert_eq!(rec["key"], "5686");
    assert_eq!(rec["info"]["name"], "Sales");
    // A timeline: points, no totals.
    assert!(rec.get("counters").is_none());
    let p = &rec["points"];
    assert_eq!(p.as_array().unwrap().len(), 2);
    assert_eq!(p[1]["time"], "2024-03-04T08:15:00+00:00");
    // Sales 08:00: 12 direct + 2 overflow in offered; 180 + 40 s waited,
    // 1650 s talk; 9 of 11 answered within SL.
    assert_eq!(p[0]["counters"]["allCalls"]["values"], 14);
    assert_eq!(p[0]["counters"]["allCalls"]["valueType"], "Instances");
    assert_eq!(
        p[0]["counters"]["callsByQueueSla"]["values"],
        serde_json::json!({"inSla": 9, "outOfSla": 2})
    );
    assert_eq!(p[0]["timers"]["allCalls"]["values"], 1870);
    assert_eq!(p[0]["timers"]["allCalls"]["valueType"], "Seconds");
    let o = rcx(&[
        "rollup",
        "fixtures/queue_header.csv",
        "--format",
        "analytics",
        "--interval",
        "total",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["data"]["records"][0].get("points").is_none());
    assert_eq!(
        v["data"]["records"][0]["counters"]["allCalls"]["values"],
        30
    );

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.csv");
    let o = rcx(&[
        "rollup",
        "fixtures/queue_header.csv",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), "");
    assert_eq!(std::fs::read_to_string(&target).unwrap().lines().count(), 3);
}

#[test]
fn cli_exit_codes() {
    // Usage: rows that do not nest (exit 2, valid choices named).
    let o = rcx(&[
        "rollup",
        "fixtures/queue_headerless21_semicolon.csv",
        "--tz",
        "Asia/Kathmandu",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("choose --interval native, day, week, month, total"));
    let o = rcx(&[
        "rollup",
        "fixtures/queue_headerless21_semicolon.csv",
        "--tz",
        "Asia/Kathmandu",
        "--attribution",
        "start",
    ]);
    assert_eq!(code(&o), 0);
    // 09:00 UTC is 14:45 in Kathmandu: 14:45–15:15 crosses an hour.
    assert!(stderr(&o).contains("warning: 1 row(s) do not nest in hour buckets"));
    let o = rcx(&["rollup", "fixtures/queue_header.csv", "--by", "agent"]);
    assert_eq!(code(&o), 2);
    // Data: spring-forward gap rows (V109) stop the rollup...
    let o = rcx(&[
        "rollup",
        "fixtures/queue_springforward_ny.csv",
        "--source-tz",
        "America/New_York",
    ]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("queue_springforward_ny.csv:4: error[V109] time:"));
    assert_eq!(stdout(&o), "");
    // ...or are skipped, counted, and the exit is 1.
    let o = rcx(&[
        "rollup",
        "fixtures/queue_springforward_ny.csv",
        "--source-tz",
        "America/New_York",
        "--skip-invalid",
    ]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).starts_with("rcx: skipped 4 invalid row(s) (V109: 4); first: "));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 3);
    assert!(out.contains("\n5686,Sales,2024-03-10T01:00:00-05:00,2024-03-10T03:00:00-04:00,2,"));
    let o = rcx(&["rollup", "fixtures/queue_duplicate.csv"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("queue_duplicate.csv:4: error[F401] queue: duplicate row"));
    let o = rcx(&["rollup", "fixtures/no_such_file.csv"]);
    assert_eq!(code(&o), 2);
}

/// An unknown column is not read; the rollup says so on stderr (S004, with
/// the file and line) instead of dropping its values silently, and still
/// rolls the file up. The library returns the same finding in its stats,
/// on the chunked and the sequential path alike.
#[test]
fn unknown_column_is_a_warning_of_the_rollup() {
    let path = fixture("invalid/s004_unknown_column.csv");
    let want = format!(
        "{}:1: warning[S004] site: column 21 is not a field of the queue report; \
         its values are not read (value \"site\")",
        path.display()
    );
    let out = rcx(&["rollup", path.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stderr(&out), format!("rcx: warning: {want}\n"));
    assert!(stdout(&out).contains("\n5686,Sales,2024-03-04T08:00:00+00:00,"));

    let rb = ReaderBuilder::new();
    let par = Rollup::new().run_files(&[&path], &rb).unwrap();
    let seq = Rollup::new().run_files_sequential(&[&path], &rb).unwrap();
    let chunked = Rollup::new()
        .try_run_files_chunked(&[&path], &rb)
        .unwrap()
        .expect("a clean sorted CSV takes the chunked path");
    for t in [&par, &seq, &chunked] {
        assert_eq!(t.stats().warnings, std::slice::from_ref(&want));
    }
    assert_eq!(par, seq);
    assert_eq!(chunked, seq);
}

/// One `Window` block sets the same time options as the builder's methods
/// one by one, and a rollup and a timeline can share it.
#[test]
fn a_window_block_sets_the_rollups_time_options() {
    use ringcx_reports::window::Window;
    let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
    let days = parse_days("sun,mon").unwrap();
    let window = Window::new()
        .interval(BucketInterval::Day)
        .tz(ny)
        .days(days);
    let rb = ReaderBuilder::new().source_tz(ny);
    let path = fixture("queue_dst_days_ny.csv");
    let whole = Rollup::new()
        .window(window.clone())
        .run_files(&[&path], &rb)
        .unwrap();
    let one_by_one = Rollup::new()
        .interval(BucketInterval::Day)
        .tz(ny)
        .days(days)
        .run_files(&[&path], &rb)
        .unwrap();
    assert_eq!(whole, one_by_one);
    // The fixture's two days (Sunday 10 March and Sunday 3 November) are
    // both kept by "sun,mon", in 23- and 25-hour local days.
    let spans: Vec<i64> = whole
        .records()
        .iter()
        .filter(|r| r.keys()[0] == "5686")
        .map(|r| (r.bucket_end() - r.bucket_start()).num_hours())
        .collect();
    assert_eq!(spans, [23, 25]);
    assert_eq!(
        Rollup::new().window(window).bucket_interval(),
        BucketInterval::Day
    );
}

/// SPEC 8: every key of a request body is honoured or refused naming its
/// JSON path; the time settings of a seed-style body (timeZone under
/// advancedTimeSettings) answer as the same options given as flags. The
/// response keys (ids, filters, responseOptions) are in `analytics.rs`.
#[test]
fn analytics_request_honours_or_refuses_every_key_by_path() {
    let refused = |body: &str, path: &str| {
        let e = AnalyticsRequest::parse("r.json", body)
            .and_then(|r| Rollup::new().request(&r).map(|_| ()))
            .expect_err(body);
        let m = e.to_string();
        assert!(e.is_usage(), "{m}");
        assert!(m.contains(path), "{body}: {m}");
    };
    let range = r#""timeRange": {"timeFrom": "2024-11-03T00:00:00-04:00", "timeTo": "2024-11-04T00:00:00-05:00"}"#;
    let body = |extra: &str| {
        format!(
            r#"{{{extra}"timeSettings": {{{range},
                "advancedTimeSettings": {{"timeZone": "Europe/Moscow", "includeDays": ["Sunday"]}}}},
               "interval": "Hour"}}"#
        )
    };
    refused(
        r#"{"callFilters": {"directions": ["Inbound"]}}"#,
        "callFilters.directions",
    );
    refused(
        r#"{"grouping": {"groupBy": "Users", "groupByMembers": "Departments"}}"#,
        "grouping.groupByMembers",
    );
    refused(
        r#"{"groupng": {"groupBy": "Queues"}}"#,
        "groupng: unknown key",
    );
    refused(
        r#"{"timeSettings": {"timeZon": "UTC"}}"#,
        "timeSettings.timeZon: unknown key",
    );
    refused(
        r#"{"timeSettings": {"advancedTimeSettings": {"includeHours": [{"from": "08:00", "to": "09:00", "till": "10:00"}]}}}"#,
        "timeSettings.advancedTimeSettings.includeHours[0].till: unknown key",
    );
    refused(
        r#"{"timeSettings": {"timeZone": "UTC", "advancedTimeSettings": {"timeZone": "Europe/Moscow"}}}"#,
        "timeSettings.advancedTimeSettings.timeZone \"Europe/Moscow\" differs from timeSettings.timeZone",
    );
    refused(
        r#"{"timeSettings": {"timeZone": "Mars/Olympus"}}"#,
        "timeSettings.timeZone: unknown time zone",
    );
    refused(
        r#"{"timeSettings": {"advancedTimeSettings": {"includeDays": ["Funday"]}}}"#,
        "includeDays[0]: unknown day",
    );
    refused(r#"{"grouping": []}"#, "grouping must be an object");

    // What is left is answered, as the same options given as flags.
    let files = [fixture("queue_fallback_ny.csv")];
    let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
    let run = |r: Rollup| {
        r.source_tz(ny)
            .run_files(&files, &ReaderBuilder::new())
            .unwrap()
    };
    let req = AnalyticsRequest::parse("r.json", &body("")).unwrap();
    let got = run(Rollup::new().request(&req).unwrap());
    let flags = Rollup::new()
        .by(Grouping::All)
        .tz("Europe/Moscow".parse().unwrap())
        .from("2024-11-03T00:00:00-04:00".parse().unwrap())
        .to("2024-11-04T00:00:00-05:00".parse().unwrap())
        .days(parse_days("sun").unwrap())
        .interval(BucketInterval::Hour);
    let want = run(flags);
    assert_eq!(got.grouping(), Grouping::All);
    assert_eq!(hours_of(&got), hours_of(&want));
    assert!(
        hours_of(&got)[0].0.ends_with("+03:00"),
        "{:?}",
        hours_of(&got)
    );
    // Null, empty and missing ask for nothing; no grouping is the company.
    for b in [
        r#"{"grouping": null, "additionalFilters": {}, "responseOptions": null}"#,
        r#"{"grouping": {}, "callFilters": {}}"#,
        r#"{"grouping": {"groupBy": "WholeCompany", "ids": []}}"#,
        r#"{}"#,
    ] {
        let r = AnalyticsRequest::parse("r.json", b).unwrap();
        assert_eq!(r.grouping().unwrap(), Some(Grouping::All), "{b}");
        // No `interval`: an aggregate request, one record for the range.
        assert_eq!(r.interval, Some(BucketInterval::Total), "{b}");
    }
    let req = AnalyticsRequest::parse("r.json", r#"{"grouping": {"groupBy": "Queues"}}"#).unwrap();
    let got = run(Rollup::new().request(&req).unwrap());
    let want = run(Rollup::new()
        .by(Grouping::Queue)
        .interval(BucketInterval::Total));
    assert_eq!(got.records().len(), want.records().len());
    assert_eq!(got.records(), want.records());
    let queues: std::collections::BTreeSet<_> =
        got.records().iter().map(|r| r.keys().to_vec()).collect();
    assert_eq!(queues.len(), got.records().len(), "one record per queue");
}

/// `rcx rollup --request` exits 2 naming the refused key's path.
#[test]
fn rollup_request_with_an_unanswered_key_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("req.json");
    std::fs::write(
        &req,
        r#"{"grouping": {"groupBy": "Queues"}, "additionalFilters": {"origin": "External"}}"#,
    )
    .unwrap();
    let o = rcx(&[
        "rollup",
        "fixtures/queue_fallback_ny.csv",
        "--source-tz",
        "America/New_York",
        "--request",
        req.to_str().unwrap(),
        "--format",
        "analytics",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("additionalFilters.origin: not answered: neither interval reports"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
}
