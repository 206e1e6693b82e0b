//! `rcx interactions`: one row per interaction, assembled from its
//! segments (SPEC 5).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono_tz::Tz;
use clap::Args as ClapArgs;
use ringcx_reports::write::{write_interactions_files, TableFormat};
use ringcx_reports::Error;

use crate::common::{one_of, parse_tz, Output, ReadOpts, SEGMENT_FORMATS};
use crate::progress::Bar;

/// One row per interaction: direction, channel, start and end, segments,
/// the agent chain (`a>b>c`), transfers, handle and recorded time.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Interaction metadata files (v2 or cx v1; JSON or NDJSON).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Zone of the printed start and end (IANA name).
    #[arg(long, value_name = "ZONE", default_value = "UTC", value_parser = parse_tz)]
    tz: Tz,
    /// Output format.
    #[arg(long, value_parser = one_of(SEGMENT_FORMATS), default_value = "csv")]
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

pub fn run(a: Args, quiet: bool) -> Result<ExitCode, Error> {
    let mut out = Output::new(a.output.as_ref(), &a.files)?;
    let bar = Bar::for_files(quiet, "interactions", &a.files);
    let stats = write_interactions_files(
        &a.files,
        &a.read.builder_counting(bar.as_ref()),
        a.skip_invalid,
        &a.tz,
        a.format,
        &mut out,
    )?;
    out.finish()?;
    drop(bar);
    Ok(crate::timeline::report(&stats, &[], quiet))
}
