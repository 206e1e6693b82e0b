//! Rolls a Queue Statistics file up by queue and local day in a zone, and
//! prints the service level of each queue and day. Days are calendar days in
//! the zone, so a daylight-saving day has 23 or 25 hours of rows.
//!
//! ```sh
//! cargo run --example rollup_by_queue -- fixtures/queue_dst_days_ny.csv America/New_York
//! # 5686 Sales  2024-03-10 (23 h)  offered 184  answered 92  service level 50.00 %
//! # 5686 Sales  2024-11-03 (25 h)  offered 200  answered 100  service level 50.00 %
//! ```
//!
//! The zone is both the zone the report was requested in (local starts are
//! read there) and the bucket zone; it defaults to UTC.

use std::io::Write;
use std::process::ExitCode;

use chrono_tz::Tz;
use ringcx_reports::rollup::{Grouping, Rollup};
use ringcx_reports::window::BucketInterval;
use ringcx_reports::{Error, ReaderBuilder};

/// Writes one line per queue and day to `out`.
fn run(path: &str, tz: Tz, out: &mut impl Write) -> Result<(), Error> {
    let table = Rollup::new()
        .by(Grouping::Queue)
        .interval(BucketInterval::Day)
        .source_tz(tz)
        .run_files(&[path], &ReaderBuilder::new())?;
    let io = |e| Error::io("<stdout>", e);
    for r in table.records() {
        let Some(q) = r.queue() else { continue };
        let hours = (r.bucket_end() - r.bucket_start()).num_hours();
        let sl = q
            .service_level_pct()
            .map(|p| format!("{p} %"))
            .unwrap_or_else(|| "n/a".into());
        writeln!(
            out,
            "{} {}  {} ({hours} h)  offered {}  answered {}  service level {sl}",
            r.keys()[0],
            r.keys()[1],
            r.bucket_start().format("%Y-%m-%d"),
            q.offered,
            q.sums.answered,
        )
        .map_err(io)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: rollup_by_queue QUEUE_FILE [ZONE]");
        return ExitCode::from(2);
    };
    let tz: Tz = match args.next().map(|z| z.parse()) {
        None => Tz::UTC,
        Some(Ok(tz)) => tz,
        Some(Err(e)) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::stdout().lock();
    match run(&path, tz, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(if e.is_io() || e.is_usage() { 2 } else { 1 })
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dst_days_in_new_york() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/queue_dst_days_ny.csv"
        );
        let mut out = Vec::new();
        super::run(path, "America/New_York".parse().unwrap(), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "5686 Sales  2024-03-10 (23 h)  offered 184  answered 92  service level 50.00 %\n\
             5686 Sales  2024-11-03 (25 h)  offered 200  answered 100  service level 50.00 %\n"
        );
    }

    #[test]
    fn a_gap_hour_in_the_zone_is_an_error_with_its_line() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/queue_springforward_ny.csv"
        );
        let e = super::run(path, "America/New_York".parse().unwrap(), &mut Vec::new()).unwrap_err();
        assert_eq!(e.location().unwrap().pos.line(), 4);
    }
}
