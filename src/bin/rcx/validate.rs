//! `rcx validate`: every defect of vendor files, with code, file, line and
//! field.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, ValueEnum};
use ringcx_reports::validate::{Report, Summary, Validator};
use ringcx_reports::{Code, Error};

use crate::common::{announce_date_order, Output, ReadOpts};
use crate::flags;
use crate::progress::Bar;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// One finding per line: `path:line: severity[CODE] field: message (value "…")`.
    Text,
    /// A JSON array of objects: severity, code, file, line, column, message, value.
    Json,
}

/// Check files against SPEC 3 and list every finding. Exit 0 when there is
/// no error (warnings allowed unless --deny-warnings), 1 when there are
/// errors, 2 when validation could not run.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Input files (`-` for standard input).
    #[arg(value_name = "FILE", required_unless_present = "explain")]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit 1 when there are warnings, too.
    #[arg(long)]
    deny_warnings: bool,
    /// Reconcile against this file: Agent Extended sums vs Queue
    /// Statistics per queue and interval (either side may be given here).
    #[arg(long, value_name = "FILE")]
    against: Option<PathBuf>,
    /// Also warn about gaps in each key's interval sequence.
    #[arg(long)]
    gaps: bool,
    /// Print what a code means and exit.
    #[arg(long, value_name = "CODE", conflicts_with_all = ["against", "gaps", "deny_warnings"])]
    explain: Option<String>,
    #[command(flatten)]
    read: ReadOpts,
}

fn write_report(report: &Report, format: Format, out: &mut Output) -> io::Result<()> {
    let mut line = String::with_capacity(256);
    match format {
        Format::Text => {
            for d in &report.diagnostics {
                writeln!(out, "{}", flags::diagnostic(d))?;
            }
        }
        Format::Json => {
            out.write_all(b"[")?;
            for (i, d) in report.diagnostics.iter().enumerate() {
                line.clear();
                line.push_str(if i == 0 { "\n" } else { ",\n" });
                ringcx_reports::write::diagnostic_json(&mut line, &flags::diagnostic(d));
                out.write_all(line.as_bytes())?;
            }
            if !report.diagnostics.is_empty() {
                out.write_all(b"\n")?;
            }
            out.write_all(b"]\n")?;
        }
    }
    out.flush()
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn summary_line(s: &Summary) -> String {
    let mut line = format!(
        "rcx: validated {}, {}: {}, {}",
        plural(s.files, "file", "files"),
        plural(s.rows, "row", "rows"),
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
    );
    if s.unchecked_duplicates > 0 {
        line.push_str(&format!(
            "; {} not checked for duplicates (too far out of order)",
            plural(s.unchecked_duplicates, "row", "rows")
        ));
    }
    if s.repulled_identical > 0 {
        line.push_str(&format!(
            "; {} (a segment in more than one file, re-pulled windows) merged",
            plural(
                s.repulled_identical,
                "identical re-pulled copy",
                "identical re-pulled copies"
            )
        ));
    }
    if s.unchecked_repulls > 0 {
        line.push_str(&format!(
            "; {} not compared with the other files (too many segment keys)",
            plural(s.unchecked_repulls, "segment", "segments")
        ));
    }
    line
}

fn cross_line(s: &Summary) -> Option<String> {
    let c = s.cross?;
    Some(format!(
        "rcx: cross-check: queue rows {} answered {} talk {} s wrap {} s; agent rows {} answered {} talk {} s wrap {} s; {} queue intervals, {} differing{}",
        c.queue.rows,
        c.queue.answered,
        c.queue.talk,
        c.queue.wrap,
        c.agents.rows,
        c.agents.answered,
        c.agents.talk,
        c.agents.wrap,
        c.intervals,
        c.differing,
        if c.replayed {
            "; an input was out of time order, so the inputs were read twice"
        } else {
            ""
        }
    ))
}

pub fn run(a: Args, quiet: bool) -> Result<ExitCode, Error> {
    if let Some(code) = &a.explain {
        let Some(c) = Code::from_str_code(code) else {
            return Err(Error::usage(format!(
                "unknown code {code:?}; codes are listed in docs/diagnostics.md"
            )));
        };
        let mut out = Output::new(None, &[])?;
        out.print(format!(
            "{} {}: {}\n",
            c.as_str(),
            c.severity(),
            flags::spell(c.explain())
        ))?;
        out.finish()?;
        return Ok(ExitCode::SUCCESS);
    }
    let validator = Validator::new()
        .reader(a.read.builder())
        .gaps(a.gaps)
        .cross_check(a.against.is_some())
        .repulls(a.files.len() + usize::from(a.against.is_some()) > 1);
    let bar = Bar::start(quiet, "validating");
    if let Some(b) = &bar {
        b.add_files(a.files.iter().chain(a.against.iter()).map(|p| p.as_path()));
    }
    let progress = bar.as_ref().map(|b| b.progress());
    let mut session = validator.session();
    let read = &a.read;
    for path in a.files.iter().chain(a.against.iter()) {
        let opened = read.open_with(path, progress);
        if let (Ok(r), false) = (&opened, quiet) {
            announce_date_order(r);
        }
        // Standard input, a FIFO or a compressed file opens again as its
        // temporary copy, so every input can be read twice (see
        // validate::cross).
        session.add_reopenable(opened, move || read.open(path))?;
    }
    let report = session.finish()?;
    drop(bar);
    let mut out = Output::new(None, &[])?;
    write_report(&report, a.format, &mut out).map_err(|e| Error::io("<stdout>", e))?;
    out.finish()?;
    let s = &report.summary;
    if !quiet {
        eprintln!("{}", summary_line(s));
        if let Some(l) = cross_line(s) {
            eprintln!("{l}");
        }
    }
    let failed = s.errors > 0 || (a.deny_warnings && s.warnings > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
