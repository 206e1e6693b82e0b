//! `rcx convert`: interval reports to the Teleopti import layout, canonical
//! CSV, NDJSON or a Parquet dataset.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args as ClapArgs;
use ringcx_reports::convert::{ConvertStats, Converter, Order, Source, Target};
use ringcx_reports::Error;

use crate::common::{check_output, skipped_exit, warn, Output, ReadOpts};
use crate::progress::Bar;

/// Convert interval reports (any wire form; one report kind) to another
/// layout. Rows are sorted by interval start, then key; a repeated key and
/// start is an error (F401). Segment files (interaction metadata) convert
/// to csv or ndjson (as `rcx parse` prints them) or one parquet file, a row
/// per segment with its events as a list, in file order.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Input files (`-` for standard input).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Target layout.
    #[arg(long, value_enum)]
    to: Target,
    /// Write to FILE instead of standard output (a regular file is replaced
    /// atomically; a device, FIFO or socket is written through); for
    /// parquet, one file when it ends in `.parquet`, else the directory
    /// (new or empty) that receives date=YYYY-MM-DD/part-N.parquet.
    #[arg(short, long, value_name = "FILE|DIR")]
    output: Option<PathBuf>,
    /// Parquet layout: `date` (the directory of date=YYYY-MM-DD/part-N.parquet)
    /// or `none` (one file) [default: from -o, as above].
    #[arg(long, value_enum, value_name = "BY")]
    partition_by: Option<PartitionBy>,
    /// Skip rows that cannot be read or are duplicates, count them by code,
    /// and exit 1.
    #[arg(long)]
    skip_invalid: bool,
    /// Sort in one pass instead of first checking whether the input is
    /// in time order (past about 32 MiB of rows, the sort goes through a
    /// temporary file).
    #[arg(long)]
    in_memory: bool,
    #[command(flatten)]
    read: ReadOpts,
}

/// The Parquet layouts `--partition-by` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PartitionBy {
    /// A directory of date=YYYY-MM-DD/part-N.parquet.
    Date,
    /// One file.
    None,
}

pub fn run(a: Args, quiet: bool) -> Result<ExitCode, Error> {
    let target = a.to;
    // Before standard input is read (the parquet directory, too, must not
    // be an input file).
    if let Some(o) = &a.output {
        check_output(o, &a.files)?;
    }
    // `-` (the standard input) is read once into a temporary file, so the
    // order check and the conversion can both read it.
    let sources: Vec<Source> = a.files.iter().map(Source::path).collect();
    let bar = Bar::start(quiet, "converting");
    let mut converter = Converter::new(target)
        .reader(a.read.builder())
        .skip_invalid(a.skip_invalid)
        .order(if a.in_memory {
            Order::Memory
        } else {
            Order::Auto
        });
    if let Some(b) = &bar {
        converter = converter.progress(b.progress().clone());
    }
    if a.partition_by.is_some() && target != Target::Parquet {
        return Err(Error::usage("--partition-by applies to --to parquet"));
    }
    let stats = if target == Target::Parquet {
        let Some(dir) = &a.output else {
            return Err(Error::usage(
                "--to parquet writes files: give a file (x.parquet) or a directory with -o",
            ));
        };
        // The library's own message names the crate feature; rcx says how
        // to rebuild rcx.
        if cfg!(not(feature = "parquet")) {
            return Err(Error::usage(
                "parquet output needs the `parquet` cargo feature; rebuild with --features parquet",
            ));
        }
        #[cfg(feature = "parquet")]
        {
            use ringcx_reports::write::parquet::{ParquetOptions, Partition};
            let one_file = match a.partition_by {
                Some(p) => p == PartitionBy::None,
                None => {
                    let text = dir.to_string_lossy();
                    text.ends_with(".parquet") && !text.ends_with('/') && !dir.is_dir()
                }
            };
            converter = converter.parquet_options(ParquetOptions {
                partition: if one_file {
                    Partition::OneFile
                } else {
                    Partition::ByDate
                },
                ..ParquetOptions::default()
            });
        }
        converter.write_dir(&sources, dir)?
    } else {
        let mut out = Output::new(a.output.as_ref(), &a.files)?;
        let stats = converter.write(&sources, &mut out)?;
        out.finish()?;
        stats
    };
    drop(bar);
    report(&stats, quiet, a.output.is_some())
}

fn report(stats: &ConvertStats, quiet: bool, to_file: bool) -> Result<ExitCode, Error> {
    warn(&stats.warnings);
    if !quiet && to_file {
        let files = if stats.files.is_empty() {
            String::new()
        } else {
            format!(" in {} file(s)", stats.files.len())
        };
        eprintln!("rcx: converted {} row(s){files}", stats.rows);
    }
    Ok(skipped_exit(
        &stats.skipped,
        stats.first_skipped.as_deref(),
        "row(s)",
        quiet,
    ))
}
