//! Ingest: turn the paths given on the command line into [`Document`]s.
//!
//! A path is a text file, a folder (walked in sorted order, see [`walk`]),
//! `-` for standard input, a JSONL file (`.jsonl`, `.jsonl.gz`, `.json.gz`,
//! `.jsonl.zst`, `.json.zst`, or any file with `--jsonl`) holding one document
//! per line with an id and a text field, the convention of passim and
//! text-dedup (see [`jsonl`]), or a Parquet or Arrow IPC file holding one
//! document per row (see [`columnar`]). A record may carry its date
//! (`--date-field`), kept in [`Document::date`].
//!
//! Documents keep their original bytes: every offset the tool reports is a byte
//! offset into them (for JSONL, into the UTF-8 of the text field). Files that a
//! batch user would rather skip (binary, compressed, UTF-16, empty, too large)
//! become warnings unless `strict` is set; invalid UTF-8 is read with U+FFFD in
//! place of the bad bytes (offsets stay those of the original file) and a
//! warning naming the first bad byte.
//!
//! Each file is read once: files are known by device and inode, so a file named
//! twice, named inside a folder also given, or reached through a symbolic link
//! or hard link is read at the first path met and the others are warnings
//! (issue 13, item 8). Sizes are checked before reading (item 16).
//!
//! The reading is split by what it reads: `inputs` (each path named:
//! standard input or a file, classified by its name), `walk` (folders),
//! `jsonl`, `columnar` (Parquet and Arrow) and `sniff` (text or not);
//! `share` reads one process's share of the inputs for the staged route;
//! `paths` says how a path is written in ids and known again. They all
//! fill the one `Reader` defined here.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::error::{Error, Result, Warning};
use crate::manifest::Date;

mod catalog;
mod columnar;
pub use catalog::{Catalog, Documents};
pub(crate) use columnar::guarded;
mod inputs;
mod jsonl;
mod liftedignore;
mod paths;
mod share;
mod sniff;
mod walk;

pub use liftedignore::IGNORE_FILE;
use paths::{escaped_path, FileKey, Seen};
pub use share::{read_share, Share, SharedCorpus, POSITION_LINE_BITS};

/// Default largest document: 256 MiB (a file, standard input or a JSONL text).
pub const DEFAULT_MAX_DOC_BYTES: u64 = 256 << 20;
/// Default largest JSONL line: 512 MiB (a text's JSON escapes can double it).
pub const DEFAULT_MAX_LINE_BYTES: u64 = 512 << 20;
/// The largest `max_doc_bytes`: offsets into a document are 32-bit.
pub const MAX_DOC_BYTES_CEILING: u64 = u32::MAX as u64;

/// How to read the inputs.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Read every file (and standard input) as JSONL, whatever its name.
    pub jsonl: bool,
    /// JSONL field (Parquet/Arrow column) holding the document id.
    pub id_field: String,
    /// JSONL field (Parquet/Arrow column) holding the document text.
    pub text_field: String,
    /// JSONL field (Parquet/Arrow column) holding the document's date, if any.
    pub date_field: Option<String>,
    /// Skip malformed JSONL lines and bad Parquet/Arrow rows (counted in a
    /// warning) instead of stopping.
    pub skip_bad_lines: bool,
    /// Refuse, instead of skipping with a warning, files that are not clean UTF-8 text.
    pub strict: bool,
    /// Follow symbolic links that lead out of the folder being walked (by
    /// default they are skipped with a warning).
    pub follow: bool,
    /// Largest document in bytes (a file, standard input or a JSONL text), at
    /// most [`MAX_DOC_BYTES_CEILING`].
    pub max_doc_bytes: u64,
    /// Largest JSONL line in bytes, after decompression.
    pub max_line_bytes: u64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            jsonl: false,
            id_field: "id".to_string(),
            text_field: "text".to_string(),
            date_field: None,
            skip_bad_lines: false,
            strict: false,
            follow: false,
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        }
    }
}

/// One input document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Stable id: the path relative to the folder given, the path as given for a
    /// file named directly, `-` for standard input, or the JSONL id. Bytes of a
    /// file name that are not UTF-8 are written `\xNN` (and a backslash in such
    /// a name `\\`), so that two names never share an id.
    pub id: String,
    /// Where it came from, for messages (`file` or `file:line`), escaped as the id.
    pub origin: String,
    /// Position in input order (arguments, then sorted folder order, then line order).
    pub order: u32,
    /// The original bytes.
    pub text: Vec<u8>,
    /// The date given in the record itself (`--date-field`), if any.
    pub date: Option<Date>,
}

/// All documents of a run, sorted by id, with the warnings met on the way.
#[derive(Debug, Default)]
pub struct Corpus {
    /// Documents sorted by id.
    pub documents: Vec<Document>,
    /// Files or lines skipped or read with care.
    pub warnings: Vec<Warning>,
}

impl Corpus {
    /// Total bytes of text.
    pub fn bytes(&self) -> u64 {
        self.documents.iter().map(|d| d.text.len() as u64).sum()
    }
}

/// Read every path into one corpus, sorted by document id.
pub fn read_inputs(paths: &[PathBuf], options: &IngestOptions) -> Result<Corpus> {
    let corpus = read_documents_where(paths, options, &|_| true)?;
    check_corpus(corpus, paths, options)
}

/// Read every path, keeping only the documents whose id `keep` accepts
/// (the others are read, counted in the input order and dropped): one shard
/// of the corpus, sorted by id, for the staged route ([`crate::stage`]).
/// Duplicate ids and oversized documents are refused as [`read_inputs`]
/// does; the checks on the whole corpus are [`check_corpus`]'s.
pub fn read_documents_where(
    paths: &[PathBuf],
    options: &IngestOptions,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Corpus> {
    let mut reader = Reader::new(options);
    reader.keep = Some(keep);
    for path in paths {
        reader.read_argument(path)?;
    }
    let mut corpus = reader.corpus;
    corpus.documents.sort_by(|a, b| a.id.cmp(&b.id));
    check_shard(&corpus)?;
    Ok(corpus)
}

/// No id twice and no document over 4 GiB in `corpus` (sorted by id).
fn check_shard(corpus: &Corpus) -> Result<()> {
    for pair in corpus.documents.windows(2) {
        if pair[0].id == pair[1].id {
            return Err(Error::DuplicateId {
                id: pair[0].id.clone(),
                first: pair[0].origin.clone(),
                second: pair[1].origin.clone(),
            });
        }
    }
    for document in &corpus.documents {
        if document.text.len() > u32::MAX as usize {
            return Err(Error::TooLarge {
                id: document.id.clone(),
                bytes: document.text.len(),
            });
        }
    }
    Ok(())
}

/// The checks on a whole corpus (sorted by id) read from `paths`: a warning
/// when no record has a `--date-field`, an error when there is no document.
pub fn check_corpus(corpus: Corpus, paths: &[PathBuf], options: &IngestOptions) -> Result<Corpus> {
    check_documents(corpus, paths, options)
}

/// [`check_corpus`] for any [`Documents`] (the staged report's [`Catalog`]).
pub fn check_documents<D: Documents>(
    mut documents: D,
    paths: &[PathBuf],
    options: &IngestOptions,
) -> Result<D> {
    let count = documents.count();
    if let Some(field) = &options.date_field {
        if count > 0 && (0..count).all(|d| documents.date(d).is_none()) {
            // Most likely a misspelt field: say so rather than scan undated.
            documents.warnings_mut().push(Warning::file(
                "--date-field",
                format!("no record has a date in {field:?}; check the field's name"),
            ));
        }
    }
    if count == 0 {
        let names: Vec<String> = paths.iter().map(|p| escaped_path(p)).collect();
        return Err(Error::NoDocuments {
            paths: names.join(", "),
            skipped: std::mem::take(documents.warnings_mut()),
        });
    }
    Ok(documents)
}

struct Reader<'a> {
    options: &'a IngestOptions,
    corpus: Corpus,
    /// Which documents to keep (all when `None`).
    keep: Option<&'a (dyn Fn(&str) -> bool + Sync)>,
    /// Documents read so far, kept or not: the next one's input order.
    read: u32,
    /// Files read (or refused) so far: where they were met.
    files: HashMap<FileKey, Seen>,
    /// Folders walked so far: where they were met.
    folders: HashMap<FileKey, Seen>,
    /// The folder named on the command line being walked, if any.
    root: Option<String>,
    /// Whether standard input was read.
    stdin_read: bool,
    /// This process's share of the inputs, in the staged route.
    share: Option<Share>,
    /// Files met so far (read or not): the next one's place, for shares.
    files_met: u64,
    /// Shares: where in the input order each document read sits.
    positions: Vec<u64>,
    /// Shares: the place of the file being read, shifted.
    file_position: u64,
    /// Shares: documents read from the file being read, and the line of the
    /// JSONL record being added (set by the JSONL reader).
    in_file: u64,
    line: Option<u64>,
    /// Shares: the first line of the range being read, less one.
    first_line: u64,
    /// Shares: the warnings (indexes) met while reading files of this share.
    content: Vec<std::ops::Range<usize>>,
    /// Shares: the warnings met before each file was (`files_met`).
    file_starts: Vec<usize>,
}

impl<'a> Reader<'a> {
    fn new(options: &'a IngestOptions) -> Reader<'a> {
        Reader {
            options,
            corpus: Corpus::default(),
            keep: None,
            read: 0,
            files: HashMap::new(),
            folders: HashMap::new(),
            root: None,
            stdin_read: false,
            share: None,
            files_met: 0,
            positions: Vec::new(),
            file_position: 0,
            in_file: 0,
            line: None,
            first_line: 0,
            content: Vec::new(),
            file_starts: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::path::Path;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn folder_ids_are_relative_and_sorted_hidden_skipped() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "b.txt", b"beta text");
        write(dir.path(), "sub/a.txt", b"alpha text");
        write(dir.path(), ".hidden.txt", b"hidden");
        let corpus = read_inputs(&[dir.path().to_path_buf()], &IngestOptions::default()).unwrap();
        let ids: Vec<&str> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["b.txt", "sub/a.txt"]);
    }

    #[test]
    fn liftedignore_skips_listed_names() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"some words");
        write(dir.path(), "manifest.csv", b"id,date");
        write(dir.path(), "notes.md", b"notes");
        write(
            dir.path(),
            IGNORE_FILE,
            b"# not documents\nmanifest.csv\n*.md\n",
        );
        let corpus = read_inputs(&[dir.path().to_path_buf()], &IngestOptions::default()).unwrap();
        let ids: Vec<&str> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a.txt"]);
    }

    #[test]
    fn binary_in_folder_is_skipped_with_warning_but_error_when_strict() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"some words here");
        write(dir.path(), "b.bin", b"abc\0def");
        let corpus = read_inputs(&[dir.path().to_path_buf()], &IngestOptions::default()).unwrap();
        assert_eq!(corpus.documents.len(), 1);
        assert!(corpus.warnings[0].message.contains("NUL byte at offset 3"));
        let strict = IngestOptions {
            strict: true,
            ..IngestOptions::default()
        };
        assert!(read_inputs(&[dir.path().to_path_buf()], &strict).is_err());
    }

    #[test]
    fn jsonl_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "c.jsonl",
            b"{\"id\":\"x\",\"text\":\"hello\"}\n\n{\"id\":\"y\"}\n",
        );
        let error =
            read_inputs(std::slice::from_ref(&path), &IngestOptions::default()).unwrap_err();
        assert!(error
            .to_string()
            .contains("c.jsonl:3: missing field \"text\""));
        let skipping = IngestOptions {
            skip_bad_lines: true,
            ..IngestOptions::default()
        };
        let corpus = read_inputs(&[path], &skipping).unwrap();
        assert_eq!(corpus.documents.len(), 1);
        assert_eq!(corpus.warnings[0].line, Some(3));
    }

    #[test]
    fn duplicate_ids_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "d.jsonl",
            b"{\"id\":1,\"text\":\"a\"}\n{\"id\":\"1\",\"text\":\"b\"}",
        );
        let error = read_inputs(&[path], &IngestOptions::default()).unwrap_err();
        assert!(matches!(error, Error::DuplicateId { .. }), "{error}");
    }

    #[test]
    fn invalid_utf8_warns_with_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "e.txt", b"caf\xe9 au lait");
        let corpus = read_inputs(&[path], &IngestOptions::default()).unwrap();
        assert!(corpus.warnings[0].message.contains("byte 3"));
        assert_eq!(corpus.documents[0].text, b"caf\xe9 au lait");
    }
}
