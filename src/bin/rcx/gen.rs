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
    /// Segments only: split them into N window files, as consecutive pulls
    /// of interaction metadata would be, written as pull-0001.json,
    /// pull-0002.json, … (in time order) into the directory given by
    /// --output. Each interaction goes whole to one window.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pulls: u32,
    /// Segments only, with --pulls: the next window pulls again the last
    /// interactions of each window, PCT percent of its segments. Half of
    /// those earlier copies (by the seed) are incomplete, refined by the
    /// later pull: the last segment without its recording events, or,
    /// without events, without its end time; the others are identical.
    /// Merged (timeline, interactions, calls), the files give the data of
    /// the same options without --pulls.
    #[arg(long, value_name = "PCT", default_value_t = 0)]
    repull_pct: u8,
    /// Write to FILE instead of standard output (a regular file is replaced
    /// atomically; a device, FIFO or socket is written through). With
    /// --pulls above 1: the directory of the window files (created if
    /// missing).
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
        .agents(a.agents)
        .pulls(a.pulls)
        .repull_pct(a.repull_pct);
    if let Some(f) = a.format {
        opts = opts.format(f);
    }
    if a.pulls > 1 {
        let Some(dir) = &a.output else {
            return Err(Error::usage(
                "--pulls above 1 writes several files: give their directory with --output",
            ));
        };
        // Names of one width, so that they sort in window order.
        let width = a.pulls.to_string().len().max(4);
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        let stats = gen::write_pulls(
            &opts,
            |k| Output::new(Some(&dir.join(format!("pull-{:0width$}.json", k + 1))), &[]),
            Output::finish,
        )?;
        if !quiet {
            eprintln!(
                "rcx: wrote {} rows in {} files, {} bytes; {} re-pulled copies, {} of them refined",
                stats.rows, a.pulls, stats.bytes, stats.repulled, stats.refined
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Output::new(a.output.as_ref(), &[])?;
    let stats = gen::write(&opts, &mut out)?;
    out.finish()?;
    if !quiet && a.output.is_some() {
        eprintln!("rcx: wrote {} rows, {} bytes", stats.rows, stats.bytes);
    }
    Ok(ExitCode::SUCCESS)
}
