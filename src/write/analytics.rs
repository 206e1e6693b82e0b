//! The RingCentral Analytics API response shape for a rollup (SPEC 4.4).
//!
//! ```json
//! {"paging": {"page": 0, "perPage": 2},
//!  "data": {"groupedBy": "Queues", "records": [
//!    {"key": "5686", "info": {"name": "Sales"},
//!     "counters": {"answered": {"valueType": "Instances", "values": 24}, ...},
//!     "timers": {"talk": {"valueType": "Seconds", "values": 3730}, ...},
//!     "points": [{"time": "2024-03-04T08:00:00+00:00", "counters": {...}, "timers": {...}}]}]}}
//! ```
//!
//! Each record is one output key with its totals over all its buckets
//! (ratios recomputed from the summed sums); `points` lists its buckets,
//! unless the interval is `total`. Counts and percentages are counters
//! (`Instances`, `Percent`), durations are timers (`Seconds`); metric names
//! are the column names in camelCase without their unit suffix
//! (`service_level_pct` → `serviceLevel`, `talk_s` → `talk`). A column
//! selection ([`Rollup::columns`](crate::rollup::Rollup::columns)) keeps only
//! the selected metrics, in the selection's order, in `counters` and
//! `timers`.
//!
//! JSON is written by hand, not through `serde_json`: numbers print as
//! their fixed-decimal text (`12.50`, `60.000`), which `serde_json` (an
//! `f64` prints `12.5`) cannot reproduce byte for byte, and rows stream
//! through one reused buffer. Strings are escaped by `json_string`
//! (`serde_json`'s escaping).

use crate::model::write_rfc3339;
use crate::rollup::{Grouping, MetricColumns, Metrics, RollupRecord, RollupTable, Unit};
use crate::window::BucketInterval;

use super::cell::cell_text;
use super::json_string;

/// The Analytics `groupedBy` value of a grouping.
pub fn grouped_by(g: Grouping) -> &'static str {
    match g {
        Grouping::Queue => "Queues",
        Grouping::Agent => "Users",
        Grouping::AgentQueue => "QueueAgents",
        Grouping::QueueGroup => "QueueGroups",
        Grouping::AgentGroup => "UserGroups",
        Grouping::All => "Company",
    }
}

/// `service_level_pct` → `serviceLevel`.
pub fn analytics_name(column: &str) -> String {
    let base = column
        .strip_suffix("_pct")
        .or_else(|| column.strip_suffix("_s"))
        .unwrap_or(column);
    let mut out = String::with_capacity(base.len());
    let mut up = false;
    for ch in base.chars() {
        if ch == '_' {
            up = true;
        } else if up {
            out.extend(ch.to_uppercase());
            up = false;
        } else {
            out.push(ch);
        }
    }
    out
}

fn metric_maps(out: &mut String, cols: &MetricColumns, m: &Metrics) {
    for (label, timers) in [("counters", false), ("timers", true)] {
        out.push_str(",\"");
        out.push_str(label);
        out.push_str("\":{");
        let mut first = true;
        for (i, c) in cols.indexed() {
            if (c.unit == Unit::Seconds) != timers {
                continue;
            }
            if !first {
                out.push(',');
            }
            first = false;
            json_string(out, &analytics_name(c.name));
            out.push_str(":{\"valueType\":\"");
            out.push_str(match c.unit {
                Unit::Count => "Instances",
                Unit::Seconds => "Seconds",
                Unit::Percent => "Percent",
            });
            out.push_str("\",\"values\":");
            cell_text(out, m.cell(i), "null");
            out.push('}');
        }
        out.push('}');
    }
}

fn key_and_name(table: &RollupTable, r: &RollupRecord) -> (String, String) {
    let k = r.keys();
    match table.grouping() {
        Grouping::Queue | Grouping::Agent => (k[0].clone(), k[1].clone()),
        Grouping::AgentQueue => (format!("{}/{}", k[0], k[2]), format!("{} / {}", k[1], k[3])),
        Grouping::QueueGroup | Grouping::AgentGroup => (k[0].clone(), k[0].clone()),
        Grouping::All => ("all".to_owned(), "All".to_owned()),
    }
}

/// Appends the Analytics response for `table` to `out`.
pub(crate) fn write_analytics(table: &RollupTable, out: &mut String) {
    let cols = table.metric_columns();
    let recs = table.records();
    // Records are sorted by key, so a key's buckets are adjacent.
    let mut groups: Vec<&[RollupRecord]> = Vec::new();
    let mut i = 0;
    while i < recs.len() {
        let j = recs[i..]
            .iter()
            .position(|r| r.keys() != recs[i].keys())
            .map_or(recs.len(), |n| i + n);
        groups.push(&recs[i..j]);
        i = j;
    }
    out.push_str("{\"paging\":{\"page\":0,\"perPage\":");
    out.push_str(&groups.len().to_string());
    out.push_str("},\"data\":{\"groupedBy\":\"");
    out.push_str(grouped_by(table.grouping()));
    out.push_str("\",\"records\":[");
    for (gi, g) in groups.iter().enumerate() {
        if gi > 0 {
            out.push(',');
        }
        out.push_str("\n{\"key\":");
        let (key, name) = key_and_name(table, &g[0]);
        json_string(out, &key);
        out.push_str(",\"info\":{\"name\":");
        json_string(out, &name);
        out.push('}');
        match table.combine(g.iter()) {
            Some(total) => metric_maps(out, cols, &total),
            // Totals that pass u64::MAX: the per-bucket points still print.
            None => out.push_str(",\"counters\":null,\"timers\":null"),
        }
        if table.interval() != BucketInterval::Total {
            out.push_str(",\"points\":[");
            for (pi, r) in g.iter().enumerate() {
                if pi > 0 {
                    out.push(',');
                }
                out.push_str("{\"time\":\"");
                let t = r.bucket_start();
                write_rfc3339(out, t.naive_local(), t.offset().local_minus_utc());
                out.push('"');
                metric_maps(out, cols, r.metrics());
                out.push('}');
            }
            out.push(']');
        }
        out.push('}');
    }
    out.push_str("\n]}}\n");
}

#[cfg(test)]
mod examples {
    // The examples of crate-internal items, run as unit tests.
    use super::*;

    #[test]
    fn analytics_name_examples() {
        assert_eq!(analytics_name("service_level_pct"), "serviceLevel");
        assert_eq!(analytics_name("longest_answer_wait_s"), "longestAnswerWait");
        assert_eq!(analytics_name("rows"), "rows");
    }
}
