//! `rcx calls`: service level, abandon rate, ASA, AHT and transfers from
//! interaction metadata, per key and time bucket (SPEC 5.1).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono_tz::Tz;
use clap::Args as ClapArgs;
use ringcx_reports::calls::{
    CallColumns, Calls, CALL_COLUMNS, DEFAULT_SHORT_ABANDON_S, DEFAULT_SL_THRESHOLD_S,
};
use ringcx_reports::rollup::{AnalyticsAnswer, ShortAbandons, SlFormula};
use ringcx_reports::timeline::TimelineBy;
use ringcx_reports::window::{BucketInterval, WeekStart};
use ringcx_reports::write::{write_calls, TableFormat};
use ringcx_reports::Error;

use crate::common::{self, one_of, parse_tz, Output, ReadOpts, TimeArgs};
use crate::progress::Bar;

/// The formats of calls: a subset of [`TableFormat`].
const FORMATS: &[TableFormat] = &[
    TableFormat::Csv,
    TableFormat::Tsv,
    TableFormat::Json,
    TableFormat::Ndjson,
    TableFormat::Table,
    TableFormat::Markdown,
    TableFormat::Analytics,
    TableFormat::Parquet,
];

/// Calls (interactions) of interaction metadata per key and DST-correct
/// time bucket: offered, answered and abandoned INBOUND calls, service
/// level, abandon rate, ASA, AHT (talk only: the export has no wrap-up),
/// transfers, conferences and recorded time. A call belongs to the bucket
/// of its start. v2 exports list agent legs only, so their abandon rate is
/// empty.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Interaction metadata files (v2 or cx v1; JSON or NDJSON).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Output key: the call's first agent or its group (an unanswered call
    /// has the empty key), direction, channel, company number, first IVR,
    /// or one key for all.
    #[arg(long, value_enum, default_value_t = TimelineBy::All)]
    by: TimelineBy,
    /// Bucket width.
    #[arg(long, value_parser = one_of(Calls::INTERVALS), default_value_t = BucketInterval::Hour)]
    interval: BucketInterval,
    /// Bucket zone (IANA name).
    #[arg(long, value_name = "ZONE", default_value = "UTC", value_parser = parse_tz)]
    tz: Tz,
    #[command(flatten)]
    time: TimeArgs,
    /// First day of week buckets [default: monday].
    #[arg(long, value_enum)]
    week_start: Option<WeekStart>,
    /// Answered within service level: a wait of at most this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_SL_THRESHOLD_S)]
    sl_threshold: u32,
    /// Short abandon: an abandoned call that waited less than this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_SHORT_ABANDON_S)]
    short_abandon: u32,
    /// Service-level formula [default: abandons-against].
    #[arg(long, value_enum)]
    sl_formula: Option<SlFormula>,
    /// Whether short abandons count [default: exclude].
    #[arg(long, value_enum)]
    short_abandons: Option<ShortAbandons>,
    /// Output format.
    #[arg(long, value_parser = one_of(FORMATS), default_value = "csv")]
    format: TableFormat,
    /// Print only these metric columns, in this order (comma-separated or
    /// repeated), after the key columns and bucket_start, bucket_end.
    #[arg(long, value_name = "LIST", value_delimiter = ',', long_help = columns_help())]
    columns: Vec<String>,
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

/// The long help of `--columns`, its list from the call catalogue.
fn columns_help() -> String {
    format!(
        "Print only these metric columns, in this order (comma-separated or repeated), after \
         the key columns and bucket_start, bucket_end, which are always printed [default: \
         every column]: {}. A name that is not a calls column, or a name given twice, is an \
         error (exit 2). How each column is computed: docs/metrics.md.",
        CALL_COLUMNS
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn build(a: &Args) -> Result<Calls, Error> {
    let mut c = Calls::new()
        .by(a.by)
        .interval(a.interval)
        .tz(a.tz)
        .sl_threshold(a.sl_threshold)
        .short_abandon(a.short_abandon)
        .columns(CallColumns::select(&a.columns)?)
        .skip_invalid(a.skip_invalid);
    c = a.time.parse()?.apply(c);
    if let Some(w) = a.week_start {
        c = c.week_start(w);
    }
    if let Some(s) = a.sl_formula {
        c = c.sl_formula(s);
    }
    if let Some(s) = a.short_abandons {
        c = c.short_abandons(s);
    }
    // The Analytics response of every option calls answer, grouped as
    // `--by`.
    if a.format == TableFormat::Analytics {
        c = c.analytics(AnalyticsAnswer::default());
    }
    Ok(c)
}

pub fn run(a: Args, quiet: bool) -> Result<ExitCode, Error> {
    let calls = build(&a)?;
    common::binary_output(a.format, a.output.as_ref())?;
    let mut out = Output::new(a.output.as_ref(), &a.files)?;
    let bar = Bar::for_files(quiet, "calls", &a.files);
    let table = calls.run_files(&a.files, &a.read.builder_counting(bar.as_ref()))?;
    drop(bar);
    write_calls(&table, a.format, &mut out)?;
    out.finish()?;
    let stats = table.stats();
    Ok(crate::timeline::report(&stats.load, &stats.warnings, quiet))
}
