//! Records sorted through a temporary file, in bounded memory: a caller
//! holds a buffer of records, writes it sorted as a *run* when it fills,
//! and at the end merges the runs. A record is a key, compared as bytes,
//! and a payload; records of equal keys come out in the order of their
//! runs, so a stable sort of each buffer keeps the whole sort stable.
//!
//! `rcx interactions` sorts its rows this way, and `validate` its findings.
//!
//! [`Spilled`] keeps byte sequences, one per key, each appended in order
//! and read back whole or in part: the finished buckets of a rollup and of
//! a timeline, packed with [`put_varint`], held in memory up to a limit and
//! then moved to one temporary file.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

/// The read buffer of each run while merging.
const RUN_BUFFER: usize = 32 << 10;

/// The most runs merged at once. More runs are first merged this many at
/// a time into longer runs, each such pass one more read and write of the
/// temporary file, so a merge holds at most this many read buffers however
/// long the input is.
const FAN_IN: usize = 32;

/// The name of the temporary file in errors.
pub(crate) const TEMP: &str = "<temporary file>";

/// A temporary file of sorted runs.
#[derive(Default)]
pub(crate) struct RunFile {
    file: Option<BufWriter<File>>,
    /// Runs written: offset and length.
    runs: Vec<(u64, u64)>,
    /// The length of the file.
    at: u64,
    /// The greatest key written, so that a run whose keys all follow it
    /// extends the last run rather than starting one.
    last_key: Vec<u8>,
}

impl RunFile {
    /// Writes `records`, sorted by key, as one run; it extends the last
    /// run when its first key is no less than every key written before
    /// (time-ordered input then makes one run).
    pub(crate) fn write_run<'a>(
        &mut self,
        records: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    ) -> io::Result<()> {
        let file = match &mut self.file {
            Some(f) => f,
            None => self.file.insert(BufWriter::new(tempfile::tempfile()?)),
        };
        let from = self.at;
        // The run extends the last one when its first key follows every
        // key written; its keys are sorted, so its last is its greatest.
        let mut extends = None;
        let mut last: &[u8] = &[];
        for (key, payload) in records {
            extends.get_or_insert(self.runs.is_empty() || key >= &self.last_key[..]);
            self.at += write_record(file, key, payload)?;
            last = key;
        }
        let Some(extends) = extends else {
            return Ok(());
        };
        if last > &self.last_key[..] {
            self.last_key = last.to_vec();
        }
        match self.runs.last_mut() {
            Some(run) if extends => run.1 += self.at - from,
            _ => self.runs.push((from, self.at - from)),
        }
        Ok(())
    }

    /// The records of every run, merged by key: at most [`FAN_IN`] runs at
    /// a time (see there).
    pub(crate) fn merge(self) -> io::Result<Merged> {
        let Some(w) = self.file else {
            return Merged::open(Vec::new());
        };
        let file = Arc::new(w.into_inner().map_err(|e| e.into_error())?);
        let mut runs = self
            .runs
            .iter()
            .map(|&(at, len)| Run::new(file.clone(), at, len))
            .collect::<Vec<_>>();
        while runs.len() > FAN_IN {
            runs = merge_some(runs)?;
        }
        Merged::open(runs)
    }
}

/// Merges the first runs, [`FAN_IN`] at a time, into a new temporary
/// file, until no more than [`FAN_IN`] runs are left: the merged runs
/// first, then the runs left as they were. Consecutive runs merge into one
/// that takes their place, so equal keys keep the order of their runs.
fn merge_some(runs: Vec<Run>) -> io::Result<Vec<Run>> {
    let file = tempfile::tempfile()?;
    let mut out = BufWriter::new(file.try_clone()?);
    let mut excess = runs.len() - FAN_IN;
    let mut left = runs.into_iter();
    let mut merged = Vec::new();
    let mut at = 0;
    while excess > 0 {
        let take = (excess + 1).min(FAN_IN);
        let mut m = Merged::open(left.by_ref().take(take).collect())?;
        let from = at;
        while let Some((key, payload)) = m.next()? {
            at += write_record(&mut out, &key, &payload)?;
        }
        merged.push((from, at - from));
        excess -= take - 1;
    }
    drop(out.into_inner().map_err(|e| e.into_error())?);
    let file = Arc::new(file);
    let mut runs: Vec<Run> = merged
        .into_iter()
        .map(|(at, len)| Run::new(file.clone(), at, len))
        .collect();
    runs.extend(left);
    Ok(runs)
}

/// Writes one record (key and payload lengths, key, payload): the bytes
/// written.
fn write_record(w: &mut impl Write, key: &[u8], payload: &[u8]) -> io::Result<u64> {
    for n in [key.len(), payload.len()] {
        let n = u32::try_from(n).map_err(io::Error::other)?;
        w.write_all(&n.to_le_bytes())?;
    }
    w.write_all(key)?;
    w.write_all(payload)?;
    Ok(8 + (key.len() + payload.len()) as u64)
}

/// A record: its key and payload.
pub(crate) type Record = (Vec<u8>, Vec<u8>);

/// A run's next record in the merge: its key, run and payload.
type Head = (Vec<u8>, usize, Vec<u8>);

/// The runs of a [`RunFile`] merged by key.
pub(crate) struct Merged {
    runs: Vec<Run>,
    /// Each run's next record: its key, run and payload (the run breaks
    /// ties between equal keys).
    heap: BinaryHeap<Reverse<Head>>,
}

impl Merged {
    /// `runs`, merged.
    fn open(mut runs: Vec<Run>) -> io::Result<Merged> {
        let mut heap = BinaryHeap::with_capacity(runs.len());
        for (k, r) in runs.iter_mut().enumerate() {
            if let Some((key, payload)) = r.next()? {
                heap.push(Reverse((key, k, payload)));
            }
        }
        Ok(Merged { runs, heap })
    }

    /// The key of the next record, if any.
    pub(crate) fn peek_key(&self) -> Option<&[u8]> {
        self.heap.peek().map(|Reverse((k, _, _))| &k[..])
    }

    /// The next record: its key and payload.
    pub(crate) fn next(&mut self) -> io::Result<Option<Record>> {
        let Some(Reverse((key, k, payload))) = self.heap.pop() else {
            return Ok(None);
        };
        if let Some((key2, payload2)) = self.runs[k].next()? {
            self.heap.push(Reverse((key2, k, payload2)));
        }
        Ok(Some((key, payload)))
    }
}

/// One run being merged: its file (shared by the runs in it: reads seek
/// first, so one handle serves them all), where it is in the file, and a
/// buffer of it.
struct Run {
    file: Arc<File>,
    at: u64,
    end: u64,
    buf: Vec<u8>,
    pos: usize,
}

fn cut_short() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "a run was cut short")
}

impl Run {
    fn new(file: Arc<File>, at: u64, len: u64) -> Self {
        Run {
            file,
            at,
            end: at + len,
            buf: Vec::new(),
            pos: 0,
        }
    }

    /// The next record, reading more of the file when the buffer does not
    /// hold it whole.
    fn next(&mut self) -> io::Result<Option<Record>> {
        if !self.fill(8)? {
            if self.pos < self.buf.len() {
                return Err(cut_short());
            }
            return Ok(None);
        }
        let head = &self.buf[self.pos..self.pos + 8];
        let n = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let (klen, plen) = (n(&head[..4]), n(&head[4..]));
        if !self.fill(8 + klen + plen)? {
            return Err(cut_short());
        }
        let at = self.pos + 8;
        let key = self.buf[at..at + klen].to_vec();
        let payload = self.buf[at + klen..at + klen + plen].to_vec();
        self.pos = at + klen + plen;
        Ok(Some((key, payload)))
    }

    /// Makes the buffer hold `n` bytes from `pos`; false at the run's end.
    fn fill(&mut self, n: usize) -> io::Result<bool> {
        if self.buf.len() - self.pos >= n {
            return Ok(true);
        }
        self.buf.drain(..self.pos);
        self.pos = 0;
        // The buffer is filled to RUN_BUFFER (more only for a longer
        // record), so its allocation stays that size.
        let want = (n.max(RUN_BUFFER) - self.buf.len()) as u64;
        let take = want.min(self.end - self.at) as usize;
        if take == 0 {
            return Ok(false);
        }
        let from = self.buf.len();
        self.buf.resize(from + take, 0);
        let mut file = &*self.file;
        file.seek(SeekFrom::Start(self.at))?;
        file.read_exact(&mut self.buf[from..])?;
        self.at += take as u64;
        Ok(self.buf.len() >= n)
    }
}

/// Byte sequences, one per key (numbered from 0 in the order
/// [`push_key`](Spilled::push_key) gave them), each only appended to.
/// Once more than the limit is held in memory, every key's bytes move to
/// one temporary file (appends go on in memory); reads gather a key's
/// spilled parts and its bytes still held. When the file cannot be made
/// or written, everything stays in memory: slower to nothing, never lost.
pub(crate) struct Spilled {
    keys: Vec<KeyBytes>,
    /// Bytes in memory, over all keys.
    pending: usize,
    limit: usize,
    file: Option<std::sync::Mutex<File>>,
    file_len: u64,
    no_spill: bool,
}

/// One key's sequence: its spilled parts, in order, then `mem`.
#[derive(Default)]
struct KeyBytes {
    mem: Vec<u8>,
    /// Offset and length of each part in the file.
    parts: Vec<(u64, usize)>,
    spilled_len: u64,
}

/// Packed bytes held in memory before they are spilled to a temporary
/// file, as a fraction of the chunk size (1 MiB at the default): what keeps
/// a rollup or a timeline of a file of any length (day buckets of 4 GB,
/// hour buckets of 10 million rows) in a few dozen MiB. Only the keys being
/// printed are read back.
pub(crate) const SPILL_DIV: u64 = 4;

/// The write buffer of a spill: small, so that spilling adds no large
/// allocation of its own to the peak.
const SPILL_BUF: usize = 64 << 10;

impl Spilled {
    /// A store that spills once more than `limit` bytes are held.
    pub(crate) fn new(limit: usize) -> Spilled {
        Spilled {
            keys: Vec::new(),
            pending: 0,
            limit,
            file: None,
            file_len: 0,
            no_spill: false,
        }
    }

    /// The bytes held in memory before a spill.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// A new, empty key: its number.
    pub(crate) fn push_key(&mut self) -> usize {
        self.keys.push(KeyBytes::default());
        self.keys.len() - 1
    }

    /// The length of key `k`'s whole sequence.
    pub(crate) fn len(&self, k: usize) -> u64 {
        let kb = &self.keys[k];
        kb.spilled_len + kb.mem.len() as u64
    }

    /// Appends to key `k` what `write` pushes on its bytes, then spills
    /// when more than the limit is held.
    pub(crate) fn append(&mut self, k: usize, write: impl FnOnce(&mut Vec<u8>)) {
        let mem = &mut self.keys[k].mem;
        let n = mem.len();
        write(mem);
        self.pending += mem.len() - n;
        if self.pending > self.limit {
            self.spill_out();
        }
    }

    /// Moves every key's bytes in memory to the file.
    fn spill_out(&mut self) {
        if self.no_spill {
            return;
        }
        let f = match &mut self.file {
            Some(f) => f,
            None => match tempfile::tempfile() {
                Ok(f) => self.file.insert(std::sync::Mutex::new(f)),
                Err(_) => {
                    self.no_spill = true;
                    return;
                }
            },
        };
        let Ok(f) = f.get_mut() else {
            self.no_spill = true;
            return;
        };
        // One buffered write of all keys; only after it succeeded do the
        // keys give up their bytes.
        let mut w = BufWriter::with_capacity(SPILL_BUF, &mut *f);
        let written = self
            .keys
            .iter()
            .try_for_each(|k| w.write_all(&k.mem))
            .and_then(|()| w.flush());
        drop(w);
        if written.is_err() {
            self.no_spill = true;
            return;
        }
        let mut off = self.file_len;
        for k in &mut self.keys {
            if !k.mem.is_empty() {
                let len = k.mem.len();
                k.parts.push((off, len));
                k.spilled_len += len as u64;
                off += len as u64;
                k.mem = Vec::new();
            }
        }
        self.file_len = off;
        self.pending = 0;
    }

    /// Key `k`'s whole sequence.
    pub(crate) fn bytes(&self, k: usize) -> io::Result<std::borrow::Cow<'_, [u8]>> {
        self.range(k, 0, self.len(k))
    }

    /// Bytes `from..to` of key `k`'s whole sequence, read back from the
    /// file where they were spilled.
    pub(crate) fn range(
        &self,
        k: usize,
        from: u64,
        to: u64,
    ) -> io::Result<std::borrow::Cow<'_, [u8]>> {
        use std::borrow::Cow;
        let kb = &self.keys[k];
        let in_mem = |a: u64, b: u64| (a - kb.spilled_len) as usize..(b - kb.spilled_len) as usize;
        if from >= kb.spilled_len {
            return Ok(Cow::Borrowed(&kb.mem[in_mem(from, to)]));
        }
        let Some(f) = &self.file else {
            return Err(io::Error::other("spill file missing"));
        };
        let mut f = f
            .lock()
            .map_err(|_| io::Error::other("spill file poisoned"))?;
        let mut v = Vec::with_capacity((to - from) as usize);
        let mut at = 0u64;
        for &(off, len) in &kb.parts {
            let (lo, hi) = (from.max(at), to.min(at + len as u64));
            if lo < hi {
                f.seek(SeekFrom::Start(off + (lo - at)))?;
                let n = v.len();
                v.resize(n + (hi - lo) as usize, 0);
                f.read_exact(&mut v[n..])?;
            }
            at += len as u64;
        }
        if to > kb.spilled_len {
            v.extend_from_slice(&kb.mem[in_mem(kb.spilled_len, to)]);
        }
        Ok(Cow::Owned(v))
    }
}

/// Appends `v` as a LEB128 varint (7 bits a byte, low first).
#[inline]
pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint written by [`put_varint`]; the buffer is the crate's
/// own, so it is always well formed (a short buffer reads as 0).
#[inline]
pub(crate) fn get_varint(buf: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    while let Some(&b) = buf.get(*at) {
        *at += 1;
        v |= ((b & 0x7f) as u64) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    v
}

/// Appends a bucket's bounds `(start, end)` as packed buckets store them:
/// the start as a delta from `prev` (the bucket before's start), then the
/// length; `prev` becomes the start.
#[inline]
pub(crate) fn put_bucket(out: &mut Vec<u8>, prev: &mut i64, (bs, be): (i64, i64)) {
    put_varint(out, bs.wrapping_sub(*prev) as u64);
    put_varint(out, be.wrapping_sub(bs) as u64);
    *prev = bs;
}

/// Reads bounds written by [`put_bucket`] at `at`, moving `at` and `prev`.
#[inline]
pub(crate) fn get_bucket(buf: &[u8], at: &mut usize, prev: &mut i64) -> (i64, i64) {
    let bs = prev.wrapping_add(get_varint(buf, at) as i64);
    let be = bs.wrapping_add(get_varint(buf, at) as i64);
    *prev = bs;
    (bs, be)
}

/// An `i64` as eight bytes that compare as the numbers do.
pub(crate) fn i64_key(v: i64) -> [u8; 8] {
    ((v as u64) ^ (1 << 63)).to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys appended in turn past a limit of 5 bytes: each spill moves
    /// every key's bytes to the file, and any range of a key reads back
    /// what was appended to it, across its parts and its bytes in memory.
    #[test]
    fn spilled_keys_read_back_what_was_appended() {
        let mut s = Spilled::new(5);
        let (a, b) = (s.push_key(), s.push_key());
        let mut want = [Vec::new(), Vec::new()];
        for i in 0..40u8 {
            let k = if i % 3 == 0 { b } else { a };
            s.append(k, |v| v.extend([i, i.wrapping_mul(7)]));
            want[k].extend([i, i.wrapping_mul(7)]);
        }
        assert!(s.keys[a].parts.len() > 3 && s.file_len > 0, "spilled");
        assert!(!s.keys[a].mem.is_empty() || !s.keys[b].mem.is_empty());
        for k in [a, b] {
            assert_eq!(s.len(k), want[k].len() as u64);
            assert_eq!(&*s.bytes(k).unwrap(), &want[k][..]);
            let n = want[k].len();
            for (from, to) in [(0, 1), (3, 11), (n - 3, n), (1, n - 1)] {
                assert_eq!(
                    &*s.range(k, from as u64, to as u64).unwrap(),
                    &want[k][from..to]
                );
            }
        }
    }

    #[test]
    fn varints_read_back_what_was_written() {
        let mut buf = Vec::new();
        let vals = [0, 1, 127, 128, 300, u64::MAX, (-5i64) as u64];
        vals.iter().for_each(|&v| put_varint(&mut buf, v));
        let mut at = 0;
        let got: Vec<u64> = vals.iter().map(|_| get_varint(&buf, &mut at)).collect();
        assert_eq!((got, at), (vals.to_vec(), buf.len()));
        assert_eq!(buf[..5], [0, 1, 127, 0x80, 1]);
    }

    #[test]
    fn runs_merge_by_key_and_keep_run_order_among_equal_keys() {
        let mut f = RunFile::default();
        let rec = |v: &[(i64, &'static str)]| -> Vec<([u8; 8], &'static str)> {
            v.iter().map(|&(k, p)| (i64_key(k), p)).collect()
        };
        for run in [
            rec(&[(-5, "a"), (3, "b"), (3, "c")]),
            // Follows every key written: extends the run before.
            rec(&[(3, "d"), (9, "e")]),
            rec(&[(-7, "f"), (3, "g")]),
        ] {
            f.write_run(run.iter().map(|(k, p)| (&k[..], p.as_bytes())))
                .unwrap();
        }
        assert_eq!(f.runs.len(), 2);
        let mut m = f.merge().unwrap();
        let mut got = Vec::new();
        while let Some((_, p)) = m.next().unwrap() {
            got.push(String::from_utf8(p).unwrap());
        }
        assert_eq!(got, ["f", "a", "b", "c", "d", "g", "e"]);
        assert!(i64_key(-1) < i64_key(0) && i64_key(i64::MIN) < i64_key(-1));
    }

    #[test]
    fn more_runs_than_one_merge_takes_merge_in_passes_and_stay_stable() {
        // 3 * FAN_IN + 5 runs (two passes), keys from a small range so that
        // many are equal across runs; the payload names run and record.
        let mut f = RunFile::default();
        let mut all = Vec::new();
        let mut x: u64 = 7;
        for run in 0..3 * FAN_IN + 5 {
            let mut recs: Vec<(i64, String)> = (0..20)
                .map(|i| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((x >> 33) as i64 % 50 - 25, format!("{run}.{i}"))
                })
                .collect();
            recs.sort_by_key(|r| r.0);
            // Starts below the greatest key so far: a run of its own.
            recs.insert(0, (-100, format!("{run}.first")));
            let keys: Vec<[u8; 8]> = recs.iter().map(|r| i64_key(r.0)).collect();
            f.write_run(
                keys.iter()
                    .zip(&recs)
                    .map(|(k, r)| (&k[..], r.1.as_bytes())),
            )
            .unwrap();
            all.extend(recs);
        }
        assert_eq!(f.runs.len(), 3 * FAN_IN + 5);
        // What a stable sort of everything, in run order, gives.
        all.sort_by_key(|r| r.0);
        let mut m = f.merge().unwrap();
        // 101 runs: the first 72 merge into 3 (32, 32 and 8), 29 are left.
        assert_eq!(m.runs.len(), FAN_IN);
        let mut got = Vec::new();
        while let Some((k, p)) = m.next().unwrap() {
            got.push((k, String::from_utf8(p).unwrap()));
        }
        let want: Vec<(Vec<u8>, String)> = all
            .into_iter()
            .map(|(k, p)| (i64_key(k).to_vec(), p))
            .collect();
        assert_eq!(got, want);
    }
}
