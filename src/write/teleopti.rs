//! The Calabrio/Teleopti import layout (SPEC 6): no header, `;` between
//! fields, date `yyyyMMdd`, time `HH:mm`, zeros for absent values, UTF-8,
//! one line per row ending in LF.
//!
//! Column layouts:
//!
//! * Queue Statistics (`Teleopti.Queue.Data`): 21 columns, the documented
//!   order with `avg_avail_member_cnt` as the 17th column (after
//!   `queued_aband_longest_que_dur`), written as a plain decimal (`4.5`),
//!   `0` when absent. The current-JSON extras `completed_contacts` and
//!   `segment_hold_time_ms` have no Teleopti column and are not written.
//! * Agent Extended Statistics (`Teleopti.AgentQueue.Data`): 11 columns.
//! * Agent Statistics (`Teleopti.Agent.Data`): 14 columns.
//!
//! # Separators inside values
//!
//! Importers of this layout split lines on `;` without honouring quotes, so
//! the writer never quotes. In a **name** (`queue_name`, `agent_name`) a `;`
//! becomes `,` and a CR, LF or TAB becomes a space: names are display labels
//! and the replacement keeps every line at its exact column count. An **id**
//! (`queue`, `agent_id`) is a key: rewriting it could merge two keys, so an
//! id holding `;` or a line break is refused with error V113 naming the
//! file, line, field and value.

use std::fmt::Write as _;
use std::io::Write;

use chrono::{Datelike, Timelike};

use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::{Field, FieldType, IntervalRow, ReportKind, Value};
use crate::position::Location;

/// Queue Statistics columns after `interval, date_from, time`, in Teleopti
/// order.
const QUEUE_LAYOUT: &[Field] = &[
    Field::Queue,
    Field::QueueName,
    Field::OffdDirectCallCnt,
    Field::OverflowInCallCnt,
    Field::AbandCallCnt,
    Field::OverflowOutCallCnt,
    Field::AnswCallCnt,
    Field::QueuedAndAnswCallDur,
    Field::QueuedAndAbandCallDur,
    Field::TalkingCallDur,
    Field::WrapUpDur,
    Field::QueuedAnswLongestQueDur,
    Field::QueuedAbandLongestQueDur,
    Field::AvgAvailMemberCnt,
    Field::AnsServicelevelCnt,
    Field::WaitDur,
    Field::AbandShortCallCnt,
    Field::AbandWithinSlCnt,
];

/// The columns written after `interval, date_from, time` for a report.
pub fn teleopti_layout(kind: ReportKind) -> &'static [Field] {
    use crate::model::{AgentExtRow, AgentRow};
    match kind {
        ReportKind::Queue => QUEUE_LAYOUT,
        ReportKind::AgentExt => &AgentExtRow::FIELDS[3..],
        ReportKind::Agent => &AgentRow::FIELDS[3..],
        ReportKind::Segments => &[],
    }
}

/// Writes interval rows in the Teleopti import layout, one reused line
/// buffer, no allocation per row.
///
/// ```
/// use ringcx_reports::{ReaderBuilder, QueueRow};
/// use ringcx_reports::write::TeleoptiWriter;
/// let data = "15,2024-03-04,08:00,7,\"Sales; EMEA\",1,0,0,0,1,5,0,60,10,5,0,1,30,0,\n";
/// let mut reader = ReaderBuilder::new().from_bytes("q.csv", data.into())?;
/// let mut row = QueueRow::default();
/// reader.read_row(&mut row)?;
/// let mut out = Vec::new();
/// TeleoptiWriter::new().write_row(&mut out, &row)?;
/// assert_eq!(String::from_utf8(out).unwrap(),
///     "15;20240304;08:00;7;Sales, EMEA;1;0;0;0;1;5;0;60;10;5;0;0;1;30;0;0\n");
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct TeleoptiWriter {
    line: String,
    values: Vec<Option<Value<'static>>>,
}

impl TeleoptiWriter {
    /// A new writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes one row as one line. Errors: V113 for an id that holds `;` or
    /// a line break; I/O errors on `out` (named `<output>`).
    pub fn write_row<T: IntervalRow, W: Write + ?Sized>(
        &mut self,
        out: &mut W,
        row: &T,
    ) -> Result<()> {
        let layout = teleopti_layout(T::KIND);
        let line = &mut self.line;
        line.clear();
        let local = row.start().local();
        let _ = write!(
            line,
            "{};{:04}{:02}{:02};{:02}:{:02}",
            row.interval(),
            local.year(),
            local.month(),
            local.day(),
            local.hour(),
            local.minute()
        );
        // Numbers are copied out in visit order, then written in layout
        // order; texts are read back through `text` so nothing borrowed
        // outlives the visit.
        self.values.clear();
        self.values.resize(layout.len(), None);
        let values = &mut self.values;
        row.visit(&mut |f, v| {
            if let Some(i) = layout.iter().position(|&l| l == f) {
                values[i] = match v {
                    Value::Int(n) => Some(Value::Int(n)),
                    Value::Decimal(d) => Some(Value::Decimal(d)),
                    Value::Text(_) => None,
                };
            }
        });
        for (i, &f) in layout.iter().enumerate() {
            line.push(';');
            if let Some(text) = row.text(f) {
                if f.ty() == FieldType::Key {
                    if !id_fits(text) {
                        return Err(id_error(row, f, "<input>"));
                    }
                    line.push_str(text);
                } else {
                    push_name(line, text);
                }
                continue;
            }
            match values[i] {
                Some(Value::Int(Some(n))) => {
                    let _ = write!(line, "{n}");
                }
                Some(Value::Decimal(Some(d))) => {
                    let _ = write!(line, "{}", d.normalize());
                }
                _ => line.push('0'),
            }
        }
        line.push('\n');
        out.write_all(line.as_bytes())
            .map_err(|e| Error::io("<output>", e))
    }
}

fn id_fits(id: &str) -> bool {
    !id.contains([';', '\n', '\r'])
}

fn id_error<T: IntervalRow>(row: &T, field: Field, file: &str) -> Error {
    Error::data(
        Code::BadValue,
        Location::new(file, row.pos()).with_field(field.name()),
        "an id written to the Teleopti layout cannot hold ';' or a line break",
        row.text(field).unwrap_or(""),
    )
}

/// Checks that `row` can be written in the Teleopti layout: its ids hold
/// no `;` and no line break. The error (V113) names `file`, the row's line,
/// the field and the value.
pub fn check_teleopti_ids<T: IntervalRow>(row: &T, file: &str) -> Result<()> {
    for &f in T::KEY_FIELDS {
        if !row.text(f).is_none_or(id_fits) {
            return Err(id_error(row, f, file));
        }
    }
    Ok(())
}

fn push_name(line: &mut String, name: &str) {
    for ch in name.chars() {
        line.push(match ch {
            ';' => ',',
            '\r' | '\n' | '\t' => ' ',
            c => c,
        });
    }
}

#[cfg(test)]
mod examples {
    // The examples of crate-internal items, run as unit tests.
    use super::*;

    #[test]
    fn check_teleopti_ids_examples() -> crate::Result<()> {
        use crate::{Code, QueueRow, ReaderBuilder};
        let data = "15,20240304,08:00,\"7;8\",Sales,1,0,0,0,1,5,0,60,10,5,0,1,30,0,0\n";
        let mut reader = ReaderBuilder::new().from_bytes("q.csv", data.into())?;
        let mut row = QueueRow::default();
        reader.read_row(&mut row)?;
        let e = check_teleopti_ids(&row, "q.csv").unwrap_err();
        assert_eq!(e.code(), Some(Code::BadValue));
        assert_eq!(e.to_string(), "q.csv:1: error[V113] queue: an id written to the Teleopti layout cannot hold ';' or a line break (value \"7;8\")");
        Ok(())
    }
}
