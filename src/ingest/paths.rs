//! How an input path is written and known again: ids and messages write
//! the bytes of a name that are not UTF-8 as `\xNN` ([`escaped_path`]), a
//! file or folder is known by its device and inode ([`FileKey`], [`Seen`]),
//! so that each is read once, and a path that is neither is named by its
//! kind. Used by the reader ([`super::inputs`]), the walk and the checks.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

/// What identifies a file or folder: its device and inode (elsewhere than
/// Unix, its canonical path).
#[cfg(unix)]
pub(super) type FileKey = (u64, u64);
#[cfg(not(unix))]
pub(super) type FileKey = PathBuf;

#[cfg(unix)]
pub(super) fn file_key(_path: &Path, metadata: &fs::Metadata) -> Option<FileKey> {
    use std::os::unix::fs::MetadataExt;
    Some((metadata.dev(), metadata.ino()))
}

#[cfg(not(unix))]
pub(super) fn file_key(path: &Path, _metadata: &fs::Metadata) -> Option<FileKey> {
    fs::canonicalize(path).ok()
}

/// Where a file or folder was first met: its path (escaped) and the folder
/// named on the command line it was found in, if it was not named itself.
pub(super) struct Seen {
    pub(super) path: PathBuf,
    pub(super) root: Option<String>,
}

impl Seen {
    /// Why `path`, the same file or folder as this one, met again (inside
    /// the folder `walking`, if any), is not read again.
    pub(super) fn again(&self, path: &Path, what: &str, walking: Option<&String>) -> String {
        if path != self.path {
            let first = escaped_path(&self.path);
            return format!("same {what} as {first}, already read; skipped");
        }
        match (&self.root, walking) {
            (Some(root), _) => format!("already read in folder {root}; skipped"),
            (None, Some(_)) => "already read (named on the command line); skipped".to_string(),
            (None, None) => format!("{what} named twice; read once"),
        }
    }
}

/// `path` as text for ids and messages: as it is when it is UTF-8, else with
/// each byte that is not UTF-8 written `\xNN` and each backslash `\\` (so
/// that the text names one path only).
pub(super) fn escaped_path(path: &Path) -> String {
    escaped(path.as_os_str())
}

/// See [`escaped_path`].
#[cfg(unix)]
pub(super) fn escaped(name: &OsStr) -> String {
    use std::fmt::Write;
    use std::os::unix::ffi::OsStrExt;
    let bytes = name.as_bytes();
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else {
                out.push(c);
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02X}");
        }
    }
    out
}

/// See [`escaped_path`] (elsewhere than Unix, names are Unicode already).
#[cfg(not(unix))]
pub(super) fn escaped(name: &OsStr) -> String {
    name.to_string_lossy().into_owned()
}

#[cfg(unix)]
pub(super) fn special_kind(kind: fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO; pipe it into `lifted scan -` instead"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
pub(super) fn special_kind(_kind: fs::FileType) -> &'static str {
    "not a regular file"
}
