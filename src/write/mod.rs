//! Writers: typed rows and finished tables out, in the formats the CLI
//! offers. Nothing else in the crate formats output.

mod analytics;
mod destination;
#[cfg(feature = "parquet")]
pub mod parquet;
#[cfg(feature = "plot")]
pub mod plot;
mod rows;
mod segments;
pub(crate) mod table;
mod teleopti;
mod timeline;

pub use analytics::{analytics_name, grouped_by};
pub use destination::{check_not_input, remove_temporaries, Destination};
pub use rows::{write_rows, ParseFormat, RowStats, RowWriter};
pub use segments::{write_segments, SegmentWriter};
pub use table::{header as table_header, write_table, TableFormat};
pub use teleopti::{check_teleopti_ids, teleopti_layout, TeleoptiWriter};
pub use timeline::{
    seconds_text, timeline_grouped_by, timeline_header, write_interactions, write_timeline,
    INTERACTION_COLUMNS,
};

/// Appends `s` to `out` as a CSV field: quoted (with `""` escapes) only
/// when it holds the delimiter, a quote or a line break.
///
/// ```
/// let mut out = String::new();
/// ringcx_reports::write::csv_field(&mut out, "Kaduk, Alena", b',');
/// assert_eq!(out, "\"Kaduk, Alena\"");
/// ```
pub fn csv_field(out: &mut String, s: &str, delim: u8) {
    let needs = s
        .bytes()
        .any(|b| b == delim || b == b'"' || b == b'\n' || b == b'\r');
    if !needs {
        out.push_str(s);
        return;
    }
    out.push('"');
    for ch in s.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
}

/// Appends `s` to `out` as a JSON string literal.
///
/// ```
/// let mut out = String::new();
/// ringcx_reports::write::json_string(&mut out, "a \"b\"\n");
/// assert_eq!(out, r#""a \"b\"\n""#);
/// ```
pub fn json_string(out: &mut String, s: &str) {
    use std::fmt::Write;
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
