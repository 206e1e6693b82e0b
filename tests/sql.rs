//! `rcx sql` and `Rollup::sql` without an engine: the query names rcx's
//! columns in rcx's order in every dialect, and what it cannot compute
//! exactly is refused by name. (DuckDB runs the query in
//! `parquet_duckdb`.)

use ringcx_reports::rollup::{GroupMap, Grouping, Rollup, SqlDialect};
use ringcx_reports::ReportKind;

use crate::util::{code, rcx, stderr, stdout};

/// The names of the query's result columns: the aliases of its last
/// SELECT, in order.
fn result_columns(sql: &str) -> Vec<String> {
    let last = sql.rfind("\nSELECT ").expect("a final SELECT");
    let list = &sql[last + 8..sql[last..].find("\nFROM").expect("FROM") + last];
    list.split(", ")
        .map(|c| c.trim().trim_matches(|q| q == '"' || q == '`').to_owned())
        .collect()
}

#[test]
fn every_dialect_selects_the_columns_rcx_rollup_prints() {
    for args in [
        &["--by", "queue", "--interval", "day"][..],
        &["--by", "all", "--columns", "service_level_pct,offered"],
    ] {
        let mut rollup = vec!["rollup", "fixtures/queue_header.csv"];
        rollup.extend(args);
        let o = rcx(&rollup);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let header: Vec<String> = stdout(&o)
            .lines()
            .next()
            .expect("header")
            .split(',')
            .map(String::from)
            .collect();
        for (dialect, reads) in [
            ("duckdb", "read_parquet('q.parquet')"),
            ("spark", "parquet.`q.parquet`"),
            ("trino", "FROM q.parquet"),
        ] {
            let mut sql = vec![
                "sql",
                "--dialect",
                dialect,
                "--input",
                "q.parquet",
                "--report",
                "queue",
            ];
            sql.extend(args);
            let o = rcx(&sql);
            assert_eq!(code(&o), 0, "{}", stderr(&o));
            let q = stdout(&o);
            assert!(q.contains(reads), "{dialect}: {q}");
            assert_eq!(result_columns(&q), header, "{dialect} {args:?}");
        }
    }
}

#[test]
fn a_zone_whose_clock_moves_inside_a_bucket_is_refused_by_name() {
    // Lord Howe Island moves its clock by 30 minutes: hours would differ.
    let lord_howe = |more: &[&str]| {
        let base = [
            "sql",
            "--dialect",
            "duckdb",
            "--input",
            "q.parquet",
            "--report",
            "queue",
            "--tz",
            "Australia/Lord_Howe",
        ];
        rcx(&[&base[..], more].concat())
    };
    let o = lord_howe(&[]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(
        e.contains("--tz: Australia/Lord_Howe changes its offset at"),
        "{e}"
    );
    // Its first change since 1970: standard time went from +10:00 to +10:30.
    assert!(
        e.contains("at 1981-03-01T00:30:00+10:30 from +10:00 to +10:30"),
        "{e}"
    );
    // Half hours fit it.
    let o = lord_howe(&["--interval", "30m"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Kathmandu moved from +05:30 to +05:45 in 1986: hours are exact for
    // rows of 2024, not for every row since 1970.
    let kathmandu = [
        "sql",
        "--dialect",
        "trino",
        "--input",
        "t",
        "--report",
        "queue",
        "--tz",
        "Asia/Kathmandu",
    ];
    let o = rcx(&kathmandu);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("1986-01-01T00:15:00+05:45"),
        "{}",
        stderr(&o)
    );
    let mut narrowed = kathmandu.to_vec();
    narrowed.extend(["--from", "2024-01-01", "--to", "2025-01-01"]);
    let o = rcx(&narrowed);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn group_maps_and_a_missing_report_are_refused() {
    let map = GroupMap::from_csv("g.csv", "queue,group\n5686,Sales\n").expect("map");
    let e = Rollup::new()
        .by(Grouping::QueueGroup)
        .queue_groups(map)
        .sql(ReportKind::Queue, SqlDialect::Spark, "q")
        .unwrap_err();
    assert!(
        e.to_string().contains("`queue_groups` (a group map)"),
        "{e}"
    );
    let o = rcx(&["sql", "--dialect", "duckdb", "--input", "q.parquet"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--report"), "{}", stderr(&o));
}
