//! Options and plumbing shared by the subcommands.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::flags::spell;
use crate::progress::Bar;
use chrono_tz::Tz;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args as ClapArgs, ValueEnum};
use ringcx_reports::model::parse_zone;
use ringcx_reports::progress::Progress;
use ringcx_reports::rollup::{AnalyticsAnswer, GroupMap, GroupOf, ResponseVersion, Rollup};
use ringcx_reports::window::{parse_days, HourRange, TimeBound};
use ringcx_reports::write::{check_not_input, Destination, TableFormat};
use ringcx_reports::{
    Code, DateOrder, DateOrderBasis, Error, Reader, ReaderBuilder, ReportKind, WireForm,
};

/// A value parser for the values `allowed` of a library enum, where a
/// command takes only some of them: the spellings and help lines are the
/// enum's own, and any other value is refused as clap refuses an unknown
/// one (listing the values allowed). An argument marked `ignore_case`
/// takes any case (`--interval Hour`); the others are refused by the
/// possible values first.
pub fn one_of<E>(allowed: &'static [E]) -> impl TypedValueParser<Value = E>
where
    E: ValueEnum + Send + Sync + 'static,
{
    PossibleValuesParser::new(allowed.iter().filter_map(ValueEnum::to_possible_value))
        .try_map(|s| E::from_str(&s, true))
}

/// How input files are read.
#[derive(ClapArgs, Debug, Clone)]
pub struct ReadOpts {
    /// Zone the report was requested in (IANA name); local starts resolve there.
    #[arg(long, value_name = "ZONE", default_value = "UTC", value_parser = parse_tz)]
    pub source_tz: Tz,
    /// Order of month and day in slash dates [default: decided by each file:
    /// a day above 12, else the order that keeps each key's rows a day
    /// apart, else mdy with warning V112].
    #[arg(long, value_enum)]
    pub date_order: Option<DateOrder>,
    /// Report kind, when detection from the content should be overridden.
    #[arg(long, value_enum)]
    pub report: Option<ReportKind>,
    /// Wire form, when detection from the content should be overridden.
    #[arg(long, value_enum)]
    pub form: Option<WireForm>,
    /// CSV delimiter, when detection from the first record (`,` `;` `|`
    /// TAB) should be overridden: one ASCII punctuation character, or
    /// `tab`.
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// The first CSV record is data, not a header: the columns are the
    /// report's headerless layout, chosen by their count or --report.
    #[arg(long)]
    pub no_header: bool,
}

/// A delimiter as given on the command line: one ASCII character, or
/// `tab` (`\t` too). Which characters can separate fields is the
/// library's to say.
fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "TAB" | "\\t" | "\t" => Ok(b'\t'),
        _ => match s.as_bytes() {
            [b] if b.is_ascii() => Ok(*b),
            _ => Err(format!("{s:?} is not one ASCII character (or tab)")),
        },
    }
}

pub fn parse_tz(s: &str) -> Result<Tz, String> {
    parse_zone(s).ok_or_else(|| {
        format!("unknown time zone {s:?}; expected an IANA name such as America/New_York")
    })
}

impl ReadOpts {
    pub fn builder(&self) -> ReaderBuilder {
        ReaderBuilder::new()
            .source_tz(self.source_tz)
            .date_order(self.date_order)
            .report(self.report)
            .form(self.form)
            .delimiter(self.delimiter)
            .no_header(self.no_header)
    }

    /// The builder, counting what its readers read into `bar`'s progress
    /// when there is a bar.
    pub fn builder_counting(&self, bar: Option<&Bar>) -> ReaderBuilder {
        match bar {
            Some(b) => self.builder().progress(b.progress().clone()),
            None => self.builder(),
        }
    }

    /// Opens `path` (`-` is standard input).
    pub fn open(&self, path: &Path) -> Result<Reader, Error> {
        self.open_with(path, None)
    }

    /// Opens `path`, counting the bytes read into `progress` when given.
    pub fn open_with(&self, path: &Path, progress: Option<&Progress>) -> Result<Reader, Error> {
        let b = self.builder();
        match progress {
            None => b.from_path(path),
            Some(p) => b.from_path_counted(path, p),
        }
    }
}

/// Says on stderr how a file's slash dates are read when the file's rows
/// decided it (a guess is announced; an order assumed is warning V112,
/// among the reader's diagnostics).
pub fn announce_date_order(reader: &Reader) {
    let d = reader.date_order();
    if matches!(d.basis, DateOrderBasis::Contiguity { .. }) {
        let _ = writeln!(
            io::stderr(),
            "rcx: note: {}: slash dates read as {d}",
            reader.file()
        );
    }
}

/// Where output goes: standard output, or the `-o` path (SPEC 9.2; see
/// [`Destination`]).
pub struct Output(Destination);

impl Output {
    /// Standard output, or `path` once it is known not to be one of
    /// `inputs` (refused before anything is read: an atomic rename over an
    /// input would replace the data with the output).
    pub fn new(path: Option<&PathBuf>, inputs: &[PathBuf]) -> Result<Output, Error> {
        Ok(Output(match path {
            Some(p) => {
                check_output(p, inputs)?;
                Destination::create(p)?
            }
            None => Destination::stdout(),
        }))
    }

    /// Writes all of `bytes`; an error names the output.
    pub fn print(&mut self, bytes: impl AsRef<[u8]>) -> Result<(), Error> {
        self.0
            .write_all(bytes.as_ref())
            .map_err(|e| Error::io("<output>", e))
    }

    pub fn finish(self) -> Result<(), Error> {
        self.0.commit()
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Refuses an `-o` path that is one of the input files; `-` (standard
/// input) is compared by the file it is redirected from.
pub fn check_output(output: &Path, inputs: &[PathBuf]) -> Result<(), Error> {
    let stdin = Path::new(if cfg!(unix) { "/dev/stdin" } else { "-" });
    let inputs = inputs.iter().map(|p| {
        if p.as_os_str() == "-" {
            stdin
        } else {
            p.as_path()
        }
    });
    check_not_input(output, inputs)
}

/// Prints what did not stop the command but changes what it gives, one
/// `rcx: warning: …` line each on stderr (whatever `--quiet`): the
/// header findings of each input ([`Reader::diagnostics`]: an unknown
/// column, S004, whose values are not read), and the warnings the
/// library's run statistics carry (a filter that kept no row, rows
/// attributed by start, …). Every command prints its warnings here.
pub fn warn<I>(warnings: I)
where
    I: IntoIterator,
    I::Item: std::fmt::Display,
{
    print_each("warning", warnings);
}

/// Prints each note on stderr (`rcx: note: …`): what is worth saying but
/// changes nothing the command gives.
pub fn note<I>(notes: I)
where
    I: IntoIterator,
    I::Item: std::fmt::Display,
{
    print_each("note", notes);
}

/// `rcx: KIND: …` on stderr for each item, its option names spelled as
/// flags.
fn print_each<I>(kind: &str, items: I)
where
    I: IntoIterator,
    I::Item: std::fmt::Display,
{
    // Not `eprintln!`, which panics when stderr is a closed pipe.
    let mut err = io::stderr().lock();
    for i in items {
        let _ = writeln!(err, "rcx: {kind}: {}", spell(&i.to_string()));
    }
}

/// The exit status after a run that may have skipped invalid records
/// (`--skip-invalid`): success when nothing was skipped; otherwise one line
/// on stderr with the count by code and the first skipped record's error
/// (unless `quiet`), and exit status 1.
pub fn skipped_exit(
    skipped: &BTreeMap<Code, u64>,
    first: Option<&str>,
    what: &str,
    quiet: bool,
) -> ExitCode {
    if skipped.is_empty() {
        return ExitCode::SUCCESS;
    }
    if !quiet {
        let total: u64 = skipped.values().sum();
        let by_code: Vec<String> = skipped.iter().map(|(c, n)| format!("{c}: {n}")).collect();
        eprintln!(
            "rcx: skipped {total} invalid {what} ({}); first: {}",
            by_code.join(", "),
            spell(first.unwrap_or(""))
        );
    }
    ExitCode::from(1)
}

/// The time-filter flags of SPEC 4.2, shared by `rollup`, `timeline` and
/// `plot`; a record (a row, or a segment) is kept by its start.
#[derive(clap::Args, Debug)]
pub struct TimeArgs {
    /// Keep records starting at or after this (RFC 3339, or local date/datetime in --tz).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Keep records starting before this (RFC 3339, or local date/datetime in --tz).
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Keep records starting on these local days: mon,tue,...
    #[arg(long, value_name = "DAYS")]
    pub days: Option<String>,
    /// Keep records whose local start time is in these ranges, e.g. 08:00-17:00,22:00-06:00 (repeatable).
    #[arg(long, value_name = "RANGES")]
    pub hours: Vec<String>,
}

impl TimeArgs {
    /// The filters, each checked (a bad value is a usage error naming its flag).
    pub fn parse(&self) -> Result<TimeFilters, Error> {
        TimeFilters::parse(
            self.from.as_deref(),
            self.to.as_deref(),
            self.days.as_deref(),
            &self.hours,
        )
    }
}

/// The time filters of SPEC 4.2 (`--from`, `--to`, `--days`, `--hours`),
/// parsed once for every subcommand that takes them.
#[derive(Debug, Default)]
pub struct TimeFilters {
    pub from: Option<TimeBound>,
    pub to: Option<TimeBound>,
    pub days: Option<u8>,
    pub hours: Vec<HourRange>,
}

impl TimeFilters {
    /// Parses the flags as given; a bad value is a usage error naming its
    /// flag. `hours` may repeat and each may be a comma-separated list.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        days: Option<&str>,
        hours: &[String],
    ) -> Result<TimeFilters, Error> {
        let bound = |flag: &str, v: Option<&str>| {
            v.map(|v| {
                v.parse::<TimeBound>()
                    .map_err(|e| Error::usage(format!("{flag}: {e}")))
            })
            .transpose()
        };
        let mut ranges = Vec::new();
        for h in hours {
            ranges.extend(HourRange::parse_list(h)?);
        }
        Ok(TimeFilters {
            from: bound("--from", from)?,
            to: bound("--to", to)?,
            days: days.map(parse_days).transpose()?,
            hours: ranges,
        })
    }

    /// Sets the filters that were given on a rollup or timeline builder.
    pub fn apply<B: TimeFiltered>(self, mut b: B) -> B {
        if let Some(v) = self.from {
            b = b.from(v);
        }
        if let Some(v) = self.to {
            b = b.to(v);
        }
        if let Some(v) = self.days {
            b = b.days(v);
        }
        if !self.hours.is_empty() {
            b = b.hours(self.hours);
        }
        b
    }
}

/// The builders that take SPEC 4.2 time filters.
pub trait TimeFiltered: Sized {
    fn from(self, v: TimeBound) -> Self;
    fn to(self, v: TimeBound) -> Self;
    fn days(self, mask: u8) -> Self;
    fn hours(self, ranges: Vec<HourRange>) -> Self;
}

macro_rules! time_filtered {
    ($($t:ty),*) => {$(
        impl TimeFiltered for $t {
            fn from(self, v: TimeBound) -> Self {
                <$t>::from(self, v)
            }
            fn to(self, v: TimeBound) -> Self {
                <$t>::to(self, v)
            }
            fn days(self, mask: u8) -> Self {
                <$t>::days(self, mask)
            }
            fn hours(self, ranges: Vec<HourRange>) -> Self {
                <$t>::hours(self, ranges)
            }
        }
    )*};
}
time_filtered!(
    ringcx_reports::calls::Calls,
    ringcx_reports::rollup::Rollup,
    ringcx_reports::timeline::Timeline
);

/// The shape of an Analytics response: its page and envelope (`rcx
/// analytics`, and `rcx rollup --format analytics`).
#[derive(ClapArgs, Debug)]
pub struct ResponseOpts {
    /// The page of an analytics response, from 1 [default: 1].
    #[arg(long, value_name = "N")]
    page: Option<u64>,
    /// Records per page of an analytics response [default: all].
    #[arg(long, value_name = "N")]
    per_page: Option<u64>,
    /// The analytics response envelope: the current endpoints' or the
    /// legacy endpoint's (`data` a list, `keyInfo`) [default: current].
    #[arg(long, value_enum, value_name = "VERSION")]
    analytics_version: Option<ResponseVersion>,
}

impl ResponseOpts {
    /// Sets the options given on an Analytics answer.
    pub fn answer(&self, mut a: AnalyticsAnswer) -> Result<AnalyticsAnswer, Error> {
        if let Some(p) = self.page {
            a = a.with_page(p)?;
        }
        if let Some(n) = self.per_page {
            a = a.with_per_page(n)?;
        }
        if let Some(v) = self.analytics_version {
            a.version = v;
        }
        Ok(a)
    }

    /// Sets the options given on `r`.
    pub fn apply(&self, mut r: Rollup) -> Result<Rollup, Error> {
        if let Some(p) = self.page {
            r = r.page(p)?;
        }
        if let Some(n) = self.per_page {
            r = r.per_page(n)?;
        }
        if let Some(v) = self.analytics_version {
            r = r.analytics_version(v);
        }
        Ok(r)
    }
}

/// The formats of segment timelines and interactions: every
/// [`TableFormat`] but the Analytics shape, which answers calls (`rcx
/// analytics`, `rcx calls`); taking only these, `--help` lists what works
/// and clap refuses the rest before any file is read.
pub const SEGMENT_FORMATS: &[TableFormat] = TIMELINE_FORMATS.split_at(6).0;

/// The formats of segment timelines: [`SEGMENT_FORMATS`] (the first six)
/// and one Parquet file.
pub const TIMELINE_FORMATS: &[TableFormat] = &[
    TableFormat::Csv,
    TableFormat::Tsv,
    TableFormat::Json,
    TableFormat::Ndjson,
    TableFormat::Table,
    TableFormat::Markdown,
    TableFormat::Parquet,
];

/// Refuses the Parquet format before anything is read: in a build without
/// it, or to a terminal.
pub fn binary_output(format: TableFormat, output: Option<&PathBuf>) -> Result<(), Error> {
    use std::io::IsTerminal;
    if format == TableFormat::Parquet && cfg!(not(feature = "parquet")) {
        return Err(Error::usage(
            "--format parquet needs the `parquet` cargo feature; rebuild with --features parquet",
        ));
    }
    if format == TableFormat::Parquet && output.is_none() && io::stdout().is_terminal() {
        return Err(Error::usage(
            "--format parquet writes a binary file: give -o FILE.parquet, or redirect standard \
             output",
        ));
    }
    Ok(())
}

/// The group maps of a rollup: queues to queue groups, agents to agent
/// groups (user groups, departments or sites; an id may be in several).
#[derive(ClapArgs, Debug)]
pub struct GroupMapOpts {
    /// Queue group map: CSV id,group or queue-groups/{id}/with-agents JSON.
    #[arg(long, value_name = "FILE")]
    queue_groups: Option<PathBuf>,
    /// Agent group map: CSV id,group or queue-groups/{id}/with-agents JSON
    /// (an agent in two groups counts in both).
    #[arg(long, value_name = "FILE")]
    agent_groups: Option<PathBuf>,
    /// Agent department map, CSV id,department: the agent map of an
    /// Analytics request grouped by Departments or DepartmentMembers.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["agent_groups", "sites"])]
    departments: Option<PathBuf>,
    /// Agent site map, CSV id,site: the agent map of an Analytics request
    /// grouped by Sites or SiteMembers.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["agent_groups"])]
    sites: Option<PathBuf>,
}

impl GroupMapOpts {
    /// The map files given.
    pub fn files(&self) -> impl Iterator<Item = &PathBuf> {
        [
            &self.queue_groups,
            &self.agent_groups,
            &self.departments,
            &self.sites,
        ]
        .into_iter()
        .flatten()
    }

    /// Reads the maps given onto `r`.
    pub fn apply(&self, mut r: Rollup) -> Result<Rollup, Error> {
        if let Some(p) = &self.queue_groups {
            r = r.queue_groups(GroupMap::from_path(p, GroupOf::Queues)?);
        }
        let agents = [&self.agent_groups, &self.departments, &self.sites];
        if let Some(p) = agents.into_iter().flatten().next() {
            r = r.agent_groups(GroupMap::from_path(p, GroupOf::Agents)?);
        }
        Ok(r)
    }
}
