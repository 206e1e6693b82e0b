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
