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

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::error::{size, Error, Result, Warning};
use crate::manifest::Date;

mod columnar;
pub(crate) use columnar::guarded;
mod jsonl;
mod liftedignore;
mod sniff;
mod walk;

pub use liftedignore::IGNORE_FILE;

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
    Ok(corpus)
}

/// The checks on a whole corpus (sorted by id) read from `paths`: a warning
/// when no record has a `--date-field`, an error when there is no document.
pub fn check_corpus(
    mut corpus: Corpus,
    paths: &[PathBuf],
    options: &IngestOptions,
) -> Result<Corpus> {
    if let Some(field) = &options.date_field {
        if !corpus.documents.is_empty() && corpus.documents.iter().all(|d| d.date.is_none()) {
            // Most likely a misspelt field: say so rather than scan undated.
            corpus.warnings.push(Warning::file(
                "--date-field",
                format!("no record has a date in {field:?}; check the field's name"),
            ));
        }
    }
    if corpus.documents.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| escaped_path(p)).collect();
        return Err(Error::NoDocuments {
            paths: names.join(", "),
            skipped: corpus.warnings,
        });
    }
    Ok(corpus)
}

/// What identifies a file or folder: its device and inode (elsewhere than
/// Unix, its canonical path).
#[cfg(unix)]
type FileKey = (u64, u64);
#[cfg(not(unix))]
type FileKey = PathBuf;

#[cfg(unix)]
fn file_key(_path: &Path, metadata: &fs::Metadata) -> Option<FileKey> {
    use std::os::unix::fs::MetadataExt;
    Some((metadata.dev(), metadata.ino()))
}

#[cfg(not(unix))]
fn file_key(path: &Path, _metadata: &fs::Metadata) -> Option<FileKey> {
    fs::canonicalize(path).ok()
}

/// Where a file or folder was first met: its path (escaped) and the folder
/// named on the command line it was found in, if it was not named itself.
struct Seen {
    path: PathBuf,
    root: Option<String>,
}

impl Seen {
    /// Why `path`, the same file or folder as this one, met again (inside
    /// the folder `walking`, if any), is not read again.
    fn again(&self, path: &Path, what: &str, walking: Option<&String>) -> String {
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
        }
    }
}

impl Reader<'_> {
    fn read_argument(&mut self, path: &Path) -> Result<()> {
        if path.as_os_str() == "-" {
            return self.read_stdin(path);
        }
        let metadata = fs::metadata(path).map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => Error::NotFound {
                path: path.to_path_buf(),
            },
            _ => Error::Read {
                path: path.to_path_buf(),
                source,
            },
        })?;
        if metadata.is_dir() {
            self.walk(path, &metadata)
        } else if metadata.is_file() {
            self.read_file(path, escaped_path(path), true)
        } else {
            Err(Error::NotAFile {
                path: path.to_path_buf(),
                kind: special_kind(metadata.file_type()),
            })
        }
    }

    fn read_stdin(&mut self, path: &Path) -> Result<()> {
        if std::mem::replace(&mut self.stdin_read, true) {
            self.corpus
                .warnings
                .push(Warning::file("-", "standard input named twice; read once"));
            return Ok(());
        }
        let read_error = |source| Error::Read {
            path: path.to_path_buf(),
            source,
        };
        if self.options.jsonl {
            let mut input = BufReader::with_capacity(1 << 16, io::stdin());
            return match self.sniff(&mut input).map_err(read_error)? {
                Some(reason) => Err(Error::NotText {
                    path: path.to_path_buf(),
                    reason,
                }),
                None => self.read_jsonl(path, "-", input),
            };
        }
        let limit = self.options.max_doc_bytes;
        let mut bytes = Vec::new();
        io::stdin()
            .lock()
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(read_error)?;
        if bytes.len() as u64 > limit {
            return Err(Error::DocumentTooLarge {
                path: path.to_path_buf(),
                bytes: None,
                limit,
            });
        }
        self.add_text("-".to_string(), path, bytes, true)
    }

    /// Record a skipped file: a warning, or an error in strict mode.
    fn skip(&mut self, path: &Path, message: &str) -> Result<()> {
        if self.options.strict {
            return Err(Error::NotText {
                path: path.to_path_buf(),
                reason: format!("{message} (--strict)"),
            });
        }
        self.corpus
            .warnings
            .push(Warning::file(escaped_path(path), message));
        Ok(())
    }

    /// Read the regular file at `path` (as `id`), once: a file already met at
    /// another path is a warning. `named`: given on the command line.
    fn read_file(&mut self, path: &Path, id: String, named: bool) -> Result<()> {
        let read_error = |source| Error::Read {
            path: path.to_path_buf(),
            source,
        };
        let file = fs::File::open(path).map_err(read_error)?;
        // The size and identity of the file opened, not of whatever the path
        // names a moment later.
        let metadata = file.metadata().map_err(read_error)?;
        let origin = escaped_path(path);
        if let Some(key) = file_key(path, &metadata) {
            if let Some(first) = self.files.get(&key) {
                let message = first.again(path, "file", self.root.as_ref());
                self.corpus.warnings.push(Warning::file(origin, message));
                return Ok(());
            }
            let seen = Seen {
                path: path.to_path_buf(),
                root: self.root.clone(),
            };
            self.files.insert(key, seen);
        }
        let name = path.as_os_str().as_encoded_bytes();
        let ends = |suffixes: &[&str]| suffixes.iter().any(|s| name.ends_with(s.as_bytes()));
        if ends(&[".parquet"]) {
            return self.read_parquet(path, &origin, file);
        }
        if ends(&[".arrow", ".ipc", ".feather"]) {
            return self.read_arrow(path, &origin, file);
        }
        if ends(&[".jsonl.gz", ".json.gz"]) {
            let decoder = flate2::read::MultiGzDecoder::new(BufReader::new(file));
            return self.read_jsonl_file(path, &origin, decoder, named);
        }
        if ends(&[".jsonl.zst", ".json.zst"]) {
            // The decoder reads every frame, as `zstd -d` does; the bounded
            // line reader then applies --max-line-bytes to what it gives.
            let decoder = zstd::stream::read::Decoder::new(file).map_err(read_error)?;
            return self.read_jsonl_file(path, &origin, decoder, named);
        }
        if ends(&[".jsonl"]) || self.options.jsonl {
            return self.read_jsonl_file(path, &origin, file, named);
        }
        let limit = self.options.max_doc_bytes;
        if metadata.len() > limit {
            return self.too_large(path, metadata.len(), named);
        }
        // The file may have grown since: read no more than the limit.
        let mut bytes = Vec::with_capacity(metadata.len() as usize);
        (&file)
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(read_error)?;
        if bytes.len() as u64 > limit {
            return self.too_large(path, bytes.len() as u64, named);
        }
        self.add_text(id, path, bytes, named)
    }

    /// A file over `--max-doc-bytes`: an error when named, else skipped.
    fn too_large(&mut self, path: &Path, bytes: u64, named: bool) -> Result<()> {
        let limit = self.options.max_doc_bytes;
        if named {
            return Err(Error::DocumentTooLarge {
                path: path.to_path_buf(),
                bytes: Some(bytes),
                limit,
            });
        }
        self.skip(
            path,
            &format!(
                "{} is larger than the {} limit for one document, skipped; \
                 raise --max-doc-bytes to read it",
                size(bytes),
                size(limit)
            ),
        )
    }

    /// Read a JSONL file, unless its first bytes are not text (a compressed
    /// or binary file named `.jsonl`): refused like any binary file.
    fn read_jsonl_file(
        &mut self,
        path: &Path,
        origin: &str,
        input: impl Read + Send,
        named: bool,
    ) -> Result<()> {
        let mut input = BufReader::with_capacity(1 << 16, input);
        let sniffed = self.sniff(&mut input).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        match sniffed {
            Some(reason) if named => Err(Error::NotText {
                path: path.to_path_buf(),
                reason,
            }),
            Some(reason) => self.skip(path, &reason),
            None => self.read_jsonl(path, origin, input),
        }
    }

    /// Why the buffered input is not text, from its first bytes (none: empty input).
    fn sniff(&self, input: &mut impl BufRead) -> io::Result<Option<String>> {
        let head = loop {
            match input.fill_buf() {
                Ok(head) => break head,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        Ok(if head.is_empty() {
            None
        } else {
            sniff::refusal(head)
        })
    }

    fn add_text(&mut self, id: String, path: &Path, bytes: Vec<u8>, named: bool) -> Result<()> {
        if let Some(reason) = sniff::refusal(&bytes) {
            // A file named on the command line that cannot be read is an error
            // even without --strict: the user asked for it explicitly.
            if named && !bytes.is_empty() {
                return Err(Error::NotText {
                    path: path.to_path_buf(),
                    reason,
                });
            }
            return self.skip(path, &reason);
        }
        if let Err(error) = simdutf8::compat::from_utf8(&bytes) {
            let offset = error.valid_up_to();
            if self.options.strict {
                return Err(Error::NotText {
                    path: path.to_path_buf(),
                    reason: format!(
                        "invalid UTF-8 at byte {offset}; convert the file to UTF-8 or drop --strict"
                    ),
                });
            }
            self.corpus.warnings.push(Warning::file(
                escaped_path(path),
                format!(
                    "invalid UTF-8 at byte {offset}; bad bytes read as U+FFFD, offsets unchanged"
                ),
            ));
        }
        let order = self.next_order();
        self.push(Document {
            id,
            origin: escaped_path(path),
            order,
            text: bytes,
            date: None,
        });
        Ok(())
    }

    fn next_order(&self) -> u32 {
        self.read
    }

    /// Add a document read (when it is to be kept): the next one's order follows it.
    fn push(&mut self, document: Document) {
        self.read = self.read.saturating_add(1);
        if self.keep.is_none_or(|keep| keep(&document.id)) {
            self.corpus.documents.push(document);
        }
    }
}

/// `path` as text for ids and messages: as it is when it is UTF-8, else with
/// each byte that is not UTF-8 written `\xNN` and each backslash `\\` (so
/// that the text names one path only).
fn escaped_path(path: &Path) -> String {
    escaped(path.as_os_str())
}

/// See [`escaped_path`].
#[cfg(unix)]
fn escaped(name: &OsStr) -> String {
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
fn escaped(name: &OsStr) -> String {
    name.to_string_lossy().into_owned()
}

#[cfg(unix)]
fn special_kind(kind: fs::FileType) -> &'static str {
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
fn special_kind(_kind: fs::FileType) -> &'static str {
    "not a regular file"
}

#[cfg(test)]
mod tests {
    use super::*;

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
