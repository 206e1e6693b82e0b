//! When a file was pulled: from its name or from a manifest (SPEC 5.1).
//!
//! The export does not carry the time of the pull, so [`check`](super::check)
//! learns it from one of two places, and from nowhere else (a file whose
//! pull time is not given is reported as not checked, never guessed):
//!
//! - **The file name.** The name (its last path component, not the
//!   directories) holds `pulled-` followed by the instant in ISO 8601 basic
//!   format, UTC: `pulled-YYYYMMDDTHHMMSSZ`, e.g.
//!   `interactions-pulled-20240722T113000Z.json` (what
//!   `date -u +pulled-%Y%m%dT%H%M%SZ` prints; no `:`, so the name is valid
//!   on every file system). `pulled-` followed by anything but a digit is
//!   not a pull time (`pulled-by-cron.json`); `pulled-` followed by a digit
//!   must be exactly that pattern, a valid calendar date and time, or the
//!   file is refused. A name that holds two different pull times is refused.
//! - **A manifest**: a CSV file with a header row naming its columns, in
//!   any order: `file` (the pulled file; a relative path is read from the
//!   manifest's directory), `pulled_at` (RFC 3339 with an offset, e.g.
//!   `2024-07-22T11:30:00Z` or `2024-07-22T07:30:00.250-04:00`) and,
//!   optionally, `window_end` (the end of the window the file was pulled
//!   for, RFC 3339 with an offset, or empty). Empty lines are skipped. Any
//!   other column, a missing one, an empty `file` or `pulled_at`, a value
//!   that is not such an instant, or two entries for one file is an error
//!   naming the manifest, the line, the column and the value.
//!
//! When both a name and a manifest entry give a file's pull time they must
//! agree, to the millisecond. Instants keep milliseconds (a finer fraction
//! is cut to the millisecond, which keeps every comparison with a window
//! end, a whole millisecond, exact).
//!
//! ```
//! use ringcx_reports::pulls::pulled_at_in_name;
//! // 2024-07-22T11:30:00Z = 1 721 647 800 s after the epoch.
//! assert_eq!(pulled_at_in_name("q-pulled-20240722T113000Z.json")?, Some(1_721_647_800_000));
//! assert_eq!(pulled_at_in_name("pulled-by-cron.json")?, None);
//! assert!(pulled_at_in_name("q-pulled-20240722T1130Z.json").is_err());
//! # Ok::<(), ringcx_reports::Error>(())
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime};

use crate::error::{Error, Result};

/// What precedes the pull instant in a file name.
pub const PULLED_PREFIX: &str = "pulled-";

/// The pattern of the pull instant after [`PULLED_PREFIX`], as messages show it.
pub const PULLED_PATTERN: &str = "YYYYMMDDTHHMMSSZ";

/// When a file was pulled, and for which window when that is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullTime {
    /// The pull instant, Unix milliseconds.
    pub at_ms: i64,
    /// The end of the window the file was pulled for (a manifest's
    /// `window_end`), Unix milliseconds; `None` when not given.
    pub window_end_ms: Option<i64>,
    /// Where the pull instant comes from.
    pub source: PullSource,
}

/// Where a [`PullTime`] comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PullSource {
    /// The file name.
    Name,
    /// A manifest's entry.
    Manifest {
        /// The manifest, as given.
        file: Arc<str>,
        /// The entry's line (1-based).
        line: u64,
    },
}

/// The pull instant a file name holds (see the [module docs](self)), Unix
/// milliseconds; `None` when the name holds none.
///
/// Errors (usage): `pulled-` followed by a digit but not by
/// `YYYYMMDDTHHMMSSZ`, a date or time that does not exist, two different
/// pull times in one name.
pub fn pulled_at_in_name(name: &str) -> Result<Option<i64>> {
    let mut found: Option<(i64, &str)> = None;
    for (i, _) in name.match_indices(PULLED_PREFIX) {
        let rest = &name[i + PULLED_PREFIX.len()..];
        if !rest.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        // The pattern, not followed by a letter or digit.
        let exact = rest
            .get(..16)
            .filter(|_| !rest[16..].starts_with(|c: char| c.is_ascii_alphanumeric()))
            .and_then(|t| Some((parse_basic(t)?, t)));
        // What to show when it is not: up to the first character that is
        // neither a letter, a digit nor a time punctuation.
        let shown = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, ':' | '+' | '-')))
            .map_or(rest, |n| &rest[..n]);
        let (at, token) = exact.ok_or_else(|| {
            Error::usage(format!(
                "{name}: the pull time in a file name must be {PULLED_PREFIX}{PULLED_PATTERN} \
                 (UTC, e.g. {PULLED_PREFIX}20240722T113000Z), not \"{PULLED_PREFIX}{shown}\""
            ))
        })?;
        match found {
            Some((t, first)) if t != at => {
                return Err(Error::usage(format!(
                    "{name}: the file name holds two pull times, \"{PULLED_PREFIX}{first}\" and \
                     \"{PULLED_PREFIX}{token}\""
                )))
            }
            Some(_) => {}
            None => found = Some((at, token)),
        }
    }
    Ok(found.map(|(t, _)| t))
}

/// `YYYYMMDDTHHMMSSZ` exactly, as Unix milliseconds.
fn parse_basic(token: &str) -> Option<i64> {
    let b = token.as_bytes();
    let shape = b.len() == 16
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'Z';
    if !shape {
        return None;
    }
    NaiveDateTime::parse_from_str(&token[..15], "%Y%m%dT%H%M%S")
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
}

/// One entry of a [`Manifest`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestEntry {
    /// The `file` column as written.
    pub file: String,
    /// The line of the entry (1-based).
    pub line: u64,
    /// `pulled_at`, Unix milliseconds.
    pub pulled_at_ms: i64,
    /// `window_end`, Unix milliseconds, when given.
    pub window_end_ms: Option<i64>,
    /// The file's path, canonical when it exists.
    path: PathBuf,
}

/// The pull times a manifest lists (see the [module docs](self)).
///
/// ```
/// use ringcx_reports::pulls::Manifest;
/// let m = Manifest::from_csv(
///     "manifest.csv",
///     std::path::Path::new("pulls"),
///     "file,pulled_at,window_end\nh10.json,2024-07-22T11:01:30Z,2024-07-22T11:00:00Z\n",
/// )?;
/// assert_eq!(m.entries()[0].line, 2);
/// assert_eq!(m.entries()[0].pulled_at_ms - m.entries()[0].window_end_ms.unwrap(), 90_000);
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    file: Arc<str>,
    entries: Vec<ManifestEntry>,
    by_path: HashMap<PathBuf, usize>,
}

/// The columns of a manifest.
const COLUMNS: [&str; 3] = ["file", "pulled_at", "window_end"];

impl Manifest {
    /// Reads a manifest file; relative `file` entries are read from its
    /// directory.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Manifest> {
        let path = path.as_ref();
        let name = path.to_string_lossy();
        let bytes = std::fs::read(path).map_err(|e| Error::io(name.as_ref(), e))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::usage(format!("{name}: the manifest is not UTF-8")))?;
        let dir = path.parent().unwrap_or(Path::new(""));
        Manifest::from_csv(&name, dir, &text)
    }

    /// Reads a manifest's text; `file` names the manifest in messages, and
    /// relative `file` entries are read from `dir`.
    pub fn from_csv(file: &str, dir: &Path, text: &str) -> Result<Manifest> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut m = Manifest {
            file: file.into(),
            ..Manifest::default()
        };
        // The column index of file, pulled_at, window_end.
        let mut cols: Option<[Option<usize>; 3]> = None;
        for rec in rdr.records() {
            let rec = rec.map_err(|e| Error::usage(format!("{file}: {e}")))?;
            // The reader's position is where the record starts, empty
            // lines before it included: count the lines up to its first
            // byte that is not a line end.
            let line = rec.position().map_or(0, |p| {
                let bytes = text.as_bytes();
                let mut at = usize::try_from(p.byte())
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                while matches!(bytes.get(at), Some(b'\n' | b'\r')) {
                    at += 1;
                }
                1 + bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64
            });
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let Some(cols) = cols else {
                cols = Some(header(file, line, &rec)?);
                continue;
            };
            if rec.len() != rec_len(&cols) {
                return Err(Error::usage(format!(
                    "{file}:{line}: expected {} fields as the header names, found {}",
                    rec_len(&cols),
                    rec.len()
                )));
            }
            let field = |c: usize| cols[c].map_or("", |i| rec[i].trim());
            let name = field(0);
            if name.is_empty() {
                return Err(Error::usage(format!(
                    "{file}:{line}: column `file` is empty"
                )));
            }
            let pulled_at_ms = instant(file, line, COLUMNS[1], field(1))?.ok_or_else(|| {
                Error::usage(format!("{file}:{line}: column `pulled_at` is empty"))
            })?;
            let window_end_ms = instant(file, line, COLUMNS[2], field(2))?;
            let joined: PathBuf = dir
                .join(name)
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect();
            let path = std::fs::canonicalize(&joined).unwrap_or(joined);
            if let Some(&k) = m.by_path.get(&path) {
                return Err(Error::usage(format!(
                    "{file}:{line}: column `file`: \"{name}\" is the file of line {} too",
                    m.entries[k].line
                )));
            }
            m.by_path.insert(path.clone(), m.entries.len());
            m.entries.push(ManifestEntry {
                file: name.to_string(),
                line,
                pulled_at_ms,
                window_end_ms,
                path,
            });
        }
        if cols.is_none() {
            return Err(Error::usage(format!(
                "{file}: the manifest is empty (expected a header row: file,pulled_at[,window_end])"
            )));
        }
        Ok(m)
    }

    /// The entries, in file order.
    pub fn entries(&self) -> &[ManifestEntry] {
        &self.entries
    }

    /// The entry for `path` (compared as canonical paths), if any.
    pub fn entry(&self, path: &Path) -> Option<&ManifestEntry> {
        let path = std::fs::canonicalize(path).ok()?;
        self.by_path.get(&path).map(|&k| &self.entries[k])
    }

    /// The entries that name none of `paths`, in file order.
    pub fn entries_not_in(&self, paths: &[PathBuf]) -> Vec<&ManifestEntry> {
        let named: Vec<&ManifestEntry> = paths.iter().filter_map(|p| self.entry(p)).collect();
        self.entries
            .iter()
            .filter(|e| !named.iter().any(|n| n.line == e.line))
            .collect()
    }
}

fn rec_len(cols: &[Option<usize>; 3]) -> usize {
    cols.iter().flatten().count()
}

fn header(file: &str, line: u64, rec: &csv::StringRecord) -> Result<[Option<usize>; 3]> {
    let mut cols = [None; 3];
    for (i, name) in rec.iter().enumerate() {
        let name = name.trim();
        let Some(c) = COLUMNS.iter().position(|&k| k == name) else {
            return Err(Error::usage(format!(
                "{file}:{line}: unknown column \"{name}\" in the header (the columns are file, \
                 pulled_at and, optionally, window_end)"
            )));
        };
        if cols[c].replace(i).is_some() {
            return Err(Error::usage(format!(
                "{file}:{line}: column \"{name}\" appears twice in the header"
            )));
        }
    }
    for c in 0..2 {
        if cols[c].is_none() {
            return Err(Error::usage(format!(
                "{file}:{line}: the header has no column `{}` (expected file,pulled_at[,window_end])",
                COLUMNS[c]
            )));
        }
    }
    Ok(cols)
}

/// An RFC 3339 instant with an offset, Unix milliseconds (a finer fraction
/// cut); `None` for an empty field.
fn instant(file: &str, line: u64, column: &str, value: &str) -> Result<Option<i64>> {
    if value.is_empty() {
        return Ok(None);
    }
    DateTime::parse_from_rfc3339(value)
        .map(|t| Some(t.timestamp_millis()))
        .map_err(|e| {
            Error::usage(format!(
                "{file}:{line}: column `{column}`: \"{value}\" is not an RFC 3339 instant with an \
                 offset, such as 2024-07-22T11:30:00Z ({e})"
            ))
        })
}

/// The pull time of the file at `path`: from its name, from `manifest`, or
/// both when they agree.
///
/// Errors (usage): a malformed pull time in the name (see
/// [`pulled_at_in_name`]), a name and a manifest entry that disagree.
pub fn pull_time(path: &Path, manifest: Option<&Manifest>) -> Result<Option<PullTime>> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let in_name = pulled_at_in_name(&name)?;
    let entry = manifest.and_then(|m| m.entry(path).map(|e| (m, e)));
    Ok(match (in_name, entry) {
        (None, None) => None,
        (Some(at_ms), None) => Some(PullTime {
            at_ms,
            window_end_ms: None,
            source: PullSource::Name,
        }),
        (in_name, Some((m, e))) => {
            if let Some(n) = in_name.filter(|&n| n != e.pulled_at_ms) {
                return Err(Error::usage(format!(
                    "{}:{}: column `pulled_at`: {} disagrees with the pull time in the file name \
                     {name} ({})",
                    m.file,
                    e.line,
                    rfc3339_ms(e.pulled_at_ms),
                    rfc3339_ms(n)
                )));
            }
            Some(PullTime {
                at_ms: e.pulled_at_ms,
                window_end_ms: e.window_end_ms,
                source: PullSource::Manifest {
                    file: m.file.clone(),
                    line: e.line,
                },
            })
        }
    })
}

fn rfc3339_ms(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_pattern() {
        // 2024-02-29T23:59:59Z: 19 782 days × 86 400 + 86 399 = 1 709 251 199 s.
        assert_eq!(
            pulled_at_in_name("pulled-20240229T235959Z").unwrap(),
            Some(1_709_251_199_000)
        );
        assert_eq!(pulled_at_in_name("a.json").unwrap(), None);
        assert_eq!(pulled_at_in_name("pulled-.json").unwrap(), None);
        // Followed by other words: 1970-01-01T00:01:00Z is 60 s.
        assert_eq!(
            pulled_at_in_name("h10-pulled-19700101T000100Z-v2.ndjson.gz").unwrap(),
            Some(60_000)
        );
        // The same instant twice is one.
        assert_eq!(
            pulled_at_in_name("pulled-19700101T000001Z.pulled-19700101T000001Z").unwrap(),
            Some(1000)
        );
        for bad in [
            "pulled-20230229T000000Z.json", // not a leap year
            "pulled-20240722T113000.json",  // no Z
            "pulled-20240722T11300Z.json",  // five time digits
            "pulled-2024-07-22T11:30:00Z.json",
            "pulled-20240722T113000+0200.json",
            "pulled-20240722t113000z.json",
            "pulled-19700101T000001Z.pulled-19700101T000002Z",
            "pulled-20240722T113000Zh10.json",
        ] {
            let e = pulled_at_in_name(bad).unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
    }

    #[test]
    fn manifest_errors_name_line_column_value() {
        let d = Path::new("");
        let cases = [
            (
                "file,pulled_at\na.json,2024-07-22 11:30\n",
                "m.csv:2: column `pulled_at`: \"2024-07-22 11:30\"",
            ),
            (
                "file,pulled_at\na.json,2024-07-22T11:30:00\n",
                "m.csv:2: column `pulled_at`: \"2024-07-22T11:30:00\"",
            ),
            (
                "file,pulled_at,window_end\n\na.json,2024-07-22T11:30:00Z,noon\n",
                "m.csv:3: column `window_end`: \"noon\"",
            ),
            (
                "file,pulled_at\n,2024-07-22T11:30:00Z\n",
                "m.csv:2: column `file` is empty",
            ),
            (
                "file,pulled_at\na.json,\n",
                "m.csv:2: column `pulled_at` is empty",
            ),
            (
                "file,pulled,window_end\n",
                "m.csv:1: unknown column \"pulled\"",
            ),
            (
                "file,window_end\n",
                "m.csv:1: the header has no column `pulled_at`",
            ),
            (
                "file,pulled_at,file\n",
                "m.csv:1: column \"file\" appears twice",
            ),
            (
                "file,pulled_at\na.json,2024-07-22T11:30:00Z,x\n",
                "m.csv:2: expected 2 fields",
            ),
            (
                "file,pulled_at\na.json,2024-07-22T11:30:00Z\n./a.json,2024-07-22T11:31:00Z\n",
                "m.csv:3: column `file`: \"./a.json\" is the file of line 2",
            ),
            ("\n\n", "m.csv: the manifest is empty"),
        ];
        for (text, want) in cases {
            let e = Manifest::from_csv("m.csv", d, text)
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }
}
