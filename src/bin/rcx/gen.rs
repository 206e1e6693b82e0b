//! `rcx gen`: deterministic synthetic exports.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args as ClapArgs;
use ringcx_reports::gen::{self, GenFormat, GenOptions, GenReport, DEFAULT_AGENTS, DEFAULT_QUEUES};
use ringcx_reports::{Error, ReportKind};

use crate::common::Output;

/// Write a synthetic report: same options and seed, same bytes.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Which report to generate.
    #[arg(long, value_enum)]
    report: ReportKind,
    /// Exact number of data rows (segment objects for segments).
    #[arg(long, value_name = "N")]
    rows: u64,
    /// Seed of the pseudo-random stream.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// Wire form (default: csv; json for segments, which are JSON only).
    #[arg(long, value_enum)]
    format: Option<GenFormat>,
    /// Local date of the first interval.
    #[arg(long, value_name = "YYYY-MM-DD", default_value = "2024-01-01", value_parser = parse_date)]
    start: NaiveDate,
    /// Number of queues.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_QUEUES)]
    queues: u32,
    /// Number of agents.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_AGENTS)]
    agents: u32,
    /// Write to FILE instead of standard output (a regular file is replaced
    /// atomically; a device, FIFO or socket is written through).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("invalid date {s:?}; expected YYYY-MM-DD"))
}

pub fn run(a: Args, quiet: bool) -> Result<ExitCode, Error> {
    let report = GenReport::from(a.report);
    let mut opts = GenOptions::new(report, a.rows)
        .seed(a.seed)
        .start(a.start)
        .queues(a.queues)
        .agents(a.agents);
    if let Some(f) = a.format {
        opts = opts.format(f);
    }
    let mut out = Output::new(a.output.as_ref(), &[])?;
    let stats = gen::write(&opts, &mut out)?;
    out.finish()?;
    if !quiet && a.output.is_some() {
        eprintln!("rcx: wrote {} rows, {} bytes", stats.rows, stats.bytes);
    }
    Ok(ExitCode::SUCCESS)
}
