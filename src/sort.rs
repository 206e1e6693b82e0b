//! The sort of interval rows not in time order, in bounded memory, for
//! `convert` and `rollup`: rows gather in a buffer of at most
//! [`BUFFER_BYTES`] (estimated); a full buffer is sorted by start instant
//! and written to a temporary file as a run ([`RunFile`]), and at the end
//! the runs are merged. Rows that fit in one buffer never touch the disk.
//!
//! The runs are keyed by the start instant alone: the merge hands out the
//! rows of one instant at a time (one per key, bar duplicates), which the
//! caller sorts by key, source and record ([`sort_instant`]), the order in
//! which a sequential read meets them, so the first row of a key and start
//! is the one a sequential read keeps.

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::model::{Field, IntervalLength, IntervalRow, IntervalStart, Value};
use crate::position::Position;
use crate::runs::{i64_key, Merged, RunFile, TEMP};
use crate::window::cmp_row_keys;

/// One row with where it came from, as sorted.
pub(crate) struct Entry<T> {
    pub(crate) row: T,
    pub(crate) t: i64,
    pub(crate) src: usize,
}

/// Sorts the rows of one start instant: by key, then source and record.
pub(crate) fn sort_instant<T: IntervalRow>(rows: &mut [Entry<T>]) {
    rows.sort_unstable_by(|a, b| {
        cmp_row_keys(&a.row, &b.row)
            .then(a.src.cmp(&b.src))
            .then(a.row.pos().record().cmp(&b.row.pos().record()))
    });
}

/// The estimated size of the rows held before a run is written.
pub(crate) const BUFFER_BYTES: usize = 32 << 20;

/// Rows gathered for the sort.
pub(crate) struct Sorter<T> {
    buf: Vec<Entry<T>>,
    /// The estimated bytes of `buf`.
    bytes: usize,
    limit: usize,
    runs: RunFile,
    /// Runs written.
    written: usize,
    scratch: Vec<u8>,
}

fn temp_error(e: std::io::Error) -> Error {
    Error::io(TEMP, e)
}

/// The estimated heap and inline size of a row held in the buffer.
fn size_of_entry<T: IntervalRow>(row: &T) -> usize {
    let mut n = std::mem::size_of::<Entry<T>>();
    row.visit(&mut |_, v| {
        if let Value::Text(t) = v {
            n += t.len();
        }
    });
    n
}

impl<T: IntervalRow> Sorter<T> {
    /// A sorter writing a run each time about `limit` bytes of rows are
    /// held.
    pub(crate) fn new(limit: usize) -> Self {
        Sorter {
            buf: Vec::new(),
            bytes: 0,
            limit,
            runs: RunFile::default(),
            written: 0,
            scratch: Vec::new(),
        }
    }

    /// Adds a row read from source `src`.
    pub(crate) fn push(&mut self, row: T, src: usize) -> Result<()> {
        self.bytes += size_of_entry(&row);
        let t = row.start().timestamp();
        self.buf.push(Entry { row, t, src });
        if self.bytes >= self.limit {
            self.spill()?;
        }
        Ok(())
    }

    /// Writes the buffer, sorted by instant, as a run.
    fn spill(&mut self) -> Result<()> {
        // Each instant's rows are sorted in full once merged.
        self.buf.sort_unstable_by_key(|e| e.t);
        let mut payloads = Vec::with_capacity(self.buf.len());
        let mut bytes = std::mem::take(&mut self.scratch);
        bytes.clear();
        for e in &self.buf {
            let from = bytes.len();
            encode(&e.row, e.src, &mut bytes);
            payloads.push((i64_key(e.t), from..bytes.len()));
        }
        self.runs
            .write_run(payloads.iter().map(|(k, r)| (&k[..], &bytes[r.clone()])))
            .map_err(temp_error)?;
        self.scratch = bytes;
        self.written += 1;
        self.buf.clear();
        self.bytes = 0;
        Ok(())
    }

    /// Hands the rows to `emit` in start order, one instant's rows at a
    /// time (`emit` sorts within each instant), until `emit` says stop;
    /// the runs written to the temporary file.
    pub(crate) fn finish(mut self, mut emit: impl FnMut(&mut [Entry<T>]) -> bool) -> Result<usize> {
        if self.written == 0 {
            self.buf.sort_unstable_by_key(|e| e.t);
            let mut from = 0;
            while from < self.buf.len() {
                let t = self.buf[from].t;
                let to = from + self.buf[from..].partition_point(|e| e.t == t);
                if !emit(&mut self.buf[from..to]) {
                    break;
                }
                from = to;
            }
            return Ok(0);
        }
        if !self.buf.is_empty() {
            self.spill()?;
        }
        let mut merged: Merged = self.runs.merge().map_err(temp_error)?;
        let fields = fields_of::<T>();
        let mut group: Vec<Entry<T>> = Vec::new();
        let mut used = 0;
        let mut at: Option<Vec<u8>> = None;
        while let Some((key, payload)) = merged.next().map_err(temp_error)? {
            if at.as_deref().is_some_and(|k| k != &key[..]) {
                if !emit(&mut group[..used]) {
                    return Ok(self.written);
                }
                used = 0;
            }
            if used == group.len() {
                group.push(Entry {
                    row: T::default(),
                    t: 0,
                    src: 0,
                });
            }
            let e = &mut group[used];
            e.src = decode(&payload, &fields, &mut e.row).ok_or_else(|| {
                temp_error(std::io::Error::other("a sorted row could not be read back"))
            })?;
            e.t = e.row.start().timestamp();
            used += 1;
            at = Some(key);
        }
        if used > 0 {
            emit(&mut group[..used]);
        }
        Ok(self.written)
    }
}

/// The fields a row of `T` visits, in the order it visits them.
fn fields_of<T: IntervalRow>() -> Vec<Field> {
    let mut fields = Vec::new();
    T::default().visit(&mut |f, _| fields.push(f));
    fields
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A row and its source as bytes: its source, position, interval, start
/// (local time as seconds and nanoseconds, offset), then each value in
/// [`IntervalRow::visit`] order: a tag, then the text, count or decimal.
fn encode<T: IntervalRow>(row: &T, src: usize, out: &mut Vec<u8>) {
    put_u64(out, src as u64);
    let pos = row.pos();
    for v in [pos.byte(), pos.line(), pos.record()] {
        put_u64(out, v);
    }
    out.push(row.interval().minutes() as u8);
    let start = row.start();
    let local = start.local().and_utc();
    put_u64(out, local.timestamp() as u64);
    out.extend_from_slice(&local.timestamp_subsec_nanos().to_le_bytes());
    out.extend_from_slice(&start.offset().local_minus_utc().to_le_bytes());
    row.visit(&mut |_, v| match v {
        Value::Text(t) => {
            out.push(0);
            out.extend_from_slice(&(t.len() as u32).to_le_bytes());
            out.extend_from_slice(t.as_bytes());
        }
        Value::Int(None) | Value::Decimal(None) => out.push(1),
        Value::Int(Some(n)) => {
            out.push(2);
            put_u64(out, n);
        }
        Value::Decimal(Some(d)) => {
            out.push(3);
            out.extend_from_slice(&d.serialize());
        }
    });
}

/// Reads bytes back from the front of `b`.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }
}

/// The row [`encode`] wrote, into `row`; its source.
fn decode<T: IntervalRow>(b: &[u8], fields: &[Field], row: &mut T) -> Option<usize> {
    let mut b = Bytes(b);
    let src = usize::try_from(b.u64()?).ok()?;
    let pos = Position::new(b.u64()?, b.u64()?, b.u64()?);
    let interval = IntervalLength::new(u32::from(b.array::<1>()?[0]))?;
    let secs = b.u64()? as i64;
    let nanos = u32::from_le_bytes(b.array()?);
    let offset = FixedOffset::east_opt(i32::from_le_bytes(b.array()?))?;
    let local = DateTime::from_timestamp(secs, nanos)?.naive_utc();
    row.reset();
    row.set_place(pos, interval, IntervalStart::new(local, offset));
    for &field in fields {
        match b.array::<1>()?[0] {
            0 => {
                let n = u32::from_le_bytes(b.array()?) as usize;
                let text = std::str::from_utf8(b.take(n)?).ok()?;
                row.set_value(field, text).ok()?;
            }
            1 => {}
            2 => {
                let n = b.u64()?;
                // Counts are set as numbers; an extra count from its text.
                if !row.set_count(field, n) {
                    row.set_value(field, &n.to_string()).ok()?;
                }
            }
            3 => {
                let d = Decimal::deserialize(b.array()?);
                row.set_value(field, &d.to_string()).ok()?;
            }
            _ => return None,
        }
    }
    b.0.is_empty().then_some(src)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AgentExtRow, QueueRow};
    use crate::read::ReaderBuilder;

    fn rows<T: IntervalRow>(text: &str) -> Vec<T> {
        let mut r = ReaderBuilder::new()
            .from_bytes("t.csv", text.as_bytes().to_vec())
            .unwrap();
        r.rows().collect::<Result<_>>().unwrap()
    }

    #[test]
    fn rows_come_back_as_they_were_written() {
        let mut queue: Vec<QueueRow> = rows(
            "15,20240304,08:15,7,Sales,1,0,0,0,1,5,0,60,10,5,0,1,30,0,0\n\
             15,20240304,08:00,8,Support é,2,0,0,0,2,9,0,90,20,5,0,2,30,0,0\n",
        );
        assert_eq!(queue.len(), 2);
        // The extras: a decimal (its scale kept) and a count.
        queue[1].avg_avail_member_cnt = Some(Decimal::new(1250, 3));
        queue[1].completed_contacts = Some(7);
        let fields = fields_of::<QueueRow>();
        for (i, q) in queue.iter().enumerate() {
            let mut b = Vec::new();
            encode(q, i + 3, &mut b);
            let mut back = QueueRow::default();
            assert_eq!(decode(&b, &fields, &mut back), Some(i + 3));
            assert_eq!(&back, q);
            assert_eq!(
                back.avg_avail_member_cnt.map(|d| d.to_string()),
                q.avg_avail_member_cnt.map(|d| d.to_string())
            );
            // A cut-short record is refused, never half read.
            assert_eq!(decode(&b[..b.len() - 1], &fields, &mut back), None);
        }
        let ext = AgentExtRow {
            agent_id: "42".into(),
            answ_call_cnt: Some(3),
            ..AgentExtRow::default()
        };
        let mut b = Vec::new();
        encode(&ext, 0, &mut b);
        let mut back = AgentExtRow::default();
        assert_eq!(decode(&b, &fields_of::<AgentExtRow>(), &mut back), Some(0));
        assert_eq!(back, ext);
    }
}
