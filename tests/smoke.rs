//! End-to-end smoke: the README's main command works on a fresh clone.

use crate::util::{code, rcx, stdout};

#[test]
fn readme_parse_command_prints_typed_rows() {
    let o = rcx(&["parse", "fixtures/queue_header.csv"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    let first = out.lines().next().expect("a row");
    assert!(first.starts_with(r#"{"interval":15,"date_from":"2024-03-04","time":"08:00","queue":"5686","queue_name":"Sales","#));
    assert!(first.ends_with(r#""start":"2024-03-04T08:00:00+00:00"}"#));
    assert_eq!(out.lines().count(), 4);
}

/// Every subcommand's `--help` ends with examples, and each runs as
/// written from the repository's root (`rcx` the binary under test): exit
/// 0, or 1 where the example shows findings (validate, pulls check),
/// never 2, and something printed (a clean validate says so on stderr).
#[cfg(all(unix, feature = "compressed"))]
#[test]
fn every_help_example_runs_as_written() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut ran = 0;
    for sub in [
        "rollup",
        "timeline",
        "interactions",
        "calls",
        "analytics",
        "validate",
        "parse",
        "inspect",
        "convert",
        "pulls",
        "gen",
    ] {
        let help = stdout(&rcx(&[sub, "--help"]));
        let examples = help
            .split_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("rcx {sub} --help has no examples"))
            .1
            .replace("\\\n", " ");
        for line in examples.lines().map(str::trim).filter(|l| !l.is_empty()) {
            assert!(line.contains("rcx "), "{sub}: {line}");
            let script = format!("rcx() {{ \"$RCX\" \"$@\"; }}; {line}");
            let o = std::process::Command::new("bash")
                .args(["-c", &script])
                .env("RCX", env!("CARGO_BIN_EXE_rcx"))
                .current_dir(root)
                .output()
                .expect("run bash");
            let c = code(&o);
            assert!(
                c == 0 || (c == 1 && (sub == "validate" || sub == "pulls")),
                "`{line}` exited {c}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            assert!(
                !o.stdout.is_empty() || !o.stderr.is_empty(),
                "`{line}` printed nothing"
            );
            ran += 1;
        }
    }
    assert!(ran >= 22, "{ran} examples");
}
