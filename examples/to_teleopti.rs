//! Converts a RingCX export to the Calabrio/Teleopti import layout (no
//! header, `;`-separated, `yyyyMMdd` and `HH:mm`, zeros for absent values,
//! rows sorted by date and time) on standard output.
//!
//! ```sh
//! cargo run --example to_teleopti -- fixtures/queue_header.csv
//! # 15;20240304;08:00;5686;Sales;12;2;2;1;11;180;40;1650;220;45;30;0;9;600;1;1
//! # ...
//! cargo run --example to_teleopti -- fixtures/queue_fallback_ny.csv America/New_York
//! ```
//!
//! The optional zone is the one the report was requested in: it decides how
//! the repeated fall-back hour is ordered.

use std::io::Write;
use std::process::ExitCode;

use chrono_tz::Tz;
use ringcx_reports::convert::{ConvertStats, Converter, Source, Target};
use ringcx_reports::{Error, ReaderBuilder};

/// Converts the files to Teleopti rows written to `out`.
fn run(paths: &[String], tz: Tz, out: impl Write) -> Result<ConvertStats, Error> {
    let sources: Vec<Source> = paths.iter().map(Source::path).collect();
    Converter::new(Target::Teleopti)
        .reader(ReaderBuilder::new().source_tz(tz))
        .write(&sources, out)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (paths, tz) = match args.as_slice() {
        [] => {
            eprintln!("usage: to_teleopti FILE [ZONE]");
            return ExitCode::from(2);
        }
        [file] => (vec![file.clone()], Tz::UTC),
        [file, zone, ..] => match zone.parse::<Tz>() {
            Ok(tz) => (vec![file.clone()], tz),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        },
    };
    match run(&paths, tz, std::io::stdout().lock()) {
        Ok(stats) => {
            eprintln!("{} rows converted", stats.rows);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(if e.is_io() || e.is_usage() { 2 } else { 1 })
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn queue_header_to_teleopti() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/queue_header.csv").to_owned();
        let mut out = Vec::new();
        let stats = super::run(&[path], chrono_tz::Tz::UTC, &mut out).unwrap();
        assert_eq!(stats.rows, 4);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "15;20240304;08:00;5686;Sales;12;2;2;1;11;180;40;1650;220;45;30;0;9;600;1;1\n\
             15;20240304;08:00;5688;Support, Tier 1;8;0;1;0;7;70;15;1120;140;20;15;0;6;720;0;1\n\
             15;20240304;08:15;5686;Sales;15;1;3;0;13;260;75;2080;300;60;40;0;10;420;1;1\n\
             15;20240304;08:15;5688;Support, Tier 1;9;1;0;0;10;90;0;1500;200;25;0;0;9;510;0;0\n"
        );
    }
}
