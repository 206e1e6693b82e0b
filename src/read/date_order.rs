//! The order of slash dates when the reader is given none (SPEC 9.1).
//!
//! `03/04/2024` is the 4th of March as `MM/dd/yyyy` and the 3rd of April
//! as `dd/MM/yyyy`. A file settles it by itself when one of its slash dates
//! has a number above 12 in first place (`dd/MM`) or in second place
//! (`MM/dd`). When every day is 12 or less, the file still tells by its
//! rows: exports are written in time order, so consecutive rows of one key
//! (queue; agent and queue; agent) step by 0 or 1 day, while the same rows
//! read in the wrong order jump by a month. For each key, each step from
//! one row to the next is dated under both orders; a step that is 0 or 1
//! day under one order and not under the other counts for that order.
//! Dates of other forms (`yyyyMMdd`, …) take part as the neighbours of
//! slash dates. The order with at least one such step and at least three
//! times as many as the other wins. When neither does (a tie, a file with
//! one date, rows that are not in time order), `MM/dd/yyyy` is assumed and
//! the reader says so with warning V112 ([`Reader::diagnostics`]).
//!
//! The decision is made once per file, before its first row is returned,
//! from a bounded scan of the file's start: it stops at the first number
//! above 12, after [`DECISIVE_STEPS`] steps counting for one order, after
//! [`SCAN_ROWS_WITHOUT_SLASH`] rows without a slash date, and in any case at
//! [`SCAN_BYTES`] bytes. A regular file is then read again from its start;
//! any other input (standard input, a pipe) keeps the bytes the scan read
//! in memory and replays them, so that it is read once. Every reader of
//! the file (the chunks of a parallel rollup too) uses the order decided.
//!
//! [`Reader::diagnostics`]: super::Reader::diagnostics

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::NaiveDate;

use super::{Reader, ReaderBuilder};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{
    slash_date, AgentExtRow, AgentRow, DateOrder, IntervalRow, QueueRow, ReportKind,
};
use crate::option::OptionName;
use crate::position::Location;

/// The most bytes of a file the date-order scan reads (16 MiB).
pub const SCAN_BYTES: u64 = 16 << 20;
/// The scan stops after this many rows when none has a slash date.
pub const SCAN_ROWS_WITHOUT_SLASH: u64 = 1000;
/// The scan stops once this many steps count for one order.
pub const DECISIVE_STEPS: u64 = 32;
/// Keys followed by the scan; rows of further keys are not compared.
const MAX_KEYS: usize = 1 << 16;

/// The order a reader reads slash dates in, and how it was settled.
///
/// ```
/// use ringcx_reports::{DateOrder, DateOrderBasis, ReaderBuilder};
/// let header = "interval;date_from;time;queue;queue_name;offd_direct_call_cnt;overflow_in_call_cnt;aband_call_cnt;overflow_out_call_cnt;answ_call_cnt;queued_and_answ_call_dur;queued_and_aband_call_dur;talking_call_dur;wrap_up_dur;queued_answ_longest_que_dur;queued_aband_longest_que_dur;ans_servicelevel_cnt;wait_dur;aband_short_call_cnt;aband_within_sl_cnt\n";
/// let row = |d: &str| format!("60;{d};09:00;7;Sales;1;0;0;0;1;5;0;60;10;5;0;1;30;0;0\n");
/// // 01/03, 02/03, 03/03: a day at a time as dd/MM, a month at a time as MM/dd.
/// let data = format!("{header}{}{}{}", row("01/03/2024"), row("02/03/2024"), row("03/03/2024"));
/// let r = ReaderBuilder::new().from_bytes("eu.csv", data.into_bytes())?;
/// assert_eq!(r.date_order().order, DateOrder::Dmy);
/// assert_eq!(r.date_order().basis, DateOrderBasis::Contiguity { mdy: 0, dmy: 2 });
/// assert!(r.diagnostics().is_empty());
/// # Ok::<(), ringcx_reports::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateOrderChoice {
    /// The order slash dates are read in.
    pub order: DateOrder,
    /// How it was settled.
    pub basis: DateOrderBasis,
}

/// How a file's date order was settled (see [`DateOrderChoice`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DateOrderBasis {
    /// Given with [`ReaderBuilder::date_order`].
    Given,
    /// No slash date among the `rows` rows scanned: nothing to decide (a
    /// slash date further on is read as `MM/dd/yyyy`).
    NoSlashDates {
        /// Rows scanned.
        rows: u64,
    },
    /// A slash date with a number above 12 where only one order has room
    /// for it.
    Unambiguous {
        /// Its line.
        line: u64,
        /// The date as written.
        value: String,
    },
    /// Steps between consecutive rows of a key that are 0 or 1 day under
    /// one order only, counted for each order; the order decided had at
    /// least one and at least three times as many as the other.
    Contiguity {
        /// Steps contiguous only as `MM/dd/yyyy`.
        mdy: u64,
        /// Steps contiguous only as `dd/MM/yyyy`.
        dmy: u64,
    },
    /// The dates fit both orders and the rows do not tell which:
    /// `MM/dd/yyyy` assumed, with warning V112. The counts are those of
    /// [`Contiguity`](Self::Contiguity).
    Assumed {
        /// Steps contiguous only as `MM/dd/yyyy`.
        mdy: u64,
        /// Steps contiguous only as `dd/MM/yyyy`.
        dmy: u64,
    },
}

impl DateOrderBasis {
    /// A name for machine-readable output: `given`, `no-slash-dates`,
    /// `unambiguous`, `contiguity` or `assumed`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            DateOrderBasis::Given => "given",
            DateOrderBasis::NoSlashDates { .. } => "no-slash-dates",
            DateOrderBasis::Unambiguous { .. } => "unambiguous",
            DateOrderBasis::Contiguity { .. } => "contiguity",
            DateOrderBasis::Assumed { .. } => "assumed",
        }
    }
}

impl DateOrderChoice {
    /// An order given to the reader.
    pub(crate) fn given(order: DateOrder) -> Self {
        DateOrderChoice {
            order,
            basis: DateOrderBasis::Given,
        }
    }
}

/// The order and, in words, how it was settled, e.g. `dd/MM/yyyy (line 7
/// has 25/03/2024, which only dd/MM/yyyy reads)`.
impl fmt::Display for DateOrderChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = self.order;
        write!(f, "{o} (")?;
        match &self.basis {
            DateOrderBasis::Given => f.write_str("given")?,
            DateOrderBasis::NoSlashDates { rows } => {
                write!(f, "no slash date in the {rows} row(s) scanned")?
            }
            DateOrderBasis::Unambiguous { line, value } => {
                write!(f, "line {line} has {value}, which only {o} reads")?
            }
            DateOrderBasis::Contiguity { mdy, dmy } => {
                let (won, lost) = match o {
                    DateOrder::Mdy => (mdy, dmy),
                    DateOrder::Dmy => (dmy, mdy),
                };
                write!(
                    f,
                    "by contiguity: {won} step(s) between consecutive rows of a key are 0 or 1 day \
                     only as {o}, {lost} only as {}",
                    o.other()
                )?
            }
            DateOrderBasis::Assumed { mdy, dmy } => write!(
                f,
                "assumed, warning V112: the slash dates fit both orders and consecutive rows of a \
                 key do not tell which: {mdy} step(s) of 0 or 1 day only as {}, {dmy} only as {}",
                DateOrder::Mdy,
                DateOrder::Dmy
            )?,
        }
        f.write_str(")")
    }
}

/// What the scan decided, and the warning to give when it assumed.
pub(crate) struct Scan {
    pub choice: DateOrderChoice,
    pub warning: Option<Diagnostic>,
}

/// The input of a scan: reads at most a limit, notes whether the scan
/// wanted more, and (for an input that cannot be read twice) keeps what it
/// read, to be replayed by [`Tap::replay`].
pub(crate) struct Tap {
    inner: Box<dyn Read + Send>,
    kept: Option<Vec<u8>>,
    left: u64,
    cut: bool,
    err: Option<io::Error>,
}

/// A shared handle on a [`Tap`]: one goes to the scan's reader.
#[derive(Clone)]
pub(crate) struct TapHandle(Arc<Mutex<Tap>>);

impl TapHandle {
    /// A tap on `inner` reading at most `limit` bytes; `keep` to keep them.
    pub(crate) fn new(inner: Box<dyn Read + Send>, keep: bool, limit: u64) -> Self {
        TapHandle(Arc::new(Mutex::new(Tap {
            inner,
            kept: keep.then(Vec::new),
            left: limit,
            cut: false,
            err: None,
        })))
    }

    fn lock(&self) -> MutexGuard<'_, Tap> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the scan stopped at the limit with more wanted.
    fn cut(&self) -> bool {
        self.lock().cut
    }

    /// The input again from its start: the bytes kept, then an error the
    /// scan met (so the reader meets it where it was), then the rest.
    pub(crate) fn replay(self) -> Replay {
        let mut tap = self.lock();
        Replay {
            kept: tap.kept.take().unwrap_or_default(),
            at: 0,
            err: tap.err.take(),
            inner: std::mem::replace(&mut tap.inner, Box::new(io::empty())),
        }
    }
}

impl Read for TapHandle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut tap = self.lock();
        if tap.left == 0 || tap.err.is_some() {
            tap.cut |= tap.err.is_none();
            return Ok(0);
        }
        let n = buf
            .len()
            .min(usize::try_from(tap.left).unwrap_or(usize::MAX));
        match tap.inner.read(&mut buf[..n]) {
            Ok(k) => {
                tap.left -= k as u64;
                if let Some(v) = &mut tap.kept {
                    v.extend_from_slice(&buf[..k]);
                }
                Ok(k)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                // Kept for the reader that replays the input; the scan
                // just stops.
                tap.err = Some(e);
                Ok(0)
            }
        }
    }
}

/// The input of the reader after a scan (see [`TapHandle::replay`]).
pub(crate) struct Replay {
    kept: Vec<u8>,
    at: usize,
    err: Option<io::Error>,
    inner: Box<dyn Read + Send>,
}

impl Read for Replay {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at < self.kept.len() {
            let n = buf.len().min(self.kept.len() - self.at);
            buf[..n].copy_from_slice(&self.kept[self.at..self.at + n]);
            self.at += n;
            if self.at == self.kept.len() {
                self.kept = Vec::new();
                self.at = 0;
            }
            return Ok(n);
        }
        if let Some(e) = self.err.take() {
            return Err(e);
        }
        self.inner.read(buf)
    }
}

/// The dates of a step's end under each order.
type Dates = (NaiveDate, NaiveDate);

/// What the scan has seen so far.
#[derive(Default)]
struct Probe {
    rows: u64,
    first_slash: Option<(Location, String)>,
    unambiguous: Option<(DateOrder, u64, String)>,
    last: HashMap<String, Dates>,
    /// The last row's key and dates, counted once the next row shows that
    /// the row was read whole (a scan cut at its limit may end inside it).
    pending: Option<(String, Dates)>,
    mdy: u64,
    dmy: u64,
}

impl Probe {
    fn commit(&mut self) {
        let Some((key, (m, d))) = self.pending.take() else {
            return;
        };
        let near = |a: NaiveDate, b: NaiveDate| matches!((b - a).num_days(), 0 | 1);
        if let Some(&(pm, pd)) = self.last.get(&key) {
            match (near(pm, m), near(pd, d)) {
                (true, false) => self.mdy += 1,
                (false, true) => self.dmy += 1,
                _ => {}
            }
        }
        if self.last.len() < MAX_KEYS || self.last.contains_key(&key) {
            self.last.insert(key, (m, d));
        }
    }

    fn done(&self) -> bool {
        self.unambiguous.is_some()
            || self.mdy.max(self.dmy) >= DECISIVE_STEPS
            || (self.first_slash.is_none() && self.rows >= SCAN_ROWS_WITHOUT_SLASH)
    }

    fn decide(self) -> Scan {
        let (order, basis) = if let Some((order, line, value)) = self.unambiguous {
            (order, DateOrderBasis::Unambiguous { line, value })
        } else if self.first_slash.is_none() {
            (
                DateOrder::Mdy,
                DateOrderBasis::NoSlashDates { rows: self.rows },
            )
        } else {
            let (mdy, dmy) = (self.mdy, self.dmy);
            let contiguity = DateOrderBasis::Contiguity { mdy, dmy };
            if mdy > 0 && mdy >= 3 * dmy {
                (DateOrder::Mdy, contiguity)
            } else if dmy > 0 && dmy >= 3 * mdy {
                (DateOrder::Dmy, contiguity)
            } else {
                (DateOrder::Mdy, DateOrderBasis::Assumed { mdy, dmy })
            }
        };
        let warning = match (&basis, self.first_slash) {
            (DateOrderBasis::Assumed { mdy, dmy }, Some((loc, value))) => Some(Diagnostic::new(
                Code::DateOrderAssumed,
                loc,
                format!(
                    "slash dates fit both MM/dd/yyyy and dd/MM/yyyy and consecutive rows of a key \
                     do not tell which (steps of 0 or 1 day: {mdy} only as MM/dd, {dmy} only as \
                     dd/MM); read as MM/dd/yyyy: give {} dmy if the file writes \
                     dd/MM/yyyy",
                    OptionName::DateOrder
                ),
                Some(value),
            )),
            _ => None,
        };
        Scan {
            choice: DateOrderChoice { order, basis },
            warning,
        }
    }
}

/// Decides the date order of the input behind `tap` (see the [module
/// docs](self)). An input that does not open is left to the reader, which
/// meets the same problem and reports it.
pub(crate) fn scan(b: &ReaderBuilder, file: Arc<str>, tap: &TapHandle) -> Scan {
    let mut probe = Probe::default();
    if let Ok(mut r) = Reader::open_as(b, file, Box::new(tap.clone()), DateOrder::Mdy, true) {
        match r.kind() {
            ReportKind::Queue => rows::<QueueRow>(&mut r, &mut probe),
            ReportKind::AgentExt => rows::<AgentExtRow>(&mut r, &mut probe),
            ReportKind::Agent => rows::<AgentRow>(&mut r, &mut probe),
            ReportKind::Segments => {}
        }
    }
    if !tap.cut() {
        probe.commit();
    }
    probe.decide()
}

fn rows<T: IntervalRow>(r: &mut Reader, p: &mut Probe) {
    let mut row = T::default();
    let mut key = String::new();
    while !p.done() {
        let read = r.read_row(&mut row);
        let slash = r.asm.slash.take();
        if matches!(read, Ok(false)) || (read.is_err() && r.is_finished()) {
            break;
        }
        p.commit();
        p.rows += 1;
        let dates = match slash {
            Some(s) => {
                let (a, c, _) = s.parts;
                let line = s.loc.pos.line();
                if a > 12 && c <= 12 {
                    p.unambiguous = Some((DateOrder::Dmy, line, s.raw));
                    break;
                }
                if c > 12 && a <= 12 {
                    p.unambiguous = Some((DateOrder::Mdy, line, s.raw));
                    break;
                }
                let dates =
                    slash_date(s.parts, DateOrder::Mdy).zip(slash_date(s.parts, DateOrder::Dmy));
                if p.first_slash.is_none() && dates.is_some() {
                    p.first_slash = Some((s.loc, s.raw));
                }
                dates
            }
            None => Some((row.start().local().date(), row.start().local().date())),
        };
        if let (Ok(true), Some(dates)) = (read, dates) {
            key.clear();
            row.key_into(&mut key);
            p.pending = Some((key.clone(), dates));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(mdy: u64, dmy: u64) -> DateOrderChoice {
        let at = Location::new("t.csv", crate::Position::new(0, 2, 0));
        let p = Probe {
            first_slash: Some((at, "01/02/2024".into())),
            mdy,
            dmy,
            ..Probe::default()
        };
        p.decide().choice
    }

    /// One order wins with at least one step and three times the other's.
    #[test]
    fn contiguity_needs_a_clear_majority() {
        for (mdy, dmy, order, decided) in [
            (1, 0, DateOrder::Mdy, true),
            (0, 1, DateOrder::Dmy, true),
            (3, 1, DateOrder::Mdy, true),
            (1, 3, DateOrder::Dmy, true),
            (2, 1, DateOrder::Mdy, false),
            (5, 2, DateOrder::Mdy, false),
            (0, 0, DateOrder::Mdy, false),
        ] {
            let c = decide(mdy, dmy);
            assert_eq!(c.order, order, "{mdy} {dmy}");
            let want = if decided {
                DateOrderBasis::Contiguity { mdy, dmy }
            } else {
                DateOrderBasis::Assumed { mdy, dmy }
            };
            assert_eq!(c.basis, want, "{mdy} {dmy}");
        }
    }
}
