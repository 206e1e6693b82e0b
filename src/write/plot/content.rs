//! What a chart shows of a rollup table: its keys (one panel each, with
//! their labels), the series each report draws and their colours, a
//! bucket's values in the units of the axes, and the texts around them
//! (title, subtitle, panel captions with totals, x-axis category labels).

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset};
use plotters::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::model::ReportKind;
use crate::rollup::{Grouping, Metrics, RollupRecord, RollupTable, Span};
use crate::window::BucketInterval;

const OFFERED: RGBColor = RGBColor(0x9e, 0xca, 0xe1);
const ANSWERED: RGBColor = RGBColor(0x31, 0x82, 0xbd);
const WORK: RGBColor = RGBColor(0x31, 0x82, 0xbd);
const SERVICE: RGBColor = RGBColor(0x2c, 0xa2, 0x5f);
const ABANDON: RGBColor = RGBColor(0xd7, 0x30, 0x27);
const TRANSFER: RGBColor = RGBColor(0xe6, 0x7e, 0x22);

/// One key's records, in bucket order.
pub(super) struct Key<'a> {
    pub(super) label: String,
    pub(super) records: Vec<&'a RollupRecord>,
}

pub(super) fn keys_of(table: &RollupTable) -> Vec<Key<'_>> {
    let mut out: Vec<Key<'_>> = Vec::new();
    for r in table.records() {
        match out.last_mut() {
            Some(k) if k.records[0].keys() == r.keys() => k.records.push(r),
            _ => out.push(Key {
                label: key_label(table.grouping(), r.keys()),
                records: vec![r],
            }),
        }
    }
    out
}

fn key_label(g: Grouping, keys: &[String]) -> String {
    let pair = |id: &str, name: &str| {
        if name.is_empty() {
            id.to_owned()
        } else {
            format!("{id} {name}")
        }
    };
    match (g, keys) {
        (Grouping::All, _) => "all".to_owned(),
        (Grouping::AgentQueue, [a, an, q, qn]) => {
            format!("{} in {}", pair(a, an), pair(q, qn))
        }
        (_, [id, name]) => pair(id, name),
        (_, [one]) => one.clone(),
        (_, many) => many.join(" "),
    }
}

fn kind_name(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Queue => "Queue Statistics",
        ReportKind::AgentExt => "Agent Extended Statistics",
        ReportKind::Agent => "Agent Statistics",
        ReportKind::Segments => "Segments",
    }
}

fn f(d: Option<Decimal>) -> Option<f64> {
    d.and_then(|d| d.to_f64())
}

fn pct_text(d: Option<Decimal>) -> String {
    match d {
        Some(d) => format!("{d} %"),
        None => "n/a".to_owned(),
    }
}

/// Bars and lines of one bucket, in the units the axes show.
pub(super) struct Point {
    pub(super) bars: Vec<f64>,
    pub(super) lines: Vec<Option<f64>>,
}

pub(super) struct Series {
    pub(super) bars: &'static [(&'static str, RGBColor)],
    pub(super) lines: &'static [(&'static str, RGBColor)],
    pub(super) unit: &'static str,
}

pub(super) fn series(kind: ReportKind) -> Series {
    match kind {
        ReportKind::Queue => Series {
            bars: &[("offered", OFFERED), ("answered", ANSWERED)],
            lines: &[("service level %", SERVICE), ("abandon rate %", ABANDON)],
            unit: "calls",
        },
        ReportKind::AgentExt => Series {
            bars: &[("answered", ANSWERED)],
            lines: &[("transfer rate %", TRANSFER)],
            unit: "calls",
        },
        _ => Series {
            bars: &[("work time", WORK)],
            lines: &[],
            unit: "minutes",
        },
    }
}

pub(super) fn point(m: &Metrics) -> Point {
    match m {
        Metrics::Queue(q) => Point {
            bars: vec![q.offered as f64, q.sums.answered as f64],
            lines: vec![f(q.service_level_pct()), f(q.abandon_rate_pct())],
        },
        Metrics::AgentExt(a) => Point {
            bars: vec![a.sums.answered as f64],
            lines: vec![f(a.transfer_rate_pct())],
        },
        Metrics::Agent(a) => Point {
            bars: vec![a.sums.work_s as f64 / 60.0],
            lines: Vec::new(),
        },
    }
}

/// The panel caption's totals over all of a key's buckets.
pub(super) fn totals(table: &RollupTable, key: &Key<'_>) -> String {
    match table.combine(key.records.iter().copied()) {
        Some(Metrics::Queue(q)) => format!(
            "offered {}, answered {}, service level {}, abandon rate {}",
            q.offered,
            q.sums.answered,
            pct_text(q.service_level_pct()),
            pct_text(q.abandon_rate_pct())
        ),
        Some(Metrics::AgentExt(a)) => format!(
            "answered {}, transferred {}, transfer rate {}, AHT {}",
            a.sums.answered,
            a.sums.transferred_out,
            pct_text(a.transfer_rate_pct()),
            a.aht_s()
                .map(|s| format!("{s} s"))
                .unwrap_or_else(|| "n/a".into())
        ),
        Some(Metrics::Agent(a)) => format!(
            "work {} min, available {} min, paused {} min",
            a.sums.work_s / 60,
            a.sums.avail_s / 60,
            a.sums.pause_s / 60
        ),
        None => String::new(),
    }
}

/// Category labels for the x axis: short forms for the interval; labels
/// that would read the same (the repeated fall-back hour) get their offset.
pub(super) fn labels(interval: BucketInterval, starts: &[DateTime<FixedOffset>]) -> Vec<String> {
    let same_day = starts
        .first()
        .is_some_and(|a| starts.iter().all(|s| s.date_naive() == a.date_naive()));
    let fmt = match interval {
        BucketInterval::Day | BucketInterval::Week => "%Y-%m-%d",
        BucketInterval::Month => "%Y-%m",
        BucketInterval::Total => "%Y-%m-%d %H:%M",
        _ if same_day => "%H:%M",
        _ => "%m-%d %H:%M",
    };
    let plain: Vec<String> = starts.iter().map(|s| s.format(fmt).to_string()).collect();
    let mut seen = BTreeSet::new();
    let repeated: BTreeSet<&String> = plain.iter().filter(|l| !seen.insert(*l)).collect();
    plain
        .iter()
        .zip(starts)
        .map(|(l, s)| {
            if repeated.contains(l) {
                format!("{l} {}", s.format("%:z"))
            } else {
                l.clone()
            }
        })
        .collect()
}

pub(super) fn title_of(table: &RollupTable) -> String {
    format!(
        "{} by {}, {} buckets, {}",
        kind_name(table.kind()),
        table.grouping(),
        table.interval(),
        table.tz().name()
    )
}

pub(super) fn subtitle_of(
    table: &RollupTable,
    span: Option<Span>,
    keys: usize,
    panels: usize,
    merged_from: Option<BucketInterval>,
) -> String {
    let span = match span {
        Some((a, b)) => format!(
            "{} to {}",
            a.format("%Y-%m-%d %H:%M %:z"),
            b.format("%Y-%m-%d %H:%M %:z")
        ),
        None => "no rows".to_owned(),
    };
    let mut s = format!(
        "{span} · {keys} key{} ({panels} shown) · {} rows",
        if keys == 1 { "" } else { "s" },
        table.stats().rows_kept
    );
    if let Some(from) = merged_from {
        s.push_str(&format!(" · drawn by {} (from {from})", table.interval()));
    }
    if table.kind() == ReportKind::Queue {
        s.push_str(&format!(
            " · service level formula {}",
            table.options().sl_formula
        ));
    }
    s
}
