//! The RingCentral Analytics API response of a rollup (SPEC 8.3).
//!
//! ```json
//! {"paging": {"page": 1, "perPage": 2, "totalPages": 1, "totalElements": 2},
//!  "data": {"groupedBy": "Queues", "records": [
//!    {"key": "5686", "info": {"name": "Sales"},
//!     "counters": {"allCalls": {"valueType": "Instances", "values": 30}, ...},
//!     "timers": {"allCalls": {"valueType": "Seconds", "values": 4285}, ...}}]}}
//! ```
//!
//! An aggregate response (interval `total`) gives each key's values over
//! the whole range; a timeline response gives `points`, one per bucket,
//! instead. The options, their breakdowns, the filters and the key
//! selection are the table's [`AnalyticsAnswer`]; values the report cannot
//! give print `null`.
//!
//! JSON is written by hand, not through `serde_json`: percentages print
//! with their two places (`50.00`), which an `f64` does not keep.

use chrono::{DateTime, FixedOffset};

use crate::error::{Error, Result};
use crate::model::write_rfc3339;
use crate::model::ReportKind;
use crate::option::OptionName;
use crate::rollup::{
    legacy_key, Aggregation, AnalyticsAnswer, Asked, Grouping, MetricColumns, OptionSums,
    OptionValues, PackedRollup, ResponseVersion, RollupTable, Section, API_OPTIONS,
};
use crate::window::{in_zone, range_bucket_starts, BucketInterval};

use super::json_string;

/// The Analytics `groupBy` name of a grouping.
pub fn grouped_by(g: Grouping) -> &'static str {
    match g {
        Grouping::Queue => "Queues",
        Grouping::Agent => "Users",
        Grouping::AgentQueue => "QueueAgents",
        Grouping::QueueGroup => "QueueGroups",
        Grouping::AgentGroup => "UserGroups",
        Grouping::All => COMPANY.1,
    }
}

/// `"counters":{…},"timers":{…}` of the options asked, each with the
/// values `values` gives it.
fn sections(
    out: &mut String,
    asked: &[Asked],
    legacy: bool,
    values: impl Fn(&Asked) -> OptionValues,
) {
    for section in [Section::Counters, Section::Timers] {
        out.push_str(",\"");
        out.push_str(section.key());
        out.push_str("\":{");
        let mut first = true;
        for a in asked.iter().filter(|a| a.option.section == section) {
            if !first {
                out.push(',');
            }
            first = false;
            json_string(out, a.option.response);
            out.push_str(":{\"valueType\":\"");
            out.push_str(match (a.aggregation, section) {
                (Aggregation::Percent, _) => "Percent",
                (_, Section::Counters) => "Instances",
                (_, Section::Timers) => "Seconds",
            });
            out.push_str("\",\"values\":");
            let number = |out: &mut String, v: Option<rust_decimal::Decimal>| match v {
                Some(d) => out.push_str(&d.to_string()),
                None => out.push_str("null"),
            };
            match values(a) {
                OptionValues::Total(v) => number(out, v),
                OptionValues::Breakdown(values) => {
                    out.push('{');
                    for (i, (k, v)) in values.into_iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        json_string(out, if legacy { legacy_key(k) } else { k });
                        out.push(':');
                        number(out, v);
                    }
                    out.push('}');
                }
            }
            out.push('}');
        }
        out.push('}');
    }
}

/// A bucket's start and its sums.
pub(crate) type Bucket = (DateTime<FixedOffset>, OptionSums);

/// One record of a response, or a piece of one: its key, its `info.name`
/// (`None`: `null`), and its buckets' sums (before the filters), in time
/// order. A key of many buckets comes in pieces of at most [`PIECE`]
/// buckets, the first piece `first` and the last `last`, so that a record
/// is written as its buckets come, not held whole.
pub(crate) struct KeyBuckets {
    pub key: String,
    pub name: Option<String>,
    pub buckets: Vec<Bucket>,
    pub first: bool,
    pub last: bool,
}

/// The most buckets a piece of a record holds.
const PIECE: usize = 4096;

impl KeyBuckets {
    /// A whole record.
    fn whole(key: String, name: Option<String>, buckets: Vec<Bucket>) -> KeyBuckets {
        KeyBuckets {
            key,
            name,
            buckets,
            first: true,
            last: true,
        }
    }
}

/// Records sorted by key, made one bucket at a time and handed on in
/// pieces (see [`KeyBuckets`]).
pub(crate) struct KeyRun<'f> {
    cur: Option<KeyBuckets>,
    each: &'f mut dyn FnMut(KeyBuckets) -> Result<()>,
}

impl<'f> KeyRun<'f> {
    pub(crate) fn new(each: &'f mut dyn FnMut(KeyBuckets) -> Result<()>) -> Self {
        KeyRun { cur: None, each }
    }

    /// Adds a bucket to the current record when it has the key of the
    /// bucket before (`same_key`), else hands the record on and starts one
    /// with the key and name `named` gives.
    pub(crate) fn push(
        &mut self,
        same_key: bool,
        bucket: Bucket,
        named: impl FnOnce() -> (String, Option<String>),
    ) -> Result<()> {
        match &mut self.cur {
            Some(k) if same_key => {
                if k.buckets.len() == PIECE {
                    // A piece of the record, handed on; the rest follows.
                    let piece = KeyBuckets {
                        key: k.key.clone(),
                        name: k.name.clone(),
                        buckets: std::mem::take(&mut k.buckets),
                        first: k.first,
                        last: false,
                    };
                    k.first = false;
                    (self.each)(piece)?;
                }
                k.buckets.push(bucket);
            }
            _ => {
                let (key, name) = named();
                if let Some(done) = self.cur.replace(KeyBuckets::whole(key, name, vec![bucket])) {
                    (self.each)(done)?;
                }
            }
        }
        Ok(())
    }

    /// Hands on the last record.
    pub(crate) fn end(mut self) -> Result<()> {
        match self.cur.take() {
            Some(k) => (self.each)(k),
            None => Ok(()),
        }
    }
}

/// What an Analytics response is written from: a rollup table of
/// interval rows, or a calls table of interaction metadata.
pub(crate) trait AnalyticsSource {
    /// The report the sums come from.
    fn kind(&self) -> ReportKind;
    /// The sums of the calls the request's filters keep: interval rows'
    /// sums rewritten ([`CallFilters::apply`]); a source that filtered
    /// call by call gives its sums as they are.
    ///
    /// [`CallFilters::apply`]: crate::rollup::CallFilters::apply
    fn filtered(&self, sums: OptionSums) -> OptionSums {
        self.answer().filters.apply(sums)
    }
    /// The sums of a key or bucket without calls.
    fn zero(&self) -> OptionSums {
        OptionSums::zero(self.kind())
    }
    /// `groupedBy` when the request names none: the grouping's API name.
    fn grouped_by(&self) -> &'static str;
    /// What the response answers.
    fn answer(&self) -> &AnalyticsAnswer;
    /// The bucket interval of the sums.
    fn interval(&self) -> BucketInterval;
    /// Refuses what the source cannot answer in the API's shape.
    fn check(&self) -> Result<()>;
    /// Calls `each` with the record of every key, sorted by key, one at a
    /// time.
    fn each_key(&self, each: &mut dyn FnMut(KeyBuckets) -> Result<()>) -> Result<()>;
    /// The number of records [`each_key`](Self::each_key) gives.
    fn key_count(&self) -> Result<u64> {
        let mut n = 0;
        self.each_key(&mut |k| {
            n += u64::from(k.last);
            Ok(())
        })?;
        Ok(n)
    }
    /// The start of every `interval` bucket of the requested range; `None`
    /// without a range.
    fn range_bucket_starts(
        &self,
        interval: BucketInterval,
    ) -> Result<Option<Vec<DateTime<FixedOffset>>>>;
    /// The one length of the source's own intervals (for Average, Min and
    /// Max without an aggregationInterval); `None` without rows.
    fn native_interval(&self) -> Result<Option<BucketInterval>>;
}

/// The refusal of chosen table columns in an Analytics response.
pub(crate) fn columns_refused() -> Error {
    Error::usage(format!(
        "{} chooses table columns; an Analytics response lists the request's \
         responseOptions instead",
        OptionName::Columns
    ))
}

/// The key and `info.name` of the one record of a company-wide response
/// (`groupedBy` Company).
pub(crate) const COMPANY: (&str, &str) = ("company", "Company");

/// The key and `info.name` of a record.
fn key_and_name(grouping: Grouping, k: &[String]) -> (String, Option<String>) {
    match grouping {
        Grouping::Queue | Grouping::Agent => (k[0].clone(), Some(k[1].clone())),
        Grouping::QueueGroup | Grouping::AgentGroup => (k[0].clone(), Some(k[0].clone())),
        _ => (COMPANY.0.to_owned(), Some(COMPANY.1.to_owned())),
    }
}

impl AnalyticsSource for RollupTable {
    fn kind(&self) -> ReportKind {
        RollupTable::kind(self)
    }
    fn grouped_by(&self) -> &'static str {
        grouped_by(self.grouping())
    }
    fn answer(&self) -> &AnalyticsAnswer {
        self.analytics_answer()
    }
    fn interval(&self) -> BucketInterval {
        RollupTable::interval(self)
    }
    fn check(&self) -> Result<()> {
        check_rollup(self.kind(), self.grouping(), self.metric_columns())
    }
    fn each_key(&self, each: &mut dyn FnMut(KeyBuckets) -> Result<()>) -> Result<()> {
        // Records are sorted by key, so a key's buckets are adjacent.
        let recs = self.records();
        let mut run = KeyRun::new(each);
        for (i, r) in recs.iter().enumerate() {
            let sums = (r.bucket_start(), OptionSums::of(r.metrics()));
            let same = i > 0 && recs[i - 1].keys() == r.keys();
            run.push(same, sums, || key_and_name(self.grouping(), r.keys()))?;
        }
        run.end()
    }
    fn range_bucket_starts(
        &self,
        interval: BucketInterval,
    ) -> Result<Option<Vec<DateTime<FixedOffset>>>> {
        RollupTable::range_bucket_starts(self, interval)
    }
    /// The one interval of the rows of a native-interval table (15
    /// minutes, 30 or an hour); rows of several lengths are refused, as
    /// Average, Min and Max over them would mix them.
    fn native_interval(&self) -> Result<Option<BucketInterval>> {
        one_length(
            self.records()
                .iter()
                .map(|r| (r.bucket_end() - r.bucket_start()).num_minutes())
                .collect(),
        )
    }
}

/// What a rollup of interval rows cannot answer in the API's shape.
fn check_rollup(kind: ReportKind, grouping: Grouping, columns: &MetricColumns) -> Result<()> {
    if !API_OPTIONS.iter().any(|o| o.answerable(kind)) {
        return Err(Error::usage(format!(
            "the analytics format answers from Queue Statistics and Agent Extended \
             Statistics calls; {kind} rows count none"
        )));
    }
    if grouping == Grouping::AgentQueue {
        return Err(Error::usage(format!(
            "the Analytics API has no agent-and-queue grouping ({} {}); its QueueAgents is \
             one record per agent over the queues a request's grouping.ids lists",
            OptionName::By,
            Grouping::AgentQueue
        )));
    }
    if !columns.is_all() {
        return Err(columns_refused());
    }
    Ok(())
}

/// The one interval of rows lasting `lengths` minutes (15, 30 or 60);
/// several lengths are refused, as Average, Min and Max over them would
/// mix them; `None` without rows.
fn one_length(mut lengths: Vec<i64>) -> Result<Option<BucketInterval>> {
    lengths.sort_unstable();
    lengths.dedup();
    match lengths[..] {
        [] => Ok(None),
        [15] => Ok(Some(BucketInterval::Min15)),
        [30] => Ok(Some(BucketInterval::Min30)),
        [60] => Ok(Some(BucketInterval::Hour)),
        _ => Err(Error::usage(format!(
            "Average, Min and Max without an aggregationInterval are over the rows' own \
             intervals, but these rows last {lengths:?} minutes; give an aggregationInterval"
        ))),
    }
}

/// A packed rollup answers as its table would, a key at a time: the
/// buckets of one key are held, not the table.
impl AnalyticsSource for PackedRollup {
    fn kind(&self) -> ReportKind {
        self.plan().kind
    }
    fn grouped_by(&self) -> &'static str {
        grouped_by(self.plan().grouping)
    }
    fn answer(&self) -> &AnalyticsAnswer {
        self.analytics_answer()
    }
    fn interval(&self) -> BucketInterval {
        self.plan().interval
    }
    fn check(&self) -> Result<()> {
        check_rollup(self.kind(), self.plan().grouping, self.metric_columns())
    }
    fn each_key(&self, each: &mut dyn FnMut(KeyBuckets) -> Result<()>) -> Result<()> {
        let (tz, grouping) = (self.tz(), self.plan().grouping);
        let mut run = KeyRun::new(each);
        for i in 0..self.pieces() {
            let keys = self.piece_keys(i);
            let mut same = i > 0 && self.piece_keys(i - 1) == keys;
            let mut failed = Ok(());
            self.for_each_bucket(i, &mut |s, _, m| {
                let sums = (in_zone(&tz, s), OptionSums::of(m));
                if failed.is_ok() {
                    failed = run.push(same, sums, || key_and_name(grouping, keys));
                }
                same = true;
            })?;
            failed?;
        }
        run.end()
    }
    fn key_count(&self) -> Result<u64> {
        Ok((0..self.pieces())
            .filter(|&i| i == 0 || self.piece_keys(i - 1) != self.piece_keys(i))
            .count() as u64)
    }
    fn range_bucket_starts(
        &self,
        interval: BucketInterval,
    ) -> Result<Option<Vec<DateTime<FixedOffset>>>> {
        let p = self.plan();
        range_bucket_starts(p.tz, interval, p.week_start, p.filter.from.zip(p.filter.to))
    }
    fn native_interval(&self) -> Result<Option<BucketInterval>> {
        let mut lengths: Vec<i64> = Vec::new();
        for i in 0..self.pieces() {
            self.for_each_bucket(i, &mut |s, e, _| {
                let m = (e - s) / 60;
                if !lengths.contains(&m) {
                    lengths.push(m);
                }
            })?;
        }
        one_length(lengths)
    }
}

/// Writes the Analytics response for `src` to `w`, a record at a time:
/// the text held is one record's, not the response's.
pub(crate) fn write_analytics<S: AnalyticsSource, W: std::io::Write + ?Sized>(
    src: &S,
    w: &mut W,
) -> Result<()> {
    let io = |e| Error::io("<output>", e);
    let mut text = String::with_capacity(1 << 16);
    let out = &mut text;
    src.check()?;
    let answer = src.answer();
    answer.filters.check(src.kind())?;
    let asked = answer.options_for(src.kind())?;
    // The records listed: every key's, streamed, or the keys selected in
    // their order (a key without rows gets a record of zeros, as the
    // API's); a company-wide response has its one record, of zeros without
    // rows.
    let zero_record = |key: &str, name: Option<&str>| {
        KeyBuckets::whole(key.to_owned(), name.map(str::to_owned), Vec::new())
    };
    let (total, listed): (u64, Option<Vec<KeyBuckets>>) = match &answer.keys {
        Some((_, keys)) => {
            let mut found: std::collections::HashMap<String, KeyBuckets> =
                std::collections::HashMap::new();
            // The keys selected are held whole, their pieces joined.
            src.each_key(&mut |k| {
                if keys.contains(&k.key) {
                    match found.get_mut(&k.key) {
                        Some(f) if !k.first => f.buckets.extend(k.buckets),
                        _ => {
                            found
                                .insert(k.key.clone(), KeyBuckets::whole(k.key, k.name, k.buckets));
                        }
                    }
                }
                Ok(())
            })?;
            let listed: Vec<KeyBuckets> = keys
                .iter()
                .map(|want| {
                    found
                        .remove(want)
                        .unwrap_or_else(|| zero_record(want, None))
                })
                .collect();
            (listed.len() as u64, Some(listed))
        }
        None => match src.key_count()? {
            0 if src.grouped_by() == COMPANY.1 => {
                (1, Some(vec![zero_record(COMPANY.0, Some(COMPANY.1))]))
            }
            n => (n, None),
        },
    };
    let per_page = answer.per_page.unwrap_or(total);
    let pages = if per_page == 0 {
        0
    } else {
        total.div_ceil(per_page)
    };
    let page = answer.page.unwrap_or(1);
    let from = (page - 1).saturating_mul(per_page).min(total) as usize;
    let to = page.saturating_mul(per_page).min(total) as usize;
    // An aggregate response: totals, and Average, Min and Max over the
    // buckets of their aggregationInterval, every bucket of the range.
    let base = answer.aggregation_base();
    let aggregate = base.is_some() || src.interval() == BucketInterval::Total;
    if let Some(b) = base.filter(|b| *b != src.interval()) {
        return Err(Error::usage(format!(
            "{} {} differs from the {b} buckets the request's aggregationInterval needs",
            OptionName::Interval,
            src.interval()
        )));
    }
    let legacy = answer.version == ResponseVersion::Legacy;
    let paging = format!(
        "\"paging\":{{\"page\":{page},\"perPage\":{per_page},\"totalPages\":{pages},\
         \"totalElements\":{total}}}"
    );
    if !legacy {
        out.push('{');
        out.push_str(&paging);
        out.push_str(",\"data\":{\"groupedBy\":");
        let by = answer
            .grouped_by
            .clone()
            .unwrap_or_else(|| src.grouped_by().to_owned());
        json_string(out, &by);
        out.push_str(",\"records\":[");
    } else if aggregate {
        out.push('{');
        out.push_str(&paging);
        out.push_str(",\"data\":[");
    } else {
        // The legacy timeline has no paging.
        if answer.page.is_some() || answer.per_page.is_some() {
            return Err(Error::usage(format!(
                "the legacy timeline response has no pages; {} and {} need the current one",
                OptionName::Page,
                OptionName::PerPage
            )));
        }
        out.push_str("{\"data\":[");
    }
    let zero = src.zero();
    // A timeline lists every bucket of the request's range, as the API
    // does: a bucket without rows is a point of zeros.
    let grid = src.range_bucket_starts(src.interval())?;
    let mut grids: Vec<(BucketInterval, Vec<i64>)> = Vec::new();
    for i in asked.iter().filter_map(|a| a.interval) {
        if grids.iter().any(|(x, _)| *x == i) {
            continue;
        }
        // Native: the rows' own intervals, which must be one length.
        let grid_of = if i == BucketInterval::Native {
            src.native_interval()?
        } else {
            Some(i)
        };
        let starts = match grid_of {
            Some(g) => src.range_bucket_starts(g)?.ok_or_else(|| {
                Error::usage(format!(
                    "Average, Min and Max count every {g} bucket of the range; give {} and {}",
                    OptionName::From,
                    OptionName::To
                ))
            })?,
            // No row: every value is 0 whatever the buckets, so one
            // bucket stands for them.
            None => Vec::new(),
        };
        let mut starts: Vec<i64> = starts.iter().map(|t| t.timestamp()).collect();
        if starts.is_empty() {
            starts.push(i64::MIN);
        }
        grids.push((i, starts));
    }
    // The record being written: in a timeline, the points written and the
    // grid's next bucket; in an aggregate, the sums so far, in total and
    // in each bucket of the range an Average, Min or Max is over.
    let grid: &[DateTime<FixedOffset>] = grid.as_deref().unwrap_or_default();
    let (mut points, mut next) = (0usize, 0usize);
    let mut total = zero;
    let mut over: Vec<(BucketInterval, Vec<OptionSums>)> = Vec::new();
    // One point of a timeline, after a comma unless it is the first.
    let point = |out: &mut String, points: &mut usize, t: &DateTime<FixedOffset>, sums| {
        if *points > 0 {
            out.push(',');
        }
        *points += 1;
        out.push_str("{\"time\":\"");
        write_rfc3339(out, t.naive_local(), t.offset().local_minus_utc());
        out.push('"');
        let sums = src.filtered(sums);
        sections(out, &asked, legacy, |a| {
            a.option.values(&[sums], a.aggregation)
        });
        out.push('}');
    };
    // A piece of a record (the first after a comma unless it is the first
    // record).
    let mut record = |out: &mut String, first: bool, k: &KeyBuckets| -> Result<()> {
        if k.first {
            if !first {
                out.push(',');
            }
            out.push_str("\n{\"key\":");
            json_string(out, &k.key);
            out.push_str(if legacy {
                ",\"keyInfo\":{\"name\":"
            } else {
                ",\"info\":{\"name\":"
            });
            match k.name.as_deref() {
                Some(name) => json_string(out, name),
                None => out.push_str("null"),
            }
            out.push('}');
            if aggregate {
                total = zero;
                over = grids
                    .iter()
                    .map(|(i, s)| (*i, vec![zero; s.len()]))
                    .collect();
            } else {
                out.push_str(",\"points\":[");
                (points, next) = (0, 0);
            }
        }
        for (t, sums) in &k.buckets {
            if aggregate {
                let (t, s) = (t.timestamp(), src.filtered(*sums));
                total = total.plus(s);
                for ((_, starts), (_, b)) in grids.iter().zip(&mut over) {
                    let at = starts
                        .partition_point(|x| *x <= t)
                        .checked_sub(1)
                        .ok_or_else(|| {
                            Error::usage(format!("a bucket of {} starts before the range", k.key))
                        })?;
                    b[at] = b[at].plus(s);
                }
                continue;
            }
            // Every bucket of the range is a point: those without rows
            // before this one are points of zeros.
            let ts = t.timestamp();
            while let Some(g) = grid.get(next).filter(|g| g.timestamp() <= ts) {
                if g.timestamp() < ts {
                    point(out, &mut points, g, zero);
                }
                next += 1;
            }
            point(out, &mut points, t, *sums);
        }
        if k.last {
            if aggregate {
                sections(out, &asked, legacy, |a| match a.interval {
                    Some(i) => {
                        let b = over.iter().find(|(x, _)| *x == i).map(|(_, b)| &b[..]);
                        a.option.values(b.unwrap_or_default(), a.aggregation)
                    }
                    None => a.option.values(&[total], a.aggregation),
                });
            } else {
                for g in &grid[next..] {
                    point(out, &mut points, g, zero);
                }
                out.push(']');
            }
            out.push('}');
        }
        Ok(())
    };
    let mut n: u64 = 0;
    let mut each = |k: KeyBuckets| -> Result<()> {
        if (from..to).contains(&(n as usize)) {
            if out.len() > 1 << 16 {
                w.write_all(out.as_bytes()).map_err(io)?;
                out.clear();
            }
            record(out, n as usize == from, &k)?;
        }
        n += u64::from(k.last);
        Ok(())
    };
    match listed {
        Some(listed) => listed.into_iter().try_for_each(&mut each)?,
        None => src.each_key(&mut each)?,
    }
    out.push_str(if legacy { "\n]}\n" } else { "\n]}}\n" });
    w.write_all(out.as_bytes()).map_err(io)?;
    w.flush().map_err(io)
}
