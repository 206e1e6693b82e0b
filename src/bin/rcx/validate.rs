//! `rcx validate`: every defect of vendor files, with code, file, line and
//! field.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args as ClapArgs, ValueEnum};
use ringcx_reports::validate::{Summary, Validator};
use ringcx_reports::{Code, Diagnostic, Error};

use crate::common::{announce_date_order, Output, ReadOpts};
use crate::flags;
use crate::progress::Bar;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
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
    /// Print at most N findings (the first N in order); the summary line
    /// still counts every one, and the exit status is theirs.
    #[arg(long, value_name = "N")]
    max_findings: Option<u64>,
    /// Print what a code means and exit.
    #[arg(long, value_name = "CODE", conflicts_with_all = ["against", "gaps", "deny_warnings"])]
    explain: Option<String>,
    #[command(flatten)]
    read: ReadOpts,
}

/// Prints findings as they are handed over, in `format`, at most `max`
/// of them (the rest are counted).
struct Printer<'o> {
    format: Format,
    out: &'o mut Output,
    max: u64,
    printed: u64,
    left_out: u64,
    line: String,
}

impl<'o> Printer<'o> {
    fn new(format: Format, out: &'o mut Output, max: Option<u64>) -> io::Result<Self> {
        if format == Format::Json {
            out.write_all(b"[")?;
        }
        Ok(Printer {
            format,
            out,
            max: max.unwrap_or(u64::MAX),
            printed: 0,
            left_out: 0,
            line: String::with_capacity(256),
        })
    }

    fn print(&mut self, d: &Diagnostic) -> io::Result<()> {
        if self.printed == self.max {
            self.left_out += 1;
            return Ok(());
        }
        let d = flags::diagnostic(d);
        self.line.clear();
        match self.format {
            Format::Text => {
                use std::fmt::Write as _;
                let _ = writeln!(self.line, "{d}");
            }
            Format::Json => {
                self.line
                    .push_str(if self.printed == 0 { "\n" } else { ",\n" });
                ringcx_reports::write::diagnostic_json(&mut self.line, &d);
            }
        }
        self.printed += 1;
        self.out.write_all(self.line.as_bytes())
    }

    fn end(self) -> io::Result<u64> {
        if self.format == Format::Json {
            if self.printed > 0 {
                self.out.write_all(b"\n")?;
            }
            self.out.write_all(b"]\n")?;
        }
        self.out.flush()?;
        Ok(self.left_out)
    }
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
    let mut out = Output::new(None, &[])?;
    let stdout = |e| Error::io("<stdout>", e);
    let mut printer = Printer::new(a.format, &mut out, a.max_findings).map_err(stdout)?;
    let summary = session.finish_with(|d| printer.print(&d).map_err(stdout))?;
    let left_out = printer.end().map_err(stdout)?;
    out.finish()?;
    drop(bar);
    let s = &summary;
    if !quiet {
        eprintln!("{}", summary_line(s));
        if let Some(l) = cross_line(s) {
            eprintln!("{l}");
        }
    }
    if left_out > 0 {
        eprintln!(
            "rcx: {} not printed (--max-findings {})",
            plural(left_out, "more finding", "more findings"),
            a.max_findings.unwrap_or_default()
        );
    }
    let failed = s.errors > 0 || (a.deny_warnings && s.warnings > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
