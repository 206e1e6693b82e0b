//! Embeds the validator in a service: an upload arrives as bytes (`&[u8]`),
//! and the answer is one JSON document with the counts and every finding
//! (code, file, line, column, message, raw value). Nothing touches the disk.
//!
//! Here the "upload" is a file read into memory:
//!
//! ```sh
//! cargo run --example validate_upload -- fixtures/invalid/q201_sl_exceeds_answered.csv
//! # {"file":"q201_sl_exceeds_answered.csv","valid":false,"rows":2,"errors":1,"warnings":0,
//! #  "diagnostics":[{"severity":"error","code":"Q201","file":"q201_sl_exceeds_answered.csv","line":3,...}]}
//! ```
//!
//! Exit status: 0 valid, 1 findings of severity error, 2 the file could not
//! be read.

use std::process::ExitCode;

use ringcx_reports::validate::Validator;
use ringcx_reports::write::json_string;
use ringcx_reports::{Error, ReaderBuilder};

/// Validates an uploaded document named `name` and returns the JSON answer
/// and whether it has errors. A document the reader refuses outright (not
/// UTF-8, no known header) is a finding like any other, not an `Err`; only
/// I/O problems are.
fn validate_upload(name: &str, bytes: &[u8]) -> Result<(String, bool), Error> {
    let opened = ReaderBuilder::new().from_bytes(name, bytes.to_vec());
    let report = Validator::new().validate_opened(opened)?;
    let s = &report.summary;
    let mut out = String::from("{\"file\":");
    json_string(&mut out, name);
    out.push_str(&format!(
        ",\"valid\":{},\"rows\":{},\"errors\":{},\"warnings\":{},\"diagnostics\":[",
        !report.has_errors(),
        s.rows,
        s.errors,
        s.warnings
    ));
    for (i, d) in report.diagnostics.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        ringcx_reports::write::diagnostic_json(&mut out, d);
    }
    out.push_str("]}");
    Ok((out, report.has_errors()))
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: validate_upload FILE");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    // An upload has a client-side name, not a server path.
    let name = std::path::Path::new(&path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or(path);
    match validate_upload(&name, &bytes) {
        Ok((json, errors)) => {
            println!("{json}");
            ExitCode::from(u8::from(errors))
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::validate_upload;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn q201_upload() {
        let (json, errors) =
            validate_upload("q201.csv", &fixture("invalid/q201_sl_exceeds_answered.csv")).unwrap();
        assert!(errors);
        assert_eq!(
            json,
            r#"{"file":"q201.csv","valid":false,"rows":2,"errors":1,"warnings":0,"diagnostics":[{"severity":"error","code":"Q201","file":"q201.csv","line":3,"column":"ans_servicelevel_cnt","message":"12 calls answered within service level, but only 11 answered (answ_call_cnt)","value":"12"}]}"#
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["diagnostics"][0]["code"], "Q201");
    }

    #[test]
    fn clean_upload() {
        let (json, errors) = validate_upload("q.csv", &fixture("queue_header.csv")).unwrap();
        assert!(!errors);
        assert_eq!(
            json,
            r#"{"file":"q.csv","valid":true,"rows":4,"errors":0,"warnings":0,"diagnostics":[]}"#
        );
    }

    #[test]
    fn unreadable_upload_is_a_finding() {
        let (json, errors) = validate_upload("empty.csv", b"").unwrap();
        assert!(errors);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["diagnostics"][0]["code"], "S010");
        assert_eq!(v["diagnostics"][0]["line"], 1);
    }
}
