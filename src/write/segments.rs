//! Typed segments as NDJSON or CSV with the canonical names of SPEC 2.4
//! (what `rcx parse` prints for interaction metadata). Instants are RFC 3339
//! with milliseconds and `+00:00`; absent values are `null` (NDJSON) or
//! empty (CSV). In CSV the event list is one column holding its JSON.
//!
//! JSON is written by hand, not through `serde_json`: one reused line
//! buffer per segment on the per-row path of `rcx parse`. Strings are
//! escaped by [`json_string`] (`serde_json`'s escaping); the `serde`
//! feature's `Serialize` for `Segment` gives the same objects.

use std::fmt::Write as _;
use std::io::Write;

use chrono::{DateTime, Utc};

use super::{csv_field, json_string, ParseFormat, RowStats};
use crate::error::{Error, Result};
use crate::model::{format_instant, Segment};
use crate::read::Reader;
use crate::validate::segments::{duplicate_error, SegmentKeySet, DEFAULT_MAX_SEGMENT_KEYS};

/// One value of a segment, for the output formats.
pub(super) enum V<'a> {
    Text(Option<&'a str>),
    Int(Option<u64>),
    Time(Option<DateTime<Utc>>),
    Flag(Option<bool>),
    Events,
}

/// The values of `s` in the order of [`Segment::FIELDS`].
pub(super) fn values(s: &Segment) -> [V<'_>; 28] {
    fn t(o: &Option<String>) -> V<'_> {
        V::Text(o.as_deref())
    }
    [
        V::Text(Some(&s.interaction_id)),
        t(&s.dialog_id),
        V::Text(Some(&s.segment_id)),
        t(&s.segment_type),
        t(&s.agent_id),
        t(&s.agent_group_id),
        t(&s.rc_extension_id),
        V::Text(s.direction.map(|d| d.as_str())),
        t(&s.channel_type),
        t(&s.channel_class),
        t(&s.calling_address),
        t(&s.called_address),
        V::Time(s.interaction_start),
        V::Int(s.interaction_duration_ms),
        V::Time(s.segment_start),
        V::Time(s.segment_end),
        V::Int(s.segment_duration_ms),
        t(&s.recording_url),
        t(&s.interaction_recording_location),
        V::Flag(s.has_recording),
        V::Flag(s.has_transcript),
        t(&s.system_disposition),
        t(&s.agent_disposition),
        t(&s.agent_notes),
        t(&s.sub_account_id),
        V::Events,
        V::Time(s.interaction_end),
        t(&s.channel_id),
    ]
}

fn json_time(out: &mut String, t: Option<DateTime<Utc>>) {
    match t {
        Some(t) => {
            out.push('"');
            out.push_str(&format_instant(t));
            out.push('"');
        }
        None => out.push_str("null"),
    }
}

/// The event list as JSON (`null` when absent).
fn events_json(out: &mut String, s: &Segment) {
    let Some(events) = &s.events else {
        out.push_str("null");
        return;
    };
    out.push('[');
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"time\":");
        json_time(out, e.time);
        out.push_str(",\"client_time\":");
        json_time(out, e.client_time);
        out.push_str(",\"type\":");
        if e.kind.is_empty() {
            out.push_str("null");
        } else {
            json_string(out, &e.kind);
        }
        out.push('}');
    }
    out.push(']');
}

/// Writes segments one at a time into a reused line buffer.
///
/// ```
/// use ringcx_reports::{ReaderBuilder, Segment};
/// use ringcx_reports::write::{ParseFormat, SegmentWriter};
/// let data = r#"[{"interactionId": "i1", "segmentId": "s1", "segmentDurationMs": 7000,
///                 "segmentStartTimeMs": "2024-07-22T11:24:40Z", "segmentEvents": null}]"#;
/// let mut reader = ReaderBuilder::new().from_bytes("m.json", data.into())?;
/// let mut seg = Segment::default();
/// reader.read_segment(&mut seg)?;
/// let mut out = Vec::new();
/// SegmentWriter::new(ParseFormat::Ndjson).write_segment(&mut out, &seg).unwrap();
/// let line = String::from_utf8(out).unwrap();
/// assert!(line.starts_with(r#"{"interaction_id":"i1","dialog_id":null,"segment_id":"s1","#));
/// assert!(line.contains(r#""segment_start":"2024-07-22T11:24:40.000+00:00""#));
/// assert!(line.contains(r#""segment_duration_ms":7000,"#));
/// assert!(line.contains(r#""events":null,"#));
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Debug)]
pub struct SegmentWriter {
    format: ParseFormat,
    line: String,
    header_done: bool,
}

impl SegmentWriter {
    /// A writer in `format`.
    pub fn new(format: ParseFormat) -> Self {
        SegmentWriter {
            format,
            line: String::with_capacity(1024),
            header_done: false,
        }
    }

    /// Writes one segment (and, for CSV, the header before the first).
    pub fn write_segment<W: Write>(&mut self, out: &mut W, s: &Segment) -> std::io::Result<()> {
        let line = &mut self.line;
        line.clear();
        match self.format {
            ParseFormat::Csv => {
                if !self.header_done {
                    self.header_done = true;
                    line.push_str(&Segment::FIELDS.join(","));
                    line.push('\n');
                }
                let mut scratch = String::new();
                for (i, v) in values(s).iter().enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    match v {
                        V::Text(Some(t)) => csv_field(line, t, b','),
                        V::Int(Some(n)) => {
                            let _ = write!(line, "{n}");
                        }
                        V::Time(Some(t)) => line.push_str(&format_instant(*t)),
                        V::Flag(Some(b)) => line.push_str(if *b { "true" } else { "false" }),
                        V::Events => {
                            if s.events.is_some() {
                                scratch.clear();
                                events_json(&mut scratch, s);
                                csv_field(line, &scratch, b',');
                            }
                        }
                        V::Text(None) | V::Int(None) | V::Time(None) | V::Flag(None) => {}
                    }
                }
                line.push('\n');
            }
            ParseFormat::Ndjson => {
                line.push('{');
                for (i, (name, v)) in Segment::FIELDS.iter().zip(values(s).iter()).enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    line.push('"');
                    line.push_str(name);
                    line.push_str("\":");
                    match v {
                        V::Text(Some(t)) => json_string(line, t),
                        V::Int(Some(n)) => {
                            let _ = write!(line, "{n}");
                        }
                        V::Time(t) => json_time(line, *t),
                        V::Flag(Some(b)) => line.push_str(if *b { "true" } else { "false" }),
                        V::Events => events_json(line, s),
                        V::Text(None) | V::Int(None) | V::Flag(None) => line.push_str("null"),
                    }
                }
                line.push_str("}\n");
            }
        }
        out.write_all(line.as_bytes())
    }
}

/// Reads every segment of `reader` and writes it to `out`, with the same
/// stop-or-skip policy as [`write_rows`](super::write_rows). What the reader
/// refuses (a bad value, a segment ending before it starts, T601, or
/// spanning longer than the limit, V114) and a repeated (interaction id,
/// segment id) in the file (T602) stop the run with their error, or are
/// skipped and counted with `skip_invalid`.
///
/// Repeats are found in bounded memory: the keys of the interactions still
/// open are kept, as `validate` keeps them (see
/// [`validate::segments`](crate::validate::segments#memory)); a segment
/// that may repeat a key dropped earlier (input not in time order) is
/// counted in [`RowStats::unchecked_duplicates`].
///
/// ```
/// use ringcx_reports::{Code, ReaderBuilder};
/// use ringcx_reports::write::{write_segments, ParseFormat, RowStats, SegmentWriter};
/// let data = r#"{"interactionId": 1, "segmentID": 1, "segmentDuration": 5}
/// {"interactionId": 1, "segmentID": 1, "segmentDuration": 5}"#;
/// let mut reader = ReaderBuilder::new().from_bytes("m.ndjson", data.into())?;
/// let (mut out, mut stats) = (Vec::new(), RowStats::default());
/// let mut w = SegmentWriter::new(ParseFormat::Ndjson);
/// let e = write_segments(&mut reader, &mut w, &mut out, false, &mut stats).unwrap_err();
/// assert_eq!(e.to_string(), "m.ndjson:2: error[T602] segment_id: interaction 1, \
///     segment 1 repeats line 1 (value \"1\")");
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
pub fn write_segments<W: Write>(
    reader: &mut Reader,
    writer: &mut SegmentWriter,
    out: &mut W,
    skip_invalid: bool,
    stats: &mut RowStats,
) -> Result<()> {
    each_segment(reader, skip_invalid, stats, &mut |seg| {
        writer
            .write_segment(out, seg)
            .map_err(|e| Error::io("<output>", e))
    })
}

/// Hands every segment of `reader` to `each`, with the checks and the
/// stop-or-skip policy of [`write_segments`]; `each` counts as written.
pub(crate) fn each_segment(
    reader: &mut Reader,
    skip_invalid: bool,
    stats: &mut RowStats,
    each: &mut dyn FnMut(&Segment) -> Result<()>,
) -> Result<()> {
    let mut seg = Segment::default();
    let mut keys = SegmentKeySet::new(DEFAULT_MAX_SEGMENT_KEYS);
    loop {
        match reader.read_segment(&mut seg) {
            Ok(true) => {
                if let Some(first) = keys.check(&seg) {
                    let e = duplicate_error(
                        reader.file(),
                        seg.field_pos("segment_id"),
                        &seg.interaction_id,
                        &seg.segment_id,
                        &format!("line {first}"),
                    );
                    stats.skip_or_stop(e, skip_invalid, reader.is_finished())?;
                    continue;
                }
                each(&seg)?;
                stats.rows += 1;
            }
            Ok(false) => break,
            Err(e) => stats.skip_or_stop(e, skip_invalid, reader.is_finished())?,
        }
    }
    stats.unchecked_duplicates += keys.unchecked;
    Ok(())
}
