//! `rcx rollup`: KPIs by key and time bucket (SPEC 4).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono_tz::Tz;
use clap::Args as ClapArgs;
use ringcx_reports::rollup::{
    AnalyticsRequest, Column, Grouping, Offered, Rollup, RollupOutput, RollupStats, ShortAbandons,
    SlFormula, AGENT_COLUMNS, AGENT_EXT_COLUMNS, QUEUE_COLUMNS,
};
use ringcx_reports::window::{Attribution, BucketInterval, WeekStart};
use ringcx_reports::write::{write_rollup, TableFormat};
use ringcx_reports::Error;

use crate::common::{self, parse_tz, GroupMapOpts, Output, ReadOpts, ResponseOpts, TimeArgs};
use crate::progress::Bar;

/// Roll rows up into KPIs (service level, abandon rate, AHT, ASA,
/// occupancy, transfer rate) by key and DST-correct time bucket.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    rollup: RollupOpts,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Csv)]
    format: TableFormat,
    /// Print only these metric columns, in this order (comma-separated or
    /// repeated), after the key columns and bucket_start, bucket_end, which
    /// are always printed [default: every metric of the report].
    #[arg(long, value_name = "LIST", value_delimiter = ',', long_help = columns_help())]
    columns: Vec<String>,
    #[command(flatten)]
    response: ResponseOpts,
    /// Write to FILE instead of standard output (a regular file is replaced
    /// atomically; a device, FIFO or socket is written through).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// The input and rollup options `rcx rollup` and `rcx plot` share.
#[derive(ClapArgs, Debug)]
pub struct RollupOpts {
    /// Input files of one report.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    shape: Shape,
    #[command(flatten)]
    maps: GroupMapOpts,
    /// RingCentral Analytics API request body; explicit options override it.
    #[arg(long, value_name = "FILE")]
    request: Option<PathBuf>,
    /// Skip rows that cannot be read or placed, count them by code, and exit 1.
    #[arg(long)]
    skip_invalid: bool,
    #[command(flatten)]
    read: ReadOpts,
}

/// What a rollup computes from rows it has: key, buckets, filters and
/// formulas (`rcx rollup`, `rcx plot`, `rcx sql`).
#[derive(ClapArgs, Debug)]
pub struct Shape {
    /// Output key (default: queue for Queue Statistics, agent otherwise).
    #[arg(long, value_enum)]
    by: Option<Grouping>,
    /// Bucket width [default: hour].
    #[arg(long, value_enum)]
    interval: Option<BucketInterval>,
    /// Bucket zone (IANA name) [default: the source zone].
    #[arg(long, value_name = "ZONE", value_parser = parse_tz)]
    tz: Option<Tz>,
    #[command(flatten)]
    time: TimeArgs,
    /// Service-level formula [default: abandons-against].
    #[arg(long, value_enum)]
    sl_formula: Option<SlFormula>,
    /// Whether short abandons count [default: exclude].
    #[arg(long, value_enum)]
    short_abandons: Option<ShortAbandons>,
    /// What offered means [default: direct+overflow].
    #[arg(long, value_enum)]
    offered: Option<Offered>,
    /// Rows that do not nest in a bucket: refuse (nest) or use their start [default: nest].
    #[arg(long, value_enum)]
    attribution: Option<Attribution>,
    /// First day of week buckets [default: monday].
    #[arg(long, value_enum)]
    week_start: Option<WeekStart>,
}

impl Shape {
    /// Sets the options that were given on `r`.
    pub fn apply(&self, mut r: Rollup) -> Result<Rollup, Error> {
        if let Some(b) = self.by {
            r = r.by(b);
        }
        if let Some(i) = self.interval {
            r = r.interval(i);
        }
        if let Some(tz) = self.tz {
            r = r.tz(tz);
        }
        r = self.time.parse()?.apply(r);
        if let Some(s) = self.sl_formula {
            r = r.sl_formula(s);
        }
        if let Some(s) = self.short_abandons {
            r = r.short_abandons(s);
        }
        if let Some(o) = self.offered {
            r = r.offered(o);
        }
        if let Some(at) = self.attribution {
            r = r.attribution(at);
        }
        if let Some(w) = self.week_start {
            r = r.week_start(w);
        }
        Ok(r)
    }
}

fn build(a: &RollupOpts) -> Result<Rollup, Error> {
    let mut r = Rollup::new();
    if let Some(p) = &a.request {
        r = r.request(&AnalyticsRequest::from_path(p)?)?;
    }
    r = a.shape.apply(r.source_tz(a.read.source_tz))?;
    r = a.maps.apply(r)?;
    Ok(r.skip_invalid(a.skip_invalid))
}

impl RollupOpts {
    /// Every file the rollup reads: the inputs, group maps and request.
    pub fn inputs(&self) -> Vec<PathBuf> {
        let extra = self.maps.files().chain(&self.request).cloned();
        self.files.iter().cloned().chain(extra).collect()
    }

    /// Builds the rollup from the options and runs it on the files, with a
    /// progress bar unless `quiet`.
    #[cfg_attr(not(feature = "plot"), allow(dead_code))]
    pub fn output(&self, quiet: bool) -> Result<RollupOutput, Error> {
        let bar = Bar::for_files(quiet, "rolling up", &self.files);
        build(self)?.output_files(&self.files, &self.read.builder_counting(bar.as_ref()))
    }
}

/// The long help of `--columns`: its column lists come from the metric
/// catalogue.
fn columns_help() -> String {
    let list = |cols: &[Column]| cols.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
    format!(
        "Print only these metric columns, in this order (comma-separated or repeated), after \
         the key columns and bucket_start, bucket_end, which are always printed [default: \
         every metric of the report].\n\n\
         Queue Statistics: {}.\n\n\
         Agent Extended Statistics: {}.\n\n\
         Agent Statistics: {}.\n\n\
         A name that is not a metric of the report rolled up, or a name given twice, is an \
         error (exit 2). Applies to every --format. How each column is computed: \
         docs/metrics.md.",
        list(QUEUE_COLUMNS),
        list(AGENT_EXT_COLUMNS),
        list(AGENT_COLUMNS)
    )
}

pub fn run(a: Args, quiet: bool) -> Result<ExitCode, Error> {
    common::binary_output(a.format, a.output.as_ref())?;
    let mut out = Output::new(a.output.as_ref(), &a.rollup.inputs())?;
    let r = &a.rollup;
    let bar = Bar::for_files(quiet, "rolling up", &r.files);
    let output = a
        .response
        .apply(build(r)?.columns(&a.columns))?
        .output_files(&r.files, &r.read.builder_counting(bar.as_ref()))?;
    drop(bar);
    let stats = write_rollup(output, a.format, &mut out)?;
    common::warn(&stats.warnings);
    out.finish()?;
    Ok(skipped_exit(&stats, quiet))
}

/// The exit status of a rollup that may have skipped invalid rows.
pub fn skipped_exit(stats: &RollupStats, quiet: bool) -> ExitCode {
    common::skipped_exit(
        &stats.skipped,
        stats.first_skipped.as_deref(),
        "row(s)",
        quiet,
    )
}
