//! Writers: typed rows and finished tables out, in the formats the CLI
//! offers. Nothing else in the crate formats output.

mod analytics;
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

/// A file written atomically: bytes go to a temporary file beside the
/// target, which replaces the target only on [`commit`](AtomicFile::commit).
/// Dropped without commit, the temporary file is removed and the target is
/// untouched.
///
/// ```
/// use std::io::Write;
/// let dir = std::env::temp_dir().join(format!("rcx-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let target = dir.join("out.csv");
/// let mut f = ringcx_reports::write::AtomicFile::create(&target)?;
/// f.write_all(b"a,b\n").unwrap();
/// f.commit()?;
/// assert_eq!(std::fs::read_to_string(&target).unwrap(), "a,b\n");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Debug)]
pub struct AtomicFile {
    target: std::path::PathBuf,
    tmp: std::path::PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl AtomicFile {
    /// Starts writing `target`.
    pub fn create(target: impl AsRef<std::path::Path>) -> crate::Result<Self> {
        let target = target.as_ref().to_path_buf();
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let tmp = target.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let file =
            std::fs::File::create(&tmp).map_err(|e| crate::Error::io(tmp.to_string_lossy(), e))?;
        Ok(AtomicFile {
            target,
            tmp,
            file: Some(std::io::BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// Flushes, syncs and renames the temporary file over the target.
    pub fn commit(mut self) -> crate::Result<()> {
        let name = self.target.to_string_lossy().into_owned();
        let file = self.file.take().expect("not committed twice");
        let file = file
            .into_inner()
            .map_err(|e| crate::Error::io(name.clone(), e.into_error()))?;
        file.sync_all()
            .map_err(|e| crate::Error::io(name.clone(), e))?;
        std::fs::rename(&self.tmp, &self.target).map_err(|e| crate::Error::io(name, e))
    }
}

impl std::io::Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.as_mut().expect("open").write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().expect("open").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
