//! `rcx calls`: service level, abandon rate, ASA, AHT and transfers from
//! interaction metadata, per key and time bucket (SPEC 5.1).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono_tz::Tz;
use clap::{Args as ClapArgs, ValueEnum};
use ringcx_reports::calls::{
    CallColumns, Calls, CALL_COLUMNS, DEFAULT_SHORT_ABANDON_S, DEFAULT_SL_THRESHOLD_S,
};
use ringcx_reports::rollup::{ShortAbandons, SlFormula};
use ringcx_reports::timeline::TimelineBy;
use ringcx_reports::window::{BucketInterval, WeekStart};
use ringcx_reports::write::{write_calls, TableFormat};
use ringcx_reports::Error;

use crate::common::{parse_tz, Output, ReadOpts, TimeArgs};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Csv,
    Json,
    Ndjson,
    Table,
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
    Total,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SlArg {
    AbandonsAgainst,
    AbandonsIgnored,
    AbandonsPositive,
    Answered,
    Offered,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ShortArg {
    Include,
    Exclude,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum WeekArg {
    Monday,
    Sunday,
}

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
    /// has the empty key), direction, channel, or one key for all.
    #[arg(long, value_enum, default_value_t = ByArg::All)]
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
    /// Answered within service level: a wait of at most this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_SL_THRESHOLD_S)]
    sl_threshold: u32,
    /// Short abandon: an abandoned call that waited less than this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_SHORT_ABANDON_S)]
    short_abandon: u32,
    /// Service-level formula [default: abandons-against].
    #[arg(long, value_enum)]
    sl_formula: Option<SlArg>,
    /// Whether short abandons count [default: exclude].
    #[arg(long, value_enum)]
    short_abandons: Option<ShortArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
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
            IntervalArg::Total => BucketInterval::Total,
        })
        .tz(a.tz)
        .sl_threshold(a.sl_threshold)
        .short_abandon(a.short_abandon)
        .columns(CallColumns::select(&a.columns).map_err(|e| Error::usage(format!("--{e}")))?)
        .skip_invalid(a.skip_invalid);
    c = a.time.parse()?.apply(c);
    if let Some(w) = a.week_start {
        c = c.week_start(match w {
            WeekArg::Monday => WeekStart::Monday,
            WeekArg::Sunday => WeekStart::Sunday,
        });
    }
    if let Some(s) = a.sl_formula {
        c = c.sl_formula(match s {
            SlArg::AbandonsAgainst => SlFormula::AbandonsAgainst,
            SlArg::AbandonsIgnored => SlFormula::AbandonsIgnored,
            SlArg::AbandonsPositive => SlFormula::AbandonsPositive,
            SlArg::Answered => SlFormula::Answered,
            SlArg::Offered => SlFormula::Offered,
        });
    }
    if let Some(s) = a.short_abandons {
        c = c.short_abandons(match s {
            ShortArg::Include => ShortAbandons::Include,
            ShortArg::Exclude => ShortAbandons::Exclude,
        });
    }
    Ok(c)
}

pub fn run(a: Args, quiet: bool) -> Result<ExitCode, Error> {
    let calls = build(&a)?;
    let format = match a.format {
        Format::Csv => TableFormat::Csv,
        Format::Json => TableFormat::Json,
        Format::Ndjson => TableFormat::Ndjson,
        Format::Table => TableFormat::Table,
    };
    let mut out = Output::new(a.output.as_ref(), &a.files)?;
    let table = calls.run_files(&a.files, &a.read.builder())?;
    write_calls(&table, format, &mut out)?;
    out.finish()?;
    let stats = table.stats();
    Ok(crate::timeline::report(&stats.load, &stats.warnings, quiet))
}
