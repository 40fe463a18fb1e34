//! `.liftedignore`: the entries of a folder not to read, in gitignore syntax.
//!
//! A `.liftedignore` file in any scanned folder applies to that folder and
//! everything below it, as a `.gitignore` does: one pattern per line, `#`
//! starts a comment, `*` matches any run of characters but `/`, `**` matches
//! across folders, a trailing `/` matches folders only, a leading `/` (or a
//! `/` inside the pattern) anchors it to the folder of the file, and `!`
//! reads again what an earlier pattern skipped. A deeper file wins over its
//! parents. Lines are trimmed of surrounding whitespace. Matching is done by
//! the `ignore` crate, ripgrep's own (issue 13, item 15).

use std::fs;
use std::io;
use std::path::Path;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use crate::error::{Error, Result};

/// Name of the file, in any folder, that lists entries of that folder to skip.
pub const IGNORE_FILE: &str = ".liftedignore";

/// The patterns of `dir`'s `.liftedignore`, if it has one with patterns.
pub(super) fn load(dir: &Path) -> Result<Option<Gitignore>> {
    let path = dir.join(IGNORE_FILE);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(Error::Read { path, source }),
    };
    let mut builder = GitignoreBuilder::new(dir);
    for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let number = index as u64 + 1;
        let line = std::str::from_utf8(line).map_err(|error| {
            let at = error.valid_up_to();
            Error::IgnoreFile {
                path: path.clone(),
                line: Some(number),
                reason: format!(
                    "not UTF-8 (byte 0x{:02X} at column {}); save the file as UTF-8",
                    line[at],
                    at + 1
                ),
            }
        })?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        builder
            .add_line(None, line)
            .map_err(|error| Error::IgnoreFile {
                path: path.clone(),
                line: Some(number),
                reason: format!("bad pattern {line:?} ({error}); fix or remove it"),
            })?;
    }
    let patterns = builder.build().map_err(|error| Error::IgnoreFile {
        path: path.clone(),
        line: None,
        reason: error.to_string(),
    })?;
    Ok((!patterns.is_empty()).then_some(patterns))
}

/// Whether `path` is skipped by the `.liftedignore` files of its folders,
/// `active` from the outermost to the innermost (the innermost decides).
pub(super) fn is_ignored(active: &[Gitignore], path: &Path, is_dir: bool) -> bool {
    for patterns in active.iter().rev() {
        match patterns.matched(path, is_dir) {
            Match::Ignore(_) => return true,
            Match::Whitelist(_) => return false,
            Match::None => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(dir: &Path, text: &[u8]) -> Result<Option<Gitignore>> {
        fs::write(dir.join(IGNORE_FILE), text).unwrap();
        load(dir)
    }

    #[test]
    fn gitignore_syntax_with_the_old_star_patterns() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let active = [patterns(
            root,
            b"# not documents\n  manifest.csv  \n*.md\ndrafts/\n/top.txt\nsub/**/*.tmp\n!keep.md\n",
        )
        .unwrap()
        .unwrap()];
        let ignored = |name: &str, is_dir: bool| is_ignored(&active, &root.join(name), is_dir);
        assert!(ignored("manifest.csv", false));
        assert!(ignored("deeper/manifest.csv", false));
        assert!(ignored("notes.md", false) && !ignored("notes.mdx", false));
        assert!(!ignored("keep.md", false));
        assert!(ignored("drafts", true) && !ignored("drafts", false));
        assert!(ignored("top.txt", false) && !ignored("sub/top.txt", false));
        assert!(ignored("sub/a/b/x.tmp", false) && !ignored("x.tmp", false));
        assert!(!ignored("a.txt", false));
    }

    #[test]
    fn deeper_files_win() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        let outer = patterns(dir.path(), b"*.txt\n").unwrap().unwrap();
        let inner = patterns(&sub, b"!a.txt\n").unwrap().unwrap();
        let active = [outer, inner];
        assert!(!is_ignored(&active, &sub.join("a.txt"), false));
        assert!(is_ignored(&active, &sub.join("b.txt"), false));
    }

    #[test]
    fn latin1_byte_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let error = patterns(dir.path(), b"ok.txt\ncaf\xe9.txt\n").unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains(".liftedignore:2: not UTF-8 (byte 0xE9 at column 4)"),
            "{message}"
        );
        assert!(patterns(dir.path(), b"# only comments\n\n")
            .unwrap()
            .is_none());
    }
}
