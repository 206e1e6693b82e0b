//! Records sorted through a temporary file, in bounded memory: a caller
//! holds a buffer of records, writes it sorted as a *run* when it fills,
//! and at the end merges the runs. A record is a key, compared as bytes,
//! and a payload; records of equal keys come out in the order of their
//! runs, so a stable sort of each buffer keeps the whole sort stable.
//!
//! `rcx interactions` sorts its rows this way, and `validate` its findings.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

/// The read buffer of each run while merging.
const RUN_BUFFER: usize = 32 << 10;

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
            for n in [key.len(), payload.len()] {
                let n = u32::try_from(n).map_err(io::Error::other)?;
                file.write_all(&n.to_le_bytes())?;
            }
            file.write_all(key)?;
            file.write_all(payload)?;
            self.at += 8 + (key.len() + payload.len()) as u64;
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

    /// The records of every run, merged by key.
    pub(crate) fn merge(self) -> io::Result<Merged> {
        let file = match self.file {
            Some(w) => Some(w.into_inner().map_err(|e| e.into_error())?),
            None => None,
        };
        let mut m = Merged {
            file,
            runs: self
                .runs
                .iter()
                .map(|&(at, len)| Run::new(at, len))
                .collect(),
            heap: BinaryHeap::new(),
        };
        if let Some(file) = &mut m.file {
            for (k, r) in m.runs.iter_mut().enumerate() {
                if let Some((key, payload)) = r.next(file)? {
                    m.heap.push(Reverse((key, k, payload)));
                }
            }
        }
        Ok(m)
    }
}

/// A record: its key and payload.
pub(crate) type Record = (Vec<u8>, Vec<u8>);

/// A run's next record in the merge: its key, run and payload.
type Head = (Vec<u8>, usize, Vec<u8>);

/// The runs of a [`RunFile`] merged by key.
pub(crate) struct Merged {
    file: Option<File>,
    runs: Vec<Run>,
    /// Each run's next record: its key, run and payload (the run breaks
    /// ties between equal keys).
    heap: BinaryHeap<Reverse<Head>>,
}

impl Merged {
    /// The key of the next record, if any.
    pub(crate) fn peek_key(&self) -> Option<&[u8]> {
        self.heap.peek().map(|Reverse((k, _, _))| &k[..])
    }

    /// The next record: its key and payload.
    pub(crate) fn next(&mut self) -> io::Result<Option<Record>> {
        let (Some(file), Some(Reverse((key, k, payload)))) = (&mut self.file, self.heap.pop())
        else {
            return Ok(None);
        };
        if let Some((key2, payload2)) = self.runs[k].next(file)? {
            self.heap.push(Reverse((key2, k, payload2)));
        }
        Ok(Some((key, payload)))
    }
}

/// One run being merged: where it is in the file, and a buffer of it.
struct Run {
    at: u64,
    end: u64,
    buf: Vec<u8>,
    pos: usize,
}

fn cut_short() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "a run was cut short")
}

impl Run {
    fn new(at: u64, len: u64) -> Self {
        Run {
            at,
            end: at + len,
            buf: Vec::new(),
            pos: 0,
        }
    }

    /// The next record, reading more of the file when the buffer does not
    /// hold it whole.
    fn next(&mut self, file: &mut File) -> io::Result<Option<Record>> {
        if !self.fill(file, 8)? {
            if self.pos < self.buf.len() {
                return Err(cut_short());
            }
            return Ok(None);
        }
        let head = &self.buf[self.pos..self.pos + 8];
        let n = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let (klen, plen) = (n(&head[..4]), n(&head[4..]));
        if !self.fill(file, 8 + klen + plen)? {
            return Err(cut_short());
        }
        let at = self.pos + 8;
        let key = self.buf[at..at + klen].to_vec();
        let payload = self.buf[at + klen..at + klen + plen].to_vec();
        self.pos = at + klen + plen;
        Ok(Some((key, payload)))
    }

    /// Makes the buffer hold `n` bytes from `pos`; false at the run's end.
    fn fill(&mut self, file: &mut File, n: usize) -> io::Result<bool> {
        if self.buf.len() - self.pos >= n {
            return Ok(true);
        }
        self.buf.drain(..self.pos);
        self.pos = 0;
        let want = (n - self.buf.len()).max(RUN_BUFFER) as u64;
        let take = want.min(self.end - self.at) as usize;
        if take == 0 {
            return Ok(false);
        }
        let from = self.buf.len();
        self.buf.resize(from + take, 0);
        file.seek(SeekFrom::Start(self.at))?;
        file.read_exact(&mut self.buf[from..])?;
        self.at += take as u64;
        Ok(self.buf.len() >= n)
    }
}

/// An `i64` as eight bytes that compare as the numbers do.
pub(crate) fn i64_key(v: i64) -> [u8; 8] {
    ((v as u64) ^ (1 << 63)).to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
