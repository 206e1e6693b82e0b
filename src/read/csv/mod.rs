//! The legacy CSV wire form, in layers: [`fields`] (the fields of one
//! record), [`tokenize`] (a tokenizer that cannot fail except on an
//! unclosed quote at the end of input), [`source`] (a streaming source over
//! any `Read` that keeps one reusable buffer) and [`decode`] (a record's
//! fields into a typed row). This module opens a file (its dialect and
//! column layout) and holds the input a [`Reader`](super::Reader) reads.

mod decode;
mod fields;
mod source;
mod tokenize;

use std::io::Read;

use memchr::memchr_iter;

pub(crate) use self::source::CsvSource;
use self::source::{source_error, RecordAt, SourceError};
use super::assemble::Assembler;
use super::{kind_from_fields, CsvDialect, ReaderBuilder};
use crate::diagnostic::{Code, Diagnostic};
use crate::error::{Error, Result};
use crate::model::{AgentExtRow, AgentRow, Field, IntervalRow, QueueRow, ReportKind};
use crate::position::{Location, Position};

/// The column layout of a headerless file.
fn headerless_layout(kind: ReportKind, columns: usize) -> Option<Vec<Option<Field>>> {
    let fields: &[Field] = match (kind, columns) {
        (ReportKind::Queue, 20) => QueueRow::FIELDS,
        (ReportKind::Queue, 21) => {
            let mut v: Vec<Option<Field>> = QueueRow::FIELDS.iter().map(|&f| Some(f)).collect();
            v.insert(16, Some(Field::AvgAvailMemberCnt));
            return Some(v);
        }
        (ReportKind::AgentExt, 11) => AgentExtRow::FIELDS,
        (ReportKind::Agent, 14) => AgentRow::FIELDS,
        _ => return None,
    };
    Some(fields.iter().map(|&f| Some(f)).collect())
}

fn kind_for_columns(columns: usize) -> Option<ReportKind> {
    match columns {
        20 | 21 => Some(ReportKind::Queue),
        11 => Some(ReportKind::AgentExt),
        14 => Some(ReportKind::Agent),
        _ => None,
    }
}

fn fields_of(kind: ReportKind) -> (&'static [Field], &'static [Field]) {
    match kind {
        ReportKind::Queue => (QueueRow::FIELDS, QueueRow::EXTRA_FIELDS),
        ReportKind::AgentExt => (AgentExtRow::FIELDS, AgentExtRow::EXTRA_FIELDS),
        ReportKind::Agent => (AgentRow::FIELDS, AgentRow::EXTRA_FIELDS),
        ReportKind::Segments => (&[], &[]),
    }
}

/// The delimiters a legacy CSV file may use (SPEC 2.1).
const DELIMITERS: [u8; 4] = [b',', b';', b'|', b'\t'];
/// A delimiter for tokenizing before the real one is known (see `open`).
const NO_DELIMITER: u8 = 0;

/// Lines ended by a lone CR (classic Mac) read as one long record; say so
/// in the column-count error rather than leave the count unexplained.
fn lone_cr_hint(raw: &[u8]) -> &'static str {
    let lone = memchr_iter(b'\r', raw).any(|i| raw.get(i + 1) != Some(&b'\n'));
    if lone {
        "; its lines end with a lone CR, and only LF or CRLF line endings are read"
    } else {
        ""
    }
}

/// The trimmed text of each field of a record (for header matching).
fn header_names<R: Read>(src: &CsvSource<R>, at: &RecordAt) -> Vec<String> {
    (0..src.fields.len())
        .map(|i| {
            String::from_utf8_lossy(&src.field(at, i))
                .trim()
                .to_string()
        })
        .collect()
}

/// A header row names at least three fields, and either most of its names
/// are field names (an extra column may be called `2024`) or none of them is
/// a number. A data record has numbers and almost no field names.
fn is_header(names: &[String]) -> bool {
    let known = names
        .iter()
        .filter(|s| Field::from_header(s).is_some())
        .count();
    known >= 3
        && (known * 2 > names.len()
            || names
                .iter()
                .all(|s| s.parse::<f64>().is_err() || s.is_empty()))
}

/// Counts each candidate delimiter outside quotes in one record's bytes and
/// picks the most frequent (`,` on a tie or when none occurs).
fn sniff_delimiter(raw: &[u8]) -> u8 {
    let cands = DELIMITERS;
    let mut counts = [0usize; 4];
    let mut in_q = false;
    for &b in raw {
        if b == b'"' {
            in_q = !in_q;
        } else if !in_q {
            if let Some(i) = cands.iter().position(|&c| c == b) {
                counts[i] += 1;
            }
        }
    }
    let mut best = 0;
    for i in 1..4 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    cands[best]
}

/// The CSV input of a [`Reader`](super::Reader): a source and the column
/// each field fills.
pub(crate) struct CsvInput {
    src: CsvSource<Box<dyn Read + Send>>,
    columns: Vec<Option<Field>>,
    /// Records starting at or after this byte are not read (a chunk's end;
    /// `u64::MAX` for a whole file).
    stop: u64,
    /// A value with its `""` escapes undone.
    unescaped: String,
}

/// What a chunk reader needs from an opened file (see `read::chunk`).
impl CsvInput {
    /// An input over `src` with the column layout of an opened file, that
    /// stops before the first record starting at or after `stop`.
    pub(crate) fn chunk(
        src: CsvSource<Box<dyn Read + Send>>,
        columns: Vec<Option<Field>>,
        stop: u64,
    ) -> Self {
        CsvInput {
            src,
            columns,
            stop,
            unescaped: String::new(),
        }
    }
    /// The column layout.
    pub(crate) fn columns(&self) -> &[Option<Field>] {
        &self.columns
    }
    /// The delimiter.
    pub(crate) fn delimiter(&self) -> u8 {
        self.src.delim
    }
    /// Bytes consumed so far.
    pub(crate) fn offset(&self) -> u64 {
        self.src.offset()
    }
}

/// Opens a CSV source: title line, delimiter, header or headerless layout,
/// report kind. Returns the input, its dialect, the kind and header findings.
pub(crate) fn open(
    b: &ReaderBuilder,
    mut src: CsvSource<Box<dyn Read + Send>>,
    bom: bool,
    asm: &Assembler,
) -> Result<(CsvInput, CsvDialect, ReportKind, Vec<Diagnostic>)> {
    let file = asm.file.clone();
    let serr = |e| source_error(&file, e, 0);
    let here = |at: &RecordAt| Location::new(file.clone(), Position::new(at.byte, at.line, 0));
    // A Teleopti title line (one field, no delimiter) may come first.
    let mut title = None;
    let mut title_kind = None;
    // Until the delimiter is known, tokenize with one that never occurs:
    // then a quote opens a field only at the start of a record, and a
    // quote that a wrong guess would see as opening (after a `,` inside a
    // `;` record, say) cannot run to the end of the file.
    src.delim = NO_DELIMITER;
    let Some(at) = src.peek().map_err(serr)? else {
        return Err(Error::structure(
            Code::UnknownReport,
            Location::new(file.clone(), Position::new(0, 1, 0)),
            "the file has no records",
        ));
    };
    let raw = String::from_utf8_lossy(src.raw(&at)).trim().to_string();
    if let Some(k) = [ReportKind::Queue, ReportKind::AgentExt, ReportKind::Agent]
        .into_iter()
        .find(|k| k.title_line().is_some_and(|t| t.eq_ignore_ascii_case(&raw)))
    {
        title = Some(raw);
        title_kind = Some(k);
        src.consume(&at);
    }
    let Some(at) = src.peek().map_err(serr)? else {
        return Err(Error::structure(
            Code::UnknownReport,
            Location::new(file.clone(), Position::new(src.offset(), src.line(), 0)),
            "the file has no records after its title line",
        ));
    };
    // The record above was tokenized with `,`; in another dialect it may
    // end early, at a line break inside quotes. So the vote on delimiters
    // only proposes one: the first record, tokenized again with it, must
    // read as a header or as a known headerless layout, else each other
    // candidate is tried in turn.
    let voted = sniff_delimiter(src.raw(&at));
    let no_records = |src: &CsvSource<_>| {
        Error::structure(
            Code::UnknownReport,
            Location::new(file.clone(), Position::new(src.offset(), src.line(), 0)),
            "the file has no records",
        )
    };
    let mut delim = voted;
    for d in std::iter::once(voted).chain(DELIMITERS.into_iter().filter(|&d| d != voted)) {
        src.delim = d;
        let at = match src.peek() {
            Ok(Some(at)) => at,
            Ok(None) => return Err(no_records(&src)),
            // This candidate opens a quote that never closes (or not within
            // the record limit): not the one. The chosen delimiter's own
            // errors are raised by the peek after the loop.
            Err(SourceError::UnclosedQuote { .. } | SourceError::TooLong { .. }) => continue,
            Err(e) => return Err(serr(e)),
        };
        let names = header_names(&src, &at);
        let kind = b
            .report
            .or(title_kind)
            .or_else(|| kind_for_columns(names.len()));
        let fits =
            is_header(&names) || kind.is_some_and(|k| headerless_layout(k, names.len()).is_some());
        if fits {
            delim = d;
            break;
        }
    }
    // Tokenize the first record once more with the chosen delimiter (a
    // later candidate's refill may have moved the buffer).
    src.delim = delim;
    let at = src.peek().map_err(serr)?.ok_or_else(|| no_records(&src))?;
    let names = header_names(&src, &at);
    let has_header = is_header(&names);
    let crlf = src.raw(&at).ends_with(b"\r\n");
    let n = names.len();
    let mut diagnostics = Vec::new();
    let (kind, columns) = if has_header {
        let mapped: Vec<Option<Field>> = names.iter().map(|s| Field::from_header(s)).collect();
        let kind = b
            .report
            .or_else(|| kind_from_fields(|f| mapped.contains(&Some(f))))
            .or(title_kind)
            .ok_or_else(|| {
                Error::structure(
                    Code::UnknownReport,
                    here(&at),
                    "the header has neither a queue nor an agent_id column",
                )
            })?;
        let (fields, extras) = fields_of(kind);
        let mut columns = Vec::with_capacity(n);
        for (i, (name, f)) in names.iter().zip(&mapped).enumerate() {
            let col = match f {
                Some(f)
                    if fields.contains(f) || extras.contains(f) || *f == Field::DateTimeFrom =>
                {
                    if columns.contains(&Some(*f)) {
                        return Err(Error::data(
                            Code::DuplicateColumn,
                            here(&at).with_field(f.name()),
                            format!("column {} appears twice in the header", i + 1),
                            name.clone(),
                        ));
                    }
                    Some(*f)
                }
                _ => {
                    diagnostics.push(Diagnostic::new(
                        Code::UnknownColumn,
                        here(&at).with_field(name.as_str()),
                        format!(
                            "column {} is not a field of the {} report; its values are not read",
                            i + 1,
                            kind
                        ),
                        Some(name.clone()),
                    ));
                    None
                }
            };
            columns.push(col);
        }
        let has_dt = columns.contains(&Some(Field::DateTimeFrom));
        let missing: Vec<&str> = fields
            .iter()
            .filter(|f| !matches!(f, Field::QueueName | Field::AgentName))
            .filter(|f| !(has_dt && matches!(f, Field::DateFrom | Field::Time)))
            .filter(|f| !columns.contains(&Some(**f)))
            .map(|f| f.name())
            .collect();
        if !missing.is_empty() {
            return Err(Error::structure(
                Code::MissingColumn,
                here(&at).with_field(missing[0]),
                format!(
                    "the {} header lacks required column(s): {}",
                    kind,
                    missing.join(", ")
                ),
            ));
        }
        src.consume(&at);
        (kind, columns)
    } else {
        let kind = b
            .report
            .or(title_kind)
            .or_else(|| kind_for_columns(n))
            .ok_or_else(|| {
                Error::structure(
                    Code::ColumnCount,
                    here(&at),
                    format!(
                        "a headerless record has {n} fields; expected 20 or 21 (queue), 11 (agent-ext) or 14 (agent){}",
                        lone_cr_hint(src.raw(&at))
                    ),
                )
            })?;
        let columns = headerless_layout(kind, n).ok_or_else(|| {
            let want = match kind {
                ReportKind::Queue => "20 or 21",
                ReportKind::AgentExt => "11",
                ReportKind::Agent => "14",
                ReportKind::Segments => "no",
            };
            Error::structure(
                Code::ColumnCount,
                here(&at),
                format!("a headerless {kind} record has {n} fields; expected {want}"),
            )
        })?;
        (kind, columns)
    };
    if let (Some(t), Some(r)) = (title_kind, b.report.is_none().then_some(kind)) {
        if t != r {
            return Err(Error::structure(
                Code::UnknownReport,
                Location::new(file.clone(), Position::new(0, 1, 0)),
                format!("the title line names the {t} report but the columns are those of {r}"),
            ));
        }
    }
    if kind == ReportKind::Segments {
        return Err(Error::usage(format!(
            "{file}: interaction metadata is JSON; a CSV file cannot hold segments"
        )));
    }
    let dialect = CsvDialect {
        delimiter: src.delim,
        has_header,
        bom,
        crlf,
        title,
        columns: columns.len(),
    };
    Ok((
        CsvInput {
            src,
            columns,
            stop: u64::MAX,
            unescaped: String::new(),
        },
        dialect,
        kind,
        diagnostics,
    ))
}
