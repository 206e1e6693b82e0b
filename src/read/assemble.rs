//! From raw field text to a typed row: value parsing, required fields, the
//! interval grid and the source-zone resolution. Shared by every wire form,
//! so that a value means the same thing in CSV, XML and JSON.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::diagnostic::Code;
use crate::error::{Error, Result};
use crate::model::{
    parse_date, parse_date_time, parse_time, slash_date, slash_parts, DateOrder, Field,
    IntervalLength, IntervalRow, IntervalStart, LocalResolver, ResolveError, PRINTABLE_YEARS,
};
use crate::option::OptionName;
use crate::position::{Location, Position};

/// String equality for the short date and time texts, inlined (a call to
/// `memcmp` costs more than the compare).
#[inline]
fn short_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// Where a placement value was read: its line offset in the record.
#[derive(Clone, Copy, Default)]
struct Seen {
    present: bool,
    line_off: u32,
}

/// Per-file state for turning raw values into rows.
pub(crate) struct Assembler {
    pub file: Arc<str>,
    pub resolver: LocalResolver,
    pub date_order: DateOrder,
    keybuf: String,
    interval: Option<IntervalLength>,
    date: Option<NaiveDate>,
    time: Option<NaiveTime>,
    date_time: Option<NaiveDateTime>,
    seen: [Seen; 4],
    keys_seen: u8,
    /// Line offset of each key field, for the empty-key error.
    key_line_off: [u32; 4],
    /// The time (or date-time) text as written, for the off-grid error;
    /// also the key of the parsed-time cache.
    time_raw: String,
    /// The last date text parsed and its value (rows share dates).
    date_key: String,
    date_val: Option<NaiveDate>,
    /// The value of `time_raw` when it holds a `time` field.
    time_val: Option<NaiveTime>,
    /// Whether a start fell in a repeated fall-back hour (its offset then
    /// depends on the rows before it in the file: a chunk read on its own
    /// cannot tell it).
    pub ambiguous: bool,
    /// Scanning for the date order (see `read::date_order`): a slash date
    /// is read in whichever order makes it a date, and kept in `slash`.
    pub probing: bool,
    /// The slash date of the record being read, when probing.
    pub slash: Option<SlashSeen>,
}

/// A slash date met while probing: its numbers as written, where, and the
/// text.
pub(crate) struct SlashSeen {
    pub parts: (u32, u32, u32),
    pub loc: Location,
    pub raw: String,
}

const EXPECT_INTERVAL: &str = "expected an interval of 15, 30, 45 or 60 minutes";
const EXPECT_DATE: &str = "expected a date as yyyyMMdd, yyyy-MM-dd, yyyy/MM/dd or MM/dd/yyyy";
const EXPECT_DATE_DMY: &str = "expected a date as yyyyMMdd, yyyy-MM-dd, yyyy/MM/dd or dd/MM/yyyy";
const EXPECT_TIME: &str = "expected a time as HH:mm or HH:mm:00";
const EXPECT_DATE_TIME: &str =
    "expected a date and time as MM-dd-yyyyTHH:mm:ss, yyyy-MM-ddTHH:mm:ss or yyyy-MM-dd HH:mm:ss";

impl Assembler {
    pub fn new(file: Arc<str>, resolver: LocalResolver, date_order: DateOrder) -> Self {
        Assembler {
            file,
            resolver,
            date_order,
            keybuf: String::new(),
            interval: None,
            date: None,
            time: None,
            date_time: None,
            seen: [Seen::default(); 4],
            keys_seen: 0,
            key_line_off: [0; 4],
            time_raw: String::new(),
            date_key: String::new(),
            date_val: None,
            time_val: None,
            ambiguous: false,
            probing: false,
            slash: None,
        }
    }

    pub fn location(&self, pos: Position, line_off: u32, field: &str) -> Location {
        Location::new(
            self.file.clone(),
            pos.with_line(pos.line() + line_off as u64),
        )
        .with_field(field)
    }

    #[cold]
    fn err(
        &self,
        code: Code,
        pos: Position,
        off: u32,
        field: Field,
        msg: &str,
        raw: &str,
    ) -> Error {
        Error::data(code, self.location(pos, off, field.name()), msg, raw)
    }

    /// Starts a record.
    #[inline]
    pub fn begin<T: IntervalRow>(&mut self, row: &mut T) {
        row.reset();
        self.interval = None;
        self.date = None;
        self.time = None;
        self.date_time = None;
        self.seen = [Seen::default(); 4];
        self.keys_seen = 0;
    }

    /// Takes one raw value of the record at `pos`, `line_off` physical lines
    /// below the record's first line.
    #[inline]
    pub fn value<T: IntervalRow>(
        &mut self,
        row: &mut T,
        field: Field,
        raw: &[u8],
        pos: Position,
        line_off: u32,
    ) -> Result<()> {
        let Ok(text) = std::str::from_utf8(raw) else {
            return Err(self.err(
                Code::Encoding,
                pos,
                line_off,
                field,
                "the value is not valid UTF-8",
                &String::from_utf8_lossy(raw),
            ));
        };
        self.value_str(row, field, text, pos, line_off)
    }

    /// Whether a field needs the assembler (placement or key) or goes
    /// straight to the row's setter (counts, durations, names).
    #[inline]
    pub fn is_direct(field: Field) -> bool {
        !matches!(
            field,
            Field::Interval
                | Field::DateFrom
                | Field::Time
                | Field::DateTimeFrom
                | Field::Queue
                | Field::AgentId
        )
    }

    /// Sets a direct field (see [`is_direct`](Self::is_direct)).
    #[inline]
    pub fn direct<T: IntervalRow>(
        &self,
        row: &mut T,
        field: Field,
        text: &str,
        pos: Position,
        line_off: u32,
    ) -> Result<()> {
        match row.set_value(field, text) {
            Ok(_) => Ok(()),
            Err(p) => Err(self.err(p.code, pos, line_off, field, p.expected, text)),
        }
    }

    /// [`value`](Self::value) for text already known to be UTF-8.
    #[inline]
    pub fn value_str<T: IntervalRow>(
        &mut self,
        row: &mut T,
        field: Field,
        text: &str,
        pos: Position,
        line_off: u32,
    ) -> Result<()> {
        let slot = match field {
            Field::Interval => 0,
            Field::DateFrom => 1,
            Field::Time => 2,
            Field::DateTimeFrom => 3,
            Field::Queue | Field::AgentId => {
                if let Some(i) = T::KEY_FIELDS.iter().position(|&k| k == field) {
                    self.keys_seen |= 1 << i;
                    if let Some(off) = self.key_line_off.get_mut(i) {
                        *off = line_off;
                    }
                }
                return match row.set_value(field, text) {
                    Ok(_) => Ok(()),
                    Err(p) => Err(self.err(p.code, pos, line_off, field, p.expected, text)),
                };
            }
            _ => {
                return match row.set_value(field, text) {
                    Ok(_) => Ok(()),
                    Err(p) => Err(self.err(p.code, pos, line_off, field, p.expected, text)),
                };
            }
        };
        self.seen[slot] = Seen {
            present: true,
            line_off,
        };
        let t = text.trim_ascii();
        if t.is_empty() {
            return Err(self.err(
                Code::EmptyRequired,
                pos,
                line_off,
                field,
                "a required value is empty",
                text,
            ));
        }
        match slot {
            0 => {
                let minutes = crate::model::parse_count(t).ok().flatten();
                match minutes
                    .and_then(|m| u32::try_from(m).ok())
                    .and_then(IntervalLength::new)
                {
                    Some(l) => self.interval = Some(l),
                    None => {
                        return Err(self.err(
                            Code::BadInterval,
                            pos,
                            line_off,
                            field,
                            EXPECT_INTERVAL,
                            text,
                        ))
                    }
                }
            }
            // Consecutive rows share their date and time: parse each
            // distinct text once.
            1 if !self.probing && self.date_val.is_some() && short_eq(&self.date_key, t) => {
                self.date = self.date_val
            }
            1 => {
                let parsed = if self.probing {
                    self.probe_date(t, pos, line_off, field)
                } else {
                    parse_date(t, self.date_order)
                };
                match parsed {
                    Some(d) => {
                        self.date = Some(d);
                        self.date_val = Some(d);
                        self.date_key.clear();
                        self.date_key.push_str(t);
                    }
                    None => {
                        let msg = self.bad_date_message(t);
                        return Err(Error::data(
                            Code::BadDate,
                            self.location(pos, line_off, field.name()),
                            msg,
                            text,
                        ));
                    }
                }
            }
            2 if self.time_val.is_some() && short_eq(&self.time_raw, text) => {
                self.time = self.time_val
            }
            2 => match parse_time(t) {
                Some(tm) => {
                    self.time = Some(tm);
                    self.time_val = Some(tm);
                    self.time_raw.clear();
                    self.time_raw.push_str(text);
                }
                None => {
                    return Err(self.err(Code::BadTime, pos, line_off, field, EXPECT_TIME, text))
                }
            },
            _ => match parse_date_time(t) {
                Some(dt) => {
                    self.date_time = Some(dt);
                    self.time_val = None;
                    self.time_raw.clear();
                    self.time_raw.push_str(text);
                }
                None => {
                    return Err(self.err(
                        Code::BadDate,
                        pos,
                        line_off,
                        field,
                        EXPECT_DATE_TIME,
                        text,
                    ))
                }
            },
        }
        Ok(())
    }

    /// A date read while probing: a slash date is kept in `slash` and read
    /// in whichever order makes it a date (month first when both do).
    #[cold]
    fn probe_date(
        &mut self,
        t: &str,
        pos: Position,
        line_off: u32,
        field: Field,
    ) -> Option<NaiveDate> {
        let Some(parts) = slash_parts(t) else {
            return parse_date(t, self.date_order);
        };
        self.slash = Some(SlashSeen {
            parts,
            loc: self.location(pos, line_off, field.name()),
            raw: t.to_string(),
        });
        slash_date(parts, DateOrder::Mdy).or_else(|| slash_date(parts, DateOrder::Dmy))
    }

    /// What a date that does not parse was expected to be. A slash date
    /// that is a date only in the other order says which `date_order`
    /// reads it (SPEC 9.1).
    #[cold]
    fn bad_date_message(&self, t: &str) -> String {
        let (expect, order) = match self.date_order {
            DateOrder::Mdy => (EXPECT_DATE, DateOrder::Mdy),
            DateOrder::Dmy => (EXPECT_DATE_DMY, DateOrder::Dmy),
        };
        match slash_parts(t) {
            Some(parts) if slash_date(parts, order.other()).is_some() => {
                let month = match order {
                    DateOrder::Mdy => parts.0,
                    DateOrder::Dmy => parts.1,
                };
                format!(
                    "{expect}; {month} is not a month, and the date reads as {}: give {} {}",
                    order.other().pattern(),
                    OptionName::DateOrder,
                    order.other().as_str()
                )
            }
            _ => expect.to_string(),
        }
    }

    fn missing(&self, pos: Position, field: Field) -> Error {
        Error::structure(
            Code::MissingColumn,
            Location::new(self.file.clone(), pos).with_field(field.name()),
            format!("the record has no {} value", field.name()),
        )
    }

    /// Ends a record: checks required values, the grid, and resolves the
    /// start in the source zone.
    pub fn finish<T: IntervalRow>(&mut self, row: &mut T, pos: Position) -> Result<()> {
        let interval = self
            .interval
            .ok_or_else(|| self.missing(pos, Field::Interval))?;
        let (local, time_field, off) = match (self.date_time, self.date, self.time) {
            (Some(dt), _, _) => (dt, Field::DateTimeFrom, self.seen[3].line_off),
            (None, Some(d), Some(t)) => (d.and_time(t), Field::Time, self.seen[2].line_off),
            (None, None, _) if !self.seen[1].present => {
                return Err(self.missing(pos, Field::DateFrom))
            }
            _ => return Err(self.missing(pos, Field::Time)),
        };
        if !PRINTABLE_YEARS.contains(&local.year()) {
            let (field, off, raw) = match self.date_time {
                Some(_) => (Field::DateTimeFrom, self.seen[3].line_off, &self.time_raw),
                None => (Field::DateFrom, self.seen[1].line_off, &self.date_key),
            };
            return Err(Error::data(
                Code::BadDate,
                self.location(pos, off, field.name()),
                format!(
                    "the year {} is outside {}-{}: its buckets could not be printed as RFC 3339",
                    local.year(),
                    PRINTABLE_YEARS.start(),
                    PRINTABLE_YEARS.end()
                ),
                raw.as_str(),
            ));
        }
        for (i, &k) in T::KEY_FIELDS.iter().enumerate() {
            if self.keys_seen & (1 << i) == 0 {
                return Err(self.missing(pos, k));
            }
            if row.text(k).is_some_and(|v| v.is_empty()) {
                let off = self.key_line_off.get(i).copied().unwrap_or(0);
                return Err(Error::data(
                    Code::EmptyRequired,
                    self.location(pos, off, k.name()),
                    format!("a required value is empty: expected a {} id", k.name()),
                    "",
                ));
            }
        }
        let minutes = local.hour() * 60 + local.minute();
        if minutes % interval.minutes() != 0 {
            let raw = self.time_raw.clone();
            return Err(Error::data(
                Code::OffGrid,
                self.location(pos, off, time_field.name()),
                format!(
                    "the interval start is not on the {}-minute grid from local midnight",
                    interval.minutes()
                ),
                raw,
            ));
        }
        // The key is only needed inside a repeated fall-back hour.
        let resolved = match self.resolver.resolve_unambiguous(local) {
            Some(r) => r,
            None => {
                self.ambiguous = true;
                self.keybuf.clear();
                row.key_into(&mut self.keybuf);
                let line = pos.line() + off as u64;
                self.resolver.resolve(local, &self.keybuf, line)
            }
        };
        match resolved {
            Ok(offset) => {
                row.set_place(pos, interval, IntervalStart::new(local, offset));
                Ok(())
            }
            Err(ResolveError::Nonexistent) => Err(Error::data(
                Code::NonexistentTime,
                self.location(pos, off, time_field.name()),
                format!(
                    "local time {} does not exist in {} (spring-forward gap)",
                    local.format("%Y-%m-%d %H:%M"),
                    self.resolver.zone().name()
                ),
                local.format("%Y-%m-%d %H:%M").to_string(),
            )),
        }
    }
}
