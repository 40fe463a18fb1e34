//! Walking a folder: depth first, each folder's entries sorted by name, with
//! an explicit stack (a recursive walk overflowed the stack at about 2,000
//! levels and canonicalised every path, which made deep trees cubic: issue 13,
//! item 15).
//!
//! Hidden entries (names beginning with `.`) and entries matched by a
//! `.liftedignore` file are skipped. Symbolic links are followed only when
//! they lead inside the folder being walked, unless `--follow` is given
//! (ripgrep's convention; item 14): a link out of the folder could otherwise
//! put any readable file, such as a private key, into a report. Each folder is
//! walked once (known by device and inode), which also stops symlink loops.
//! A file or subfolder that cannot be read is skipped with a warning.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use ignore::gitignore::Gitignore;

use super::paths::{escaped, escaped_path, file_key, special_kind, Seen};
use super::{liftedignore, Reader};
use crate::error::{Error, Result, Warning};

/// A folder being listed: its entries not yet visited.
struct Folder {
    entries: std::vec::IntoIter<Entry>,
    /// How many `.liftedignore` files applied before this folder.
    ignores_before: usize,
}

/// An entry of a folder, with its type as listed (links not followed).
struct Entry {
    path: PathBuf,
    kind: io::Result<fs::FileType>,
}

/// The folder being walked.
struct Root<'p> {
    /// As given: ids are relative to it.
    path: &'p Path,
    /// Canonical: links that lead out of it are not followed.
    canonical: PathBuf,
}

impl Reader<'_> {
    /// Read every document under the folder `root`.
    pub(super) fn walk(&mut self, root: &Path, metadata: &fs::Metadata) -> Result<()> {
        if let Some(message) = self.walked_before(root, metadata) {
            self.corpus
                .warnings
                .push(Warning::file(escaped_path(root), message));
            return Ok(());
        }
        let canonical = fs::canonicalize(root).map_err(|source| Error::Read {
            path: root.to_path_buf(),
            source,
        })?;
        let root = Root {
            path: root,
            canonical,
        };
        self.root = Some(escaped_path(root.path));
        let walked = self.walk_from(&root);
        self.root = None;
        walked
    }

    fn walk_from(&mut self, root: &Root) -> Result<()> {
        let mut ignores = Vec::new();
        let mut stack = vec![open_folder(root.path, &mut ignores)?];
        while let Some(folder) = stack.last_mut() {
            let Some(entry) = folder.entries.next() else {
                let done = stack.pop().expect("the stack holds this folder");
                ignores.truncate(done.ignores_before);
                continue;
            };
            let Some(path) = self.visit(root, &ignores, entry)? else {
                continue;
            };
            match open_folder(&path, &mut ignores) {
                Ok(folder) => stack.push(folder),
                // A subfolder that cannot be listed is skipped like an
                // unreadable file.
                Err(Error::Read {
                    path: failed,
                    source,
                }) if failed == path => self.skip(&path, &cannot_read(&source))?,
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Read the entry if it is a file; return its path if it is a folder to
    /// walk into.
    fn visit(
        &mut self,
        root: &Root,
        ignores: &[Gitignore],
        entry: Entry,
    ) -> Result<Option<PathBuf>> {
        let path = entry.path;
        let Some((kind, metadata)) = self.resolve(root, ignores, &path, entry.kind)? else {
            return Ok(None);
        };
        if kind.is_dir() {
            let metadata = match metadata.map_or_else(|| fs::metadata(&path), Ok) {
                Ok(metadata) => metadata,
                Err(error) => {
                    self.skip(&path, &cannot_read(&error))?;
                    return Ok(None);
                }
            };
            if let Some(message) = self.walked_before(&path, &metadata) {
                self.corpus
                    .warnings
                    .push(Warning::file(escaped_path(&path), message));
                return Ok(None);
            }
            return Ok(Some(path));
        }
        if !kind.is_file() {
            let message = format!("{}, not a regular file, skipped", special_kind(kind));
            self.skip(&path, &message)?;
            return Ok(None);
        }
        let id = relative_id(root.path, &path);
        match self.read_file(&path, id, false) {
            // A file that cannot be opened (permissions, a vanished file) is
            // skipped like a binary one.
            Err(Error::Read {
                path: failed,
                source,
            }) if failed == path => self.skip(&path, &cannot_read(&source))?,
            other => other?,
        }
        Ok(None)
    }

    /// The type of the entry at `path` (of a link, of its target, with the
    /// target's metadata), or `None` when it is not to be read: listed as
    /// ignored, a broken link, or a link out of the folder without `--follow`.
    fn resolve(
        &mut self,
        root: &Root,
        ignores: &[Gitignore],
        path: &Path,
        kind: io::Result<fs::FileType>,
    ) -> Result<Option<(fs::FileType, Option<fs::Metadata>)>> {
        let kind = match kind {
            Ok(kind) if !kind.is_symlink() => {
                let ignored = liftedignore::is_ignored(ignores, path, kind.is_dir());
                return Ok((!ignored).then_some((kind, None)));
            }
            Ok(link) => link,
            Err(error) => {
                self.skip(path, &cannot_read(&error))?;
                return Ok(None);
            }
        };
        let followed = fs::metadata(path).and_then(|metadata| {
            let inside =
                self.options.follow || fs::canonicalize(path)?.starts_with(&root.canonical);
            Ok((metadata, inside))
        });
        match followed {
            Err(error) => {
                if !liftedignore::is_ignored(ignores, path, kind.is_dir()) {
                    self.skip(path, &broken_link(&error))?;
                }
                Ok(None)
            }
            Ok((metadata, _)) if liftedignore::is_ignored(ignores, path, metadata.is_dir()) => {
                Ok(None)
            }
            Ok((_, false)) => {
                self.corpus.warnings.push(Warning::file(
                    escaped_path(path),
                    "symbolic link to a path outside the folder, not followed; \
                     pass --follow to read it",
                ));
                Ok(None)
            }
            Ok((metadata, true)) => Ok(Some((metadata.file_type(), Some(metadata)))),
        }
    }

    /// Why the folder at `path` is not walked again, if it was walked before:
    /// a link back to a folder that contains it, or the same folder reached
    /// again (named twice, inside a folder named, or through a link).
    fn walked_before(&mut self, path: &Path, metadata: &fs::Metadata) -> Option<String> {
        let key = file_key(path, metadata)?;
        if let Some(first) = self.folders.get(&key) {
            return Some(if path != first.path && path.starts_with(&first.path) {
                let first = escaped_path(&first.path);
                format!("symlink loop (leads back to {first}), skipped")
            } else {
                first.again(path, "folder", self.root.as_ref())
            });
        }
        let seen = Seen {
            path: path.to_path_buf(),
            root: self.root.clone(),
        };
        self.folders.insert(key, seen);
        None
    }
}

/// List the folder at `path` (its hidden entries left out) in name order, and
/// add its `.liftedignore` patterns to `ignores`.
fn open_folder(path: &Path, ignores: &mut Vec<Gitignore>) -> Result<Folder> {
    let read_error = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut entries = Vec::new();
    for entry in fs::read_dir(path).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let name = entry.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        entries.push(Entry {
            path: entry.path(),
            kind: entry.file_type(),
        });
    }
    // In one folder, ordering paths is ordering names (byte order on Unix).
    entries.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    let ignores_before = ignores.len();
    // A `.liftedignore` that cannot be opened (its path too long, say) makes
    // the folder unreadable: skipped like one that cannot be listed.
    let patterns = liftedignore::load(path).map_err(|error| match error {
        Error::Read { source, .. } => read_error(source),
        other => other,
    })?;
    if let Some(patterns) = patterns {
        ignores.push(patterns);
    }
    Ok(Folder {
        entries: entries.into_iter(),
        ignores_before,
    })
}

/// The id of `path` found under the folder `root`: the relative path, `/`
/// between names, each name escaped as in [`super::Document::id`].
fn relative_id(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let names: Vec<String> = relative
        .components()
        .map(|name| escaped(name.as_os_str()))
        .collect();
    names.join("/")
}

/// Why a file or folder cannot be read, for a warning.
fn cannot_read(error: &io::Error) -> String {
    // ENAMETOOLONG: Linux 36, macOS and the BSDs 63.
    if matches!(error.raw_os_error(), Some(36) if cfg!(target_os = "linux"))
        || matches!(error.raw_os_error(), Some(63) if cfg!(not(target_os = "linux")))
    {
        return "path longer than the system allows (folders nested too deep), skipped".to_string();
    }
    format!("cannot read ({error}), skipped")
}

/// Why a symbolic link cannot be followed, for a warning.
fn broken_link(error: &io::Error) -> String {
    if error.kind() == io::ErrorKind::NotFound {
        "broken symbolic link (its target does not exist), skipped".to_string()
    } else {
        format!("symbolic link that cannot be followed ({error}), skipped")
    }
}
