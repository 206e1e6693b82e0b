//! One input file, opened once: every reader of it (the date-order scan,
//! the reader of its header, the readers of its chunks, a read again from
//! its start) reads through the one handle.
//!
//! A regular file is read by position (`read_at` on Unix, `seek_read` on
//! Windows), each reader at its own offset, so readers on several threads
//! share the handle without sharing a file offset. Anything else (a FIFO,
//! a process substitution, a character device) is a *stream*: it is read
//! once, from where it is, and never sought.
//!
//! A regular file's handle can be *closed* ([`OpenFile::closed`]) while the
//! file stays known (its name, length and identity), and opened again later
//! ([`OpenFile::reopen`]), which refuses a file that changed in between: so
//! that a run over more files than the open-file limit allows keeps only a
//! bounded number of handles ([`keep_open`]).

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use super::spool;
use crate::error::{Error, Result};

/// An input file opened once (see the [module docs](self)).
#[derive(Clone, Debug)]
pub(crate) struct OpenFile {
    name: Arc<str>,
    path: Arc<Path>,
    /// The handle; `None` once [closed](Self::closed).
    file: Option<Arc<File>>,
    /// The length of a file read by position; `None` for a stream.
    len: Option<u64>,
    /// What tells the file opened again from another file (for a file read
    /// by position).
    stamp: Option<Stamp>,
}

/// The identity of a regular file: its length and modification time, and on
/// Unix its device and inode.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    dev_ino: (u64, u64),
}

impl Stamp {
    fn of(m: &Metadata) -> Stamp {
        Stamp {
            len: m.len(),
            modified: m.modified().ok(),
            #[cfg(unix)]
            dev_ino: {
                use std::os::unix::fs::MetadataExt;
                (m.dev(), m.ino())
            },
        }
    }
}

/// How many regular-file handles a run keeps open for its whole length: a
/// quarter of the soft open-file limit where it can be read (Linux, from
/// `/proc/self/limits`), at most 64, at least 4; 64 elsewhere. The rest of
/// a run's files are closed after their header and opened again when the
/// run reaches them.
pub(crate) fn keep_open() -> usize {
    const MOST: usize = 64;
    soft_limit().map_or(MOST, |n| (n / 4).clamp(4, MOST))
}

/// The soft limit on open files, where it can be read without a system
/// call binding.
fn soft_limit() -> Option<usize> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    // "Max open files   <soft>   <hard>   files"; "unlimited" parses as none.
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

impl OpenFile {
    /// Opens `path`; its name as given is what errors name. `-` is the
    /// standard input. An input that cannot be read by position (the
    /// standard input, a pipe or FIFO) or is compressed is read once and
    /// decoded into a temporary file, which is then read by position
    /// ([`spool`](super::spool)).
    pub(crate) fn open(path: &Path) -> Result<OpenFile> {
        let name: Arc<str> = path.to_string_lossy().into();
        let positional = cfg!(any(unix, windows));
        if let Some(f) = spool::spooled(path) {
            return Ok(OpenFile::spooled(name, path, f));
        }
        if path.as_os_str() == "-" {
            if !positional {
                return Err(Error::usage(
                    "-: the standard input is read only where files can be read by position",
                ));
            }
            let f = spool::spool(path, &name, io::stdin().lock())?;
            return Ok(OpenFile::spooled(name, path, f));
        }
        let file = File::open(path).map_err(|e| Error::io(name.clone(), e))?;
        match file.metadata() {
            // Positional reads exist on Unix and Windows; elsewhere every
            // file is read as a stream.
            _ if !positional => Ok(OpenFile {
                name,
                path: path.into(),
                file: Some(Arc::new(file)),
                len: None,
                stamp: None,
            }),
            Ok(m) if m.is_file() => {
                let mut head = [0u8; 4];
                let n = read_head(&file, &mut head).map_err(|e| Error::io(name.clone(), e))?;
                if spool::Compression::of(&head[..n]).is_some() {
                    let f = spool::spool(path, &name, file)?;
                    return Ok(OpenFile::spooled(name, path, f));
                }
                Ok(OpenFile {
                    name,
                    path: path.into(),
                    file: Some(Arc::new(file)),
                    len: Some(m.len()),
                    stamp: Some(Stamp::of(&m)),
                })
            }
            // A pipe, a FIFO, a device.
            _ => {
                let f = spool::spool(path, &name, file)?;
                Ok(OpenFile::spooled(name, path, f))
            }
        }
    }

    /// The spooled copy `f` of the input named `path`: read by position,
    /// never closed (it could not be opened again by its path).
    fn spooled(name: Arc<str>, path: &Path, f: Arc<File>) -> OpenFile {
        let len = f.metadata().map(|m| m.len()).ok();
        OpenFile {
            name,
            path: path.into(),
            file: Some(f),
            len,
            stamp: None,
        }
    }

    /// The file with this handle closed (when no other clone holds it), to
    /// be [opened again](Self::reopen). A stream is never closed: it could
    /// not be read again.
    pub(crate) fn closed(&self) -> OpenFile {
        let mut f = self.clone();
        if f.stamp.is_some() {
            f.file = None;
        }
        f
    }

    /// The file with an open handle: itself when it has one, else the file
    /// opened again by its path, refused when it is no longer the file
    /// whose header was read (another length, modification time, or on Unix
    /// another inode).
    pub(crate) fn reopen(&self) -> Result<OpenFile> {
        if self.file.is_some() {
            return Ok(self.clone());
        }
        let again = OpenFile::open(&self.path)?;
        if again.stamp.is_none() || again.stamp != self.stamp {
            return Err(Error::usage(format!(
                "{}: the file changed while it was read (its length, modification time or \
                 identity is not the same as when its header was read)",
                self.name
            )));
        }
        Ok(OpenFile {
            name: self.name.clone(),
            ..again
        })
    }

    /// The name errors use.
    pub(crate) fn name(&self) -> &Arc<str> {
        &self.name
    }

    /// The length of a file that can be read by position; `None` for a
    /// stream, which can be read only once.
    pub(crate) fn len(&self) -> Option<u64> {
        self.len
    }

    /// A reader of the file from byte `offset` on, by position, for a file
    /// with a [`len`](Self::len); for a stream, the stream from where it
    /// is (`offset` is then ignored: a stream is read once, from its start).
    /// The reader of a [closed](Self::closed) file fails its reads: open it
    /// [again](Self::reopen) first.
    pub(crate) fn reader_at(&self, offset: u64) -> FileRead {
        FileRead {
            file: self.file.clone(),
            at: self.len.map(|_| offset),
        }
    }
}

/// Opening inputs through a builder: progress counting, and the length
/// of an input as read.
impl super::ReaderBuilder {
    /// Counts the bytes every reader of this builder reads (each chunk of
    /// a parallel run; not the date-order scan) into `progress`, for a
    /// progress display.
    pub fn progress(mut self, progress: crate::progress::Progress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// `rdr`, counted into the builder's progress if it has one.
    pub(super) fn counted(&self, rdr: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
        match &self.progress {
            Some(p) => Box::new(crate::progress::ProgressRead::new(rdr, p.clone())),
            None => rdr,
        }
    }

    /// Opens a file as [`from_path`](Self::from_path) does (`-` the
    /// standard input, compressed input decoded), counting the bytes read
    /// into `progress`.
    pub fn from_path_counted(
        &self,
        path: impl AsRef<Path>,
        progress: &crate::progress::Progress,
    ) -> Result<super::Reader> {
        let f = OpenFile::open(path.as_ref())?;
        let read = crate::progress::ProgressRead::new(f.reader_at(0), progress.clone());
        self.from_reader(f.name().clone(), read)
    }

    /// The length of input `path` as read (decoded), for progress totals.
    pub fn input_len(path: impl AsRef<Path>) -> Option<u64> {
        OpenFile::open(path.as_ref()).ok()?.len()
    }
}

/// A reader of an [`OpenFile`]: by position (its own offset), or the
/// stream.
pub(crate) struct FileRead {
    file: Option<Arc<File>>,
    /// The next byte to read, for a positional reader.
    at: Option<u64>,
}

impl Read for FileRead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(file) = &self.file else {
            return Err(io::Error::other("the file was closed before it was read"));
        };
        match &mut self.at {
            Some(at) => {
                let n = read_at(file, buf, *at)?;
                *at += n as u64;
                Ok(n)
            }
            None => (&**file).read(buf),
        }
    }
}

/// Reads the first bytes of a regular file into `head`, by position: how
/// many there were.
fn read_head(file: &File, head: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < head.len() {
        match read_at(file, &mut head[n..], n as u64)? {
            0 => break,
            got => n += got,
        }
    }
    Ok(n)
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, at)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    // `seek_read` moves the handle's offset too, which no reader of an
    // `OpenFile` relies on: every read of a regular file is positional.
    std::os::windows::fs::FileExt::seek_read(file, buf, at)
}

#[cfg(not(any(unix, windows)))]
fn read_at(_file: &File, _buf: &mut [u8], _at: u64) -> io::Result<usize> {
    // Unreachable: `OpenFile::open` gives no length, hence no positional
    // reader, on these platforms.
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "positional reads are not supported on this platform",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_file_opens_again_and_reads_the_same_bytes_by_position() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.csv");
        std::fs::write(&p, b"0123456789").expect("write");
        let f = OpenFile::open(&p).expect("open").closed();
        let mut s = String::new();
        assert!(f.reader_at(0).read_to_string(&mut s).is_err());
        let again = f.reopen().expect("reopen");
        again.reader_at(4).read_to_string(&mut s).expect("read");
        assert_eq!(s, "456789");
    }

    #[test]
    fn a_file_that_changed_while_closed_is_refused_by_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("day.csv");
        std::fs::write(&p, b"0123456789").expect("write");
        let f = OpenFile::open(&p).expect("open").closed();
        std::fs::write(&p, b"0123456789 and more").expect("rewrite");
        let e = f.reopen().expect_err("a changed file");
        assert!(e.to_string().contains("day.csv"), "{e}");
        assert!(e.to_string().contains("changed"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_file_replaced_by_another_of_the_same_length_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("day.csv");
        std::fs::write(&p, b"0123456789").expect("write");
        let f = OpenFile::open(&p).expect("open").closed();
        let q = dir.path().join("other.csv");
        std::fs::write(&q, b"9876543210").expect("write");
        std::fs::rename(&q, &p).expect("rename");
        let e = f.reopen().expect_err("another file");
        assert!(e.to_string().contains("day.csv"), "{e}");
    }
}
