//! Detection: what a source holds, told from its content (never from the
//! file name), before its first row is read.
//!
//! - [`wire_form`]: the encoding and the wire form, from the first bytes
//!   (a UTF-8 byte-order mark is skipped, UTF-16 refused; the first byte
//!   that is not white space tells XML, JSON or CSV);
//! - [`csv_layout`]: the dialect and column layout of a CSV file, in named
//!   steps: a title line ([`title_line`]), the delimiter
//!   ([`choose_delimiter`]), then a header ([`header_columns`]) or a known
//!   headerless layout ([`headerless_columns`]), and the report kind;
//! - [`kind_from_fields`]: the report kind from the fields a header, an
//!   XML record or a JSON object carries.
//!
//! The order of slash dates is decided before any of this, by a bounded
//! scan of the file's start: see [`date_order`](super::date_order).

use std::io::Read;
use std::sync::Arc;

use memchr::memchr_iter;

use super::buffer::Buffer;
use super::csv::{source_error, CsvSource, RecordAt, SourceError};
use super::ReaderBuilder;
use crate::diagnostic::{Code, Diagnostic};
use crate::error::{Error, Result};
use crate::model::{AgentExtRow, AgentRow, Field, IntervalRow, QueueRow, ReportKind, WireForm};
use crate::option::OptionName;
use crate::position::{Location, Position};

/// How a CSV file is written, as detected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvDialect {
    /// Field delimiter: `,`, `;`, `|` or TAB.
    pub delimiter: u8,
    /// Whether the first record is a header row.
    pub has_header: bool,
    /// Whether the file starts with a UTF-8 byte-order mark.
    pub bom: bool,
    /// Whether lines end with CRLF (else LF).
    pub crlf: bool,
    /// The Teleopti title line, if the file has one.
    pub title: Option<String>,
    /// Number of columns.
    pub columns: usize,
}

/// Tells the report kind from the set of fields a header or an object
/// carries: an agent id with a queue is Agent Extended, an agent id alone
/// Agent Statistics, a queue alone Queue Statistics.
pub(crate) fn kind_from_fields(has: impl Fn(Field) -> bool) -> Option<ReportKind> {
    match (has(Field::AgentId), has(Field::Queue)) {
        (true, true) => Some(ReportKind::AgentExt),
        (true, false) => Some(ReportKind::Agent),
        (false, true) => Some(ReportKind::Queue),
        (false, false) => None,
    }
}

/// The wire form of the source in `src` (unless the builder names it),
/// and whether it starts with a UTF-8 byte-order mark, which is consumed.
pub(crate) fn wire_form<R: Read>(
    b: &ReaderBuilder,
    src: &mut Buffer<R>,
    file: &Arc<str>,
) -> Result<(WireForm, bool)> {
    let bom = byte_order_mark(src, file)?;
    let form = match b.form {
        Some(f) => f,
        None => form_from_first_byte(b, src, file)?,
    };
    Ok((form, bom))
}

/// Whether the source starts with a UTF-8 byte-order mark (consumed); a
/// UTF-16 one is refused (S001).
fn byte_order_mark<R: Read>(src: &mut Buffer<R>, file: &Arc<str>) -> Result<bool> {
    src.fill_to(4).map_err(|e| Error::io(file.clone(), e))?;
    let head = src.pending();
    let bom = head.starts_with(&[0xEF, 0xBB, 0xBF]);
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::structure(
            Code::Encoding,
            Location::new(file.clone(), Position::new(0, 1, 0)),
            "the file is UTF-16 (byte-order mark); convert it to UTF-8",
        ));
    }
    if bom {
        src.consume(3);
    }
    Ok(bom)
}

/// The wire form from the first byte that is not white space: `<` is XML,
/// `[` or `{` JSON, anything else CSV. Nothing is consumed.
fn form_from_first_byte<R: Read>(
    b: &ReaderBuilder,
    src: &mut Buffer<R>,
    file: &Arc<str>,
) -> Result<WireForm> {
    let first = loop {
        let p = src.pending();
        // Only the first `max_record` bytes decide, however
        // many a read returned; more white space than that is
        // left to the CSV reader, which measures its lines.
        let head = &p[..p.len().min(b.max_record + 1)];
        if let Some(&c) = head.iter().find(|c| !c.is_ascii_whitespace()) {
            break Some(c);
        }
        if p.len() > b.max_record {
            break Some(b' ');
        }
        if !src.fill().map_err(|e| Error::io(file.clone(), e))? {
            break None;
        }
    };
    match first {
        None => Err(Error::structure(
            Code::UnknownReport,
            Location::new(file.clone(), Position::new(0, 1, 0)),
            "the file is empty: there is no report to read",
        )),
        Some(b'<') => Ok(WireForm::Xml),
        Some(b'[') | Some(b'{') => Ok(WireForm::Json),
        Some(_) => Ok(WireForm::Csv),
    }
}

/// What [`csv_layout`] found.
pub(crate) struct CsvLayout {
    pub dialect: CsvDialect,
    pub kind: ReportKind,
    /// The field each column fills (`None`: a column not read).
    pub columns: Vec<Option<Field>>,
    /// Findings about the header (unknown columns, S004).
    pub diagnostics: Vec<Diagnostic>,
}

/// Detects a CSV source's dialect and layout: title line, delimiter,
/// header or headerless layout, report kind. On return `src` stands at the
/// first data record, tokenizing with the file's delimiter.
pub(crate) fn csv_layout<R: Read>(
    b: &ReaderBuilder,
    src: &mut CsvSource<R>,
    bom: bool,
    file: &Arc<str>,
) -> Result<CsvLayout> {
    let title = title_line(src, file)?;
    let title_kind = title.as_ref().map(|t| t.1);
    let delim = choose_delimiter(b, src, title_kind, file)?;
    // Tokenize the first record once more with the chosen delimiter (a
    // later candidate's refill may have moved the buffer).
    src.delim = delim;
    let at = src
        .peek()
        .map_err(|e| source_error(file, e, 0))?
        .ok_or_else(|| no_records(src, file))?;
    let names = header_names(src, &at);
    let has_header = !b.no_header && is_header(&names);
    let crlf = src.raw(&at).ends_with(b"\r\n");
    let here = Location::new(file.clone(), Position::new(at.byte, at.line, 0));
    let (kind, columns, diagnostics) = if has_header {
        let found = header_columns(b, &names, title_kind, &here)?;
        src.consume(&at);
        found
    } else {
        let (kind, columns) = headerless_columns(b, names.len(), title_kind, src.raw(&at), &here)?;
        (kind, columns, Vec::new())
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
        title: title.map(|t| t.0),
        columns: columns.len(),
    };
    Ok(CsvLayout {
        dialect,
        kind,
        columns,
        diagnostics,
    })
}

/// A Teleopti title line (one field, no delimiter) that may come first:
/// consumed, with the report it names.
fn title_line<R: Read>(
    src: &mut CsvSource<R>,
    file: &Arc<str>,
) -> Result<Option<(String, ReportKind)>> {
    // Until the delimiter is known, tokenize with one that never occurs:
    // then a quote opens a field only at the start of a record, and a
    // quote that a wrong guess would see as opening (after a `,` inside a
    // `;` record, say) cannot run to the end of the file.
    src.delim = NO_DELIMITER;
    let Some(at) = src.peek().map_err(|e| source_error(file, e, 0))? else {
        return Err(Error::structure(
            Code::UnknownReport,
            Location::new(file.clone(), Position::new(0, 1, 0)),
            "the file has no records",
        ));
    };
    let raw = String::from_utf8_lossy(src.raw(&at)).trim().to_string();
    let Some(k) = [ReportKind::Queue, ReportKind::AgentExt, ReportKind::Agent]
        .into_iter()
        .find(|k| k.title_line().is_some_and(|t| t.eq_ignore_ascii_case(&raw)))
    else {
        return Ok(None);
    };
    src.consume(&at);
    Ok(Some((raw, k)))
}

/// The delimiter of the first record (after the title line).
fn choose_delimiter<R: Read>(
    b: &ReaderBuilder,
    src: &mut CsvSource<R>,
    title_kind: Option<ReportKind>,
    file: &Arc<str>,
) -> Result<u8> {
    if let Some(d) = b.delimiter {
        return given_delimiter(d);
    }
    let serr = |e| source_error(file, e, 0);
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
    for d in std::iter::once(voted).chain(DELIMITERS.into_iter().filter(|&d| d != voted)) {
        src.delim = d;
        let at = match src.peek() {
            Ok(Some(at)) => at,
            Ok(None) => return Err(no_records(src, file)),
            // This candidate opens a quote that never closes (or not within
            // the record limit): not the one. The chosen delimiter's own
            // errors are raised by the peek after the loop.
            Err(SourceError::UnclosedQuote { .. } | SourceError::TooLong { .. }) => continue,
            Err(e) => return Err(serr(e)),
        };
        let names = header_names(src, &at);
        let kind = b
            .report
            .or(title_kind)
            .or_else(|| kind_for_columns(names.len()));
        let fits =
            is_header(&names) || kind.is_some_and(|k| headerless_layout(k, names.len()).is_some());
        if fits {
            return Ok(d);
        }
    }
    Ok(voted)
}

/// A delimiter given rather than detected: a TAB or ASCII punctuation
/// other than the quote.
fn given_delimiter(d: u8) -> Result<u8> {
    if d == b'\t' || (d.is_ascii_punctuation() && d != b'"') {
        return Ok(d);
    }
    Err(Error::usage(format!(
        "{} {:?} cannot separate CSV fields; give a TAB or an ASCII punctuation character \
         other than the quote",
        OptionName::Delimiter,
        char::from(d)
    )))
}

/// Refuses the CSV options for a file of another wire form: they would be
/// ignored, and the file read another way than asked.
pub(crate) fn only_csv(b: &ReaderBuilder, form: WireForm, file: &Arc<str>) -> Result<()> {
    let option = if b.delimiter.is_some() {
        OptionName::Delimiter
    } else if b.no_header {
        OptionName::NoHeader
    } else {
        return Ok(());
    };
    if form == WireForm::Csv {
        return Ok(());
    }
    Err(Error::usage(format!(
        "{file}: {option} applies to CSV, and the file is {form}"
    )))
}

/// The error for a source with no record where one must be.
fn no_records<R: Read>(src: &CsvSource<R>, file: &Arc<str>) -> Error {
    Error::structure(
        Code::UnknownReport,
        Location::new(file.clone(), Position::new(src.offset(), src.line(), 0)),
        "the file has no records",
    )
}

/// The report kind and column layout a header row `names` (at `here`)
/// gives, with a finding for each column that is not a field of the
/// report.
fn header_columns(
    b: &ReaderBuilder,
    names: &[String],
    title_kind: Option<ReportKind>,
    here: &Location,
) -> Result<(ReportKind, Vec<Option<Field>>, Vec<Diagnostic>)> {
    let mut diagnostics = Vec::new();
    let mapped: Vec<Option<Field>> = names.iter().map(|s| Field::from_header(s)).collect();
    let kind = b
        .report
        .or_else(|| kind_from_fields(|f| mapped.contains(&Some(f))))
        .or(title_kind)
        .ok_or_else(|| {
            Error::structure(
                Code::UnknownReport,
                here.clone(),
                "the header has neither a queue nor an agent_id column",
            )
        })?;
    let (fields, extras) = fields_of(kind);
    let mut columns = Vec::with_capacity(names.len());
    for (i, (name, f)) in names.iter().zip(&mapped).enumerate() {
        let col = match f {
            Some(f) if fields.contains(f) || extras.contains(f) || *f == Field::DateTimeFrom => {
                if columns.contains(&Some(*f)) {
                    return Err(Error::data(
                        Code::DuplicateColumn,
                        here.clone().with_field(f.name()),
                        format!("column {} appears twice in the header", i + 1),
                        name.clone(),
                    ));
                }
                Some(*f)
            }
            _ => {
                diagnostics.push(Diagnostic::new(
                    Code::UnknownColumn,
                    here.clone().with_field(name.as_str()),
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
            here.clone().with_field(missing[0]),
            format!(
                "the {} header lacks required column(s): {}",
                kind,
                missing.join(", ")
            ),
        ));
    }
    Ok((kind, columns, diagnostics))
}

/// The report kind and column layout of a headerless first record `raw`
/// of `n` fields (at `here`).
fn headerless_columns(
    b: &ReaderBuilder,
    n: usize,
    title_kind: Option<ReportKind>,
    raw: &[u8],
    here: &Location,
) -> Result<(ReportKind, Vec<Option<Field>>)> {
    let kind = b
        .report
        .or(title_kind)
        .or_else(|| kind_for_columns(n))
        .ok_or_else(|| {
            Error::structure(
                Code::ColumnCount,
                here.clone(),
                format!(
                    "a headerless record has {n} fields; expected 20 or 21 (queue), 11 (agent-ext) or 14 (agent){}",
                    match lone_cr_hint(raw) {
                        "" => delimiter_hint(b),
                        lone_cr => lone_cr.to_string(),
                    }
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
            here.clone(),
            format!("a headerless {kind} record has {n} fields; expected {want}"),
        )
    })?;
    Ok((kind, columns))
}

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
/// A delimiter for tokenizing before the real one is known (see
/// [`title_line`]).
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

/// A field count that fits no layout may come of a delimiter detection
/// does not try; say how to give it, unless it was given.
fn delimiter_hint(b: &ReaderBuilder) -> String {
    if b.delimiter.is_some() {
        return String::new();
    }
    format!(
        "; a file delimited by another character than , ; | or TAB needs it given ({})",
        OptionName::Delimiter
    )
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
