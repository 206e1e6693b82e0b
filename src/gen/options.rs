//! What to generate: the report, the wire form, the size and the seed
//! ([`GenOptions`]), the checks run before anything is written, and what
//! was written ([`GenStats`]).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::model::ReportKind;
use crate::option::OptionName;

/// Which report to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GenReport {
    /// Queue Statistics (SPEC 2.1): one row per queue per interval.
    Queue,
    /// Agent Extended Statistics (SPEC 2.2): one row per agent per queue of
    /// the agent per interval.
    AgentExt,
    /// Agent Statistics (SPEC 2.3): one row per agent per interval.
    Agent,
    /// Interaction metadata (SPEC 2.4), cx v1 shape: one object per segment.
    Segments,
}

impl From<GenReport> for ReportKind {
    fn from(r: GenReport) -> Self {
        match r {
            GenReport::Queue => ReportKind::Queue,
            GenReport::AgentExt => ReportKind::AgentExt,
            GenReport::Agent => ReportKind::Agent,
            GenReport::Segments => ReportKind::Segments,
        }
    }
}

impl From<ReportKind> for GenReport {
    fn from(r: ReportKind) -> Self {
        match r {
            ReportKind::Queue => GenReport::Queue,
            ReportKind::AgentExt => GenReport::AgentExt,
            ReportKind::Agent => GenReport::Agent,
            ReportKind::Segments => GenReport::Segments,
        }
    }
}

impl FromStr for GenReport {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        s.parse::<ReportKind>().map(Into::into)
    }
}

impl fmt::Display for GenReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ReportKind::from(*self).as_str())
    }
}

/// Which wire form to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum GenFormat {
    /// Legacy CSV: comma, a header row with the canonical snake_case names
    /// in documented order, dates `yyyyMMdd`, times `HH:mm`, LF.
    Csv,
    /// Legacy XML, element style: `<QueueStatistics><row><interval>15</interval>…`
    /// with the canonical snake_case names.
    Xml,
    /// Current JSON: an array of camelCase objects, one per line, with
    /// `dateTimeFrom` as `MM-dd-yyyyTHH:mm:ss`. For segments: cx v1
    /// interaction metadata.
    Json,
}

impl FromStr for GenFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(GenFormat::Csv),
            "xml" => Ok(GenFormat::Xml),
            "json" => Ok(GenFormat::Json),
            other => Err(format!(
                "unknown format {other:?}; expected csv, xml or json"
            )),
        }
    }
}

impl fmt::Display for GenFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GenFormat::Csv => "csv",
            GenFormat::Xml => "xml",
            GenFormat::Json => "json",
        })
    }
}

/// Default number of queues.
pub const DEFAULT_QUEUES: u32 = 40;
/// Default number of agents.
pub const DEFAULT_AGENTS: u32 = 400;

/// What to generate. Build with [`GenOptions::new`] and the setters.
///
/// ```
/// use ringcx_reports::gen::{GenFormat, GenOptions, GenReport};
/// let opts = GenOptions::new(GenReport::AgentExt, 1_000)
///     .seed(42)
///     .format(GenFormat::Json)
///     .queues(12)
///     .agents(150);
/// assert_eq!(opts.rows, 1_000);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenOptions {
    /// The report.
    pub report: GenReport,
    /// Exact number of data rows (segment objects for segments).
    pub rows: u64,
    /// Seed of the pseudo-random stream.
    pub seed: u64,
    /// Wire form. Segments are JSON only.
    pub format: GenFormat,
    /// Local date of the first interval (or the first interaction).
    pub start: NaiveDate,
    /// Number of queues (at least 1).
    pub queues: u32,
    /// Number of agents (at least 1).
    pub agents: u32,
    /// Segments only: the number of window files the segments are split
    /// into, as pulls of consecutive windows (1: one file; see
    /// [`write_pulls`](super::write_pulls)).
    pub pulls: u32,
    /// Segments only: the percentage (0 to 100) of each window's segments,
    /// its last interactions, that the next window pulls again (see
    /// [`write_pulls`](super::write_pulls)).
    pub repull_pct: u8,
}

impl GenOptions {
    /// `rows` rows of `report`: seed 0, CSV (JSON for segments), starting
    /// 2024-01-01, [`DEFAULT_QUEUES`] queues and [`DEFAULT_AGENTS`] agents.
    pub fn new(report: GenReport, rows: u64) -> Self {
        GenOptions {
            report,
            rows,
            seed: 0,
            format: if report == GenReport::Segments {
                GenFormat::Json
            } else {
                GenFormat::Csv
            },
            start: NaiveDate::from_ymd_opt(2024, 1, 1).expect("a valid date"),
            queues: DEFAULT_QUEUES,
            agents: DEFAULT_AGENTS,
            pulls: 1,
            repull_pct: 0,
        }
    }
    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Sets the wire form.
    pub fn format(mut self, format: GenFormat) -> Self {
        self.format = format;
        self
    }
    /// Sets the first date.
    pub fn start(mut self, start: NaiveDate) -> Self {
        self.start = start;
        self
    }
    /// Sets the number of queues.
    pub fn queues(mut self, n: u32) -> Self {
        self.queues = n;
        self
    }
    /// Sets the number of agents.
    pub fn agents(mut self, n: u32) -> Self {
        self.agents = n;
        self
    }

    /// Sets the number of window files (segments only).
    pub fn pulls(mut self, n: u32) -> Self {
        self.pulls = n;
        self
    }
    /// Sets the percentage of each window pulled again by the next
    /// (segments only).
    pub fn repull_pct(mut self, pct: u8) -> Self {
        self.repull_pct = pct;
        self
    }

    pub(super) fn check(&self) -> Result<()> {
        if self.queues == 0 || self.agents == 0 {
            return Err(Error::usage(format!(
                "gen: {} and {} must be at least 1",
                OptionName::Queues,
                OptionName::Agents
            )));
        }
        if self.queues > 1_000_000 || self.agents > 10_000_000 {
            return Err(Error::usage(
                "gen: at most 1000000 queues and 10000000 agents",
            ));
        }
        if self.pulls == 0 {
            return Err(Error::usage(format!(
                "gen: {} must be at least 1",
                OptionName::Pulls
            )));
        }
        if self.repull_pct > 100 {
            return Err(Error::usage(format!(
                "gen: {} is a percentage, 0 to 100, not {}",
                OptionName::RepullPct,
                self.repull_pct
            )));
        }
        if self.pulls > 1 || self.repull_pct > 0 {
            if self.report != GenReport::Segments {
                return Err(Error::usage(format!(
                    "gen: {} and {} apply to segments only",
                    OptionName::Pulls,
                    OptionName::RepullPct
                )));
            }
            if self.pulls < 2 {
                return Err(Error::usage(format!(
                    "gen: re-pulls ({}) need at least 2 {}",
                    OptionName::RepullPct,
                    OptionName::Pulls
                )));
            }
            if self.rows / u64::from(self.pulls) < 5 {
                return Err(Error::usage(format!(
                    "gen: each of the {} {} needs at least 5 rows (an interaction has up to 5 \
                     segments), so at least {} rows",
                    self.pulls,
                    OptionName::Pulls,
                    u64::from(self.pulls) * 5
                )));
            }
        }
        if self.report == GenReport::Segments && self.format != GenFormat::Json {
            return Err(Error::usage(format!(
                "gen: segments are written as JSON only, not {}",
                self.format
            )));
        }
        Ok(())
    }
}

/// What [`write`](fn@super::write) wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenStats {
    /// Data rows (segment objects) written; with pulls, the segments of
    /// the data set, each counted once.
    pub rows: u64,
    /// Bytes written (over every file).
    pub bytes: u64,
    /// With pulls: segment objects written a second time, by the next
    /// window (identical or refined copies).
    pub repulled: u64,
    /// With pulls: of those, the ones whose earlier copy is incomplete
    /// (refined later; the others are identical).
    pub refined: u64,
}
