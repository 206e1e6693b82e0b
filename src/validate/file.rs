//! File rules: duplicate keys (F401), mixed interval lengths (F402), gaps
//! (F403) and fall-back windows that never switched (F404).
//!
//! # Memory
//!
//! Duplicate detection is exact without remembering every row. For each key
//! the rules keep the *runs* of its rows: a run is a sequence of rows of one
//! interval length whose starts follow each other without a gap
//! (`[start, end)` in epoch seconds, step = interval length). A time-ordered
//! export extends the last run of each key at every row, so a dense queue
//! file needs one run per key, whatever its size. A row is a duplicate when
//! its start instant is a step of a run of its key. Memory therefore grows
//! with the number of keys and the number of *breaks* in their sequences
//! (gaps, out-of-order rows), not with the number of rows. To keep it
//! bounded even on sparse or shuffled input, each key keeps at most
//! [`DEFAULT_MAX_RUNS`] runs (configurable); when older runs are dropped, a
//! later row that falls before the kept runs cannot be checked, and is
//! counted in the summary as not checked for duplicates.
//!
//! The commands that stop on a duplicate (`rcx parse`, through
//! `validate::repeats`) also forget closed keys
//! ([`FileRules::forget_closed`]): past [`KEEP_KEYS`] keys, the keys whose
//! rows all end at or before the latest start read are dropped. In a
//! time-ordered export no later row can repeat them, so the keys kept are
//! those of the intervals still open, however many keys the file has in
//! all. A row read after that which starts before the end of the dropped
//! rows (of any key: dropped keys are not remembered) is counted as not
//! checked.

use std::collections::HashMap;

use super::rules::Findings;
use crate::diagnostic::Code;
use chrono_tz::Tz;

use crate::model::zones::{repeat_hint, source_zone_hint, ClockChange};
use crate::model::{FallBackWindow, Field, IntervalRow, IntervalStart};

/// Default cap on the runs kept per key (see the module docs).
pub const DEFAULT_MAX_RUNS: usize = 4096;

/// Keys kept before closed ones are forgotten, with
/// [`FileRules::forget_closed`].
pub(crate) const KEEP_KEYS: usize = 1 << 16;

#[derive(Clone, Copy, Debug)]
struct Run {
    start: i64,
    /// Exclusive: the start of the row that would extend the run.
    end: i64,
    step: i64,
    first_line: u64,
    last_line: u64,
}

impl Run {
    fn holds(&self, t: i64) -> bool {
        t >= self.start && t < self.end && (t - self.start) % self.step == 0
    }
}

#[derive(Debug)]
struct KeyState {
    /// Runs sorted by start.
    runs: Vec<Run>,
    /// Instants before this may have been in a dropped run.
    horizon: Option<i64>,
    /// Interval lengths seen (bit = minutes / 15 - 1).
    lengths: u8,
    first_length: (u32, u64),
    /// The latest row by instant: its start, its end, its line.
    latest: (IntervalStart, i64, u64),
}

/// Per-file state of the file rules.
pub(crate) struct FileRules {
    keys: HashMap<Box<str>, KeyState>,
    keybuf: String,
    gaps: bool,
    max_runs: usize,
    start_field: Field,
    /// The zone the file is read in, for the `--source-tz` hint.
    source: Tz,
    /// Rows that fell before the kept runs of their key.
    pub unchecked: u64,
    /// Past this many keys, closed ones are forgotten (`usize::MAX`: never).
    keep: usize,
    /// The latest start read.
    latest: i64,
    /// Instants before this may repeat a forgotten key.
    forgotten_before: Option<i64>,
}

fn length_bit(minutes: u32) -> u8 {
    1 << (minutes / 15 - 1).min(7)
}

fn describe_key<T: IntervalRow>(row: &T) -> String {
    let mut s = String::new();
    for (i, &k) in T::KEY_FIELDS.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(k.name());
        s.push(' ');
        s.push_str(row.text(k).unwrap_or(""));
    }
    s
}

fn rfc3339_at(start: IntervalStart, plus_secs: i64) -> String {
    let t = start.to_fixed() + chrono::Duration::seconds(plus_secs);
    t.to_rfc3339()
}

impl FileRules {
    pub fn new(gaps: bool, max_runs: usize, start_field: Field) -> Self {
        FileRules {
            keys: HashMap::new(),
            keybuf: String::new(),
            gaps,
            max_runs: max_runs.max(1),
            start_field,
            source: Tz::UTC,
            unchecked: 0,
            keep: usize::MAX,
            latest: i64::MIN,
            forgotten_before: None,
        }
    }

    /// The zone the file is read in (UTC unless set): duplicates and gaps
    /// at a wall-clock time that is a clock change in common zones, but not
    /// in this one, carry a hint naming those zones.
    pub fn source_zone(mut self, tz: Tz) -> Self {
        self.source = tz;
        self
    }

    /// Forgets the keys of closed intervals past [`KEEP_KEYS`] keys (see
    /// the module docs). Only F401 stays exact: a key forgotten and seen
    /// again has no F402 or F403 history.
    pub fn forget_closed(mut self) -> Self {
        self.keep = KEEP_KEYS;
        self
    }

    /// Drops the keys whose runs all end at or before the latest start.
    fn forget(&mut self) {
        let latest = self.latest;
        let mut forgotten = self.forgotten_before;
        self.keys.retain(|_, k| {
            let end = k.runs.iter().map(|r| r.end).max().unwrap_or(i64::MIN);
            let closed = end <= latest;
            if closed {
                forgotten = Some(forgotten.map_or(end, |f| f.max(end)));
            }
            !closed
        });
        self.forgotten_before = forgotten;
        self.keep = KEEP_KEYS.max(self.keys.len().saturating_mul(2));
    }

    /// Checks one row that read fine.
    pub fn row<T: IntervalRow>(&mut self, row: &T, f: &mut Findings) {
        self.keybuf.clear();
        row.key_into(&mut self.keybuf);
        let start = row.start();
        let t = start.timestamp();
        let minutes = row.interval().minutes();
        let step = row.interval().seconds();
        let line = row.pos().line();
        self.latest = self.latest.max(t);
        if self.keys.len() >= self.keep {
            self.forget();
        }
        let Some(state) = self.keys.get_mut(self.keybuf.as_str()) else {
            if self.forgotten_before.is_some_and(|h| t < h) {
                self.unchecked += 1;
            }
            self.keys.insert(
                self.keybuf.as_str().into(),
                KeyState {
                    runs: vec![Run {
                        start: t,
                        end: t + step,
                        step,
                        first_line: line,
                        last_line: line,
                    }],
                    horizon: self.forgotten_before,
                    lengths: length_bit(minutes),
                    first_length: (minutes, line),
                    latest: (start, t + step, line),
                },
            );
            return;
        };

        // F402, once per key and new length.
        let bit = length_bit(minutes);
        if state.lengths & bit == 0 {
            state.lengths |= bit;
            f.emit(
                Code::MixedIntervals,
                row.pos(),
                Field::Interval,
                format!(
                    "{}: a {minutes}-minute row, but this key has {}-minute rows (first on line {})",
                    describe_key(row),
                    state.first_length.0,
                    state.first_length.1
                ),
                Some(minutes.to_string()),
            );
        }

        // F401: the runs ending at or after t that start at or before it.
        let i = state.runs.partition_point(|r| r.start <= t);
        let mut j = i;
        let mut dup = None;
        while j > 0 {
            let r = &state.runs[j - 1];
            if r.end <= t {
                break;
            }
            if r.holds(t) {
                dup = Some(*r);
                break;
            }
            j -= 1;
        }
        if let Some(r) = dup {
            let earlier = if t == r.end - r.step {
                format!("line {}", r.last_line)
            } else {
                format!("a row between lines {} and {}", r.first_line, r.last_line)
            };
            f.emit(
                Code::DuplicateKey,
                row.pos(),
                self.start_field,
                format!(
                    "{} at {} repeats {earlier} (beyond the fall-back repeat){}",
                    describe_key(row),
                    start.to_rfc3339(),
                    repeat_hint(self.source, start)
                ),
                Some(start.to_rfc3339()),
            );
            return;
        }
        if state.horizon.is_some_and(|h| t < h) {
            self.unchecked += 1;
        }

        // F403: the row starts after the end of the key's latest row.
        let (latest_start, latest_end, latest_line) = state.latest;
        if t > latest_end && self.gaps {
            let secs = t - latest_end;
            let missing = if secs % step == 0 {
                format!(" ({} interval(s) missing)", secs / step)
            } else {
                String::new()
            };
            let from = rfc3339_at(latest_start, latest_end - latest_start.timestamp());
            f.emit(
                Code::Gap,
                row.pos(),
                self.start_field,
                format!(
                    "{}: no rows from {from} to {}{missing}; previous row on line {latest_line}{}",
                    describe_key(row),
                    start.to_rfc3339(),
                    source_zone_hint(
                        self.source,
                        ClockChange::Vanishes,
                        latest_start.local()
                            + chrono::Duration::seconds(latest_end - latest_start.timestamp()),
                        start.local()
                    )
                    .unwrap_or_default()
                ),
                Some(start.to_rfc3339()),
            );
        }
        if t >= latest_start.timestamp() {
            state.latest = (start, t + step, line);
        }

        // Record the row: extend a run that ends (or starts) where it
        // touches, else open a new run.
        let runs = &mut state.runs;
        if i > 0 && runs[i - 1].end == t && runs[i - 1].step == step {
            let r = &mut runs[i - 1];
            r.end = t + step;
            r.last_line = line;
            if i < runs.len() && runs[i].start == t + step && runs[i].step == step {
                let next = runs.remove(i);
                let r = &mut runs[i - 1];
                r.end = next.end;
                r.last_line = r.last_line.max(next.last_line);
                r.first_line = r.first_line.min(next.first_line);
            }
        } else if i < runs.len() && runs[i].start == t + step && runs[i].step == step {
            let r = &mut runs[i];
            r.start = t;
            r.first_line = r.first_line.min(line);
            r.last_line = r.last_line.max(line);
        } else {
            runs.insert(
                i,
                Run {
                    start: t,
                    end: t + step,
                    step,
                    first_line: line,
                    last_line: line,
                },
            );
            if runs.len() > self.max_runs {
                let dropped = runs.remove(0);
                state.horizon = Some(state.horizon.unwrap_or(i64::MIN).max(dropped.end));
            }
        }
    }

    /// F404: windows that never switched to their second pass although the
    /// file went on past them.
    pub fn fall_back(&self, windows: &[FallBackWindow], f: &mut Findings) {
        for w in windows {
            if w.switched || !w.continued_past {
                continue;
            }
            let pos = crate::position::Position::new(0, w.first_line, 0);
            f.emit(
                Code::AmbiguousFallBack,
                pos,
                self.start_field,
                format!(
                    "the repeated hour {} to {} was read once, all as {} (first pass), although the file continues past it; rows of the second pass ({}) may be misplaced",
                    w.local_start.format("%Y-%m-%d %H:%M"),
                    w.local_end.format("%H:%M"),
                    w.first_offset,
                    w.second_offset
                ),
                Some(w.local_start.format("%Y-%m-%d %H:%M").to_string()),
            );
        }
    }
}
