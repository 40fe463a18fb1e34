//! Ingest: turn the paths given on the command line into [`Document`]s.
//!
//! A path is a text file, a folder (walked recursively in sorted order, hidden
//! entries skipped, symlink loops detected), `-` for standard input, or a JSONL
//! file (`.jsonl`, `.jsonl.gz`, or any file with `--jsonl`) holding one document
//! per line with an id and a text field, the convention of passim and text-dedup.
//!
//! Documents keep their original bytes: every offset the tool reports is a byte
//! offset into them (for JSONL, into the UTF-8 of the text field). Files that a
//! batch user would rather skip (binary, UTF-16, empty) become warnings unless
//! `strict` is set; invalid UTF-8 is read with U+FFFD in place of the bad bytes
//! (offsets stay those of the original file) and a warning naming the first bad
//! byte.

use std::collections::HashSet;
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result, Warning};

/// How to read the inputs.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Read every file (and standard input) as JSONL, whatever its name.
    pub jsonl: bool,
    /// JSONL field holding the document id.
    pub id_field: String,
    /// JSONL field holding the document text.
    pub text_field: String,
    /// Skip malformed JSONL lines (counted in a warning) instead of stopping.
    pub skip_bad_lines: bool,
    /// Refuse, instead of skipping with a warning, files that are not clean UTF-8 text.
    pub strict: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            jsonl: false,
            id_field: "id".to_string(),
            text_field: "text".to_string(),
            skip_bad_lines: false,
            strict: false,
        }
    }
}

/// One input document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Stable id: the path relative to the folder given, the path as given for a
    /// file named directly, `-` for standard input, or the JSONL id.
    pub id: String,
    /// Where it came from, for messages (`file` or `file:line`).
    pub origin: String,
    /// Position in input order (arguments, then sorted folder order, then line order).
    pub order: u32,
    /// The original bytes.
    pub text: Vec<u8>,
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
    let mut reader = Reader {
        options,
        corpus: Corpus::default(),
        visited: HashSet::new(),
    };
    for path in paths {
        reader.read_argument(path)?;
    }
    let mut corpus = reader.corpus;
    if corpus.documents.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::NoDocuments {
            paths: names.join(", "),
            skipped: corpus.warnings,
        });
    }
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

/// A parsed JSONL record, `(id, text)`, or why the line cannot be used.
type Parsed = std::result::Result<(String, Vec<u8>), String>;

struct Reader<'a> {
    options: &'a IngestOptions,
    corpus: Corpus,
    visited: HashSet<PathBuf>,
}

impl Reader<'_> {
    fn read_argument(&mut self, path: &Path) -> Result<()> {
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|source| Error::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
            if self.options.jsonl {
                return self.read_jsonl(path, "-", &bytes[..]);
            }
            return self.add_text("-".to_string(), path, bytes, true);
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
            self.walk(path, path)
        } else if metadata.is_file() {
            let id = path.to_string_lossy().into_owned();
            self.read_file(path, id, true)
        } else {
            Err(Error::NotAFile {
                path: path.to_path_buf(),
                kind: special_kind(&metadata),
            })
        }
    }

    fn walk(&mut self, root: &Path, dir: &Path) -> Result<()> {
        let canonical = fs::canonicalize(dir).map_err(|source| Error::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        if !self.visited.insert(canonical) {
            self.corpus.warnings.push(Warning::file(
                dir.display().to_string(),
                "folder already visited (symlink loop?), skipped",
            ));
            return Ok(());
        }
        let entries = fs::read_dir(dir).map_err(|source| Error::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let ignored = ignore_patterns(dir)?;
        let mut paths = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| Error::Read {
                path: dir.to_path_buf(),
                source,
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || ignored.iter().any(|p| glob_match(p, &name)) {
                continue;
            }
            paths.push(entry.path());
        }
        paths.sort();
        for path in paths {
            let metadata = match fs::metadata(&path) {
                Ok(metadata) => metadata,
                Err(error) => {
                    self.skip(&path, &format!("cannot read ({error}), skipped"))?;
                    continue;
                }
            };
            let result = if metadata.is_dir() {
                self.walk(root, &path)
            } else if metadata.is_file() {
                let id = relative_id(root, &path);
                self.read_file(&path, id, false)
            } else {
                let kind = special_kind(&metadata);
                self.skip(&path, &format!("{kind}, not a regular file, skipped"))
            };
            match result {
                // Inside a folder, a file or subfolder that cannot be opened
                // (permissions, a vanished file) is skipped like a binary one.
                Err(Error::Read {
                    path: failed,
                    source,
                }) if failed == path => {
                    self.skip(&path, &format!("cannot read ({source}), skipped"))?;
                }
                other => other?,
            }
        }
        Ok(())
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
            .push(Warning::file(path.display().to_string(), message));
        Ok(())
    }

    fn read_file(&mut self, path: &Path, id: String, named: bool) -> Result<()> {
        let name = path.to_string_lossy();
        let is_gzip_jsonl = name.ends_with(".jsonl.gz");
        if is_gzip_jsonl || name.ends_with(".jsonl") || self.options.jsonl {
            let file = fs::File::open(path).map_err(|source| Error::Read {
                path: path.to_path_buf(),
                source,
            })?;
            let origin = path.display().to_string();
            if is_gzip_jsonl {
                return self.read_jsonl(path, &origin, flate2::read::MultiGzDecoder::new(file));
            }
            return self.read_jsonl(path, &origin, file);
        }
        let bytes = fs::read(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        self.add_text(id, path, bytes, named)
    }

    fn add_text(&mut self, id: String, path: &Path, bytes: Vec<u8>, named: bool) -> Result<()> {
        if let Some(reason) = refusal(&bytes) {
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
        if let Err(error) = std::str::from_utf8(&bytes) {
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
                path.display().to_string(),
                format!(
                    "invalid UTF-8 at byte {offset}; bad bytes read as U+FFFD, offsets unchanged"
                ),
            ));
        }
        let order = self.next_order();
        self.corpus.documents.push(Document {
            id,
            origin: path.display().to_string(),
            order,
            text: bytes,
        });
        Ok(())
    }

    fn next_order(&self) -> u32 {
        u32::try_from(self.corpus.documents.len()).unwrap_or(u32::MAX)
    }

    fn read_jsonl(&mut self, path: &Path, origin: &str, input: impl Read + Send) -> Result<()> {
        // Lines are read in order and parsed in parallel, a batch of about
        // 8 MiB at a time: JSON parsing is the costliest part of reading a
        // JSONL corpus, and a batch bounds the memory it holds.
        const BATCH_BYTES: usize = 8 << 20;
        let mut input = BufReader::with_capacity(1 << 16, input);
        let mut number = 0u64;
        let mut bad = 0u64;
        let mut first_bad: Option<(u64, String)> = None;
        // The next batch: one buffer of lines and each line's number and
        // range in it (one allocation per batch, not per line); `None` at the
        // end of the input.
        type Batch = (Vec<u8>, Vec<(u64, std::ops::Range<usize>)>);
        let mut read_batch = |mut buffer: Vec<u8>| -> Result<Option<Batch>> {
            buffer.clear();
            buffer.reserve(BATCH_BYTES + (1 << 16));
            let mut lines = Vec::new();
            while buffer.len() < BATCH_BYTES {
                let start = buffer.len();
                let read = input
                    .read_until(b'\n', &mut buffer)
                    .map_err(|source| Error::Read {
                        path: path.to_path_buf(),
                        source,
                    })?;
                if read == 0 {
                    break;
                }
                number += 1;
                let mut first = start;
                // A UTF-8 BOM (Windows tools write one) is not part of the JSON.
                if number == 1 && buffer[start..].starts_with(b"\xEF\xBB\xBF") {
                    first += 3;
                }
                if buffer[first..].iter().all(|b| b.is_ascii_whitespace()) {
                    buffer.truncate(start);
                    continue;
                }
                lines.push((number, first..buffer.len()));
            }
            Ok((!lines.is_empty()).then_some((buffer, lines)))
        };
        // Reading the next batch overlaps with parsing this one; the two
        // buffers are used in turn (fresh memory costs a page fault per 4 KiB).
        let mut next = read_batch(Vec::new())?;
        let mut spare = Vec::new();
        while let Some((buffer, lines)) = next.take() {
            let recycled = std::mem::take(&mut spare);
            let (parsed, following) = {
                let this = &*self;
                rayon::join(
                    || -> Vec<(u64, Parsed)> {
                        lines
                            .into_par_iter()
                            .map(|(number, range)| (number, this.parse_record(&buffer[range])))
                            .collect()
                    },
                    || read_batch(recycled),
                )
            };
            spare = buffer;
            for (number, record) in parsed {
                match record {
                    Ok((id, text)) => {
                        let order = self.next_order();
                        self.corpus.documents.push(Document {
                            id,
                            origin: format!("{origin}:{number}"),
                            order,
                            text,
                        });
                    }
                    Err(reason) if self.options.skip_bad_lines => {
                        bad += 1;
                        first_bad.get_or_insert((number, reason));
                    }
                    Err(reason) => {
                        return Err(Error::BadLine {
                            path: path.to_path_buf(),
                            line: number,
                            reason,
                        })
                    }
                }
            }
            next = following?;
        }
        if let Some((line, reason)) = first_bad {
            self.corpus.warnings.push(Warning {
                path: origin.to_string(),
                line: Some(line),
                message: format!("{bad} malformed line(s) skipped; first: {reason}"),
            });
        }
        Ok(())
    }

    fn parse_record(&self, line: &[u8]) -> Parsed {
        match fast_record(line, &self.options.id_field, &self.options.text_field) {
            Some(record) => Ok(record),
            None => self.parse_record_slowly(line),
        }
    }

    /// [`parse_record`](Self::parse_record) through a `serde_json::Value`:
    /// the reference, and the source of every error message.
    fn parse_record_slowly(&self, line: &[u8]) -> Parsed {
        let value: serde_json::Value = serde_json::from_slice(line).map_err(json_reason)?;
        let serde_json::Value::Object(mut object) = value else {
            return Err("a JSONL line must be a JSON object".to_string());
        };
        let id_field = &self.options.id_field;
        let id = match object.remove(id_field) {
            Some(serde_json::Value::String(id)) => id,
            Some(serde_json::Value::Number(id)) => id.to_string(),
            Some(_) => return Err(format!("field {id_field:?} must be a string or a number")),
            None => return Err(format!("missing field {id_field:?} (see --id-field)")),
        };
        let text_field = &self.options.text_field;
        match object.remove(text_field) {
            Some(serde_json::Value::String(text)) => Ok((id, text.into_bytes())),
            Some(_) => Err(format!("field {text_field:?} must be a string")),
            None => Err(format!("missing field {text_field:?} (see --text-field)")),
        }
    }
}

/// The id and text of a well-formed JSONL record, or `None` for anything
/// else (the caller then parses the line through `serde_json::Value` for the
/// error message, so the two paths cannot disagree on what is an error). The
/// text is taken as raw JSON and unescaped once into a buffer of its size:
/// serde_json's own path grows a scratch buffer and copies it again for
/// every line with an escape (every line holding a newline), which cost
/// about 8% of a whole scan's CPU time, and builds a map of every field.
fn fast_record(line: &[u8], id_field: &str, text_field: &str) -> Option<(String, Vec<u8>)> {
    use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
    use serde_json::value::RawValue;

    enum Field {
        Id,
        Text,
        Other,
    }
    struct Fields<'o> {
        id: &'o str,
        text: &'o str,
    }
    impl<'de> DeserializeSeed<'de> for &Fields<'_> {
        type Value = Field;
        fn deserialize<D: serde::Deserializer<'de>>(
            self,
            d: D,
        ) -> std::result::Result<Field, D::Error> {
            d.deserialize_str(self)
        }
    }
    impl<'de> Visitor<'de> for &Fields<'_> {
        type Value = Field;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a field name")
        }
        fn visit_str<E>(self, key: &str) -> std::result::Result<Field, E> {
            // Last of equal keys wins, as in a serde_json map.
            Ok(if key == self.id {
                Field::Id
            } else if key == self.text {
                Field::Text
            } else {
                Field::Other
            })
        }
    }
    type Found<'de> = (Option<serde_json::Value>, Option<&'de RawValue>);
    struct Record<'o>(Fields<'o>);
    impl<'de> Visitor<'de> for Record<'_> {
        type Value = Found<'de>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Found<'de>, A::Error> {
            let (mut id, mut text) = (None, None);
            while let Some(field) = map.next_key_seed(&self.0)? {
                match field {
                    Field::Id => id = Some(map.next_value()?),
                    Field::Text => text = Some(map.next_value()?),
                    Field::Other => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok((id, text))
        }
    }

    // The id field wins over the text field when they are one (as in the
    // slow path, which removes the id first and then finds no text).
    if id_field == text_field {
        return None;
    }
    let fields = Fields {
        id: id_field,
        text: text_field,
    };
    // Validated at once with SIMD, the line is then parsed as a `str`, whose
    // strings serde_json does not validate again (its own check of each
    // string, byte by byte, was 2.7% of a scan's time on the 100 MB
    // benchmark corpus). Invalid UTF-8 goes to the slow path, which reports it.
    let line = simdutf8::basic::from_utf8(line).ok()?;
    let mut deserializer = serde_json::Deserializer::from_str(line);
    let (id, text) =
        serde::Deserializer::deserialize_map(&mut deserializer, Record(fields)).ok()?;
    deserializer.end().ok()?;
    let id = match id? {
        serde_json::Value::String(id) => id,
        serde_json::Value::Number(id) => id.to_string(),
        _ => return None,
    };
    let raw = text?.get().strip_prefix('"')?.strip_suffix('"')?;
    Some((id, unescape(raw)?))
}

/// The bytes of a JSON string's contents `raw` (between its quotes, as
/// serde_json's scanner accepted them: valid UTF-8, well-formed escapes),
/// or `None` where serde_json would refuse the string as text (a lone
/// surrogate escape).
fn unescape(raw: &str) -> Option<Vec<u8>> {
    let raw = raw.as_bytes();
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = memchr::memchr(b'\\', rest) {
        out.extend_from_slice(&rest[..at]);
        let escape = *rest.get(at + 1)?;
        rest = &rest[at + 2..];
        let byte = match escape {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                // Four hex digits (no sign, unlike `from_str_radix`).
                let hex = |digits: &[u8]| -> Option<u32> {
                    digits.get(..4)?.iter().try_fold(0, |value, &digit| {
                        Some(value * 16 + char::from(digit).to_digit(16)?)
                    })
                };
                let unit = hex(rest)?;
                rest = &rest[4..];
                let code = match unit {
                    0xD800..=0xDBFF => {
                        let low = rest.strip_prefix(b"\\u").and_then(hex)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        rest = &rest[6..];
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return None,
                    unit => unit,
                };
                let mut utf8 = [0u8; 4];
                out.extend_from_slice(char::from_u32(code)?.encode_utf8(&mut utf8).as_bytes());
                continue;
            }
            _ => return None,
        };
        out.push(byte);
    }
    out.extend_from_slice(rest);
    Some(out)
}

/// A JSON error without serde_json's "at line 1 column N" (the line is the
/// JSONL line, already named by the caller): "not valid JSON at column N (...)".
fn json_reason(error: serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(&position) {
        Some(what) if error.line() <= 1 => {
            format!("not valid JSON at column {} ({what})", error.column())
        }
        _ => format!("not valid JSON ({message})"),
    }
}

/// Why a file's bytes cannot be read as text, if they cannot.
fn refusal(bytes: &[u8]) -> Option<String> {
    const MAGIC: &[(&[u8], &str)] = &[
        (
            b"\x1f\x8b",
            "gzip-compressed; decompress it, or name it .jsonl.gz if it is JSONL",
        ),
        (b"\x89PNG", "a PNG image, not text"),
        (b"\xff\xd8\xff", "a JPEG image, not text"),
        (b"GIF8", "a GIF image, not text"),
        (
            b"%PDF",
            "a PDF file; extract its text first (e.g. pdftotext)",
        ),
        (b"PK\x03\x04", "a zip archive; extract it first"),
        (
            b"\xff\xfe\x00\x00",
            "UTF-32 text (BOM); convert it to UTF-8 first (iconv -f UTF-32 -t UTF-8)",
        ),
        (
            b"\x00\x00\xfe\xff",
            "UTF-32 text (BOM); convert it to UTF-8 first (iconv -f UTF-32 -t UTF-8)",
        ),
        (
            b"\xff\xfe",
            "UTF-16 text (BOM); convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)",
        ),
        (
            b"\xfe\xff",
            "UTF-16 text (BOM); convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)",
        ),
    ];
    if bytes.is_empty() {
        return Some("empty file, skipped".to_string());
    }
    for (magic, what) in MAGIC {
        if bytes.starts_with(magic) {
            return Some(format!("{what}, skipped"));
        }
    }
    let head = &bytes[..bytes.len().min(8192)];
    let offset = memchr::memchr(0, head)?;
    // Real text dumps carry the odd stray NUL (PAN 2013 has one at byte 6093
    // of a news text): a file is binary when NULs are more than 1% of its
    // first 8 KiB, not when there is one.
    let nuls = memchr::memchr_iter(0, head).count();
    if nuls * 100 <= head.len() {
        return None;
    }
    if let Some(order) = utf16_without_bom(head) {
        return Some(format!(
            "looks like UTF-16{order} text without a BOM (NUL byte at offset {offset}), skipped; \
             convert it to UTF-8 first (iconv -f UTF-16{order} -t UTF-8)"
        ));
    }
    Some(format!(
        "binary file (NUL byte at offset {offset}), skipped; pass text files only"
    ))
}

/// "LE" or "BE" when `head` looks like ASCII-range text in UTF-16 without a
/// BOM: NUL bytes at most odd (or even) positions and almost none at the others.
fn utf16_without_bom(head: &[u8]) -> Option<&'static str> {
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in head.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let mostly = |n: usize| n * 10 >= pairs * 7;
    let rarely = |n: usize| n * 20 <= pairs;
    if mostly(odd) && rarely(even) {
        Some("LE")
    } else if mostly(even) && rarely(odd) {
        Some("BE")
    } else {
        None
    }
}

/// Name of the file, in any folder, that lists entries of that folder to skip.
pub const IGNORE_FILE: &str = ".liftedignore";

/// Patterns of the folder's `.liftedignore` (one file name per line, `*`
/// matches any run of characters, `#` starts a comment), if it has one.
fn ignore_patterns(dir: &Path) -> Result<Vec<String>> {
    let path = dir.join(IGNORE_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(Error::Read { path, source }),
    }
}

/// Whether `name` matches `pattern`, where `*` matches any run of characters.
fn glob_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || !name[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

fn relative_id(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

#[cfg(unix)]
fn special_kind(metadata: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
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
fn special_kind(_metadata: &fs::Metadata) -> &'static str {
    "not a regular file"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: serde_json's own reading of `"raw"` as a string.
    fn reference(raw: &str) -> Option<Vec<u8>> {
        serde_json::from_str::<String>(&format!("\"{raw}\""))
            .ok()
            .map(String::into_bytes)
    }

    #[test]
    fn unescape_matches_serde_json_on_every_escape() {
        for raw in [
            "",
            "plain",
            r#"a\"b\\c\/d\be\ff\ng\rh\ti"#,
            r"\u00e9t\u00C9 \u0000 \u001f \uffff",
            r"\ud83d\ude00 emoji",
            r"l\u2019apostrophe",
            "déjà vu \u{1F600}",
            r"end\\",
        ] {
            assert_eq!(unescape(raw), reference(raw), "{raw}");
            assert!(unescape(raw).is_some(), "{raw}");
        }
        for lone in [
            r"\ud800",
            r"\ud800x",
            r"\ud800\u0041",
            r"\udc00",
            r"a\udbff\udbff",
        ] {
            assert_eq!(reference(lone), None, "serde_json refuses {lone}");
            assert_eq!(unescape(lone), None, "{lone}");
        }
    }

    proptest::proptest! {
        #[test]
        fn unescape_inverts_serde_json_escaping(text in "\\PC*|[\\x00-\\x1f\"\\\\/]*") {
            let quoted = serde_json::to_string(&text).unwrap();
            let raw = &quoted[1..quoted.len() - 1];
            proptest::prop_assert_eq!(unescape(raw), Some(text.into_bytes()));
        }

        #[test]
        fn unescape_agrees_with_serde_json_on_escape_soup(
            parts in proptest::collection::vec(0usize..12, 0..24)
        ) {
            const PARTS: [&str; 12] = [
                "a", "é", r"\n", r"\u00e9", r"\ud83d", r"\ude00", r#"\""#, r"\\", r"\/",
                r"\uD83D", r"\uDE00", "\u{2019}",
            ];
            let raw: String = parts.iter().map(|&i| PARTS[i]).collect();
            proptest::prop_assert_eq!(unescape(&raw), reference(&raw));
        }
    }

    #[test]
    fn fast_records_agree_with_the_value_path() {
        let options = IngestOptions::default();
        let reader = Reader {
            options: &options,
            corpus: Corpus::default(),
            visited: HashSet::new(),
        };
        let lines: &[&str] = &[
            r#"{"id": "a", "text": "hello\nworld"}"#,
            r#"{"text": "t\u00e9", "id": 17, "other": [1, {"x": "y"}], "n": null}"#,
            r#"{"id": 1.5e3, "text": ""}"#,
            r#"{"id": "dup", "text": "first", "text": "second", "id": "last"}"#,
            r#"{"i\u0064": "escaped key", "text": "ok"}"#,
            r#"  {"id":"spaces","text":"x"}  "#,
            // Refused: each must give the Value path's own message.
            r#"{"id": "a"}"#,
            r#"{"text": "no id"}"#,
            r#"{"id": true, "text": "x"}"#,
            r#"{"id": "a", "text": 5}"#,
            r#"{"id": "a", "text": "lone \ud800"}"#,
            r#"{"id": "a", "text": "x"} trailing"#,
            r#"{"id": "a", "text": "x"#,
            r#"["id", "text"]"#,
            r#""just a string""#,
            "{\"id\": \"a\", \"text\": \"raw\tcontrol\"}",
            "",
        ];
        for line in lines {
            assert_eq!(
                reader.parse_record(line.as_bytes()),
                reader.parse_record_slowly(line.as_bytes()),
                "{line}"
            );
        }
        // Invalid UTF-8 in the text, in the id and outside any string: the
        // fast path refuses each, and the message is the Value path's.
        let invalid: &[&[u8]] = &[
            b"{\"id\": \"a\", \"text\": \"caf\xE9\"}",
            b"{\"id\": \"\xC3\", \"text\": \"x\"}",
            b"{\"id\": \"a\", \"text\": \"x\"}\xFF",
        ];
        for line in invalid {
            assert!(fast_record(line, "id", "text").is_none());
            let slow = reader.parse_record_slowly(line);
            assert!(slow.is_err());
            assert_eq!(reader.parse_record(line), slow);
        }
        assert!(fast_record(lines[0].as_bytes(), "id", "text").is_some());
        assert!(fast_record(lines[1].as_bytes(), "id", "text").is_some());
        assert_eq!(
            reader.parse_record(lines[3].as_bytes()),
            Ok(("last".to_string(), b"second".to_vec()))
        );
        let same = IngestOptions {
            id_field: "text".to_string(),
            ..IngestOptions::default()
        };
        let reader = Reader {
            options: &same,
            corpus: Corpus::default(),
            visited: HashSet::new(),
        };
        let line = br#"{"text": "both"}"#;
        assert_eq!(reader.parse_record(line), reader.parse_record_slowly(line));
        assert!(reader.parse_record(line).is_err());
    }

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
    fn a_stray_nul_in_long_text_is_not_binary() {
        let mut text = "words of a news text ".repeat(400).into_bytes();
        text[6093] = 0;
        assert!(refusal(&text).is_none());
        assert!(refusal(b"abc\0def").is_some());
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
        assert!(glob_match("a*b*c", "axxbyyc") && !glob_match("a*b*c", "axxc"));
        assert!(
            glob_match("*", "")
                && glob_match("*.json", "x.json")
                && !glob_match("*.json", "x.jsonl")
        );
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
    fn refusals_name_the_encoding() {
        let le: Vec<u8> = "plain words"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "plain words"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert!(refusal(&le)
            .unwrap()
            .contains("UTF-16LE text without a BOM"));
        assert!(refusal(&be)
            .unwrap()
            .contains("UTF-16BE text without a BOM"));
        assert!(refusal(b"\xff\xfe\x00\x00a\x00\x00\x00")
            .unwrap()
            .contains("UTF-32"));
        assert!(refusal(b"ab\0\0\0\x01").unwrap().contains("binary file"));
        assert_eq!(refusal("\u{FEFF}text".as_bytes()), None);
    }

    #[test]
    fn jsonl_errors_give_the_column_not_a_json_line() {
        let error = serde_json::from_slice::<serde_json::Value>(b"{\"id\": }").unwrap_err();
        assert_eq!(
            json_reason(error),
            "not valid JSON at column 8 (expected value)"
        );
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
