//! Row rules: one function per rule of SPEC 3 that looks at a single row
//! that read fine (absent values, queue-row logic, agent-row logic).
//!
//! Absent counts take part as 0, as they do in sums (SPEC 2.5); the V111
//! warning says which ones were absent. Arithmetic is done in `u128`, so a
//! sum of two 64-bit counts can never overflow.

use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{AgentExtRow, AgentRow, Field, IntervalRow, QueueRow, Value};
use crate::position::{Location, Position};
use crate::read::Reader;

/// Where row rules put their findings.
pub(crate) struct Findings {
    pub file: Arc<str>,
    pub out: Vec<Diagnostic>,
    /// Field names already used, shared by the findings that name them.
    names: Vec<(&'static str, Arc<str>)>,
}

impl Findings {
    pub fn new(file: Arc<str>) -> Self {
        Findings {
            file,
            out: Vec::new(),
            names: Vec::new(),
        }
    }

    pub fn emit(
        &mut self,
        code: Code,
        pos: Position,
        field: Field,
        message: String,
        value: Option<String>,
    ) {
        self.emit_named(code, pos, field.name(), message, value);
    }

    /// Like [`emit`](Self::emit), for a field outside the interval-report
    /// catalogue (segment fields such as `segment_end`).
    pub fn emit_named(
        &mut self,
        code: Code,
        pos: Position,
        field: &'static str,
        message: String,
        value: Option<String>,
    ) {
        let name = match self.names.iter().find(|(n, _)| *n == field) {
            Some((_, a)) => a.clone(),
            None => {
                let a: Arc<str> = field.into();
                self.names.push((field, a.clone()));
                a
            }
        };
        let location = Location::new(self.file.clone(), pos).with_field(name);
        self.out
            .push(Diagnostic::new(code, location, message, value));
    }

    /// Makes the findings from index `first` on, about the row `reader`
    /// read last, name the line of their field's value (JSON and XML
    /// records span lines).
    pub fn at_value_lines(&mut self, first: usize, reader: &Reader) {
        for d in &mut self.out[first..] {
            let line = d
                .location
                .field
                .as_deref()
                .and_then(|n| reader.value_line(n));
            if let Some(l) = line {
                d.location.pos = d.location.pos.with_line(l);
            }
        }
    }
}

/// The row rules of one report. Segment rules (T6xx) live in the
/// `segments` module, over the segment model, with the same [`Findings`]
/// sink.
pub(crate) trait RowRules: IntervalRow {
    /// Runs every logic rule of this report on a row that read fine.
    fn check_logic(&self, f: &mut Findings);
}

fn v(x: Option<u64>) -> u128 {
    x.unwrap_or(0) as u128
}

fn shown(x: Option<u64>) -> String {
    x.unwrap_or(0).to_string()
}

/// V111: every documented count or duration left empty (or null) is named.
/// Optional extras (`avg_avail_member_cnt`, `completed_contacts`,
/// `segment_hold_time_ms`) are not expected, so their absence is not a
/// finding.
pub(crate) fn absent_values<T: IntervalRow>(row: &T, f: &mut Findings) {
    let pos = row.pos();
    row.visit(&mut |field, value| {
        let absent = matches!(value, Value::Int(None) | Value::Decimal(None));
        if absent && T::FIELDS.contains(&field) {
            f.emit(
                Code::AbsentValue,
                pos,
                field,
                "the value is empty or null; it counts as 0".into(),
                Some(String::new()),
            );
        }
    });
}

/// Q201: `ans_servicelevel_cnt ≤ answ_call_cnt`.
pub(crate) fn q201_sl_within_answered(r: &QueueRow, f: &mut Findings) {
    if v(r.ans_servicelevel_cnt) > v(r.answ_call_cnt) {
        f.emit(
            Code::SlExceedsAnswered,
            r.pos,
            Field::AnsServicelevelCnt,
            format!(
                "{} calls answered within service level, but only {} answered (answ_call_cnt)",
                shown(r.ans_servicelevel_cnt),
                shown(r.answ_call_cnt)
            ),
            Some(shown(r.ans_servicelevel_cnt)),
        );
    }
}

/// Q202: `aband_short_call_cnt + aband_within_sl_cnt ≤ aband_call_cnt`.
pub(crate) fn q202_abandon_parts(r: &QueueRow, f: &mut Findings) {
    let parts = v(r.aband_short_call_cnt) + v(r.aband_within_sl_cnt);
    if parts > v(r.aband_call_cnt) {
        f.emit(
            Code::AbandonPartsExceed,
            r.pos,
            Field::AbandCallCnt,
            format!(
                "aband_short_call_cnt {} + aband_within_sl_cnt {} = {parts} exceeds the {} abandoned calls",
                shown(r.aband_short_call_cnt),
                shown(r.aband_within_sl_cnt),
                shown(r.aband_call_cnt)
            ),
            Some(shown(r.aband_call_cnt)),
        );
    }
}

/// One side (answered or abandoned) of a queue row's waits.
struct Waits {
    longest_field: Field,
    longest: Option<u64>,
    total_field: Field,
    total: Option<u64>,
    count_field: Field,
    count: Option<u64>,
}

/// The answered and the abandoned waits of a queue row.
fn waits(r: &QueueRow) -> [Waits; 2] {
    [
        Waits {
            longest_field: Field::QueuedAnswLongestQueDur,
            longest: r.queued_answ_longest_que_dur,
            total_field: Field::QueuedAndAnswCallDur,
            total: r.queued_and_answ_call_dur,
            count_field: Field::AnswCallCnt,
            count: r.answ_call_cnt,
        },
        Waits {
            longest_field: Field::QueuedAbandLongestQueDur,
            longest: r.queued_aband_longest_que_dur,
            total_field: Field::QueuedAndAbandCallDur,
            total: r.queued_and_aband_call_dur,
            count_field: Field::AbandCallCnt,
            count: r.aband_call_cnt,
        },
    ]
}

/// Q203: each `*_longest_que_dur ≤` its total queue duration.
pub(crate) fn q203_longest_within_total(r: &QueueRow, f: &mut Findings) {
    for w in waits(r) {
        let (lf, longest, tf, total) = (w.longest_field, w.longest, w.total_field, w.total);
        if v(longest) > v(total) {
            f.emit(
                Code::LongestExceedsTotal,
                r.pos,
                lf,
                format!(
                    "longest wait {} s exceeds the total {} of {} s",
                    shown(longest),
                    tf.name(),
                    shown(total)
                ),
                Some(shown(longest)),
            );
        }
    }
}

/// Q204: a longest queue duration above 0 with a zero call count.
pub(crate) fn q204_longest_without_calls(r: &QueueRow, f: &mut Findings) {
    for w in waits(r) {
        let (lf, longest, cf, count) = (w.longest_field, w.longest, w.count_field, w.count);
        if v(longest) > 0 && v(count) == 0 {
            f.emit(
                Code::LongestWithoutCalls,
                r.pos,
                lf,
                format!("longest wait {} s with {} = 0", shown(longest), cf.name()),
                Some(shown(longest)),
            );
        }
    }
}

/// Q205: a total queue duration above longest × count (some call would
/// have waited longer than the longest wait).
pub(crate) fn q205_total_within_longest_times_count(r: &QueueRow, f: &mut Findings) {
    for w in waits(r) {
        let (lf, longest) = (w.longest_field, w.longest);
        let (tf, total, cf, count) = (w.total_field, w.total, w.count_field, w.count);
        let bound = v(longest) * v(count);
        if v(total) > bound {
            f.emit(
                Code::TotalExceedsLongest,
                r.pos,
                tf,
                format!(
                    "total wait {} s exceeds {} {} s × {} {} = {bound} s",
                    shown(total),
                    lf.name(),
                    shown(longest),
                    cf.name(),
                    shown(count)
                ),
                Some(shown(total)),
            );
        }
    }
}

/// A301: `transfer_out_call_cnt ≤ answ_call_cnt` (a warning: a call can be
/// answered in one interval and transferred in the next).
pub(crate) fn a301_transfers_within_answered(r: &AgentExtRow, f: &mut Findings) {
    if v(r.transfer_out_call_cnt) > v(r.answ_call_cnt) {
        f.emit(
            Code::TransfersExceedAnswered,
            r.pos,
            Field::TransferOutCallCnt,
            format!(
                "{} calls transferred out, but only {} answered (answ_call_cnt)",
                shown(r.transfer_out_call_cnt),
                shown(r.answ_call_cnt)
            ),
            Some(shown(r.transfer_out_call_cnt)),
        );
    }
}

/// A302: talk or wrap time with zero answered calls. Named on the talk
/// field when there is talk time, else on the wrap field.
pub(crate) fn a302_time_without_calls(r: &AgentExtRow, f: &mut Findings) {
    let (talk, wrap) = (v(r.talking_call_dur), v(r.wrap_up_dur));
    if v(r.answ_call_cnt) == 0 && (talk > 0 || wrap > 0) {
        let (field, value) = if talk > 0 {
            (Field::TalkingCallDur, talk)
        } else {
            (Field::WrapUpDur, wrap)
        };
        f.emit(
            Code::TimeWithoutCalls,
            r.pos,
            field,
            format!("talking_call_dur {talk} s and wrap_up_dur {wrap} s with answ_call_cnt 0"),
            Some(value.to_string()),
        );
    }
}

impl RowRules for QueueRow {
    fn check_logic(&self, f: &mut Findings) {
        q201_sl_within_answered(self, f);
        q202_abandon_parts(self, f);
        q203_longest_within_total(self, f);
        q204_longest_without_calls(self, f);
        q205_total_within_longest_times_count(self, f);
    }
}

impl RowRules for AgentExtRow {
    fn check_logic(&self, f: &mut Findings) {
        a301_transfers_within_answered(self, f);
        a302_time_without_calls(self, f);
    }
}

impl RowRules for AgentRow {
    /// SPEC 3 sets no logic rule for Agent Statistics rows.
    fn check_logic(&self, _f: &mut Findings) {}
}
