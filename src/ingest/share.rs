//! One process's share of the inputs, for the staged route (issue 15): see
//! [`Share`]. Every process walks the same paths; [`Reader`]'s share
//! bookkeeping (`start_file`) counts the files met and says which this
//! process reads, and a plain JSONL file is read by byte ranges cut at
//! line starts, its lines numbered as in the whole file. What comes out,
//! a [`SharedCorpus`], is written by the stage's ingest step
//! (`crate::stage::files`).

use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use super::{check_shard, Corpus, IngestOptions, Reader};
use crate::error::{Error, Result};

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

impl Reader<'_> {
    /// Shares: count the file met (`jsonl_size`: a plain JSONL file of that
    /// many bytes, read in ranges by every process) and say whether this
    /// process reads it (or a range of it). Always true outside shares.
    pub(super) fn start_file(&mut self, jsonl_size: Option<u64>) -> bool {
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

    /// Shares: read range `share.rank` of `share.world` of the plain JSONL
    /// file `file` (`len` bytes), cut at line starts, its lines numbered as
    /// in the whole file. The file's first bytes are sniffed by every
    /// process; a file that is not text is skipped (warning) by rank 0's range.
    pub(super) fn read_jsonl_range(
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
