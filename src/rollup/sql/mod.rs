//! A rollup as one SQL query over the Parquet `rcx convert` writes (SPEC 9):
//! engines that scale past one machine (DuckDB, Spark SQL, Trino) compute
//! the columns and values `rcx rollup --format csv` prints.
//!
//! Everything the query computes comes from the rollup's own facts: the
//! accumulated values and their source fields from the sums' `SOURCES`,
//! the metric columns from their catalogue [`Def`]s, service level and
//! abandon rate from [`fraction_terms`], the buckets, filters and the
//! nesting rule from the window options, the name of a key as
//! [`NamePick`](super::NamePick) chooses it and the key order of
//! `window::key`. Ratios are rounded half away from zero in integer
//! arithmetic, so no engine's floating point or decimal rules take part.
//!
//! Buckets are computed from each row's UTC start and the bucket zone's
//! offset at that instant (a local epoch), which keeps the two local
//! 01:00 hours of a fall-back day apart as rcx does. That is exact when
//! every change of the zone's offset falls on a bucket boundary on both
//! sides of the change (sub-day buckets), or moves no local midnight
//! (day, week and month buckets); a zone where that fails between 1970
//! and 2100 is refused, naming the change, rather than answered another
//! way.

use std::fmt::Write as _;
use std::ops::{Add, Sub};

use chrono_tz::Tz;

mod dialect;

pub use dialect::SqlDialect;

use super::accum::{AgentExtSums, AgentSums, Agg, QueueSums};
use super::column::{Def, Derived};
use super::metrics::fraction_terms;
use super::{Grouping, Plan, Rollup};
use crate::error::{Error, Result};
use crate::model::ReportKind;
use crate::option::OptionName;
use crate::window::{offset_change, offset_secs, Attribution, BucketInterval, WeekStart};

/// An SQL expression that adds and subtracts, for [`fraction_terms`].
#[derive(Clone, Debug)]
struct Expr(String);

impl Add for Expr {
    type Output = Expr;
    fn add(self, o: Expr) -> Expr {
        Expr(format!("({} + {})", self.0, o.0))
    }
}

impl Sub for Expr {
    type Output = Expr;
    fn sub(self, o: Expr) -> Expr {
        Expr(format!("({} - {})", self.0, o.0))
    }
}

/// The accumulated values of a report: name, how, source field.
fn sources(kind: ReportKind) -> &'static [(&'static str, Agg, &'static str)] {
    match kind {
        ReportKind::Queue => QueueSums::SOURCES,
        ReportKind::AgentExt => AgentExtSums::SOURCES,
        ReportKind::Agent => AgentSums::SOURCES,
        ReportKind::Segments => &[],
    }
}

/// The key id columns of a grouping (Parquet columns) and, for each, the
/// Parquet column of its name (if printed).
fn key_sources(g: Grouping) -> &'static [(&'static str, &'static str)] {
    match g {
        Grouping::Queue => &[("queue", "queue_name")],
        Grouping::Agent => &[("agent_id", "agent_name")],
        Grouping::AgentQueue => &[("agent_id", "agent_name"), ("queue", "queue_name")],
        Grouping::QueueGroup | Grouping::AgentGroup | Grouping::All => &[],
    }
}

impl Rollup {
    /// One query in `dialect` over the Parquet that `rcx convert` writes
    /// from `kind` rows (`input`: its path for DuckDB, a file or a
    /// date-partitioned directory, and Spark; a table over it for Trino),
    /// whose result has the columns and values `rcx rollup --format csv`
    /// prints for the same rows and options: key columns (names chosen as
    /// rcx chooses them), `bucket_start` and `bucket_end` as RFC 3339 text
    /// in the bucket zone, the metric columns (sums as integers, ratios as
    /// decimals with two places, empty when undefined), in rcx's order.
    ///
    /// Rows that do not nest in their bucket fail the query, as rcx
    /// refuses them, unless the attribution is by start. What the query
    /// cannot do exactly is refused by name: group maps, the ids of an
    /// Analytics request, and a bucket zone whose offset changes inside a
    /// bucket (see the module docs).
    ///
    /// ```
    /// use ringcx_reports::rollup::{Rollup, SqlDialect};
    /// use ringcx_reports::window::BucketInterval;
    /// use ringcx_reports::ReportKind;
    /// let sql = Rollup::new()
    ///     .interval(BucketInterval::Day)
    ///     .tz("America/New_York".parse().unwrap())
    ///     .columns(["offered", "service_level_pct"])
    ///     .sql(ReportKind::Queue, SqlDialect::Duckdb, "q.parquet")?;
    /// assert!(sql.contains("read_parquet('q.parquet')"));
    /// assert!(sql.contains("AS \"service_level_pct\""));
    /// // A zone whose clock moves by 30 minutes cannot have exact hours.
    /// let e = Rollup::new()
    ///     .tz("Australia/Lord_Howe".parse().unwrap())
    ///     .sql(ReportKind::Queue, SqlDialect::Duckdb, "q.parquet")
    ///     .unwrap_err();
    /// assert!(e.to_string().contains("Australia/Lord_Howe"));
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn sql(&self, kind: ReportKind, dialect: SqlDialect, input: &str) -> Result<String> {
        let plan = self.plan(kind, self.source_tz.unwrap_or(Tz::UTC))?;
        let refuse = |what: String| {
            Err(Error::usage(format!(
                "{what}: the SQL query cannot compute it (rcx rollup can)"
            )))
        };
        if self.queue_groups.is_some() || plan.grouping == Grouping::QueueGroup {
            return refuse(format!("{} (a group map)", OptionName::QueueGroups));
        }
        if self.agent_groups.is_some() || plan.grouping == Grouping::AgentGroup {
            return refuse(format!("{} (a group map)", OptionName::AgentGroups));
        }
        if plan.queue_ids.is_some() || plan.agent_ids.is_some() {
            return refuse("the queue or agent ids of an Analytics request".into());
        }
        check_zone(&plan.tz, plan.interval, (plan.filter.from, plan.filter.to))?;
        Ok(Query {
            plan: &plan,
            d: dialect,
        }
        .text(input))
    }
}

/// Refuses a bucket zone in which the query's buckets could differ from
/// rcx's: an offset change between `from` and `to` (default 1970 and 2100)
/// that does not fall on a bucket boundary on both sides (sub-day
/// buckets) or that moves a local midnight (day, week, month).
fn check_zone(
    tz: &Tz,
    interval: BucketInterval,
    (from, to): (Option<i64>, Option<i64>),
) -> Result<()> {
    let n: i64 = match interval {
        BucketInterval::Day | BucketInterval::Week | BucketInterval::Month => 86_400,
        BucketInterval::Native | BucketInterval::Total => return Ok(()),
        _ => sub_day(interval),
    };
    // 1970-01-01 to 2100-01-01, or the rows kept, a day to spare.
    let (from, to) = (
        from.map_or(0, |f| f - 86_400),
        to.map_or(4_102_444_800, |t| t + 86_400),
    );
    const STEP: i64 = 6 * 3600;
    let mut t = from;
    let mut before = offset_secs(tz, t) as i64;
    while t < to {
        let next = t + STEP;
        let after = offset_secs(tz, next) as i64;
        if after != before {
            let c = offset_change(tz, t, next);
            let fits = if n < 86_400 {
                (c + before).rem_euclid(n) == 0 && (c + after).rem_euclid(n) == 0
            } else {
                // The local times the change skips or repeats.
                let (lo, hi) = (c + before.min(after), c + before.max(after));
                (hi - 1).div_euclid(n) * n < lo
            };
            if !fits {
                let at = crate::window::in_zone(tz, c).to_rfc3339();
                return Err(Error::usage(format!(
                    "{}: {tz} changes its offset at {at} from {} to {}, inside one {interval} \
                     bucket, which the SQL query cannot place as rcx does; choose another \
                     {} or {}, or keep the change out with {} and {}",
                    OptionName::Tz,
                    offset_text(before),
                    offset_text(after),
                    OptionName::Tz,
                    OptionName::Interval,
                    OptionName::From,
                    OptionName::To
                )));
            }
        }
        before = after;
        t = next;
    }
    Ok(())
}

fn offset_text(s: i64) -> String {
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.abs();
    format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
}

/// The query of one plan in one dialect.
struct Query<'a> {
    plan: &'a Plan,
    d: SqlDialect,
}

impl Query<'_> {
    fn id(&self, name: &str) -> String {
        self.d.ident(name)
    }

    fn tz(&self) -> String {
        self.plan.tz.name().to_owned()
    }

    /// The positive remainder of `a` by `n`.
    fn rem(&self, a: &str, n: i64) -> String {
        format!("((({a}) % {n} + {n}) % {n})")
    }

    /// The week's first day number of day number `day`.
    fn week_first(&self, day: &str) -> String {
        // 1970-01-01 was a Thursday: 3 days after Monday, 4 after Sunday.
        let back = match self.plan.week_start {
            WeekStart::Sunday => 4,
            _ => 3,
        };
        format!("({day} - {})", self.rem(&format!("{day} + {back}"), 7))
    }

    /// The bucket start and end (Unix seconds) of a row at `t`, local
    /// epoch `l`, day number `day`.
    fn bucket(&self, t: &str, len: &str, l: &str, day: &str) -> (String, String) {
        let d = self.d;
        let tz = self.tz();
        let mid = |day_expr: String| d.midnight(&tz, &d.date(&day_expr));
        match self.plan.interval {
            BucketInterval::Native => (t.to_owned(), format!("({t} + {len})")),
            BucketInterval::Min15 | BucketInterval::Min30 | BucketInterval::Hour => {
                let n = sub_day(self.plan.interval);
                let s = format!("({t} - {})", self.rem(l, n));
                let e = format!("({s} + {n})");
                (s, e)
            }
            BucketInterval::Day => (mid(day.to_owned()), mid(format!("({day} + 1)"))),
            BucketInterval::Week => {
                let f = self.week_first(day);
                (mid(f.clone()), mid(format!("({f} + 7)")))
            }
            BucketInterval::Month => {
                let date = d.date(day);
                (
                    d.midnight(&tz, &d.month_first(&date, 0)),
                    d.midnight(&tz, &d.month_first(&date, 1)),
                )
            }
            BucketInterval::Total => (
                format!("min({t}) OVER ()"),
                format!("max({t} + {len}) OVER ()"),
            ),
        }
    }

    /// Whether a row does not nest in its bucket: its last second (local
    /// epoch `l_last`, day number `day_last`) is in another bucket.
    fn misfit(&self, l: &str, len: &str, day: &str, day_last: &str) -> Option<String> {
        let d = self.d;
        Some(match self.plan.interval {
            BucketInterval::Native | BucketInterval::Total => return None,
            BucketInterval::Min15 | BucketInterval::Min30 | BucketInterval::Hour => {
                let n = sub_day(self.plan.interval);
                format!("({} + {len} > {n})", self.rem(l, n))
            }
            BucketInterval::Day => format!("({day} <> {day_last})"),
            BucketInterval::Week => {
                format!(
                    "({} <> {})",
                    self.week_first(day),
                    self.week_first(day_last)
                )
            }
            BucketInterval::Month => format!(
                "({} <> {})",
                d.month_first(&d.date(day), 0),
                d.month_first(&d.date(day_last), 0)
            ),
        })
    }

    /// The filters on `t` (Unix seconds) and `l` (local epoch seconds).
    fn filters(&self, t: &str, l: &str) -> Vec<String> {
        let f = &self.plan.filter;
        let mut w = Vec::new();
        if let Some(from) = f.from {
            w.push(format!("{t} >= {from}"));
        }
        if let Some(to) = f.to {
            w.push(format!("{t} < {to}"));
        }
        if let Some(mask) = f.days {
            let day = self.d.div(l, 86_400);
            let wd = self.rem(&format!("{day} + 3"), 7);
            let days: Vec<String> = (0..7)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| i.to_string())
                .collect();
            if days.is_empty() {
                w.push("1 = 0".into());
            } else {
                w.push(format!("{wd} IN ({})", days.join(", ")));
            }
        }
        if !f.hours.is_empty() {
            let m = self.d.div(&self.rem(l, 86_400), 60);
            let any: Vec<String> = f
                .hours
                .iter()
                .map(|r| {
                    if r.from < r.to {
                        format!("({m} >= {} AND {m} < {})", r.from, r.to)
                    } else {
                        format!("({m} >= {} OR {m} < {})", r.from, r.to)
                    }
                })
                .collect();
            w.push(format!("({})", any.join(" OR ")));
        }
        w
    }

    /// RFC 3339 text of the instant `s` in the bucket zone, as rcx prints
    /// it (`2024-11-03T01:00:00-04:00`).
    fn instant_text(&self, s: &str) -> String {
        let d = self.d;
        let off = d.offset(&self.tz(), s);
        let l = format!("({s} + {off})");
        let sod = self.rem(&l, 86_400);
        let date = format!("CAST({} AS {})", d.date(&d.div(&l, 86_400)), d.text_type());
        let a = format!("abs({off})");
        [
            date,
            "'T'".into(),
            d.two_digits(&d.div(&sod, 3600)),
            "':'".into(),
            d.two_digits(&d.div(&self.rem(&sod, 3600), 60)),
            "':'".into(),
            d.two_digits(&self.rem(&sod, 60)),
            format!("CASE WHEN {off} < 0 THEN '-' ELSE '+' END"),
            d.two_digits(&d.div(&a, 3600)),
            "':'".into(),
            d.two_digits(&d.div(&self.rem(&a, 3600), 60)),
        ]
        .join(" || ")
    }

    /// The expression of metric column `name` over the grouped values.
    fn metric(&self, name: &str) -> String {
        let cols = self.plan.columns.report_columns();
        let def = cols
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.def)
            .unwrap_or(Def::Stored);
        let sum = |names: &[&str]| {
            let parts: Vec<String> = names.iter().map(|n| self.metric(n)).collect();
            if parts.len() == 1 {
                parts[0].clone()
            } else {
                format!("({})", parts.join(" + "))
            }
        };
        match def {
            Def::Stored => self.id(name),
            Def::Cols(names) => sum(names),
            Def::Derived(which) => {
                let e = |n: &str| Expr(self.metric(n));
                let offered = Expr(sum(self.plan.metrics.offered.terms()));
                if which == Derived::Offered {
                    return offered.0;
                }
                let [sn, sd, an, ad] = fraction_terms(
                    [
                        e("answered"),
                        e("answered_within_sl"),
                        e("abandoned"),
                        e("short_abandoned"),
                        e("abandoned_within_sl"),
                        offered,
                    ],
                    Expr("0".into()),
                    self.plan.metrics.sl_formula,
                    self.plan.metrics.short_abandons,
                );
                match which {
                    Derived::SlNumerator => sn.0,
                    Derived::SlDenominator => sd.0,
                    Derived::AbandonNumerator => an.0,
                    Derived::AbandonDenominator | Derived::Offered => ad.0,
                }
            }
            Def::Ratio(num, den, scale) => self.ratio(&sum(num), &sum(den), scale),
        }
    }

    /// `scale × n / d` rounded half away from zero to two places, as a
    /// decimal; NULL when `d` is 0.
    fn ratio(&self, n: &str, d: &str, scale: i128) -> String {
        let k = scale * 200;
        let (num, den) = (
            format!("(abs({n}) * {k} + abs({d}))"),
            format!("(2 * abs({d}))"),
        );
        let q = match self.d {
            SqlDialect::Duckdb => format!("({num} // {den})"),
            SqlDialect::Spark => format!("({num} div {den})"),
            SqlDialect::Trino => format!("({num} / {den})"),
        };
        format!(
            "CASE WHEN {d} = 0 THEN NULL ELSE CAST(CASE WHEN ({n} < 0) <> ({d} < 0) THEN -{q} \
             ELSE {q} END AS DECIMAL(34, 0)) * CAST(0.01 AS DECIMAL(3, 2)) END"
        )
    }

    fn text(&self, input: &str) -> String {
        let (d, plan) = (self.d, self.plan);
        let keys = key_sources(plan.grouping);
        let tz = self.tz();
        let mut q = String::new();
        let _ = writeln!(
            q,
            "-- rcx sql ({d}): {} rows rolled up by {}, {} buckets in {tz};\n\
             -- the columns and values of the rcx rollup as CSV (SPEC 4, 9).",
            plan.kind, plan.grouping, plan.interval
        );
        // The rows, with their instants.
        let mut cols: Vec<String> = Vec::new();
        for (i, (k, n)) in keys.iter().enumerate() {
            cols.push(format!("CAST({} AS {}) AS k{i}", self.id(k), d.text_type()));
            cols.push(format!("CAST({} AS {}) AS n{i}", self.id(n), d.text_type()));
        }
        for (name, agg, field) in sources(plan.kind) {
            if *agg != Agg::Count {
                cols.push(format!(
                    "CAST({} AS BIGINT) AS {}",
                    self.id(field),
                    self.id(&format!("v_{name}"))
                ));
            }
        }
        cols.push(format!("{} AS t", d.start_secs()));
        cols.push(format!(
            "CAST({} AS BIGINT) * 60 AS len",
            self.id("interval")
        ));
        let _ = writeln!(
            q,
            "WITH src AS (\n  SELECT {}\n  FROM {}\n),",
            cols.join(",\n         "),
            d.relation(input)
        );
        let _ = writeln!(
            q,
            "placed AS (\n  SELECT *, t + {} AS l, t + len - 1 + {} AS l_last\n  FROM src\n),",
            d.offset(&tz, "t"),
            d.offset(&tz, "t + len - 1")
        );
        let filters = self.filters("t", "l");
        let _ = writeln!(
            q,
            "kept AS (\n  SELECT *, {} AS local_day, {} AS last_day\n  FROM placed{}\n),",
            d.div("l", 86_400),
            d.div("l_last", 86_400),
            if filters.is_empty() {
                String::new()
            } else {
                format!("\n  WHERE {}", filters.join("\n    AND "))
            }
        );
        let (bs, be) = self.bucket("t", "len", "l", "local_day");
        let misfit = self.misfit("l", "len", "local_day", "last_day");
        let bs = match (&misfit, plan.attribution) {
            (Some(m), Attribution::Nest) => {
                let msg = format!(
                    "a row does not nest in a {} bucket in {tz}; rcx rollup refuses such rows \
                     unless {} is start",
                    plan.interval,
                    OptionName::Attribution
                );
                format!("CASE WHEN {m} THEN {} ELSE {bs} END", d.fail(&msg))
            }
            _ => bs,
        };
        let _ = writeln!(
            q,
            "bucketed AS (\n  SELECT *, {bs} AS bs, {be} AS be\n  FROM kept\n),"
        );
        // The name of each key: on its latest row, the smallest.
        let ids: Vec<String> = (0..keys.len()).map(|i| format!("k{i}")).collect();
        let mut group_by = ids.clone();
        group_by.extend(["bs".to_owned(), "be".to_owned()]);
        if !keys.is_empty() {
            let names: Vec<String> = (0..keys.len())
                .map(|i| format!("min(CASE WHEN t = t_latest THEN n{i} END) AS n{i}"))
                .collect();
            let _ = writeln!(
                q,
                "named AS (\n  SELECT {ids}, {names}\n  FROM (SELECT *, max(t) OVER (PARTITION BY \
                 {ids}) AS t_latest FROM kept) latest\n  GROUP BY {ids}\n),",
                ids = ids.join(", "),
                names = names.join(", ")
            );
        }
        let mut aggs = Vec::new();
        for (name, agg, _) in sources(plan.kind) {
            let v = self.id(&format!("v_{name}"));
            aggs.push(match agg {
                Agg::Count => format!("count(*) AS {}", self.id(name)),
                Agg::Sum => format!("coalesce(sum({v}), 0) AS {}", self.id(name)),
                Agg::Max => format!("coalesce(max({v}), 0) AS {}", self.id(name)),
            });
        }
        let _ = writeln!(
            q,
            "grouped AS (\n  SELECT {}, {}\n  FROM bucketed\n  GROUP BY {}\n),",
            group_by.join(", "),
            aggs.join(",\n         "),
            group_by.join(", ")
        );
        // The output columns, as rcx names them.
        let mut out: Vec<String> = Vec::new();
        let key_names = plan.grouping.key_columns();
        for (i, _) in keys.iter().enumerate() {
            out.push(format!("g.k{i} AS {}", self.id(key_names[2 * i])));
            out.push(format!("n.n{i} AS {}", self.id(key_names[2 * i + 1])));
        }
        out.push(format!(
            "{} AS {}",
            self.instant_text("g.bs"),
            self.id("bucket_start")
        ));
        out.push(format!(
            "{} AS {}",
            self.instant_text("g.be"),
            self.id("bucket_end")
        ));
        for c in plan.columns.iter() {
            let e = self.metric(c.name);
            // Metric expressions name grouped values unqualified.
            out.push(format!("{e} AS {}", self.id(c.name)));
        }
        let join = if keys.is_empty() {
            String::new()
        } else {
            let on: Vec<String> = ids.iter().map(|k| format!("g.{k} = n.{k}")).collect();
            format!(" JOIN named n ON {}", on.join(" AND "))
        };
        let _ = writeln!(
            q,
            "result AS (\n  SELECT {}, g.bs AS bs_, g.be AS be_\n  FROM grouped g{join}\n)",
            out.join(",\n         ")
        );
        // rcx's key order: a key column compares as a number when every
        // value it has is an integer.
        let mut order = Vec::new();
        let mut all_int = Vec::new();
        for (i, k) in key_names.iter().enumerate() {
            let c = self.id(k);
            all_int.push(format!("bool_and({}) OVER () AS int{i}", d.is_integer(&c)));
            order.push(format!(
                "CASE WHEN int{i} THEN length({}) END",
                d.trim_zeros(&c)
            ));
            order.push(format!("CASE WHEN int{i} THEN {} END", d.trim_zeros(&c)));
            order.push(c);
        }
        order.extend(["bs_".to_owned(), "be_".to_owned()]);
        let shown: Vec<String> = key_names
            .iter()
            .copied()
            .chain(["bucket_start", "bucket_end"])
            .chain(plan.columns.names())
            .map(|n| self.id(n))
            .collect();
        let from = if all_int.is_empty() {
            "result".to_owned()
        } else {
            format!("(SELECT *, {} FROM result) ordered", all_int.join(", "))
        };
        let _ = write!(
            q,
            "SELECT {}\nFROM {from}\nORDER BY {}",
            shown.join(", "),
            order.join(", ")
        );
        q.push('\n');
        q
    }
}

/// The seconds of a sub-day bucket.
fn sub_day(i: BucketInterval) -> i64 {
    i.minutes().unwrap_or(60) * 60
}

#[cfg(test)]
mod tests;
