//! `rcx timeline`: segments per key and time bucket (SPEC 5).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono_tz::Tz;
use clap::Args as ClapArgs;
use ringcx_reports::timeline::{LoadStats, Timeline, TimelineBy};
use ringcx_reports::window::{BucketInterval, WeekStart};
use ringcx_reports::write::{write_packed_timeline, TableFormat};
use ringcx_reports::Error;

use crate::common::{
    self, note, one_of, parse_tz, skipped_exit, warn, Output, ReadOpts, TimeArgs, TIMELINE_FORMATS,
};
use crate::progress::Bar;

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
    #[arg(long, value_enum, default_value_t = TimelineBy::Agent)]
    by: TimelineBy,
    /// Bucket width.
    #[arg(long, value_parser = one_of(Timeline::INTERVALS), default_value_t = BucketInterval::Hour)]
    interval: BucketInterval,
    /// Bucket zone (IANA name).
    #[arg(long, value_name = "ZONE", default_value = "UTC", value_parser = parse_tz)]
    tz: Tz,
    #[command(flatten)]
    time: TimeArgs,
    /// First day of week buckets [default: monday].
    #[arg(long, value_enum)]
    week_start: Option<WeekStart>,
    /// Output format.
    #[arg(long, value_parser = one_of(TIMELINE_FORMATS), default_value = "csv")]
    format: TableFormat,
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
        .by(a.by)
        .interval(a.interval)
        .tz(a.tz)
        .skip_invalid(a.skip_invalid);
    t = a.time.parse()?.apply(t);
    if let Some(w) = a.week_start {
        t = t.week_start(w);
    }
    Ok(t)
}

/// Prints the load's warnings, then the run's (`run`), and the skip
/// summary; the exit status.
pub fn report(stats: &LoadStats, run: &[String], quiet: bool) -> ExitCode {
    if !quiet {
        note(stats.notes());
    }
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
    common::binary_output(a.format, a.output.as_ref())?;
    let mut out = Output::new(a.output.as_ref(), &a.files)?;
    let bar = Bar::for_files(quiet, "timeline", &a.files);
    // Packed as the buckets become final: memory does not grow with the
    // timeline's length.
    let table = timeline.fold_files(&a.files, &a.read.builder_counting(bar.as_ref()))?;
    drop(bar);
    write_packed_timeline(&table, a.format, &mut out)?;
    out.finish()?;
    Ok(report(&table.stats().load, &table.stats().warnings, quiet))
}
