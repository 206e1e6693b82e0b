//! Where output goes (SPEC 9.2): standard output, or a path.
//!
//! A path that names a regular file (new or existing, directly or through
//! symlinks) is never written in place: the bytes go to a temporary file in
//! the same directory, which is flushed, synced and renamed over the file
//! only when the output is complete, and the directory is synced after the
//! rename. Until then the old file is untouched; on any error, or when the
//! destination is dropped unfinished, the temporary is removed. Anything else
//! (a character device such as `/dev/null` or `/dev/full`, a FIFO, a socket,
//! or the file the process's own standard output or error is open on) is
//! written through and never replaced, since renaming over a device node or a
//! pipe would destroy it rather than write to it.
//!
//! Errors name the path the user gave, never the temporary. The live
//! temporaries are kept in a process-wide registry so that a signal handler
//! in the binary can remove them ([`remove_temporaries`]); the library
//! installs no handler itself.

use std::fmt;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use tempfile::TempPath;

use crate::error::{Error, NamedIo, Result};

/// Size of the buffer in front of every destination.
const BUFFER: usize = 1 << 16;

/// Where output goes: standard output, a regular file replaced atomically,
/// or a device, FIFO or socket written through (SPEC 9.2).
///
/// Write into it, then call [`commit`](Destination::commit): for a regular
/// file that is when the new content replaces the old, with the old file's
/// permissions (and owner and group, where the process may set them); a new
/// file gets the mode `File::create` would give it. Dropped without
/// `commit`, a destination leaves the old file as it was and no temporary
/// file behind. Every error, from `create`, a write or `commit`, names the
/// path as given (or `<stdout>`); an [`Error::io`] made from a write error
/// does so too, whatever name the formatting code passed.
///
/// ```
/// use std::io::Write;
/// use ringcx_reports::write::Destination;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("out.csv");
/// std::fs::write(&path, "old\n")?;
///
/// let mut out = Destination::create(&path)?;
/// out.write_all(b"queue,answered\n5686,24\n")?;
/// assert_eq!(std::fs::read_to_string(&path)?, "old\n"); // untouched so far
/// out.commit()?;
/// assert_eq!(std::fs::read_to_string(&path)?, "queue,answered\n5686,24\n");
/// assert_eq!(std::fs::read_dir(dir.path())?.count(), 1); // no temporary left
///
/// // A write error names the path the user gave.
/// # #[cfg(target_os = "linux")] {
/// let full = dir.path().join("full");
/// std::os::unix::fs::symlink("/dev/full", &full)?;
/// let mut out = Destination::create(&full)?;
/// out.write_all(b"x")?; // buffered
/// let e = out.commit().unwrap_err();
/// assert!(e.to_string().starts_with(&format!("{}: ", full.display())), "{e}");
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Destination {
    name: Arc<str>,
    sink: Sink,
}

enum Sink {
    Stdout(BufWriter<io::Stdout>),
    Through(BufWriter<Box<dyn Write + Send>>),
    Replace(Temporary),
}

impl fmt::Debug for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = match &self.sink {
            Sink::Stdout(_) => "stdout",
            Sink::Through(_) => "written through",
            Sink::Replace(_) => "replaced atomically",
        };
        f.debug_struct("Destination")
            .field("name", &self.name)
            .field("sink", &how)
            .finish()
    }
}

impl Destination {
    /// Standard output, named `<stdout>` in errors.
    pub fn stdout() -> Destination {
        Destination {
            name: "<stdout>".into(),
            sink: Sink::Stdout(BufWriter::with_capacity(BUFFER, io::stdout())),
        }
    }

    /// Starts writing `path`: a regular file (or a path that does not exist
    /// yet, or a symlink to either) through a temporary file beside the file
    /// the symlinks lead to; anything else by opening it for writing.
    ///
    /// A directory is refused, and so is a regular file when
    /// [`remove_temporaries`] has run (the process is being interrupted).
    pub fn create(path: impl AsRef<Path>) -> Result<Destination> {
        let path = path.as_ref();
        let name: Arc<str> = path.to_string_lossy().into();
        let err = |e: io::Error| Error::io(name.clone(), e);
        let sink = match fs::metadata(path) {
            Ok(md) => match own_stream(&md) {
                Some(f) => Sink::Through(BufWriter::with_capacity(BUFFER, f)),
                None if md.is_file() => {
                    let target = fs::canonicalize(path).map_err(err)?;
                    Sink::Replace(Temporary::new(target, Some(&md)).map_err(err)?)
                }
                None if md.is_dir() => return Err(err(io::ErrorKind::IsADirectory.into())),
                None => Sink::Through(BufWriter::with_capacity(
                    BUFFER,
                    open_through(path, &md).map_err(err)?,
                )),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let target = new_file_target(path).map_err(err)?;
                Sink::Replace(Temporary::new(target, None).map_err(err)?)
            }
            Err(e) => return Err(err(e)),
        };
        Ok(Destination { name, sink })
    }

    /// The name errors give: the path as given, or `<stdout>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Finishes the output: flushes it and, for a regular file, syncs the
    /// temporary file, gives it the old file's permissions (done at
    /// `create`), renames it over the file and syncs the directory.
    pub fn commit(self) -> Result<()> {
        let err = |e: io::Error| Error::io(self.name.clone(), e);
        match self.sink {
            Sink::Stdout(mut w) => w.flush().map_err(err),
            Sink::Through(mut w) => w.flush().map_err(err),
            Sink::Replace(t) => t.commit().map_err(err),
        }
    }

    fn sink(&mut self) -> &mut dyn Write {
        match &mut self.sink {
            Sink::Stdout(w) => w,
            Sink::Through(w) => w,
            Sink::Replace(t) => t,
        }
    }
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sink()
            .write(buf)
            .map_err(|e| NamedIo::wrap(&self.name, e))
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.sink()
            .write_all(buf)
            .map_err(|e| NamedIo::wrap(&self.name, e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sink()
            .flush()
            .map_err(|e| NamedIo::wrap(&self.name, e))
    }
}

/// Refuses an output path that names one of the inputs: the same file
/// directly, under another spelling (`./x`), through a symlink or as a hard
/// link (same device and inode on Unix; the same canonical path elsewhere).
/// Only a regular file can be overwritten this way, so a device or FIFO
/// that is also read (a terminal that is both standard input and `-o
/// /dev/stdout`) is allowed; inputs that do not exist are left for the
/// reader to report. The error is a usage error naming both paths.
///
/// ```
/// use ringcx_reports::write::check_not_input;
///
/// let dir = tempfile::tempdir()?;
/// let input = dir.path().join("queue.csv");
/// std::fs::write(&input, "x\n")?;
/// let other = dir.path().join("out.csv");
/// assert!(check_not_input(&other, [&input]).is_ok());
/// let same = dir.path().join(".").join("queue.csv");
/// let e = check_not_input(&same, [&input]).unwrap_err();
/// assert!(e.is_usage());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
// Used by `rcx` (and tests/output.rs) to refuse an output path that is an input; not part of the supported API.
#[doc(hidden)]
pub fn check_not_input<P: AsRef<Path>>(
    output: &Path,
    inputs: impl IntoIterator<Item = P>,
) -> Result<()> {
    let Ok(out) = fs::metadata(output) else {
        // Nothing there yet (or unreadable, which `create` reports): no
        // input can be that file.
        return Ok(());
    };
    if !out.is_file() {
        return Ok(());
    }
    for input in inputs {
        let input = input.as_ref();
        let Ok(md) = fs::metadata(input) else {
            continue;
        };
        if same_file(output, &out, input, &md) {
            return Err(Error::usage(format!(
                "{}: the output is the input file {} (the same file); write the output to another path",
                output.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn same_file(_: &Path, a: &Metadata, _: &Path, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &Path, _: &Metadata, b: &Path, _: &Metadata) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Removes every temporary file of a [`Destination`] not yet committed, and
/// stops new ones: after this call, creating a destination for a regular
/// file fails, and so does committing one (the old files stay as they
/// were). Meant for a signal handler of a process about to exit (SIGINT,
/// SIGTERM), so that an interrupted run leaves nothing behind.
///
/// ```
/// use std::io::Write;
/// use ringcx_reports::write::{remove_temporaries, Destination};
/// let dir = tempfile::tempdir()?;
/// let mut out = Destination::create(dir.path().join("big.csv"))?;
/// out.write_all(b"a,b\n")?;
/// remove_temporaries(); // from a SIGTERM handler
/// assert_eq!(std::fs::read_dir(dir.path())?.count(), 0);
/// assert!(out.commit().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
// Used by `rcx` to clean temporary files on an interrupt; not part of the supported API.
#[doc(hidden)]
pub fn remove_temporaries() {
    let mut live = registry();
    live.closed = true;
    for p in live.paths.drain(..) {
        let _ = fs::remove_file(p);
    }
}

/// The temporary files of live destinations.
struct Live {
    /// Set by [`remove_temporaries`]: no temporary is created or renamed
    /// any more.
    closed: bool,
    paths: Vec<PathBuf>,
}

static LIVE: Mutex<Live> = Mutex::new(Live {
    closed: false,
    paths: Vec::new(),
});

fn registry() -> MutexGuard<'static, Live> {
    // A panic elsewhere while holding the lock leaves the list as valid as
    // it was: keep using it.
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

fn interrupted() -> io::Error {
    io::Error::other("interrupted; the output was not written")
}

/// A temporary file beside the file it will replace.
struct Temporary {
    /// `None` once committed.
    file: Option<BufWriter<File>>,
    /// Removes the file when dropped; `None` once renamed.
    path: Option<TempPath>,
    /// The file replaced: the user's path with its symlinks followed.
    target: PathBuf,
}

impl Temporary {
    /// A temporary file for `target` in its directory; `existing` is the
    /// metadata of the file it replaces.
    fn new(target: PathBuf, existing: Option<&Metadata>) -> io::Result<Temporary> {
        let dir = parent_dir(&target).to_path_buf();
        let Some(name) = target.file_name() else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a file name",
            ));
        };
        let prefix = format!(".{}.", name.to_string_lossy());
        let mut open = OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // A new file gets what `File::create` gives (0666 less the
            // umask); a replacement starts private and gets the old mode
            // below.
            open.mode(if existing.is_some() { 0o600 } else { 0o666 });
        }
        let mut live = registry();
        if live.closed {
            return Err(interrupted());
        }
        // Created and registered under the lock, so that a signal handler
        // running `remove_temporaries` either sees it or stops its creation.
        let named = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .make_in(&dir, |p| open.open(p))?;
        let (file, path) = named.into_parts();
        live.paths.push(path.to_path_buf());
        drop(live);
        let t = Temporary {
            file: Some(BufWriter::with_capacity(BUFFER, file)),
            path: Some(path),
            target,
        };
        if let (Some(md), Some(f)) = (existing, &t.file) {
            keep_metadata(f.get_ref(), md)?;
        }
        Ok(t)
    }

    fn commit(mut self) -> io::Result<()> {
        let (Some(file), Some(path)) = (self.file.take(), self.path.take()) else {
            return Err(io::Error::other("output already finished"));
        };
        // From here an error drops `path`, which removes the temporary.
        let file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        let mut live = registry();
        if live.closed {
            return Err(interrupted());
        }
        live.paths.retain(|p| p != &*path);
        // Renamed under the lock: a signal handler running
        // `remove_temporaries` finds either the new file in place or the
        // temporary still registered.
        let renamed = path.persist(&self.target).map_err(|e| e.error);
        drop(live);
        renamed?;
        sync_dir(parent_dir(&self.target))
    }
}

impl Write for Temporary {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(io::Error::other("output already finished")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        // Dropped unfinished: the buffered bytes are discarded, not
        // written, and the temporary file is removed.
        if let Some(f) = self.file.take() {
            drop(f.into_parts());
        }
        if let Some(path) = self.path.take() {
            registry().paths.retain(|p| p != &*path);
            drop(path);
        }
    }
}

/// The directory a file is in (`.` for a bare name).
fn parent_dir(file: &Path) -> &Path {
    match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Gives the replacement the old file's owner, group (where the process
/// may: changing them needs privileges, and a failure leaves the
/// process's own) and permissions.
fn keep_metadata(file: &File, old: &Metadata) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let new = file.metadata()?;
        if (new.uid(), new.gid()) != (old.uid(), old.gid()) {
            let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
        }
    }
    file.set_permissions(old.permissions())
}

/// Where a path that does not exist puts its file: the path itself, or for
/// a dangling symlink the path its chain of links ends at.
fn new_file_target(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    // As many links as Linux follows before ELOOP.
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(md) if md.file_type().is_symlink() => {
                let to = fs::read_link(&p)?;
                p = parent_dir(&p).join(to);
            }
            Ok(_) => return Ok(p),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(p),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Opens what is neither a regular file nor a directory for writing: a
/// device or FIFO by `open`, a Unix socket by connecting to it.
fn open_through(path: &Path, md: &Metadata) -> io::Result<Box<dyn Write + Send>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if md.file_type().is_socket() {
            return Ok(Box::new(std::os::unix::net::UnixStream::connect(path)?));
        }
    }
    let _ = md;
    Ok(Box::new(OpenOptions::new().write(true).open(path)?))
}

/// A descriptor of the process's own standard output or error when `md` is
/// the file it is open on: `-o /dev/stdout` (or that file's path) then
/// writes through that descriptor, keeping its offset and append mode (`>>
/// log`) instead of replacing or truncating the file.
#[cfg(unix)]
fn own_stream(md: &Metadata) -> Option<Box<dyn Write + Send>> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let same = |f: &File| {
        f.metadata()
            .is_ok_and(|m| m.dev() == md.dev() && m.ino() == md.ino())
    };
    let out = io::stdout().as_fd().try_clone_to_owned().map(File::from);
    if let Ok(f) = out {
        if same(&f) {
            return Some(Box::new(f));
        }
    }
    let err = io::stderr().as_fd().try_clone_to_owned().map(File::from);
    match err {
        Ok(f) if same(&f) => Some(Box::new(f)),
        _ => None,
    }
}

#[cfg(not(unix))]
fn own_stream(_: &Metadata) -> Option<Box<dyn Write + Send>> {
    None
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
