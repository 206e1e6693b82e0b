//! The input files of a rollup, each opened once for the whole run.
//!
//! The header of every file is read first, in path order: the report of the
//! first file decides the run, every file's header findings are reported.
//! After that the one open handle of each file serves every reader: a
//! regular file is cut into chunks read by position, and read again from
//! its start by position when the chunked path leaves it to the sort of
//! rows not in time order. A stream (a FIFO, a process substitution) cannot
//! be read twice: the reader that read its header is the one that reads
//! its rows, once, into the sort.
//!
//! # Many inputs, few handles
//!
//! A run keeps at most [`keep_open`] handles of regular files open for its
//! whole length (64, or a quarter of the soft open-file limit when that is
//! lower and can be read): the first files in path order, so that a rollup
//! of a few files opens each of them once. Every later regular file is
//! closed once its header is read, and opened again when the run reaches
//! it: the readers of one file (the reader of its rows, or the readers of
//! its chunks, which share the handle) hold it, and it closes when the last
//! of them is done with the file. The file opened again must be the file
//! whose header was read (same length and modification time, and on Unix
//! the same device and inode); a file that changed in between is refused
//! with an error naming it. Files read in parallel one per thread are taken
//! in windows of [`keep_open`] files, so that the handles open at once stay
//! bounded however many files a run has. So any number of regular files
//! rolls up under a small open-file limit, each opened once when there are
//! few and twice when they are beyond the bound.
//!
//! A stream cannot be opened again: it keeps its reader, hence its handle,
//! from its header to its rows. A rollup with more streams than the
//! open-file limit allows cannot run (the operating system refuses to open
//! them), whatever the number of regular files.

use std::path::Path;
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::model::ReportKind;
use crate::read::chunk::Chunks;
use crate::read::file::{keep_open, OpenFile};
use crate::read::{Reader, ReaderBuilder};

/// How one input stands after its header was read.
enum State {
    /// A regular file, read by position as often as needed, and its chunks
    /// when its layout allows them.
    File {
        file: OpenFile,
        chunks: Option<Box<Chunks>>,
    },
    /// A stream: the reader that read its header, to read its rows once.
    Stream(Mutex<Option<Box<Reader>>>),
    /// The file did not open, or its header did not read: the error, given
    /// when the run reaches the file (so that an earlier file's error, in
    /// path order, is the one reported, as in a sequential read).
    Failed(Mutex<Option<Error>>),
}

/// The inputs of a rollup, in path order (see the [module docs](self)).
pub(super) struct Inputs<'p> {
    /// The paths, in canonical (sorted) order.
    pub paths: Vec<&'p Path>,
    states: Vec<State>,
    /// The report of the first file.
    pub kind: ReportKind,
    /// Every file's header findings (an unknown column, S004: its values
    /// are not read, and a rollup says so rather than drop them silently),
    /// in path order.
    pub header: Vec<String>,
}

impl<'p> Inputs<'p> {
    /// Opens every file of `sorted` once and reads its header. Only the
    /// first file's error is returned here; a later file's waits for the
    /// run to reach it.
    pub(super) fn open(rb: &ReaderBuilder, sorted: Vec<&'p Path>) -> Result<Inputs<'p>> {
        let Some(first) = sorted.first() else {
            return Err(Error::usage("no input files"));
        };
        let keep = keep_open();
        let (state, kind, mut header) = probe(rb, first, keep > 0)?;
        let mut states = vec![state];
        for (i, p) in sorted.iter().enumerate().skip(1) {
            match probe(rb, p, i < keep) {
                Ok((state, _, found)) => {
                    header.extend(found);
                    states.push(state);
                }
                Err(e) => states.push(State::Failed(Mutex::new(Some(e)))),
            }
        }
        Ok(Inputs {
            paths: sorted,
            states,
            kind,
            header,
        })
    }

    /// The chunks of every file, when every file is a regular file of a
    /// layout that can be cut into chunks.
    pub(super) fn chunks(&self) -> Option<Vec<&Chunks>> {
        self.states
            .iter()
            .map(|s| match s {
                State::File { chunks, .. } => chunks.as_deref(),
                _ => None,
            })
            .collect()
    }

    /// A reader of file `i` from its start, holding the run's report: for
    /// a regular file a new reader on the open handle, for a stream the
    /// reader of its header (once), for a file that failed its error.
    pub(super) fn reader(&self, rb: &ReaderBuilder, i: usize) -> Result<Reader> {
        let p = self.paths[i];
        let once = || Error::usage(format!("{}: a stream cannot be read twice", p.display()));
        let r = match &self.states[i] {
            State::File { file, .. } => rb.reader_of(&file.reopen()?)?,
            State::Stream(r) => lock(r).take().map(|r| *r).ok_or_else(once)?,
            State::Failed(e) => return Err(lock(e).take().unwrap_or_else(once)),
        };
        if r.kind() != self.kind {
            return Err(Error::usage(format!(
                "{}: the file holds {} rows, but {} holds {} rows; roll up one report at a time",
                p.display(),
                r.kind(),
                self.paths[0].display(),
                self.kind
            )));
        }
        Ok(r)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Opens `p` and reads its header: the state the run keeps (a regular
/// file's handle closed unless `keep`), the report and the header findings.
fn probe(rb: &ReaderBuilder, p: &Path, keep: bool) -> Result<(State, ReportKind, Vec<String>)> {
    let file = OpenFile::open(p)?;
    let r = rb.reader_of(&file)?;
    let kind = r.kind();
    let found = r.diagnostics().iter().map(|d| d.to_string()).collect();
    let state = if file.len().is_some() {
        let chunks = Chunks::new(rb, &file, &r).map(Box::new);
        // A regular file is read again by position; the header's reader
        // (and its buffer) goes, so that many inputs hold only their handles,
        // and beyond the first few not even those.
        if keep {
            State::File { file, chunks }
        } else {
            drop(r);
            State::File {
                file: file.closed(),
                chunks: chunks.map(|c| Box::new(c.closed())),
            }
        }
    } else {
        State::Stream(Mutex::new(Some(Box::new(r))))
    };
    Ok((state, kind, found))
}
