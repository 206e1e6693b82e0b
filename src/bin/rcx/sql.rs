//! `rcx sql`: the rollup as one SQL query over the Parquet `rcx convert`
//! writes, for DuckDB, Spark SQL or Trino (SPEC 9).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono_tz::Tz;
use clap::Args as ClapArgs;
use ringcx_reports::rollup::{Grouping, Offered, Rollup, ShortAbandons, SlFormula, SqlDialect};
use ringcx_reports::window::{Attribution, BucketInterval, WeekStart};
use ringcx_reports::{Error, ReportKind};

use crate::common::{parse_tz, Output, TimeArgs};

/// Print the rollup as one SQL query over the Parquet `rcx convert` writes:
/// its result has the columns and values of `rcx rollup --format csv`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// The engine the query is for.
    #[arg(long, value_enum)]
    dialect: SqlDialect,
    /// The Parquet file or date-partitioned directory `rcx convert --to
    /// parquet` wrote (duckdb, spark), or the table over it (trino).
    #[arg(long, value_name = "PATH")]
    input: String,
    /// The report the Parquet holds.
    #[arg(long, value_enum)]
    report: ReportKind,
    /// Output key (default: queue for Queue Statistics, agent otherwise).
    #[arg(long, value_enum)]
    by: Option<Grouping>,
    /// Bucket width [default: hour].
    #[arg(long, value_enum)]
    interval: Option<BucketInterval>,
    /// Bucket zone (IANA name) [default: the source zone].
    #[arg(long, value_name = "ZONE", value_parser = parse_tz)]
    tz: Option<Tz>,
    /// Zone the report was requested in, as given to `rcx convert`: the
    /// default bucket zone.
    #[arg(long, value_name = "ZONE", default_value = "UTC", value_parser = parse_tz)]
    source_tz: Tz,
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
    /// Rows that do not nest in a bucket: fail the query (nest) or use their start [default: nest].
    #[arg(long, value_enum)]
    attribution: Option<Attribution>,
    /// First day of week buckets [default: monday].
    #[arg(long, value_enum)]
    week_start: Option<WeekStart>,
    /// Only these metric columns, in this order (as `rcx rollup --columns`).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    columns: Vec<String>,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode, Error> {
    let mut r = Rollup::new().source_tz(a.source_tz).columns(&a.columns);
    if let Some(b) = a.by {
        r = r.by(b);
    }
    if let Some(i) = a.interval {
        r = r.interval(i);
    }
    if let Some(tz) = a.tz {
        r = r.tz(tz);
    }
    r = a.time.parse()?.apply(r);
    if let Some(s) = a.sl_formula {
        r = r.sl_formula(s);
    }
    if let Some(s) = a.short_abandons {
        r = r.short_abandons(s);
    }
    if let Some(o) = a.offered {
        r = r.offered(o);
    }
    if let Some(at) = a.attribution {
        r = r.attribution(at);
    }
    if let Some(w) = a.week_start {
        r = r.week_start(w);
    }
    let sql = r.sql(a.report, a.dialect, &a.input)?;
    let mut out = Output::new(a.output.as_ref(), &[])?;
    out.write_all(sql.as_bytes())
        .map_err(|e| Error::io("standard output", e))?;
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}
