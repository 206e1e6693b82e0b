//! Rollups: service level, abandon rate, AHT, ASA, occupancy and transfer
//! rate by queue, agent or group, in DST-correct time buckets (SPEC 4).
//!
//! A [`Rollup`] is a builder of options. It takes typed rows (any iterator
//! of [`QueueRow`](crate::QueueRow), [`AgentExtRow`](crate::AgentExtRow) or
//! [`AgentRow`](crate::AgentRow) results, or files read with a
//! [`ReaderBuilder`](crate::ReaderBuilder)) and returns a [`RollupTable`]: one
//! [`RollupRecord`] per output key and bucket, sorted, with typed metrics
//! ([`Metrics`]; ratios are `Option<Decimal>`, `None` when the denominator
//! is 0). Writers in [`crate::write`] print a table as CSV, JSON, NDJSON, an
//! aligned table or the Analytics API response shape.
//!
//! The design is in the submodules: [`accum`](self::Accumulator) sums merge
//! associatively, buckets are computed in the bucket zone, and the engine
//! folds batches on rayon and sorts at the end, so the output is the same
//! bytes whatever the thread count and the order of input files.
//!
//! ```
//! use ringcx_reports::rollup::{Grouping, Rollup};
//! use ringcx_reports::window::BucketInterval;
//! use ringcx_reports::{QueueRow, ReaderBuilder};
//! let data = "\
//! interval,date_from,time,queue,queue_name,offd_direct_call_cnt,overflow_in_call_cnt,aband_call_cnt,overflow_out_call_cnt,answ_call_cnt,queued_and_answ_call_dur,queued_and_aband_call_dur,talking_call_dur,wrap_up_dur,queued_answ_longest_que_dur,queued_aband_longest_que_dur,ans_servicelevel_cnt,wait_dur,aband_short_call_cnt,aband_within_sl_cnt
//! 15,20240304,08:00,5686,Sales,12,2,2,1,11,180,40,1650,220,45,30,9,600,1,1
//! 15,20240304,08:15,5686,Sales,15,1,3,0,13,260,75,2080,300,60,40,10,420,1,1
//! ";
//! let mut reader = ReaderBuilder::new().from_bytes("q.csv", data.into())?;
//! let rows = reader.rows::<QueueRow>().collect::<Vec<_>>();
//! let table = Rollup::new().by(Grouping::Queue).interval(BucketInterval::Hour).run_rows(rows)?;
//! let r = &table.records()[0];
//! assert_eq!(r.keys(), ["5686", "Sales"]);
//! assert_eq!(r.bucket_start().to_rfc3339(), "2024-03-04T08:00:00+00:00");
//! let q = r.queue().unwrap();
//! assert_eq!(q.sums.answered, 24);
//! // 19 within SL of 24 answered + 5 abandoned − 2 short
//! assert_eq!(q.service_level_pct().unwrap().to_string(), "70.37");
//! # Ok::<(), ringcx_reports::Error>(())
//! ```

mod accum;
mod analytics;
mod buckets;
mod chunked;
mod column;
mod engine;
mod groups;
mod head;
mod inputs;
mod metrics;
mod output;
mod ratio;
mod request;
mod run;
mod sorted;
mod sql;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono_tz::Tz;

pub use accum::{Accumulator, AgentExtSums, AgentSums, NamePick, QueueSums, Summable};
pub use analytics::{
    legacy_key, phone_digits, Aggregation, AnalyticsAnswer, ApiOption, Asked, CallFacts,
    CallFilters, CallSplit, FilterValue, LengthFilter, OptionSums, OptionValues, ResponseVersion,
    Section, Share, API_OPTIONS,
};
pub(crate) use column::{pick_columns, Stored};
pub use column::{Cell, Column, Unit};
pub use engine::RollupRow;
pub use groups::{GroupMap, GroupOf, UNMAPPED};
#[cfg_attr(not(feature = "plot"), allow(unused_imports))]
pub(crate) use head::keys_and_span;
pub use head::{RollupHead, Span};
pub use metrics::{
    report_columns, AgentExtMetrics, AgentMetrics, Measured, MetricColumns, MetricOptions, Metrics,
    Offered, QueueCounts, QueueFractions, QueueMetrics, ShortAbandons, SlFormula, AGENT_COLUMNS,
    AGENT_EXT_COLUMNS, QUEUE_COLUMNS,
};
pub use output::{PackedRollup, RollupOutput, RollupRecord, RollupStats, RollupTable};
pub use ratio::{percent, ratio};
pub use request::{AnalyticsRequest, Endpoint};
pub use sql::SqlDialect;

pub(crate) use self::column::RawCell;
pub(crate) use self::ratio::scaled_hundredths;
use crate::error::{Error, Result};
use crate::model::ReportKind;
use crate::option::OptionName;
pub(crate) use crate::window::FastMap;
use crate::window::FastSet;
use crate::window::{Attribution, BucketInterval, Filter, WeekStart, Window};

/// The refusal of segment (interaction metadata) files: they are read by
/// the timeline and the calls, not rolled up.
pub(crate) fn segments_refused() -> Error {
    Error::usage(
        "segment files cannot be rolled up; use rcx analytics, rcx calls or rcx timeline (an \
         Analytics request over interaction metadata is answered from its calls)",
    )
}

/// What the output rows are keyed by (`--by`, SPEC 4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum Grouping {
    /// Per queue: `queue, queue_name`.
    Queue,
    /// Per agent: `agent_id, agent_name`.
    Agent,
    /// Per agent in each queue: `agent_id, agent_name, queue, queue_name`.
    AgentQueue,
    /// Per queue group (needs a queue group map): `queue_group`.
    #[cfg_attr(
        feature = "cli",
        value(help = "Per queue group (needs --queue-groups): `queue_group`")
    )]
    QueueGroup,
    /// Per agent group (needs an agent group map): `agent_group`.
    #[cfg_attr(
        feature = "cli",
        value(help = "Per agent group (needs --agent-groups): `agent_group`")
    )]
    AgentGroup,
    /// One key for everything: no key columns.
    All,
}

impl Grouping {
    /// Every grouping.
    pub const ALL: [Grouping; 6] = [
        Grouping::Queue,
        Grouping::Agent,
        Grouping::AgentQueue,
        Grouping::QueueGroup,
        Grouping::AgentGroup,
        Grouping::All,
    ];
    /// The command-line name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Grouping::Queue => "queue",
            Grouping::Agent => "agent",
            Grouping::AgentQueue => "agent-queue",
            Grouping::QueueGroup => "queue-group",
            Grouping::AgentGroup => "agent-group",
            Grouping::All => "all",
        }
    }
    /// The key columns this grouping prints.
    pub const fn key_columns(self) -> &'static [&'static str] {
        match self {
            Grouping::Queue => &["queue", "queue_name"],
            Grouping::Agent => &["agent_id", "agent_name"],
            Grouping::AgentQueue => &["agent_id", "agent_name", "queue", "queue_name"],
            Grouping::QueueGroup => &["queue_group"],
            Grouping::AgentGroup => &["agent_group"],
            Grouping::All => &[],
        }
    }
    /// The groupings a report supports; the first is its default.
    pub const fn valid_for(kind: ReportKind) -> &'static [Grouping] {
        match kind {
            ReportKind::Queue => &[Grouping::Queue, Grouping::QueueGroup, Grouping::All],
            ReportKind::AgentExt => &[
                Grouping::Agent,
                Grouping::Queue,
                Grouping::AgentQueue,
                Grouping::AgentGroup,
                Grouping::QueueGroup,
                Grouping::All,
            ],
            ReportKind::Agent => &[Grouping::Agent, Grouping::AgentGroup, Grouping::All],
            ReportKind::Segments => &[],
        }
    }
}

impl fmt::Display for Grouping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Grouping {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Grouping::ALL
            .into_iter()
            .find(|g| g.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown grouping {s:?}; expected one of {}",
                    Grouping::ALL.map(|g| g.as_str()).join(", ")
                )
            })
    }
}

/// Options resolved for one run.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub kind: ReportKind,
    pub grouping: Grouping,
    /// The zone the rows are read in.
    pub source: Tz,
    /// The bucket zone.
    pub tz: Tz,
    pub interval: BucketInterval,
    pub week_start: WeekStart,
    pub attribution: Attribution,
    pub filter: Filter,
    pub queue_groups: Option<Arc<GroupMap>>,
    pub agent_groups: Option<Arc<GroupMap>>,
    pub skip_invalid: bool,
    pub metrics: MetricOptions,
    /// The metric columns printed.
    pub columns: MetricColumns,
    /// What an Analytics response answers.
    pub answer: Arc<AnalyticsAnswer>,
    /// The queues whose rows are kept (`None`: every queue).
    pub queue_ids: Option<Arc<FastSet<String>>>,
    /// The agents whose rows are kept (`None`: every agent).
    pub agent_ids: Option<Arc<FastSet<String>>>,
}

impl Plan {
    /// Whether a row's queue is one of [`queue_ids`](Self::queue_ids) and
    /// its agent one of [`agent_ids`](Self::agent_ids).
    #[inline]
    pub fn keeps_ids<T: RollupRow>(&self, row: &T) -> bool {
        if let Some(ids) = &self.queue_ids {
            if !row.queue().is_some_and(|(id, _)| ids.contains(id)) {
                return false;
            }
        }
        if let Some(ids) = &self.agent_ids {
            if !row.agent().is_some_and(|(id, _)| ids.contains(id)) {
                return false;
            }
        }
        true
    }
}

/// The rollup builder. Every option has the default of `rcx rollup`.
///
/// ```
/// use ringcx_reports::rollup::*;
/// use ringcx_reports::window::{parse_days, BucketInterval, HourRange};
/// let tz: chrono_tz::Tz = "America/New_York".parse().unwrap();
/// let rollup = Rollup::new()
///     .by(Grouping::Queue)
///     .interval(BucketInterval::Day)
///     .source_tz(tz)
///     .sl_formula(SlFormula::Offered)
///     .hours(HourRange::parse_list("08:00-17:00")?)
///     .days(parse_days("mon,tue,wed,thu,fri")?);
/// # let _ = rollup;
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Rollup {
    grouping: Option<Grouping>,
    source_tz: Option<Tz>,
    /// Buckets, bucket zone, week start and time filters.
    window: Window,
    metrics: MetricOptions,
    attribution: Attribution,
    skip_invalid: bool,
    queue_groups: Option<Arc<GroupMap>>,
    agent_groups: Option<Arc<GroupMap>>,
    chunk_size: Option<u64>,
    sort_memory: Option<usize>,
    columns: Vec<String>,
    answer: AnalyticsAnswer,
    queue_ids: Option<Vec<String>>,
    members_of: Option<Vec<String>>,
}

impl Rollup {
    /// Defaults: the report's default grouping, hour buckets, UTC.
    pub fn new() -> Self {
        Self::default()
    }
    /// The grouping (default: queue for Queue Statistics, agent otherwise).
    pub fn by(mut self, g: Grouping) -> Self {
        self.grouping = Some(g);
        // A request's `groupBy` is echoed only while it is the grouping.
        self.answer.grouped_by = None;
        self
    }
    crate::window::window_setters!(
        "rows",
        "native, 15m, 30m, hour, day, week, month or total",
        "the source zone"
    );
    /// The zone the report was requested in. [`run_files`](Self::run_files)
    /// reads the files in it, and it is the default bucket zone. Unset, a
    /// file rollup takes the zone of the [`ReaderBuilder`](crate::ReaderBuilder) it is given (so
    /// the zone is said once), and [`run_rows`](Self::run_rows) UTC.
    pub fn source_tz(mut self, tz: Tz) -> Self {
        self.source_tz = Some(tz);
        self
    }
    /// The service-level formula.
    pub fn sl_formula(mut self, f: SlFormula) -> Self {
        self.metrics.sl_formula = f;
        self
    }
    /// Whether short abandons count.
    pub fn short_abandons(mut self, s: ShortAbandons) -> Self {
        self.metrics.short_abandons = s;
        self
    }
    /// What offered means.
    pub fn offered(mut self, o: Offered) -> Self {
        self.metrics.offered = o;
        self
    }
    /// What to do with rows that do not nest in a bucket.
    pub fn attribution(mut self, a: Attribution) -> Self {
        self.attribution = a;
        self
    }
    /// Skip invalid rows (counted by code in the table's stats) instead of
    /// stopping on the first.
    pub fn skip_invalid(mut self, yes: bool) -> Self {
        self.skip_invalid = yes;
        self
    }
    /// The queue group map, for [`Grouping::QueueGroup`].
    pub fn queue_groups(mut self, m: GroupMap) -> Self {
        self.queue_groups = Some(Arc::new(m));
        self
    }
    /// The agent group map, for [`Grouping::AgentGroup`].
    pub fn agent_groups(mut self, m: GroupMap) -> Self {
        self.agent_groups = Some(Arc::new(m));
        self
    }
    /// The size in bytes of the chunks [`run_files`](Self::run_files)
    /// cuts a large CSV or JSON file into, to read them in parallel (default
    /// 4 MiB). Any size gives the same table; tiny sizes are for tests.
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = Some(bytes.max(1));
        self
    }
    /// About how many bytes of rows [`run_files`](Self::run_files) holds
    /// when it sorts files not in time order (32 MiB unless set) before it
    /// writes them, sorted, to a temporary file. Any size gives the same
    /// table.
    pub fn sort_memory(mut self, bytes: usize) -> Self {
        self.sort_memory = Some(bytes.max(1));
        self
    }
    /// Prints only these metric columns, in this order, after the key
    /// columns and `bucket_start`, `bucket_end` (which are always printed).
    /// Names are the header names of the report's metric columns
    /// ([`QUEUE_COLUMNS`], [`AGENT_EXT_COLUMNS`], [`AGENT_COLUMNS`]). No
    /// names (the default) means every metric column in SPEC 4.4 order.
    ///
    /// The selection applies to every output of the run: the table's
    /// [`metric_columns`](RollupTable::metric_columns), every
    /// [`write_table`](crate::write::write_table) and
    /// [`write_rollup`](crate::write::write_rollup) format; columns not printed are not
    /// computed. The names are checked when the run knows its report: a
    /// name that is not a metric column of that report, or a name given
    /// twice, makes the run a usage error listing the valid names.
    ///
    /// ```
    /// use ringcx_reports::rollup::Rollup;
    /// use ringcx_reports::window::BucketInterval;
    /// use ringcx_reports::write::{write_table, TableFormat};
    /// use ringcx_reports::{QueueRow, ReaderBuilder};
    /// let data = "\
    /// 15,20240304,08:00,5686,Sales,12,2,2,1,11,180,40,1650,220,45,30,9,600,1,1
    /// 15,20240304,08:15,5686,Sales,15,1,3,0,13,260,75,2080,300,60,40,10,420,1,1
    /// ";
    /// let rollup = Rollup::new()
    ///     .interval(BucketInterval::Hour)
    ///     .columns(["answered", "service_level_pct", "offered"]);
    /// let mut reader = ReaderBuilder::new().from_bytes("q.csv", data.into())?;
    /// let table = rollup.run_rows(reader.rows::<QueueRow>())?;
    /// let names: Vec<_> = table.metric_columns().names().collect();
    /// assert_eq!(names, ["answered", "service_level_pct", "offered"]);
    /// let mut out = Vec::new();
    /// write_table(&table, TableFormat::Csv, &mut out)?;
    /// assert_eq!(String::from_utf8(out).unwrap(), "\
    /// queue,queue_name,bucket_start,bucket_end,answered,service_level_pct,offered
    /// 5686,Sales,2024-03-04T08:00:00+00:00,2024-03-04T09:00:00+00:00,24,70.37,30
    /// ");
    ///
    /// // An Agent Extended metric on Queue Statistics rows is refused.
    /// let mut reader = ReaderBuilder::new().from_bytes("q.csv", data.into())?;
    /// let err = Rollup::new()
    ///     .columns(["transfer_rate_pct"])
    ///     .run_rows(reader.rows::<QueueRow>())
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("expected one of rows, direct,"));
    /// # Ok::<(), ringcx_reports::Error>(())
    /// ```
    pub fn columns<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.columns = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
        self
    }
    /// What the Analytics response of the rollup answers
    /// ([`write_table`](crate::write::write_table) with
    /// [`TableFormat::Analytics`](crate::write::TableFormat::Analytics)):
    /// options, filters, keys and page, usually set by
    /// [`request`](Self::request). The default answers every option the
    /// report can.
    pub fn analytics(mut self, answer: AnalyticsAnswer) -> Self {
        let (page, per_page, version) =
            (self.answer.page, self.answer.per_page, self.answer.version);
        self.answer = answer;
        self.answer.page = self.answer.page.or(page);
        self.answer.per_page = self.answer.per_page.or(per_page);
        if self.answer.version == ResponseVersion::Current {
            self.answer.version = version;
        }
        self
    }
    /// The Analytics response envelope: the current endpoints' (default)
    /// or the legacy endpoint's.
    pub fn analytics_version(mut self, version: ResponseVersion) -> Self {
        self.answer.version = version;
        self
    }
    /// Keeps only the rows of these queues (by id): the API's
    /// `QueueAgents` grouping, one record per agent over the queues in
    /// `ids` (Agent Extended rows). A report without a queue (Agent
    /// Statistics) keeps no row.
    pub fn queue_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.queue_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }
    /// Keeps only the rows of the agents that the agent map
    /// ([`agent_groups`](Self::agent_groups)) puts in one of these groups:
    /// the API's `UserGroupMembers`, `DepartmentMembers` and `SiteMembers`
    /// groupings, one record per member (`by` agent).
    pub fn members_of<I, S>(mut self, groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.members_of = Some(groups.into_iter().map(Into::into).collect());
        self
    }
    /// The page of an Analytics response, from 1 (default 1).
    pub fn page(mut self, page: u64) -> Result<Self> {
        self.answer = std::mem::take(&mut self.answer).with_page(page)?;
        Ok(self)
    }
    /// Records per page of an Analytics response (default: all on one
    /// page).
    pub fn per_page(mut self, per_page: u64) -> Result<Self> {
        self.answer = std::mem::take(&mut self.answer).with_per_page(per_page)?;
        Ok(self)
    }
    /// The metric columns chosen with [`columns`](Self::columns), as given
    /// (empty for all).
    pub fn selected_columns(&self) -> &[String] {
        &self.columns
    }
    /// The current grouping, if one was chosen.
    pub fn grouping(&self) -> Option<Grouping> {
        self.grouping
    }
    /// The bucket interval.
    pub fn bucket_interval(&self) -> BucketInterval {
        self.window.bucket_interval()
    }
    /// Applies an Analytics API request body (see [`AnalyticsRequest`]).
    pub fn request(self, r: &AnalyticsRequest) -> Result<Self> {
        r.apply(self)
    }

    /// The plan for rows of `kind` read in the source zone `source` (the
    /// default bucket zone).
    fn plan(&self, kind: ReportKind, source: Tz) -> Result<Plan> {
        let valid = Grouping::valid_for(kind);
        if valid.is_empty() {
            return Err(segments_refused());
        }
        let grouping = self.grouping.unwrap_or(valid[0]);
        // What the messages name: the request's grouping, else the option.
        let named = || {
            self.answer
                .grouping
                .clone()
                .unwrap_or_else(|| format!("{} {grouping}", OptionName::By))
        };
        if !valid.contains(&grouping) {
            return Err(Error::usage(format!(
                "{} does not apply to {kind} rows (they have no {grouping} key); \
                 {} takes one of {}",
                named(),
                OptionName::By,
                valid
                    .iter()
                    .map(|g| g.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if grouping == Grouping::QueueGroup && self.queue_groups.is_none() {
            return Err(Error::usage(format!(
                "{} needs {}: the map of queues to their groups",
                named(),
                OptionName::QueueGroups
            )));
        }
        if grouping == Grouping::AgentGroup && self.agent_groups.is_none() {
            return Err(Error::usage(format!(
                "{} needs {}: the map of agents to their groups",
                named(),
                OptionName::AgentGroups
            )));
        }
        let columns = MetricColumns::select(kind, &self.columns)?;
        if self.answer.shaping.is_some() {
            self.answer.check(kind)?;
        }
        if let Some((path, _)) = &self.answer.keys {
            if grouping == Grouping::All {
                return Err(Error::usage(format!(
                    "{path}: {} {grouping} is one record; it has no keys to select",
                    OptionName::By
                )));
            }
        }
        let agent_ids = match (&self.members_of, &self.agent_groups) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(Error::usage(format!(
                    "{} needs {}: the map of agents to their groups",
                    self.answer
                        .grouping
                        .as_deref()
                        .unwrap_or("the members of groups"),
                    OptionName::AgentGroups
                )))
            }
            (Some(groups), Some(map)) => Some(Arc::new(map.members_of(groups))),
        };
        let tz = self.window.zone_or(source);
        let filter = self.window.filter(&tz);
        Ok(Plan {
            kind,
            grouping,
            source,
            tz,
            interval: self.window.bucket_interval(),
            week_start: self.window.week_start_day(),
            attribution: self.attribution,
            filter,
            queue_groups: self.queue_groups.clone(),
            agent_groups: self.agent_groups.clone(),
            skip_invalid: self.skip_invalid,
            metrics: self.metrics,
            columns,
            answer: Arc::new(self.answer.clone()),
            queue_ids: self
                .queue_ids
                .as_ref()
                .map(|ids| Arc::new(ids.iter().cloned().collect())),
            agent_ids,
        })
    }
}
