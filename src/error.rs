//! The fatal error type.
//!
//! An [`Error`] stops reading the record (or the source) it concerns. Data
//! defects carry a full [`Diagnostic`] (code, file, line, field, raw value),
//! so the same finding reads the same whether a reader stopped on it or
//! `rcx validate` collected it. I/O and usage errors are kept apart because a
//! command that meets them "could not run" (exit 2) rather than "found a
//! defect" (exit 1).

use std::fmt;
use std::io;
use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic};
use crate::position::Location;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A fatal error. Small (one pointer) so that `Result<bool>` stays cheap on
/// the hot path; the detail is in [`ErrorKind`].
///
/// ```
/// use ringcx_reports::{Code, Error, Location, Position};
/// let e = Error::data(Code::BadInterval,
///     Location::new("q.csv", Position::new(0, 2, 0)).with_field("interval"),
///     "expected 15, 30, 45 or 60", "20");
/// assert_eq!(e.code(), Some(Code::BadInterval));
/// assert_eq!(e.location().unwrap().pos.line(), 2);
/// assert!(!e.is_io());
/// ```
pub struct Error(Box<ErrorKind>);

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing failed.
    Io {
        /// The file (or `<stdin>`, `<stdout>`).
        file: Arc<str>,
        /// The underlying error.
        source: io::Error,
    },
    /// The data has a defect: the diagnostic says which, where, and the raw
    /// value.
    Data(Diagnostic),
    /// The request cannot be carried out as asked (an option, a zone name, a
    /// report kind that does not match the file).
    Usage(String),
}

impl Error {
    /// An I/O error on `file`.
    ///
    /// An error returned by a [`Destination`](crate::write::Destination)
    /// keeps the destination's name (the user's path, or `<stdout>`) rather
    /// than `file`: code that formats into any `Write` can pass a placeholder
    /// such as `<output>` and the message still names the real output.
    pub fn io(file: impl Into<Arc<str>>, source: io::Error) -> Self {
        let (file, source) = match NamedIo::take(source) {
            Ok((named, source)) => (named, source),
            Err(source) => (file.into(), source),
        };
        Error(Box::new(ErrorKind::Io { file, source }))
    }

    /// A data defect.
    pub fn data(
        code: Code,
        location: Location,
        message: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        Error(Box::new(ErrorKind::Data(Diagnostic::new(
            code,
            location,
            message,
            Some(value.into()),
        ))))
    }

    /// A data defect that concerns no single value.
    pub fn structure(code: Code, location: Location, message: impl Into<String>) -> Self {
        Error(Box::new(ErrorKind::Data(Diagnostic::new(
            code, location, message, None,
        ))))
    }

    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Self {
        Error(Box::new(ErrorKind::Usage(message.into())))
    }

    /// The kind of error.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// Unwraps the kind.
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }

    /// The finding's code, for data defects.
    pub fn code(&self) -> Option<Code> {
        self.diagnostic().map(|d| d.code)
    }

    /// The diagnostic, for data defects.
    pub fn diagnostic(&self) -> Option<&Diagnostic> {
        match &*self.0 {
            ErrorKind::Data(d) => Some(d),
            _ => None,
        }
    }

    /// File, line and field, for data defects.
    pub fn location(&self) -> Option<&Location> {
        self.diagnostic().map(|d| &d.location)
    }

    /// True for I/O errors.
    pub fn is_io(&self) -> bool {
        matches!(&*self.0, ErrorKind::Io { .. })
    }

    /// True for usage errors.
    pub fn is_usage(&self) -> bool {
        matches!(&*self.0, ErrorKind::Usage(_))
    }

    /// True for an I/O error caused by a closed pipe (a reader such as `head`
    /// went away), which a command treats as success.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(&*self.0, ErrorKind::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ErrorKind::Io { file, source } => write!(f, "{file}: {source}"),
            ErrorKind::Data(d) => fmt::Display::fmt(d, f),
            ErrorKind::Usage(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.0 {
            ErrorKind::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// An I/O error carrying the name of the file it concerns, so that
/// [`Error::io`] can name that file whatever the caller passes. Its message
/// is the inner error's: the name is added once, by `Error`'s `Display`.
#[derive(Debug)]
pub(crate) struct NamedIo {
    file: Arc<str>,
    source: io::Error,
}

impl NamedIo {
    /// `source` with `file` attached, same kind (so `write_all` still retries
    /// `Interrupted`, and a broken pipe is still a broken pipe). An error
    /// that already names a file keeps its name.
    pub(crate) fn wrap(file: &Arc<str>, source: io::Error) -> io::Error {
        if source.get_ref().is_some_and(|e| e.is::<NamedIo>()) {
            return source;
        }
        io::Error::new(
            source.kind(),
            NamedIo {
                file: file.clone(),
                source,
            },
        )
    }

    /// The name and the inner error, or `e` unchanged when it names no file.
    fn take(e: io::Error) -> std::result::Result<(Arc<str>, io::Error), io::Error> {
        if !e.get_ref().is_some_and(|inner| inner.is::<NamedIo>()) {
            return Err(e);
        }
        let kind = e.kind();
        match e.into_inner().map(|inner| inner.downcast::<NamedIo>()) {
            Some(Ok(n)) => Ok((n.file, n.source)),
            Some(Err(other)) => Err(io::Error::new(kind, other)),
            None => Err(io::Error::from(kind)),
        }
    }
}

impl fmt::Display for NamedIo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.source, f)
    }
}

impl std::error::Error for NamedIo {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.source()
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error(Box::new(ErrorKind::Data(d)))
    }
}
