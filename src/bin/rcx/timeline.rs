//! `rcx timeline`: segments per key and time bucket (SPEC 5).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono_tz::Tz;
use clap::{Args as ClapArgs, ValueEnum};
use ringcx_reports::timeline::{Interactions, LoadStats, Timeline, TimelineBy};
use ringcx_reports::window::{BucketInterval, WeekStart};
use ringcx_reports::write::{write_timeline, TableFormat};
use ringcx_reports::Error;

use crate::common::{parse_tz, skipped_exit, warn, Output, ReadOpts, TimeArgs};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Csv,
    Json,
    Ndjson,
    Table,
    Analytics,
}

impl From<Format> for TableFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Csv => TableFormat::Csv,
            Format::Json => TableFormat::Json,
            Format::Ndjson => TableFormat::Ndjson,
            Format::Table => TableFormat::Table,
            Format::Analytics => TableFormat::Analytics,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ByArg {
    Agent,
    AgentGroup,
    Direction,
    Channel,
    All,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum IntervalArg {
    #[value(name = "15m")]
    M15,
    #[value(name = "30m")]
    M30,
    Hour,
    Day,
    Week,
    Month,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum WeekArg {
    Monday,
    Sunday,
}

/// Segments (agent, IVR, bot) of interaction metadata per key and DST-correct time
/// bucket: segments and interactions started, handle and recorded time
/// (each span split exactly at bucket boundaries), peak concurrency,
/// average segment length, transfers.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Interaction metadata files (v2 or cx v1; JSON or NDJSON).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Output key.
    #[arg(long, value_enum, default_value_t = ByArg::Agent)]
    by: ByArg,
    /// Bucket width.
    #[arg(long, value_enum, default_value_t = IntervalArg::Hour)]
    interval: IntervalArg,
    /// Bucket zone (IANA name).
    #[arg(long, value_name = "ZONE", default_value = "UTC", value_parser = parse_tz)]
    tz: Tz,
    #[command(flatten)]
    time: TimeArgs,
    /// First day of week buckets [default: monday].
    #[arg(long, value_enum)]
    week_start: Option<WeekArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// Write to FILE instead of standard output (a regular file is replaced
    /// atomically; a device, FIFO or socket is written through).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Skip segments that cannot be read or placed, count them by code, and exit 1.
    #[arg(long)]
    skip_invalid: bool,
    #[command(flatten)]
    read: ReadOpts,
}

fn build(a: &Args) -> Result<Timeline, Error> {
    let mut t = Timeline::new()
        .by(match a.by {
            ByArg::Agent => TimelineBy::Agent,
            ByArg::AgentGroup => TimelineBy::AgentGroup,
            ByArg::Direction => TimelineBy::Direction,
            ByArg::Channel => TimelineBy::Channel,
            ByArg::All => TimelineBy::All,
        })
        .interval(match a.interval {
            IntervalArg::M15 => BucketInterval::Min15,
            IntervalArg::M30 => BucketInterval::Min30,
            IntervalArg::Hour => BucketInterval::Hour,
            IntervalArg::Day => BucketInterval::Day,
            IntervalArg::Week => BucketInterval::Week,
            IntervalArg::Month => BucketInterval::Month,
        })
        .tz(a.tz)
        .skip_invalid(a.skip_invalid);
    t = a.time.parse()?.apply(t);
    if let Some(w) = a.week_start {
        t = t.week_start(match w {
            WeekArg::Monday => WeekStart::Monday,
            WeekArg::Sunday => WeekStart::Sunday,
        });
    }
    Ok(t)
}

/// Prints the load's warnings, then the run's (`run`), and the skip
/// summary; the exit status.
pub fn report(stats: &LoadStats, run: &[String], quiet: bool) -> ExitCode {
    warn(stats.warnings().iter().chain(run));
    skipped_exit(
        &stats.skipped,
        stats.first_skipped.as_deref(),
        "segment(s)",
        quiet,
    )
}

pub fn run(a: Args, quiet: bool) -> Result<ExitCode, Error> {
    let timeline = build(&a)?;
    let mut out = Output::new(a.output.as_ref(), &a.files)?;
    let ixns = Interactions::from_files(&a.files, &a.read.builder(), a.skip_invalid)?;
    let table = timeline.run(&ixns)?;
    write_timeline(&table, a.format.into(), &mut out)?;
    out.finish()?;
    Ok(report(ixns.stats(), &table.stats().warnings, quiet))
}
