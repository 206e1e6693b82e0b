//! `rcx parse`: typed rows out.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args as ClapArgs;
use ringcx_reports::progress::Progress;
use ringcx_reports::write::{
    write_rows, write_segments, ParseFormat, RowStats, RowWriter, SegmentWriter,
};
use ringcx_reports::{Error, ReportKind};

use crate::common::{skipped_exit, warn, Output, ReadOpts};
use crate::progress::{Bar, LineCounter};

/// Print typed rows with canonical snake_case names and `start` as an
/// RFC 3339 instant with the source zone's offset; segments of interaction
/// metadata with the canonical names of SPEC 2.4 and RFC 3339 instants with
/// milliseconds.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Input files (`-` for standard input).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ParseFormat::Ndjson)]
    format: ParseFormat,
    /// Write to FILE instead of standard output (a regular file is replaced
    /// atomically; a device, FIFO or socket is written through).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Skip rows that cannot be read, count them by code, and exit 1.
    #[arg(long)]
    skip_invalid: bool,
    #[command(flatten)]
    read: ReadOpts,
}

/// Writes the rows of every file; each file's header findings go to
/// `warnings`.
fn write(
    a: &Args,
    format: ParseFormat,
    progress: Option<&Progress>,
    warnings: &mut Vec<String>,
) -> Result<RowStats, Error> {
    let mut out = LineCounter::new(Output::new(a.output.as_ref(), &a.files)?, progress.cloned());
    let mut writer = RowWriter::new(format);
    let mut seg_writer = SegmentWriter::new(format);
    let mut stats = RowStats::default();
    for path in &a.files {
        let mut reader = a.read.open_with(path, progress)?;
        warnings.extend(reader.diagnostics().iter().map(ToString::to_string));
        if reader.kind() == ReportKind::Segments {
            write_segments(
                &mut reader,
                &mut seg_writer,
                &mut out,
                a.skip_invalid,
                &mut stats,
            )?;
        } else {
            write_rows(
                &mut reader,
                &mut writer,
                &mut out,
                a.skip_invalid,
                &mut stats,
            )?;
        }
    }
    out.into_inner().finish()?;
    Ok(stats)
}

pub fn run(a: Args, quiet: bool) -> Result<ExitCode, Error> {
    let bar = Bar::start(quiet, "parsing");
    if let Some(b) = &bar {
        b.add_files(a.files.iter().map(|p| p.as_path()));
    }
    let progress = bar.as_ref().map(|b| b.progress());
    // Each file's header findings, printed once the bar is gone, also when
    // a later file stops the run.
    let mut warnings = Vec::new();
    let result = write(&a, a.format, progress, &mut warnings);
    drop(bar);
    if let Ok(stats) = &result {
        if stats.unchecked_duplicates > 0 {
            warnings.push(format!(
                "{} row(s) or segment(s) could not be checked for a repeated key (key and \
                 start, or interactionId and segment id): the file is not in time order, and \
                 the key they may repeat was read long before and dropped",
                stats.unchecked_duplicates
            ));
        }
    }
    warn(&warnings);
    let stats = result?;
    Ok(skipped_exit(
        &stats.skipped,
        stats.first_skipped.as_deref(),
        "row(s)",
        quiet,
    ))
}
