//! One input file, opened once: every reader of it (the date-order scan,
//! the reader of its header, the readers of its chunks, a read again from
//! its start) reads through the one handle.
//!
//! A regular file is read by position (`read_at` on Unix, `seek_read` on
//! Windows), each reader at its own offset, so readers on several threads
//! share the handle without sharing a file offset. Anything else (a FIFO,
//! a process substitution, a character device) is a *stream*: it is read
//! once, from where it is, and never sought.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};

/// An input file opened once (see the [module docs](self)).
#[derive(Clone, Debug)]
pub(crate) struct OpenFile {
    name: Arc<str>,
    file: Arc<File>,
    /// The length of a file read by position; `None` for a stream.
    len: Option<u64>,
}

impl OpenFile {
    /// Opens `path`; its name as given is what errors name.
    pub(crate) fn open(path: &Path) -> Result<OpenFile> {
        let name: Arc<str> = path.to_string_lossy().into();
        let file = File::open(path).map_err(|e| Error::io(name.clone(), e))?;
        // Positional reads exist on Unix and Windows; elsewhere every file
        // is read as a stream.
        let len = match file.metadata() {
            Ok(m) if m.is_file() && cfg!(any(unix, windows)) => Some(m.len()),
            _ => None,
        };
        Ok(OpenFile {
            name,
            file: Arc::new(file),
            len,
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
    pub(crate) fn reader_at(&self, offset: u64) -> FileRead {
        FileRead {
            file: self.file.clone(),
            at: self.len.map(|_| offset),
        }
    }
}

/// A reader of an [`OpenFile`]: by position (its own offset), or the
/// stream.
pub(crate) struct FileRead {
    file: Arc<File>,
    /// The next byte to read, for a positional reader.
    at: Option<u64>,
}

impl Read for FileRead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.at {
            Some(at) => {
                let n = read_at(&self.file, buf, *at)?;
                *at += n as u64;
                Ok(n)
            }
            None => (&*self.file).read(buf),
        }
    }
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
