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

mod catalog;
mod columnar;
pub use catalog::{Catalog, Documents};
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

/// One process's part of the inputs in the staged route (issue 15): rank
/// `rank` of `world`. Every process walks the same paths in the same order;
/// each plain JSONL file is cut into `world` byte ranges at line starts and
/// process `rank` reads range `rank`; every other file (a text file, a
/// compressed JSONL file, a Parquet or Arrow file, standard input) is read
/// whole by the process `n % world`, `n` its place among the files met.
/// So the processes together read each input once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    /// This process, below `world`.
    pub rank: usize,
    /// How many processes share the inputs.
    pub world: usize,
}

/// Bits of an input position ([`read_share`]) that hold the line (or row)
/// in its file; the file's place among the files met is above them.
pub const POSITION_LINE_BITS: u32 = 40;

/// A share of the corpus ([`read_share`]): its documents sorted by id, and
/// each one's position in the input order of the whole corpus, which every
/// process computes alike: the file's place among the files met, shifted by
/// [`POSITION_LINE_BITS`], plus the line (JSONL) or row in that file.
/// `positions[d.order]` is document `d`'s.
#[derive(Debug, Default)]
pub struct SharedCorpus {
    /// The documents of this share (`order` counts them in reading order).
    pub corpus: Corpus,
    /// Input position of each, indexed by its `order`.
    pub positions: Vec<u64>,
    /// Where each warning of `corpus` was met, for putting the shares'
    /// warnings back in `scan`'s order: files met before it, and whether
    /// it is about the walk (rank 0's) rather than a file's content (a walk
    /// warning follows the content warnings of the file before it).
    pub warning_places: Vec<(u64, bool)>,
}

/// Read this process's share of the inputs (see [`Share`]). Walk warnings
/// (files named twice, skipped entries) are rank 0's only; a file's own
/// warnings are those of the process reading it, so the shares' warnings
/// together are `scan`'s, but for `--skip-bad-lines`' count of malformed
/// lines, which each share of a JSONL file counts for its range.
pub fn read_share(
    paths: &[PathBuf],
    options: &IngestOptions,
    share: Share,
) -> Result<SharedCorpus> {
    let mut reader = Reader::new(options);
    reader.share = Some(share);
    for path in paths {
        reader.read_argument(path)?;
    }
    let mut corpus = reader.corpus;
    let content = reader.content;
    let starts = reader.file_starts;
    let mut warning_places = Vec::new();
    let mut warnings = Vec::new();
    for (i, warning) in corpus.warnings.into_iter().enumerate() {
        let walk = !content.iter().any(|r| r.contains(&i));
        if walk && share.rank != 0 {
            continue;
        }
        let place = starts.partition_point(|&start| start <= i) as u64;
        warning_places.push((place, walk));
        warnings.push(warning);
    }
    corpus.warnings = warnings;
    corpus.documents.sort_by(|a, b| a.id.cmp(&b.id));
    check_shard(&corpus)?;
    Ok(SharedCorpus {
        corpus,
        positions: reader.positions,
        warning_places,
    })
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
        if !self.start_file(None) {
            return Ok(());
        }
        let before = self.corpus.warnings.len();
        let read = self.read_stdin_now(path);
        self.content.push(before..self.corpus.warnings.len());
        read
    }

    /// Shares: count the file met (`jsonl_size`: a plain JSONL file of that
    /// many bytes, read in ranges by every process) and say whether this
    /// process reads it (or a range of it). Always true outside shares.
    fn start_file(&mut self, jsonl_size: Option<u64>) -> bool {
        let place = self.files_met;
        self.files_met += 1;
        self.file_starts.push(self.corpus.warnings.len());
        self.file_position = place << POSITION_LINE_BITS;
        self.in_file = 0;
        self.first_line = 0;
        match self.share {
            None => true,
            Some(_) if jsonl_size.is_some() => true,
            Some(share) => place % share.world as u64 == share.rank as u64,
        }
    }

    fn read_stdin_now(&mut self, path: &Path) -> Result<()> {
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
        let plain_jsonl = !ends(&[
            ".parquet",
            ".arrow",
            ".ipc",
            ".feather",
            ".jsonl.gz",
            ".json.gz",
            ".jsonl.zst",
            ".json.zst",
        ]) && (ends(&[".jsonl"]) || self.options.jsonl);
        if !self.start_file(plain_jsonl.then_some(metadata.len())) {
            return Ok(());
        }
        let before = self.corpus.warnings.len();
        let read = match self.share {
            Some(share) if plain_jsonl => {
                self.read_jsonl_range(path, &origin, file, metadata.len(), share, named)
            }
            _ => self.read_file_now(path, id, named, file, &metadata, &origin),
        };
        self.content.push(before..self.corpus.warnings.len());
        read
    }

    /// [`read_file`](Self::read_file) once the file is known to be read here.
    fn read_file_now(
        &mut self,
        path: &Path,
        id: String,
        named: bool,
        file: fs::File,
        metadata: &fs::Metadata,
        origin: &str,
    ) -> Result<()> {
        let read_error = |source| Error::Read {
            path: path.to_path_buf(),
            source,
        };
        let origin = origin.to_string();
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

    /// Shares: read range `share.rank` of `share.world` of the plain JSONL
    /// file `file` (`len` bytes), cut at line starts, its lines numbered as
    /// in the whole file. The file's first bytes are sniffed by every
    /// process; a file that is not text is skipped (warning) by rank 0's range.
    fn read_jsonl_range(
        &mut self,
        path: &Path,
        origin: &str,
        mut file: fs::File,
        len: u64,
        share: Share,
        named: bool,
    ) -> Result<()> {
        use std::io::{Seek, SeekFrom};
        let read_error = |source| Error::Read {
            path: path.to_path_buf(),
            source,
        };
        let mut head = BufReader::with_capacity(1 << 16, &file);
        let sniffed = self.sniff(&mut head).map_err(read_error)?;
        drop(head);
        if let Some(reason) = sniffed {
            return match () {
                _ if named => Err(Error::NotText {
                    path: path.to_path_buf(),
                    reason,
                }),
                _ if share.rank == 0 => self.skip(path, &reason),
                _ => Ok(()),
            };
        }
        let start = line_start(&mut file, len, share.rank, share.world).map_err(read_error)?;
        let end = line_start(&mut file, len, share.rank + 1, share.world).map_err(read_error)?;
        if start >= end {
            return Ok(());
        }
        file.seek(SeekFrom::Start(0)).map_err(read_error)?;
        let lines = count_lines((&mut file).take(start)).map_err(read_error)?;
        file.seek(SeekFrom::Start(start)).map_err(read_error)?;
        self.first_line = lines;
        let input = BufReader::with_capacity(1 << 16, file.take(end - start));
        let read = self.read_jsonl(path, origin, input);
        self.first_line = 0;
        read
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
        if self.share.is_some() {
            let within = self.line.take().unwrap_or(self.in_file);
            self.in_file += 1;
            self.positions.push(self.file_position | within);
        }
        if self.keep.is_none_or(|keep| keep(&document.id)) {
            self.corpus.documents.push(document);
        }
    }
}

/// Where range `piece` of `pieces` of a file of `len` bytes starts: at
/// `len * piece / pieces`, moved on to the start of the next line (0 for
/// the first piece, `len` past the last).
fn line_start(file: &mut fs::File, len: u64, piece: usize, pieces: usize) -> io::Result<u64> {
    use std::io::{Seek, SeekFrom};
    if piece == 0 {
        return Ok(0);
    }
    if piece >= pieces {
        return Ok(len);
    }
    let cut = (len as u128 * piece as u128 / pieces as u128) as u64;
    if cut == 0 {
        return Ok(0);
    }
    // The line that holds byte `cut - 1` ends at or after it.
    file.seek(SeekFrom::Start(cut - 1))?;
    let mut input = BufReader::with_capacity(1 << 16, file);
    let skipped = input.skip_until(b'\n')? as u64;
    Ok((cut - 1 + skipped).min(len))
}

/// Lines that end in `input` (its newlines).
fn count_lines(mut input: impl Read) -> io::Result<u64> {
    let mut buffer = vec![0u8; 1 << 20];
    let mut lines = 0u64;
    loop {
        let n = match input.read(&mut buffer) {
            Ok(0) => return Ok(lines),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        lines += memchr::memchr_iter(b'\n', &buffer[..n]).count() as u64;
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
