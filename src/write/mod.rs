//! Writers: typed rows and finished tables out, in the formats the CLI
//! offers. Nothing else in the crate formats output.

mod analytics;
mod calls;
mod cell;
mod delimited;
mod destination;
mod interactions;
#[cfg(feature = "parquet")]
pub mod parquet;
#[cfg(feature = "plot")]
pub mod plot;
mod rollup;
mod rows;
#[cfg(feature = "parquet")]
mod segment_parquet;
mod segments;
mod table;
#[cfg(feature = "parquet")]
mod table_parquet;
mod teleopti;
mod timeline;

use crate::diagnostic::{Diagnostic, DiagnosticJson};
pub use calls::write_calls;

pub use destination::{check_not_input, remove_temporaries, Destination};
pub use interactions::{write_interactions_files, write_interactions_files_by};
pub use rollup::{write_rollup, write_table};
pub use rows::{write_rows, ParseFormat, RowStats, RowWriter};
pub(crate) use segments::each_segment;
pub use segments::{write_segments, SegmentWriter};
pub(crate) use teleopti::check_teleopti_ids;
pub use teleopti::TeleoptiWriter;
pub use timeline::{
    write_interactions, write_packed_timeline, write_timeline, INTERACTION_COLUMNS,
};

/// How to print a rollup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum TableFormat {
    /// CSV with a header row (the default).
    #[default]
    Csv,
    /// Tab-separated values with a header row (quoted as CSV is, where a
    /// value holds a tab, a quote or a line break).
    Tsv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Aligned columns for a terminal.
    Table,
    /// A Markdown (GitHub) table: a header, a rule that aligns numbers to
    /// the right, a line per row; streamed like CSV.
    Markdown,
    /// RingCentral Analytics API response shape.
    Analytics,
    /// One Apache Parquet file, typed: keys as text, bucket bounds as
    /// zoned timestamps, counts as 64-bit integers, ratios as decimals
    /// (cargo feature `parquet`).
    Parquet,
}

/// The refusal of the Parquet format in a build without the `parquet`
/// feature.
#[cfg_attr(feature = "parquet", allow(dead_code))]
pub(crate) fn parquet_refused() -> crate::Error {
    crate::Error::usage(
        "the parquet format needs the `parquet` cargo feature of ringcx-reports, which this build \
         was compiled without",
    )
}

/// Appends a finding as one JSON object with the keys `severity`,
/// `code`, `file`, `line`, `column` (the field, or `null`), `message`
/// and `value` (or `null`), in that order.
///
/// ```
/// use ringcx_reports::{Code, Diagnostic, Location, Position};
/// let d = Diagnostic::new(
///     Code::Negative,
///     Location::new("q.csv", Position::new(40, 3, 1)).with_field("answ_call_cnt"),
///     "expected a non-negative integer",
///     Some("-4".into()),
/// );
/// let mut out = String::new();
/// ringcx_reports::write::diagnostic_json(&mut out, &d);
/// assert_eq!(out, r#"{"severity":"error","code":"V102","file":"q.csv","line":3,"column":"answ_call_cnt","message":"expected a non-negative integer","value":"-4"}"#);
/// ```
pub fn diagnostic_json(out: &mut String, d: &Diagnostic) {
    push_json(out, &DiagnosticJson::new(d));
}

/// Appends `v` to `out` as compact JSON through `serde_json`: the cold
/// paths (diagnostics, documents such as `rcx inspect`'s) serialize a
/// small view struct with it.
pub(crate) fn push_json<T: serde::Serialize + ?Sized>(out: &mut String, v: &T) {
    // Fails only when a `Serialize` impl fails; the views here hold
    // strings, numbers, booleans, options and lists, and never do.
    let _ = serde_json::to_writer(StrSink(out), v);
}

/// `io::Write` into a `String`. `serde_json` writes a string as slices of
/// it cut at ASCII bytes and as ASCII escapes, so every chunk is UTF-8.
struct StrSink<'a>(&'a mut String);

impl std::io::Write for StrSink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let s = std::str::from_utf8(buf)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        self.0.push_str(s);
        Ok(())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

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

/// Appends `s` to `out` as a JSON string literal, escaped as `serde_json`
/// escapes: `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, other control
/// characters as `\u00XX` (lower-case hex); everything else as it is. Every
/// JSON text `rcx` prints, hand-written or serialized, escapes alike.
///
/// ```
/// let mut out = String::new();
/// ringcx_reports::write::json_string(&mut out, "a \"b\"\n\u{8}\u{1f}");
/// assert_eq!(out, r#""a \"b\"\n\b\u001f""#);
/// ```
pub fn json_string(out: &mut String, s: &str) {
    push_json(out, s);
}
