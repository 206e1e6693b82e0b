//! The findings of a validation run, sorted in bounded memory: they are
//! held until they fill a buffer, then written sorted as a run of a
//! temporary file (see `crate::runs`), and merged at the end. The order
//! is the [`Report`](super::Report)'s: file, then line, then code, then
//! byte offset, findings equal on all four in the order they were made.

use std::io;
use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::error::{Error, Result};
use crate::position::{Location, Position};
use crate::runs::{Merged, RunFile, TEMP};

/// The bytes of findings held before they are written as a run.
const HELD_BYTES: usize = 32 << 20;

/// A finding's sort key: file index, line, code, byte offset, then the
/// order it was made in, each big-endian so that the bytes compare as the
/// tuple does.
type Key = [u8; 30];

fn key(idx: usize, d: &Diagnostic, seq: u64) -> Key {
    let mut k = [0; 30];
    k[..4].copy_from_slice(&u32::try_from(idx).unwrap_or(u32::MAX).to_be_bytes());
    k[4..12].copy_from_slice(&d.location.pos.line().to_be_bytes());
    k[12..14].copy_from_slice(&(d.code as u16).to_be_bytes());
    k[14..22].copy_from_slice(&d.location.pos.byte().to_be_bytes());
    k[22..].copy_from_slice(&seq.to_be_bytes());
    k
}

/// Findings being collected.
#[derive(Default)]
pub(crate) struct Found {
    held: Vec<(Key, Diagnostic)>,
    held_bytes: usize,
    runs: RunFile,
    /// File names by first use, for the findings read back.
    files: Vec<Arc<str>>,
    seq: u64,
    /// Findings collected.
    pub(crate) count: u64,
}

impl Found {
    /// Adds the finding `d` of the input `idx`.
    pub(crate) fn push(&mut self, idx: usize, d: Diagnostic) -> Result<()> {
        self.held_bytes += std::mem::size_of::<(Key, Diagnostic)>()
            + d.message.len()
            + d.value.as_ref().map_or(0, String::len);
        self.held.push((key(idx, &d, self.seq), d));
        self.seq += 1;
        self.count += 1;
        if self.held_bytes > HELD_BYTES {
            self.write_run().map_err(|e| Error::io(TEMP, e))?;
        }
        Ok(())
    }

    /// Adds the findings `ds` of the input `idx`, in order.
    pub(crate) fn extend(
        &mut self,
        idx: usize,
        ds: impl IntoIterator<Item = Diagnostic>,
    ) -> Result<()> {
        ds.into_iter().try_for_each(|d| self.push(idx, d))
    }

    /// Writes what is held as a sorted run.
    fn write_run(&mut self) -> io::Result<()> {
        let mut held = std::mem::take(&mut self.held);
        self.held_bytes = 0;
        held.sort_unstable_by_key(|a| a.0);
        let mut payloads = Vec::with_capacity(held.len());
        for (_, d) in &held {
            payloads.push(self.encode(d));
        }
        self.runs.write_run(
            held.iter()
                .zip(&payloads)
                .map(|((k, _), p)| (&k[..], &p[..])),
        )
    }

    /// The findings in order. Those held are sorted in memory when no run
    /// was written; otherwise they make the last run and every run is
    /// merged from the temporary file.
    pub(crate) fn sorted(mut self) -> Result<Sorted> {
        if self.seq > 0 && self.runs_written() {
            self.write_run().map_err(|e| Error::io(TEMP, e))?;
        }
        if !self.runs_written() {
            let mut held = self.held;
            held.sort_unstable_by_key(|a| a.0);
            return Ok(Sorted::Held(held.into_iter()));
        }
        let merged = self.runs.merge().map_err(|e| Error::io(TEMP, e))?;
        Ok(Sorted::Runs(merged, self.files))
    }

    fn runs_written(&self) -> bool {
        self.held.len() as u64 != self.seq
    }

    /// A finding as bytes: severity, code, file (its index in `files`),
    /// position, then field, message and value as lengths and bytes (a
    /// length of `u32::MAX` for an absent one).
    fn encode(&mut self, d: &Diagnostic) -> Vec<u8> {
        let mut b = Vec::with_capacity(64 + d.message.len());
        b.push(u8::from(d.severity == Severity::Error));
        b.extend_from_slice(&(d.code as u16).to_le_bytes());
        let file = match self.files.iter().rposition(|f| *f == d.location.file) {
            Some(i) => i,
            None => {
                self.files.push(d.location.file.clone());
                self.files.len() - 1
            }
        };
        b.extend_from_slice(&(file as u32).to_le_bytes());
        let p = d.location.pos;
        for n in [p.byte(), p.line(), p.record()] {
            b.extend_from_slice(&n.to_le_bytes());
        }
        for s in [
            d.location.field.as_deref(),
            Some(d.message.as_str()),
            d.value.as_deref(),
        ] {
            match s {
                Some(s) => {
                    b.extend_from_slice(&(s.len() as u32).to_le_bytes());
                    b.extend_from_slice(s.as_bytes());
                }
                None => b.extend_from_slice(&u32::MAX.to_le_bytes()),
            }
        }
        b
    }
}

/// A finding [`Found::encode`] wrote.
fn decode(b: &[u8], files: &[Arc<str>]) -> io::Result<Diagnostic> {
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "a finding was cut short");
    let mut at = 0;
    let mut take = |n: usize| -> io::Result<&[u8]> {
        let s = b.get(at..at + n).ok_or_else(bad)?;
        at += n;
        Ok(s)
    };
    let severity = if take(1)?[0] == 1 {
        Severity::Error
    } else {
        Severity::Warning
    };
    let code = take(2)?;
    let code = *Code::ALL
        .get(usize::from(u16::from_le_bytes([code[0], code[1]])))
        .ok_or_else(bad)?;
    let u32_at = |s: &[u8]| u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
    let u64_at = |s: &[u8]| u64::from_le_bytes(s.try_into().unwrap_or_default());
    let file = files
        .get(u32_at(take(4)?) as usize)
        .ok_or_else(bad)?
        .clone();
    let pos = Position::new(u64_at(take(8)?), u64_at(take(8)?), u64_at(take(8)?));
    let mut text = || -> io::Result<Option<String>> {
        let n = u32_at(take(4)?);
        if n == u32::MAX {
            return Ok(None);
        }
        let s = take(n as usize)?;
        String::from_utf8(s.to_vec()).map(Some).map_err(|_| bad())
    };
    let field = text()?;
    let message = text()?.unwrap_or_default();
    let value = text()?;
    let mut location = Location::new(file, pos);
    location.field = field.map(Arc::from);
    Ok(Diagnostic {
        severity,
        code,
        location,
        message,
        value,
    })
}

/// The findings of a [`Found`], in order.
pub(crate) enum Sorted {
    Held(std::vec::IntoIter<(Key, Diagnostic)>),
    Runs(Merged, Vec<Arc<str>>),
}

impl Sorted {
    /// The next finding's key, if any.
    fn peek_key(&self) -> Option<&[u8]> {
        match self {
            Sorted::Held(it) => it.as_slice().first().map(|(k, _)| &k[..]),
            Sorted::Runs(m, _) => m.peek_key(),
        }
    }

    fn next(&mut self) -> Result<Option<Diagnostic>> {
        match self {
            Sorted::Held(it) => Ok(it.next().map(|(_, d)| d)),
            Sorted::Runs(m, files) => {
                let Some((_, payload)) = m.next().map_err(|e| Error::io(TEMP, e))? else {
                    return Ok(None);
                };
                decode(&payload, files)
                    .map(Some)
                    .map_err(|e| Error::io(TEMP, e))
            }
        }
    }
}

/// Calls `each` with the findings of `a` and `b` merged in order (`a`'s
/// first among equal keys).
pub(crate) fn merge(
    mut a: Sorted,
    mut b: Sorted,
    each: &mut dyn FnMut(Diagnostic) -> Result<()>,
) -> Result<()> {
    loop {
        let from_a = match (a.peek_key(), b.peek_key()) {
            (None, None) => return Ok(()),
            (Some(ka), Some(kb)) => ka <= kb,
            (ka, _) => ka.is_some(),
        };
        let next = if from_a { a.next()? } else { b.next()? };
        if let Some(d) = next {
            each(d)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: Code, line: u64, byte: u64, value: Option<&str>) -> Diagnostic {
        let mut d = Diagnostic::new(
            code,
            Location::new("q.csv", Position::new(byte, line, line)).with_field("answ_call_cnt"),
            format!("message {line}"),
            value.map(String::from),
        );
        if line == 3 {
            d.location.field = None;
        }
        d
    }

    /// Every code reads back as itself (the encoding uses its place in
    /// `Code::ALL`).
    #[test]
    fn findings_read_back_from_runs_as_written_and_in_order() {
        let mut found = Found::default();
        let mut want = Vec::new();
        for (i, &code) in Code::ALL.iter().enumerate() {
            let line = 10 - (i as u64 % 10);
            let d = finding(code, line, line * 100, (i % 2 == 0).then_some("7"));
            want.push((line, code, i, d.clone()));
            found.push(1, d).unwrap();
            if i % 7 == 0 {
                found.write_run().unwrap();
            }
        }
        want.sort_by_key(|w| (w.0, w.1, w.2));
        let mut got = Vec::new();
        let none = Found::default().sorted().unwrap();
        merge(found.sorted().unwrap(), none, &mut |d| {
            got.push(d);
            Ok(())
        })
        .unwrap();
        let want: Vec<Diagnostic> = want.into_iter().map(|w| w.3).collect();
        assert_eq!(got, want);
    }
}
