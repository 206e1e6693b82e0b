//! `rcx`: the command-line face of `ringcx-reports`. It parses arguments,
//! calls the library and formats exit codes; the work is in the library.
#![forbid(unsafe_code)]

mod analytics;
mod calls;
mod common;
mod completions;
mod convert;
mod examples;
mod flags;
mod gen;
mod inspect;
mod interactions;
mod parse;
#[cfg(feature = "plot")]
mod plot;
mod progress;
mod pulls;
mod rollup;
mod sql;
mod timeline;
mod validate;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ringcx_reports::Error;

/// Read, validate and roll up RingCX workforce-management integration reports.
///
/// Exit status: 0 success; 1 the data has errors (or rows were skipped);
/// 2 the command could not run (I/O, usage).
#[derive(Parser, Debug)]
#[command(name = "rcx", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// Cap on worker threads (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// No progress bar or summary lines on stderr.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Roll rows up into KPIs by queue, agent or group, in time buckets.
    #[command(after_long_help = examples::ROLLUP)]
    Rollup(rollup::Args),
    /// Segments per key and time bucket: handle, recorded, concurrency, transfers.
    #[command(after_long_help = examples::TIMELINE)]
    Timeline(timeline::Args),
    /// One row per interaction: agent chain, transfers, handle and recorded time.
    #[command(after_long_help = examples::INTERACTIONS)]
    Interactions(interactions::Args),
    /// Service level, abandon rate, ASA and AHT from interaction metadata.
    #[command(after_long_help = examples::CALLS)]
    Calls(calls::Args),
    /// Answer an Analytics API request body over files, in the API's response shape.
    #[command(after_long_help = examples::ANALYTICS)]
    Analytics(analytics::Args),
    /// Check files for defects; every finding with code, file, line and field.
    #[command(after_long_help = examples::VALIDATE)]
    Validate(validate::Args),
    /// Print typed rows (NDJSON or CSV) with canonical field names.
    #[command(after_long_help = examples::PARSE)]
    Parse(parse::Args),
    /// Describe files: report kind, wire form, dialect, rows, keys, intervals.
    #[command(after_long_help = examples::INSPECT)]
    Inspect(inspect::Args),
    /// Convert to the Teleopti/Calabrio layout, canonical CSV, NDJSON or Parquet.
    #[command(after_long_help = examples::CONVERT)]
    Convert(convert::Args),
    /// Draw the rollup as a chart (SVG or PNG): volume bars, service-level lines.
    #[cfg(feature = "plot")]
    Plot(plot::Args),
    /// Without the `plot` feature: says how to get `rcx plot`, rather than
    /// clap's "did you mean 'completions'".
    #[cfg(not(feature = "plot"))]
    #[command(hide = true, disable_help_flag = true)]
    Plot(NoPlot),
    /// Print the rollup as one SQL query (DuckDB, Spark, Trino) over rcx's Parquet.
    #[command(after_long_help = examples::SQL)]
    Sql(sql::Args),
    /// Plan interactionMetadata pulls: request bodies for completed windows.
    #[command(after_long_help = examples::PULLS)]
    Pulls(pulls::Args),
    /// Write a deterministic synthetic export (for benchmarks and tests).
    #[command(after_long_help = examples::GEN)]
    Gen(gen::Args),
    /// Print a shell completion script (bash, zsh, fish, …).
    Completions(completions::Args),
}

/// Whatever `rcx plot` is given in a build without charts.
#[cfg(not(feature = "plot"))]
#[derive(clap::Args, Debug)]
struct NoPlot {
    #[arg(num_args = 0.., trailing_var_arg = true, allow_hyphen_values = true)]
    _args: Vec<std::ffi::OsString>,
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    if let Some(n) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .map_err(|e| Error::usage(format!("--threads: {e}")))?;
    }
    match cli.command {
        Command::Parse(a) => parse::run(a, cli.quiet),
        Command::Inspect(a) => inspect::run(a),
        Command::Validate(a) => validate::run(a, cli.quiet),
        Command::Gen(a) => gen::run(a, cli.quiet),
        Command::Rollup(a) => rollup::run(a, cli.quiet),
        Command::Timeline(a) => timeline::run(a, cli.quiet),
        Command::Interactions(a) => interactions::run(a, cli.quiet),
        Command::Calls(a) => calls::run(a, cli.quiet),
        Command::Analytics(a) => analytics::run(a, cli.quiet),
        Command::Convert(a) => convert::run(a, cli.quiet),
        Command::Pulls(a) => pulls::run(a, cli.quiet),
        Command::Sql(a) => sql::run(a),
        #[cfg(feature = "plot")]
        Command::Plot(a) => plot::run(a, cli.quiet),
        #[cfg(not(feature = "plot"))]
        Command::Plot(_) => Err(Error::usage(
            "this rcx was built without the `plot` cargo feature that `rcx plot` needs; \
             rebuild with it: `cargo install --path . --features plot` in a clone of \
             ringcx-reports, or `cargo run --features plot -- plot …`",
        )),
        Command::Completions(a) => completions::run(a),
    }
}

/// On SIGINT, SIGTERM or SIGHUP, removes the temporary file of an unfinished
/// `-o` output (the old file stays as it was), then ends the process by the
/// signal's default action, so that a shell reports 128 + the signal number
/// (130 for Ctrl-C, 143 for SIGTERM) and a script whose `rcx` was stopped by
/// Ctrl-C stops too (as `sort` does with its temporaries).
#[cfg(unix)]
fn on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    // Without the handler (it cannot fail short of running out of file
    // descriptors) a signal ends the process as it would anyway.
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            ringcx_reports::write::remove_temporaries();
            let _ = signal_hook::low_level::emulate_default_handler(sig);
            // Only when the default action could not be taken.
            std::process::exit(128 + sig);
        }
    });
}

fn main() -> ExitCode {
    #[cfg(unix)]
    on_signals();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            // Not `eprintln!`, which panics when stderr is a closed pipe.
            let _ = writeln!(std::io::stderr(), "rcx: {}", flags::error(&e));
            if e.is_io() || e.is_usage() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
