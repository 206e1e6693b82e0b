//! The sources of one conversion ([`Source`]), each file opened once for
//! the whole run.
//!
//! A regular file is read by position, from its start, by every pass that
//! needs it (the order check, then the conversion). A stream (a FIFO, a
//! process substitution) is read once: the reader that told the report
//! kind is the one that reads the rows, and a conversion with a stream
//! among its sources runs in one pass (see [`Inputs::one_pass`]).
//!
//! Past the first few files ([`keep_open`]), a regular file's handle is
//! closed once the file is first read, and each pass opens the file again
//! (refused when it changed in between), so that a conversion of more files
//! than the open-file limit allows does not hold them all open. The k-way
//! merge (`Converter::stream`) closes such a source after its first row
//! too, and opens it again when the merge reaches that row.

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::ReportKind;
use crate::progress::{Progress, ProgressRead};
use crate::read::file::{keep_open, OpenFile};
use crate::read::{Reader, ReaderBuilder};

/// An input the converter can read (twice, with
/// [`Order::Auto`](super::Order::Auto): a file is opened once and read
/// again from its start; a FIFO or other stream is read once, and the
/// conversion then sorts in memory).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Source {
    /// A file.
    Path(PathBuf),
    /// An in-memory document (for example standard input read in full).
    Bytes {
        /// The name errors use.
        name: Arc<str>,
        /// The content.
        bytes: Arc<[u8]>,
    },
}

impl Source {
    /// A file.
    pub fn path(p: impl Into<PathBuf>) -> Self {
        Source::Path(p.into())
    }
    /// An in-memory document named `name` in errors.
    pub fn bytes(name: impl Into<Arc<str>>, bytes: Vec<u8>) -> Self {
        Source::Bytes {
            name: name.into(),
            bytes: bytes.into(),
        }
    }
    /// The name errors use.
    fn name(&self) -> Arc<str> {
        match self {
            Source::Path(p) => p.to_string_lossy().into(),
            Source::Bytes { name, .. } => name.clone(),
        }
    }
    /// Its size in bytes, when known.
    pub fn size(&self) -> Option<u64> {
        match self {
            Source::Path(p) => ReaderBuilder::input_len(p),
            Source::Bytes { bytes, .. } => Some(bytes.len() as u64),
        }
    }
    /// Opens it, counting the bytes read into `progress` if given.
    pub fn open(&self, builder: &ReaderBuilder, progress: Option<&Progress>) -> Result<Reader> {
        match (self, progress) {
            (Source::Path(p), None) => builder.from_path(p),
            (Source::Path(p), Some(pr)) => builder.from_path_counted(p, pr),
            (Source::Bytes { name, bytes }, None) => {
                builder.from_reader(name.clone(), Cursor::new(bytes.clone()))
            }
            (Source::Bytes { name, bytes }, Some(pr)) => builder.from_reader(
                name.clone(),
                ProgressRead::new(Cursor::new(bytes.clone()), pr.clone()),
            ),
        }
    }
}

/// How a file source stands once opened.
enum Opened {
    /// A regular file, read again from its start by position.
    File(OpenFile),
    /// A stream and its reader, until a pass takes it.
    Stream(Option<Box<Reader>>),
}

/// The sources of a conversion (see the [module docs](self)).
pub(super) struct Inputs<'s> {
    sources: &'s [Source],
    /// Each file source, once opened (opened when a pass first reaches it,
    /// so that errors come in source order).
    opened: Vec<Option<Opened>>,
}

impl<'s> Inputs<'s> {
    pub(super) fn new(sources: &'s [Source]) -> Self {
        Inputs {
            sources,
            opened: sources.iter().map(|_| None).collect(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.sources.len()
    }

    /// The sizes of the sources that tell theirs, added up.
    pub(super) fn total_size(&self) -> u64 {
        self.sources.iter().filter_map(Source::size).sum()
    }

    /// Whether some source is a stream, which cannot be read twice: the
    /// conversion then reads every source once and sorts in memory. Told
    /// from the file's metadata, without opening it.
    pub(super) fn one_pass(&self) -> bool {
        self.sources.iter().any(|s| match s {
            Source::Path(p) => std::fs::metadata(p).is_ok_and(|m| !m.is_file()),
            Source::Bytes { .. } => false,
        })
    }

    /// The report of source `i` and the name errors use. A stream's
    /// reader (counting into `progress`) is kept for the pass that reads
    /// its rows; any other reader goes.
    pub(super) fn kind(
        &mut self,
        i: usize,
        b: &ReaderBuilder,
        progress: Option<&Progress>,
    ) -> Result<(ReportKind, Arc<str>)> {
        if let Source::Bytes { .. } = &self.sources[i] {
            let r = self.reader(i, b, None)?;
            return Ok((r.kind(), r.file().clone()));
        }
        match self.open(i, b, progress)? {
            Some(Opened::Stream(Some(r))) => Ok((r.kind(), r.file().clone())),
            Some(Opened::File(f)) => {
                let r = b.reader_of(&f.reopen()?)?;
                Ok((r.kind(), r.file().clone()))
            }
            _ => Err(Error::usage(format!(
                "{}: a stream cannot be read twice",
                self.sources[i].name()
            ))),
        }
    }

    /// A reader of source `i` from its start, counting the bytes it reads
    /// into `progress` when given. A stream's reader is handed out once.
    pub(super) fn reader(
        &mut self,
        i: usize,
        b: &ReaderBuilder,
        progress: Option<&Progress>,
    ) -> Result<Reader> {
        let name = self.sources[i].name();
        match &self.sources[i] {
            Source::Path(_) => {}
            Source::Bytes { name, bytes } => {
                let c = Cursor::new(bytes.clone());
                return match progress {
                    None => b.from_reader(name.clone(), c),
                    Some(pr) => b.from_reader(name.clone(), ProgressRead::new(c, pr.clone())),
                };
            }
        }
        match self.open(i, b, progress)? {
            Some(Opened::File(f)) => match progress {
                None => b.reader_of(&f.reopen()?),
                Some(pr) => {
                    let f = f.reopen()?;
                    let rd = ProgressRead::new(f.reader_at(0), pr.clone());
                    b.from_reader(f.name().clone(), rd)
                }
            },
            Some(Opened::Stream(r)) => r
                .take()
                .map(|r| *r)
                .ok_or_else(|| Error::usage(format!("{name}: a stream cannot be read twice"))),
            None => Err(Error::usage(format!("{name}: not a file"))),
        }
    }

    /// Opens file source `i` the first time (a stream's reader with it);
    /// `None` for in-memory bytes.
    fn open(
        &mut self,
        i: usize,
        b: &ReaderBuilder,
        progress: Option<&Progress>,
    ) -> Result<Option<&mut Opened>> {
        let Source::Path(p) = &self.sources[i] else {
            return Ok(None);
        };
        let slot = &mut self.opened[i];
        if slot.is_none() {
            let f = OpenFile::open(p)?;
            *slot = Some(if f.len().is_some() {
                // Past the first few files, the handle closes and each pass
                // opens the file again (see `read::file::keep_open`).
                Opened::File(if i < keep_open() { f } else { f.closed() })
            } else {
                let r = match progress {
                    None => b.reader_of(&f)?,
                    Some(pr) => {
                        let rd = ProgressRead::new(f.reader_at(0), pr.clone());
                        b.from_reader(f.name().clone(), rd)?
                    }
                };
                Opened::Stream(Some(Box::new(r)))
            });
        }
        Ok(slot.as_mut())
    }
}
