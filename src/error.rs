//! Typed errors and warnings of the library.
//!
//! Every error names the file (and the line, for JSONL) it is about and says what
//! to do, so that the binary can print it on one line and exit with code 2. The
//! library never prints: problems that a batch user would rather skip (a binary
//! file inside a folder, an undecodable byte) become [`Warning`]s that the caller
//! shows.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Result alias used across the library.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A path given on the command line does not exist.
    #[error("{}: no such file or folder; check the path", path.display())]
    NotFound {
        /// The missing path.
        path: PathBuf,
    },
    /// A file or folder could not be read.
    #[error("{}: cannot read: {source}; {}", path.display(), read_hint(source))]
    Read {
        /// The path that failed.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// A path is neither a regular file nor a folder (socket, FIFO, device).
    #[error("{}: not a regular file or folder ({kind}); pass text files, folders or JSONL", path.display())]
    NotAFile {
        /// The offending path.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// A file's content is not text this tool can read (in `--strict` mode, or
    /// when the file was named directly).
    #[error("{}: {reason}", path.display())]
    NotText {
        /// The offending file.
        path: PathBuf,
        /// Why it was refused and what to do.
        reason: String,
    },
    /// A JSONL record that cannot be used.
    #[error("{}:{line}: {reason}; fix the line or pass --skip-bad-lines", path.display())]
    BadLine {
        /// The JSONL file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// Two documents have the same id.
    #[error("duplicate document id {id:?} ({first} and {second}); ids must be unique: rename one file or fix the JSONL id")]
    DuplicateId {
        /// The id seen twice.
        id: String,
        /// Where it was first seen.
        first: String,
        /// Where it was seen again.
        second: String,
    },
    /// Nothing to scan.
    #[error(
        "no text documents found in {}{}; pass text files, folders or JSONL files",
        paths,
        skipped_summary(skipped)
    )]
    NoDocuments {
        /// The inputs that were given, joined.
        paths: String,
        /// Why inputs were skipped (the warnings met, which the caller never
        /// sees since the run stops here).
        skipped: Vec<Warning>,
    },
    /// A document too large for 32-bit offsets.
    #[error("{id}: document of {bytes} bytes is larger than the 4 GiB limit; split it")]
    TooLarge {
        /// Document id.
        id: String,
        /// Its size.
        bytes: usize,
    },
    /// A parameter value that cannot work.
    #[error("invalid --{parameter}: {reason}")]
    Config {
        /// The flag's name, without dashes.
        parameter: &'static str,
        /// Why the value was refused.
        reason: String,
    },
    /// A problem in the manifest of dates.
    #[error("{}{}: {reason}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<u64>,
        /// What is wrong.
        reason: String,
    },
    /// A problem in an expected (golden) provenance map.
    #[error("{}: {reason}", path.display())]
    Expected {
        /// The golden file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// An output file could not be written.
    #[error("{}: cannot write: {source}; check that the folder exists and is writable", path.display())]
    Write {
        /// The output path.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The run was interrupted (Ctrl-C); nothing was written.
    #[error("interrupted; no output was written")]
    Interrupted,
    /// A file larger than the limit for one document (checked before reading).
    #[error("{}: {} larger than the {} limit for one document; raise --max-doc-bytes (at most 4 GiB) or split it", path.display(), bytes.map(|b| format!("{} is", size(b))).unwrap_or_else(|| "input".to_string()), size(*limit))]
    DocumentTooLarge {
        /// The file (`-` for standard input).
        path: PathBuf,
        /// Its size, when known before reading (not for standard input).
        bytes: Option<u64>,
        /// The limit (`--max-doc-bytes`).
        limit: u64,
    },
    /// A JSONL line longer than the limit (read no further than the limit).
    #[error("{}:{line}: line longer than the {} limit; raise --max-line-bytes or pass --skip-bad-lines", path.display(), size(*limit))]
    LineTooLong {
        /// The JSONL file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// The limit (`--max-line-bytes`).
        limit: u64,
    },
    /// A Parquet or Arrow IPC file that cannot be used: a missing column, a
    /// column of the wrong type, or a corrupt file.
    #[error("{}: {reason}", path.display())]
    Columnar {
        /// The Parquet or Arrow file.
        path: PathBuf,
        /// What is wrong (naming the column) and what to do.
        reason: String,
    },
    /// A Parquet or Arrow record that cannot be used (a bad date).
    #[error("{}: row {row}: {reason}", path.display())]
    BadRow {
        /// The Parquet or Arrow file.
        path: PathBuf,
        /// 1-based row number in the file.
        row: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// A `.liftedignore` file that cannot be used.
    #[error("{}{}: {reason}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    IgnoreFile {
        /// The `.liftedignore` file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<u64>,
        /// What is wrong and what to do.
        reason: String,
    },
    /// A benchmark corpus (such as a PAN folder) that cannot be used.
    #[error("{}{}: {reason}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Benchmark {
        /// The file or folder.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<u64>,
        /// What is wrong and what to do.
        reason: String,
    },
    /// A file of the staged route (`lifted stage`, `lifted worker`) that is
    /// missing, corrupt or from another run.
    #[error("{}: {reason}", path.display())]
    Stage {
        /// The shard file or work folder.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
}

/// A problem that does not stop the run: the input was skipped or read with care.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    /// The file concerned.
    pub path: String,
    /// 1-based line for JSONL inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// What happened and what was done.
    pub message: String,
}

impl Warning {
    /// A warning about a whole file.
    pub fn file(path: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning {
            path: path.into(),
            line: None,
            message: message.into(),
        }
    }
}

/// Shown to people (standard error, the text and HTML reports): control and
/// bidirectional formatting characters of a file name or message are escaped
/// visibly (`crate::report::escape::for_terminal`).
impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::report::escape::for_terminal;
        let (path, message) = (for_terminal(&self.path), for_terminal(&self.message));
        match self.line {
            Some(line) => write!(f, "{path}:{line}: {message}"),
            None => write!(f, "{path}: {message}"),
        }
    }
}

/// ": 2 input(s) skipped [a: why] [b: why]", at most three named.
fn skipped_summary(skipped: &[Warning]) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let mut out = format!(": {} input(s) skipped", skipped.len());
    for warning in skipped.iter().take(3) {
        out.push_str(&format!(" [{warning}]"));
    }
    if skipped.len() > 3 {
        out.push_str(&format!(" and {} more", skipped.len() - 3));
    }
    out
}

/// What to do about a read error, from its kind.
fn read_hint(error: &io::Error) -> &'static str {
    // ELOOP: Linux 40, macOS and the BSDs 62.
    let symlink_loop = match error.raw_os_error() {
        Some(40) => cfg!(target_os = "linux"),
        Some(62) => cfg!(any(
            target_os = "macos",
            target_os = "freebsd",
            target_os = "openbsd",
            target_os = "netbsd"
        )),
        _ => false,
    };
    if symlink_loop {
        "a symlink loop: fix or remove the link"
    } else {
        match error.kind() {
            io::ErrorKind::PermissionDenied => "check its permissions (chmod u+r)",
            io::ErrorKind::NotFound => "check the path",
            io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
                "the file is corrupt or truncated"
            }
            _ => "check that it exists and is readable",
        }
    }
}

/// A byte count for messages: "256 MiB", "1.5 GiB", "4096 bytes".
pub fn size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            let tenths = bytes * 10 / unit;
            return if tenths.is_multiple_of(10) {
                format!("{} {name}", tenths / 10)
            } else {
                format!("{}.{} {name}", tenths / 10, tenths % 10)
            };
        }
    }
    format!("{bytes} bytes")
}

/// Shorthand for a configuration error.
pub(crate) fn config(parameter: &'static str, reason: impl Into<String>) -> Error {
    Error::Config {
        parameter,
        reason: reason.into(),
    }
}
