//! `rcx pulls plan`: the interactionMetadata request bodies that cover a
//! range, completed windows only; `rcx pulls check`: gaps, overlaps and
//! early pulls of pulled files (the work is in [`ringcx_reports::pulls`]).

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use clap::{Args as ClapArgs, Subcommand};
use ringcx_reports::pulls::{
    check, file_span, plan, pull_time, Manifest, NotCheckedReason, MAX_INTERVAL_SECONDS,
};
use ringcx_reports::window::{in_zone, TimeBound};
use ringcx_reports::{Error, ReaderBuilder};

use crate::common::{parse_tz, Output};

/// Plan interactionMetadata pulls.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: PullsCommand,
}

#[derive(Subcommand, Debug)]
enum PullsCommand {
    /// Print one request body per completed window of [--from, --to), as
    /// NDJSON: segmentEndTime (local `yyyy-MM-dd HH:mm:ss` in timeZone),
    /// timeInterval (seconds), timeZone. Windows are fixed-length in
    /// absolute time (a DST day has 23 or 25 hourly windows); the last one
    /// is shorter when the range is not a multiple of the interval. A window
    /// ending in a repeated fall-back hour names its end in UTC, which is
    /// unambiguous. Windows ending after --now are left out and counted on
    /// stderr.
    Plan(PlanArgs),
    /// Read pulled interaction metadata files back and report gaps (windows
    /// between the earliest and the latest segment end with no segment end
    /// in any file; a quiet time with no calls looks the same) and overlaps
    /// (files whose spans of segment ends intersect), and files pulled
    /// before their window ended when the pull time is known: from
    /// `pulled-YYYYMMDDTHHMMSSZ` (UTC) in the file name, or from --manifest.
    /// A file's window is the manifest's window_end, else the window that
    /// holds its latest segment end. Exit 1 when it finds a gap, an overlap
    /// or an early pull; a pull less than --late-margin-seconds after its
    /// window ended is a warning, and files whose pull time is unknown are
    /// counted as not checked. Windows count from the Unix epoch (hour
    /// windows are clock hours in UTC and in any zone a whole number of
    /// hours from it).
    Check(CheckArgs),
}

#[derive(ClapArgs, Debug)]
pub struct CheckArgs {
    /// Interaction metadata files (v2 or cx v1; JSON or NDJSON), one per pull.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Window length in seconds, 1 to 3600.
    #[arg(long, value_name = "N", default_value_t = MAX_INTERVAL_SECONDS,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_INTERVAL_SECONDS)))]
    interval_seconds: u32,
    /// The zone the report's times are printed in (IANA name).
    #[arg(long, value_name = "ZONE", default_value = "UTC", value_parser = parse_tz)]
    tz: Tz,
    /// A CSV of pull times with a header row: columns file, pulled_at and,
    /// optionally, window_end (RFC 3339 with an offset); a relative file is
    /// read from the manifest's directory.
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    /// A pull less than this many seconds after its window ended is a
    /// warning: recording URLs arrive 1-2 minutes late (0: no warning).
    #[arg(long, value_name = "N", default_value_t = 120)]
    late_margin_seconds: u32,
}

#[derive(ClapArgs, Debug)]
pub struct PlanArgs {
    /// Start of the range, inclusive (RFC 3339, or local date/datetime in --tz).
    #[arg(long, value_name = "TIME", value_parser = parse_bound)]
    from: TimeBound,
    /// End of the range, exclusive (RFC 3339, or local date/datetime in --tz).
    #[arg(long, value_name = "TIME", value_parser = parse_bound)]
    to: TimeBound,
    /// The zone of the request bodies and of local --from/--to (IANA name).
    #[arg(long, value_name = "ZONE", value_parser = parse_tz)]
    tz: Tz,
    /// Window length in seconds, 1 to 3600.
    #[arg(long, value_name = "N", default_value_t = MAX_INTERVAL_SECONDS,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_INTERVAL_SECONDS)))]
    interval_seconds: u32,
    /// The present, RFC 3339 (for reproducible output) [default: the clock].
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    now: Option<DateTime<Utc>>,
}

fn parse_bound(s: &str) -> Result<TimeBound, String> {
    s.parse::<TimeBound>().map_err(|e| e.to_string())
}

fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!("invalid time {s:?} ({e}): expected RFC 3339 such as 2024-11-04T00:00:00Z")
        })
}

pub fn run(a: Args, quiet: bool) -> Result<ExitCode, Error> {
    match a.command {
        PullsCommand::Plan(p) => run_plan(p, quiet),
        PullsCommand::Check(c) => run_check(c),
    }
}

fn run_check(a: CheckArgs) -> Result<ExitCode, Error> {
    let manifest = a.manifest.as_deref().map(Manifest::from_path).transpose()?;
    let builder = ReaderBuilder::new();
    let mut spans = Vec::with_capacity(a.files.len());
    for f in &a.files {
        let pulled = pull_time(f, manifest.as_ref())?;
        let mut reader = builder.from_path(f)?;
        let mut span = file_span(&mut reader, a.interval_seconds)?;
        span.pulled = pulled;
        spans.push(span);
    }
    let report = check(spans, a.interval_seconds, a.late_margin_seconds)?;
    let ms = |t: i64| {
        DateTime::<Utc>::from_timestamp_millis(t)
            .unwrap_or_default()
            .with_timezone(&a.tz)
            .to_rfc3339_opts(SecondsFormat::Millis, false)
    };
    let mut text = String::new();
    for f in &report.files {
        let ends = match f.ends {
            Some((first, last)) => format!("segment ends {} to {}", ms(first), ms(last)),
            None => "no segment end".to_string(),
        };
        let _ = write!(text, "{}: {} segments, {ends}", f.file, f.segments);
        if f.without_end > 0 {
            let _ = write!(text, " ({} without an end)", f.without_end);
        }
        if let Some(p) = &f.pulled {
            let _ = write!(text, ", pulled at {}", ms(p.at_ms));
            if let Some(end) = p.window_end_ms {
                let _ = write!(text, " for the window ending {}", ms(end));
            }
        }
        text.push('\n');
    }
    for o in &report.overlaps {
        let _ = writeln!(
            text,
            "overlap: {} and {} both hold segment ends from {} to {}",
            o.first,
            o.second,
            ms(o.from_ms),
            ms(o.to_ms)
        );
    }
    for g in &report.gaps {
        let _ = writeln!(
            text,
            "gap: no segment end from {} to {}",
            in_zone(&a.tz, g.start).to_rfc3339(),
            in_zone(&a.tz, g.end).to_rfc3339()
        );
    }
    let window = |given: bool| {
        if given {
            "the manifest's window_end"
        } else {
            "the end of the window of its latest segment end"
        }
    };
    for e in &report.early {
        let _ = writeln!(
            text,
            "early: {} was pulled at {}, before its window ended at {} ({})",
            e.file,
            ms(e.pulled_ms),
            ms(e.window_end_ms),
            window(e.window_given)
        );
    }
    for e in &report.within_margin {
        let _ = writeln!(
            text,
            "warning: {} was pulled at {}, {} s after its window ended at {} ({}): recording URLs \
             arriving up to {} s late may be missing",
            e.file,
            ms(e.pulled_ms),
            Millis(e.pulled_ms - e.window_end_ms),
            ms(e.window_end_ms),
            window(e.window_given),
            a.late_margin_seconds
        );
    }
    for (reason, why) in [
        (
            NotCheckedReason::UnknownPullTime,
            "whose pull time is unknown (no pulled-YYYYMMDDTHHMMSSZ in the name, no manifest \
             entry)",
        ),
        (
            NotCheckedReason::UnknownWindow,
            "with no segment end and no window_end in the manifest",
        ),
    ] {
        let n = report
            .not_checked
            .iter()
            .filter(|(_, r)| *r == reason)
            .count();
        if n > 0 {
            let _ = writeln!(text, "not checked for an early pull: {n} file(s) {why}");
        }
    }
    if let Some(m) = &manifest {
        let unused = m.entries_not_in(&a.files);
        if let Some(first) = unused.first() {
            let _ = writeln!(
                text,
                "manifest: {} {} no file checked (the first, line {}: {})",
                unused.len(),
                if unused.len() == 1 {
                    "entry names"
                } else {
                    "entries name"
                },
                first.line,
                first.file
            );
        }
    }
    let mut out = Output::new(None, &[])?;
    out.print(text)?;
    out.finish()?;
    Ok(
        if report.overlaps.is_empty() && report.gaps.is_empty() && report.early.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}

fn run_plan(a: PlanArgs, quiet: bool) -> Result<ExitCode, Error> {
    let now = a.now.unwrap_or_else(Utc::now);
    let p = plan(a.from, a.to, a.tz, a.interval_seconds, now)?;
    let mut out = Output::new(None, &[])?;
    let mut text = Vec::new();
    for w in &p.windows {
        serde_json::to_writer(&mut text, &w.body(a.tz))
            .map_err(|e| Error::usage(format!("cannot write a request body: {e}")))?;
        text.push(b'\n');
    }
    out.print(&text)?;
    out.finish()?;
    if !quiet {
        let mut err = std::io::stderr().lock();
        let utc = p.in_utc(a.tz);
        if utc > 0 {
            let _ = writeln!(
                err,
                "rcx: {utc} window(s) end in a repeated local hour of {}; their bodies name the \
                 end in UTC",
                a.tz.name()
            );
        }
        if let Some(until) = p.left_out_until {
            let _ = writeln!(
                err,
                "rcx: left out {} window(s) not completed at {} (until {})",
                p.left_out,
                in_zone(&a.tz, now.timestamp()).to_rfc3339(),
                in_zone(&a.tz, until).to_rfc3339()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Milliseconds as seconds with 3 decimals.
struct Millis(i64);

impl std::fmt::Display for Millis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{:03}",
            self.0.div_euclid(1000),
            self.0.rem_euclid(1000)
        )
    }
}
