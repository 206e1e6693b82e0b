//! `rcx sql`: the rollup as one SQL query over the Parquet `rcx convert`
//! writes, for DuckDB, Spark SQL or Trino (SPEC 9).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono_tz::Tz;
use clap::Args as ClapArgs;
use ringcx_reports::rollup::{Rollup, SqlDialect};
use ringcx_reports::{Error, ReportKind};

use crate::common::{parse_tz, Output};
use crate::rollup::Shape;

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
    /// Zone the report was requested in, as given to `rcx convert`: the
    /// default bucket zone.
    #[arg(long, value_name = "ZONE", default_value = "UTC", value_parser = parse_tz)]
    source_tz: Tz,
    #[command(flatten)]
    shape: Shape,
    /// Only these metric columns, in this order (as `rcx rollup --columns`).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    columns: Vec<String>,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode, Error> {
    let r = Rollup::new().source_tz(a.source_tz).columns(&a.columns);
    let sql = a.shape.apply(r)?.sql(a.report, a.dialect, &a.input)?;
    let mut out = Output::new(a.output.as_ref(), &[])?;
    out.write_all(sql.as_bytes())
        .map_err(|e| Error::io("standard output", e))?;
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}
