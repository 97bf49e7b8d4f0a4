//! Error types of the library.
//!
//! Every error a user can cause carries what they need to fix it: the file,
//! the line, the key or flag, and what is allowed. The binary prints the
//! error on one line and exits with status 2.

use std::fmt;

/// Where in a workload file a value came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The file name, or `preset NAME` for an embedded preset.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.file, line),
            None => write!(f, "{}", self.file),
        }
    }
}

/// An invalid workload: names the place, the key, and what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    /// Where the bad value is.
    pub origin: Origin,
    /// The dotted key, such as `fields.user.s`.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.origin, self.message)
        } else {
            write!(f, "{}: `{}`: {}", self.origin, self.key, self.message)
        }
    }
}

impl std::error::Error for SpecError {}

/// Errors of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A workload file or flag value is invalid.
    #[error("{0}")]
    Spec(#[from] SpecError),
    /// A command-line value is invalid; names the flag.
    #[error("{flag}: {message}")]
    Flag {
        /// The flag, such as `--partitions`.
        flag: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A trace file holds a line that cannot be used.
    #[error("{path}:{line}: {message}")]
    Trace {
        /// The trace file.
        path: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// Anything else, already phrased for the user.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// A flag error.
    pub fn flag(flag: &str, message: impl Into<String>) -> Self {
        Error::Flag {
            flag: flag.to_string(),
            message: message.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

/// Result with the library's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
