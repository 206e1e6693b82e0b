//! Issue 15, one option vocabulary: the option values `rcx` accepts are the
//! library's enums (`clap::ValueEnum` behind the `cli` feature), spelled as
//! SPEC 4 and 6 spell them and as the library names them in its own text
//! (`as_str`, `Display`); where a command takes a subset of an enum, the
//! rest is refused before any file is read, listing what the command takes.
//!
//! The expected spellings are copied from the SPEC, not read from the code.

use clap::ValueEnum;
use ringcx_reports::convert::Target;
use ringcx_reports::rollup::{Grouping, Offered, ShortAbandons, SlFormula};
use ringcx_reports::timeline::TimelineBy;
use ringcx_reports::window::Attribution;
use ringcx_reports::window::{BucketInterval, WeekStart};
use ringcx_reports::write::{ParseFormat, TableFormat};
use ringcx_reports::{DateOrder, ReportKind, WireForm};

use crate::util::{code, fixture, rcx, stderr, stdout};

/// The command-line names of every value of `E`, in the order `--help`
/// lists them.
fn names<E: ValueEnum>() -> Vec<String> {
    E::value_variants()
        .iter()
        .map(|v| {
            v.to_possible_value()
                .expect("no value is hidden")
                .get_name()
                .to_string()
        })
        .collect()
}

#[test]
fn every_option_value_is_spelled_as_the_spec_spells_it() {
    // SPEC 4.1 (`--by`, `--report`), 4.2 (`--interval`, `--attribution`,
    // `--week-start`), 4.3 (`--sl-formula`, `--short-abandons`, `--offered`),
    // 4.4 (`--format`), 5 (`timeline --by`), 6 (`convert --to`), 9.1
    // (`--form`, `--date-order`).
    assert_eq!(
        names::<Grouping>(),
        [
            "queue",
            "agent",
            "agent-queue",
            "queue-group",
            "agent-group",
            "all"
        ]
    );
    assert_eq!(
        names::<ReportKind>(),
        ["queue", "agent-ext", "agent", "segments"]
    );
    assert_eq!(
        names::<BucketInterval>(),
        ["native", "15m", "30m", "hour", "day", "week", "month", "total"]
    );
    assert_eq!(names::<Attribution>(), ["nest", "start"]);
    assert_eq!(names::<WeekStart>(), ["monday", "sunday"]);
    assert_eq!(
        names::<SlFormula>(),
        [
            "abandons-against",
            "abandons-ignored",
            "abandons-positive",
            "answered",
            "offered"
        ]
    );
    assert_eq!(names::<ShortAbandons>(), ["include", "exclude"]);
    assert_eq!(names::<Offered>(), ["direct+overflow", "direct"]);
    assert_eq!(
        names::<TableFormat>(),
        [
            "csv",
            "tsv",
            "json",
            "ndjson",
            "table",
            "markdown",
            "analytics",
            // SPEC 9: `rollup --format parquet`.
            "parquet"
        ]
    );
    assert_eq!(names::<ParseFormat>(), ["ndjson", "csv"]);
    assert_eq!(
        names::<TimelineBy>(),
        // SPEC 5's five, and the keys of the Analytics groupings
        // CompanyNumbers and IVRs (SPEC 8.1) over interaction metadata.
        [
            "agent",
            "agent-group",
            "direction",
            "channel",
            "company-number",
            "ivr",
            "all"
        ]
    );
    assert_eq!(names::<Target>(), ["teleopti", "csv", "ndjson", "parquet"]);
    assert_eq!(names::<WireForm>(), ["csv", "xml", "json", "ndjson"]);
    assert_eq!(names::<DateOrder>(), ["mdy", "dmy"]);
}

/// The name `rcx` accepts for `v`, and the name the library prints for it
/// (`Display`) and reads back (`FromStr`), are one name.
fn same_name<E>(v: E)
where
    E: ValueEnum + Copy + std::fmt::Display + std::str::FromStr + PartialEq + std::fmt::Debug,
{
    let cli = v.to_possible_value().expect("not hidden");
    assert_eq!(cli.get_name(), v.to_string(), "{v:?}");
    assert_eq!(v.to_string().parse::<E>().ok(), Some(v), "{v:?}");
}

#[test]
fn the_cli_and_the_library_name_each_value_alike() {
    for &v in BucketInterval::value_variants() {
        same_name(v);
    }
    for &v in Grouping::value_variants() {
        same_name(v);
    }
    for &v in SlFormula::value_variants() {
        same_name(v);
    }
    for &v in TimelineBy::value_variants() {
        same_name(v);
    }
    for &v in ReportKind::value_variants() {
        same_name(v);
    }
    for &v in WireForm::value_variants() {
        same_name(v);
    }
    for &v in Target::value_variants() {
        same_name(v);
    }
    // A date order prints as its pattern, which `--help` shows beside it.
    for &v in DateOrder::value_variants() {
        let cli = v.to_possible_value().expect("not hidden");
        assert_eq!(cli.get_name(), v.as_str(), "{v:?}");
        let help = cli.get_help().map(ToString::to_string);
        assert_eq!(help.as_deref(), Some(v.pattern()), "{v:?}");
    }
}

#[test]
fn timeline_refuses_native_and_total_before_reading() {
    // A file that does not exist: the refusal comes first.
    for iv in ["native", "total"] {
        let o = rcx(&["timeline", "no-such-file.ndjson", "--interval", iv]);
        assert_eq!(code(&o), 2, "{iv}");
        assert_eq!(stdout(&o), "", "{iv}");
        let e = stderr(&o);
        assert!(
            e.starts_with(&format!(
                "error: invalid value '{iv}' for '--interval <INTERVAL>'\n  \
                 [possible values: 15m, 30m, hour, day, week, month]\n"
            )),
            "{iv}: {e}"
        );
    }
    // Each value it lists is taken.
    let f = fixture("segments_timeline.ndjson");
    let f = f.to_str().expect("utf-8 path");
    for iv in ["15m", "30m", "hour", "day", "week", "month"] {
        let o = rcx(&["timeline", f, "--interval", iv]);
        assert_eq!(code(&o), 0, "{iv}: {}", stderr(&o));
        assert!(stdout(&o).starts_with("agent_id,bucket_start,bucket_end,"));
    }
}

#[test]
fn interactions_refuse_the_analytics_format_before_reading() {
    let o = rcx(&[
        "interactions",
        "no-such-file.ndjson",
        "--format",
        "analytics",
    ]);
    assert_eq!(code(&o), 2);
    assert_eq!(stdout(&o), "");
    let e = stderr(&o);
    assert!(
        e.starts_with(
            "error: invalid value 'analytics' for '--format <FORMAT>'\n  \
             [possible values: csv, tsv, json, ndjson, table, markdown]\n"
        ),
        "{e}"
    );
    // The default is CSV, as `--help` says.
    let f = fixture("segments_timeline.ndjson");
    let f = f.to_str().expect("utf-8 path");
    let default = rcx(&["interactions", f]);
    let csv = rcx(&["interactions", f, "--format", "csv"]);
    assert_eq!(code(&default), 0, "{}", stderr(&default));
    assert_eq!(stdout(&default), stdout(&csv));
    assert!(stdout(&csv).starts_with("interaction_id,direction,channel,"));
}
