//! Inputs that cannot be read by position, made into ones that can: the
//! standard input (`-`), pipes, FIFOs and process substitutions, and
//! compressed files (SPEC 9.1). Each is read once, on one thread, decoded
//! when its first bytes name a compression (gzip, multi-member too; zstd;
//! bzip2; a zip archive of one member — never the file name), into an anonymous temporary file, which
//! every reader of the input then reads by position: in parallel chunks,
//! and again from its start where a command needs a second pass. Memory
//! stays bounded (a copy buffer); the temporary file takes the decoded
//! size on disk (under `TMPDIR`) and is gone when the run ends.
//!
//! An input is spooled once per process, by the path it was named by, so
//! that a command opening it twice (to tell its report, then to read it)
//! reads the same bytes and never waits on a pipe already drained.

#[cfg(feature = "compressed")]
use std::cell::Cell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
#[cfg(feature = "compressed")]
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::error::{Error, Result};

/// A compression told by the first bytes of an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compression {
    Gzip,
    Zstd,
    Bzip2,
    Zip,
}

impl Compression {
    /// The compression whose magic bytes `head` starts with.
    pub(crate) fn of(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Compression::Gzip)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Compression::Zstd)
        } else if head.starts_with(b"BZh") && head.get(3).is_some_and(|d| (b'1'..=b'9').contains(d))
        {
            Some(Compression::Bzip2)
        } else if head.starts_with(b"PK\x03\x04") {
            Some(Compression::Zip)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
            Compression::Zip => "zip",
        }
    }
}

/// The most a compressed input may expand: decoded bytes past
/// `MAX_RATIO` × the compressed bytes read so far, plus [`SLACK`], are
/// refused as a decompression bomb. Exports compress some 4 to 30 times;
/// deflate alone reaches about 1000 on zeros.
#[cfg(feature = "compressed")]
const MAX_RATIO: u64 = 200;

/// The decoded bytes always allowed, whatever the ratio.
#[cfg(feature = "compressed")]
const SLACK: u64 = 64 << 20;

/// The inputs spooled so far in this process, by the path they were named
/// by.
fn registry() -> &'static Mutex<HashMap<PathBuf, Arc<File>>> {
    static SPOOLED: OnceLock<Mutex<HashMap<PathBuf, Arc<File>>>> = OnceLock::new();
    SPOOLED.get_or_init(Mutex::default)
}

/// The spooled copy of the input named `path`, if it was spooled already.
pub(crate) fn spooled(path: &Path) -> Option<Arc<File>> {
    let done = registry().lock().unwrap_or_else(PoisonError::into_inner);
    done.get(path).cloned()
}

/// The spooled copy of the input named `path`, read from `source` (the
/// first time; then the same copy), decoded if its first bytes name a
/// compression; `name` is what errors name.
pub(crate) fn spool(path: &Path, name: &Arc<str>, source: impl Read) -> Result<Arc<File>> {
    let mut done = registry().lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(f) = done.get(path) {
        return Ok(f.clone());
    }
    let file = Arc::new(decode_into_temp(name, source)?);
    done.insert(path.to_path_buf(), file.clone());
    Ok(file)
}

/// Copies `source` into an anonymous temporary file, decoded when its
/// first bytes name a compression.
fn decode_into_temp(name: &Arc<str>, mut source: impl Read) -> Result<File> {
    let io = |e: io::Error| Error::io(name.clone(), e);
    // The first bytes, kept to be read again in front of the rest.
    let mut head = Vec::with_capacity(4);
    (&mut source).take(4).read_to_end(&mut head).map_err(io)?;
    let whole = io::Cursor::new(head.clone()).chain(source);
    let mut out = tempfile::tempfile().map_err(|e| {
        let why = format!("a temporary file failed ({e})");
        Error::io(name.clone(), io::Error::new(e.kind(), why))
    })?;
    match Compression::of(&head) {
        None => {
            io::copy(&mut { whole }, &mut out).map_err(io)?;
        }
        Some(c) => decode(name, c, whole, &mut out)?,
    }
    out.flush().map_err(io)?;
    Ok(out)
}

#[cfg(feature = "compressed")]
fn decode(name: &Arc<str>, c: Compression, src: impl Read, out: &mut File) -> Result<()> {
    let read = Rc::new(Cell::new(0u64));
    let src = Counted {
        inner: src,
        n: read.clone(),
    };
    let decoder: Box<dyn Read + '_> = match c {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(src)),
        Compression::Zstd => {
            Box::new(zstd::stream::read::Decoder::new(src).map_err(|e| failed(name, c.name(), e))?)
        }
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(src)),
        Compression::Zip => return unzip(name, src.inner, out),
    };
    copy_bounded(name, c.name(), decoder, || read.get(), out)
}

/// The one member of a zip archive, decoded into `out`; an archive of
/// several members (or of a directory) is refused, naming them.
#[cfg(feature = "compressed")]
fn unzip(name: &Arc<str>, mut src: impl Read, out: &mut File) -> Result<()> {
    // The archive's directory is at its end: the raw bytes first.
    let mut raw = tempfile::tempfile().map_err(|e| Error::io(name.clone(), e))?;
    let size = io::copy(&mut src, &mut raw).map_err(|e| Error::io(name.clone(), e))?;
    let bad = |e: zip::result::ZipError| Error::usage(format!("{name}: zip archive: {e}"));
    let mut archive = zip::ZipArchive::new(raw).map_err(bad)?;
    let mut members: Vec<String> = archive.file_names().map(str::to_owned).collect();
    members.sort();
    if members.len() != 1 {
        return Err(Error::usage(format!(
            "{name}: a zip archive of {} members ({}); only an archive of one is read: unzip \
             it and name the files",
            members.len(),
            members.join(", ")
        )));
    }
    let member = archive.by_index(0).map_err(bad)?;
    if member.is_dir() {
        return Err(Error::usage(format!(
            "{name}: a zip archive holding only the directory {}",
            members[0]
        )));
    }
    copy_bounded(name, "zip", Box::new(member), || size, out)
}

/// Copies `decoder` into `out`, refusing a decompression bomb: decoded
/// bytes past [`MAX_RATIO`] × the compressed bytes read so far
/// (`compressed`), plus [`SLACK`].
#[cfg(feature = "compressed")]
fn copy_bounded(
    name: &Arc<str>,
    form: &str,
    mut decoder: Box<dyn Read + '_>,
    compressed: impl Fn() -> u64,
    out: &mut File,
) -> Result<()> {
    let mut buf = vec![0u8; 256 << 10];
    let mut decoded = 0u64;
    loop {
        let n = match decoder.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(failed(name, form, e)),
        };
        decoded += n as u64;
        let read = compressed();
        if decoded > read.saturating_mul(MAX_RATIO).saturating_add(SLACK) {
            return Err(Error::usage(format!(
                "{name}: the {form} input expands past {MAX_RATIO} times its size ({decoded} \
                 bytes decoded from {read}): refused as a decompression bomb"
            )));
        }
        out.write_all(&buf[..n])
            .map_err(|e| Error::io(name.clone(), e))?;
    }
}

/// A failed read of a compressed input, naming the file and the form.
#[cfg(feature = "compressed")]
fn failed(name: &Arc<str>, form: &str, e: io::Error) -> Error {
    let why = format!("{form} input: {e}");
    Error::io(name.clone(), io::Error::new(e.kind(), why))
}

#[cfg(not(feature = "compressed"))]
fn decode(name: &Arc<str>, c: Compression, _src: impl Read, _out: &mut File) -> Result<()> {
    Err(Error::usage(format!(
        "{name}: a {} input; this build reads compressed input only with the `compressed` \
         feature",
        c.name()
    )))
}

/// A reader counting the bytes read through it into `n` (the compressed
/// bytes, for the ratio check).
#[cfg(feature = "compressed")]
struct Counted<R> {
    inner: R,
    n: Rc<Cell<u64>>,
}

#[cfg(feature = "compressed")]
impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n.set(self.n.get() + n as u64);
        Ok(n)
    }
}
