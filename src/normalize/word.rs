//! Scanning one word of other than a segmented script from its first
//! character: the hash of its normalized form and where it ends, through the
//! fast paths for ASCII and Latin words when they apply, else the full
//! normalization of [`fold`](super::fold).

use super::block::{ascii_alnum_lower, ascii_alnum_run};
use super::chars::{
    continues_after_ignorables, continues_word, decode_at, is_apostrophe, is_ignorable,
    next_is_alphanumeric,
};
use super::fold::{latin_lowercase, latin_lowercase_table, normalize_into, LATIN_LEN};
use super::hash::{hash_ascii_word, hash_latin1_word};
use super::NormalizeOptions;

/// Buffers reused from word to word.
pub(super) struct Scratch {
    pub(super) options: NormalizeOptions,
    /// The normalized bytes of the current word, on the fast path.
    bytes: Vec<u8>,
    /// The normalized form of a word that takes the full NFKC path.
    pub(super) string: String,
    /// [`latin_lowercase_table`], fetched once.
    latin: &'static [[u8; 2]; LATIN_LEN],
}

impl Scratch {
    pub(super) fn new(options: NormalizeOptions) -> Self {
        Scratch {
            options,
            bytes: Vec::with_capacity(64),
            string: String::new(),
            latin: latin_lowercase_table(),
        }
    }
}

/// Read the word starting at `start` (a word character) and return the hash
/// of its normalized form and the offset just past it.
///
/// Words of ASCII letters and digits and of Latin-1 letters (U+00C0..U+00FF
/// but × and ÷, encoded C3 80..C3 BF) followed by an ASCII separator (nearly
/// every French or English word) take a fast path: their normalized form has
/// the same length and is a per-byte function of the original, hashed
/// straight from the text (see [`hash_latin1_word`]). Other words made only
/// of ASCII and of the Latin-1 and Latin Extended-A letters that NFKC leaves
/// alone are normalized on the fly by a per-character lowercase into
/// `scratch.bytes`; any other character sends the word to the full NFKC
/// path, on the original slice, once its end is known.
#[inline]
pub(super) fn scan_word(text: &[u8], start: usize, scratch: &mut Scratch) -> (u64, usize) {
    // An ASCII separator ends a word, unless it is an apostrophe (which may
    // join the next letters).
    let ends_word = |at: usize| match text.get(at) {
        None => true,
        Some(&next) => next < 0x80 && next != b'\'' && next != b'`',
    };
    let run_end = start + ascii_alnum_run(&text[start..]);
    if ends_word(run_end) {
        return (hash_ascii_word(text, start, run_end), run_end);
    }
    if !scratch.options.fold_accents {
        let mut end = run_end;
        while let [0xC3, next, ..] = text[end..] {
            if next & 0xC0 != 0x80 || next == 0x97 || next == 0xB7 {
                break; // Invalid UTF-8, ×, ÷: separators.
            }
            end += 2;
            end += ascii_alnum_run(&text[end..]);
        }
        if end > run_end && ends_word(end) {
            return (hash_latin1_word(text, start, end), end);
        }
    }
    scan_other_word(text, start, run_end, scratch)
}

/// [`scan_word`] for the words that leave its fast paths: `text[start..run_end]`
/// is the leading run of ASCII letters and digits. Kept out of line so that
/// the fast paths stay compact.
#[inline(never)]
fn scan_other_word(
    text: &[u8],
    start: usize,
    run_end: usize,
    scratch: &mut Scratch,
) -> (u64, usize) {
    let bytes = &mut scratch.bytes;
    bytes.clear();
    bytes.extend(text[start..run_end].iter().map(|&b| ascii_alnum_lower(b)));
    let mut simple = true;
    let mut i = run_end;
    while i < text.len() {
        let byte = text[i];
        if byte.is_ascii_alphanumeric() {
            let run = ascii_alnum_run(&text[i..]);
            if simple {
                bytes.extend(text[i..i + run].iter().map(|&b| ascii_alnum_lower(b)));
            }
            i += run;
            continue;
        }
        let (c, width) = decode_at(text, i);
        if continues_word(c) {
            if simple {
                match latin_lowercase(c, scratch.options.fold_accents, scratch.latin) {
                    Some(lower) => bytes.extend_from_slice(&lower),
                    None => simple = false,
                }
            }
        } else if is_apostrophe(c) && next_is_alphanumeric(text, i + width) {
            if simple {
                bytes.push(b'\'');
            }
        } else if !(is_ignorable(c) && continues_after_ignorables(text, i + width)) {
            break;
        }
        i += width;
    }
    let hash = if simple {
        xxhash_rust::xxh3::xxh3_64(bytes)
    } else {
        let original = String::from_utf8_lossy(&text[start..i]);
        normalize_into(&original, scratch.options, &mut scratch.string);
        xxhash_rust::xxh3::xxh3_64(scratch.string.as_bytes())
    };
    (hash, i)
}
