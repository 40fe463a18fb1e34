//! Each path named on the command line, read into the [`Reader`]: standard
//! input, or a regular file, read once (known by its identity, see
//! [`super::paths`]) and classified by its name: Parquet or Arrow IPC
//! ([`super::columnar`]), compressed or plain JSONL ([`super::jsonl`]; a
//! plain one read by ranges in a share, [`super::share`]), else one text
//! document, sniffed and checked for size and UTF-8. Folders go to
//! [`super::walk`], which comes back here for each file.

use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use super::paths::{escaped_path, file_key, special_kind, Seen};
use super::{sniff, Document, Reader};
use crate::error::{size, Error, Result, Warning};

impl Reader<'_> {
    pub(super) fn read_argument(&mut self, path: &Path) -> Result<()> {
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
    pub(super) fn skip(&mut self, path: &Path, message: &str) -> Result<()> {
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
    pub(super) fn read_file(&mut self, path: &Path, id: String, named: bool) -> Result<()> {
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
    pub(super) fn sniff(&self, input: &mut impl BufRead) -> io::Result<Option<String>> {
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

    pub(super) fn next_order(&self) -> u32 {
        self.read
    }

    /// Add a document read (when it is to be kept): the next one's order follows it.
    pub(super) fn push(&mut self, document: Document) {
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
