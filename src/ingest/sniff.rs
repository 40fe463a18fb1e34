//! Sniffing: whether a file's first bytes are text this tool can read.
//!
//! Known formats are recognised by their magic numbers (images, PDF, archives,
//! compressed streams, executables, UTF-16/32 byte order marks). Anything else
//! that is not text, such as encrypted or random bytes or a compressed stream
//! without a known header, is recognised by its control bytes: text (in UTF-8 or
//! a legacy 8-bit encoding) has almost none besides tab, newline, carriage
//! return, form feed and escape, while high-entropy data has one byte in ten.
//! The share of bytes that are not UTF-8 alone cannot tell them apart: a
//! Latin-1 or Windows-1251 text is mostly invalid UTF-8 too (issue 13, item 20).

/// How many first bytes are sniffed.
pub(super) const HEAD: usize = 8192;

/// Why a file whose first bytes are `bytes` cannot be read as text, if it cannot.
pub(super) fn refusal(bytes: &[u8]) -> Option<String> {
    const DECOMPRESS: &str = "decompress it first";
    const MAGIC: &[(&[u8], &str, &str)] = &[
        (
            b"\x1f\x8b",
            "gzip-compressed",
            "decompress it, or name it .jsonl.gz (in lower case) if it is JSONL",
        ),
        (b"\xfd7zXZ\x00", "xz-compressed", DECOMPRESS),
        (
            b"\x28\xb5\x2f\xfd",
            "zstd-compressed",
            "decompress it, or name it .jsonl.zst (in lower case) if it is JSONL",
        ),
        (b"BZh", "bzip2-compressed", DECOMPRESS),
        (b"\x04\x22\x4d\x18", "lz4-compressed", DECOMPRESS),
        (b"\x78\x01", "zlib-compressed", DECOMPRESS),
        (b"\x78\x9c", "zlib-compressed", DECOMPRESS),
        (b"\x78\xda", "zlib-compressed", DECOMPRESS),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "extract it first"),
        (b"Rar!\x1a\x07", "a RAR archive", "extract it first"),
        (b"PK\x03\x04", "a zip archive", "extract it first"),
        (b"\x89PNG", "a PNG image", "pass text files only"),
        (b"\xff\xd8\xff", "a JPEG image", "pass text files only"),
        (b"GIF8", "a GIF image", "pass text files only"),
        (b"\x7fELF", "an executable (ELF)", "pass text files only"),
        (b"Salted__", "encrypted (OpenSSL)", "decrypt it first"),
        (
            b"%PDF",
            "a PDF file",
            "extract its text first (e.g. pdftotext)",
        ),
        (
            b"\xff\xfe\x00\x00",
            "UTF-32 text (BOM)",
            "convert it to UTF-8 first (iconv -f UTF-32 -t UTF-8)",
        ),
        (
            b"\x00\x00\xfe\xff",
            "UTF-32 text (BOM)",
            "convert it to UTF-8 first (iconv -f UTF-32 -t UTF-8)",
        ),
        (
            b"\xff\xfe",
            "UTF-16 text (BOM)",
            "convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)",
        ),
        (
            b"\xfe\xff",
            "UTF-16 text (BOM)",
            "convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)",
        ),
    ];
    if bytes.is_empty() {
        return Some("empty file, skipped".to_string());
    }
    for (magic, what, todo) in MAGIC {
        // "BZh" is also how a text may begin: bzip2 has a block size digit
        // and a block magic after it.
        let bzip2_text = *magic == b"BZh" && !is_bzip2(bytes);
        if bytes.starts_with(magic) && !bzip2_text {
            return Some(format!("{what}, skipped; {todo}"));
        }
    }
    let head = &bytes[..bytes.len().min(HEAD)];
    if let Some(reason) = nul_refusal(head) {
        return Some(reason);
    }
    let controls = head.iter().filter(|&&b| is_control(b)).count();
    // One control byte in 32 (random bytes have one in ten; text, none). At
    // least 4, so that a short note with one stray control byte is read.
    if controls >= 4 && controls * 32 > head.len() {
        let percent = controls * 100 / head.len();
        return Some(format!(
            "binary file ({percent}% control bytes in the first {} bytes: compressed, \
             encrypted or random data), skipped; pass text files only",
            head.len()
        ));
    }
    None
}

/// Whether `bytes` begins like a bzip2 stream: `BZh`, a block size digit, and
/// the block magic (the digits of pi) or the end-of-stream magic.
fn is_bzip2(bytes: &[u8]) -> bool {
    bytes.len() >= 10
        && bytes[3].is_ascii_digit()
        && (bytes[4..10] == *b"\x31\x41\x59\x26\x53\x59"
            || bytes[4..10] == *b"\x17\x72\x45\x38\x50\x90")
}

/// A C0 control byte or DEL that text does not hold: all but NUL (counted on
/// its own), tab, newline, vertical tab, form feed, carriage return and escape
/// (terminal colours in logs).
fn is_control(byte: u8) -> bool {
    matches!(byte, 0x01..=0x08 | 0x0e..=0x1a | 0x1c..=0x1f | 0x7f)
}

/// Why `head` is binary or UTF-16 from its NUL bytes, if it is.
fn nul_refusal(head: &[u8]) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stray_nul_in_long_text_is_not_binary() {
        let mut text = "words of a news text ".repeat(400).into_bytes();
        text[6093] = 0;
        assert!(refusal(&text).is_none());
        assert!(refusal(b"abc\0def").is_some());
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

    /// Bytes from a fixed generator: a stand-in for compressed or encrypted data.
    fn noise(len: usize) -> Vec<u8> {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                (state >> 56) as u8
            })
            .collect()
    }

    #[test]
    fn high_entropy_bytes_are_binary_and_legacy_text_is_not() {
        for (bytes, what) in [
            (b"\xfd7zXZ\x00\x00\x04".to_vec(), "xz-compressed"),
            (b"\x28\xb5\x2f\xfd\x24\x05".to_vec(), "zstd-compressed"),
            (b"\x78\x9c\xcb\x48".to_vec(), "zlib-compressed"),
            (b"BZh91AY&SY\x01\x02".to_vec(), "bzip2-compressed"),
            (b"Salted__\x01\x02".to_vec(), "encrypted"),
            (noise(4096), "control bytes"),
            (noise(100), "control bytes"),
        ] {
            let reason = refusal(&bytes).unwrap_or_default();
            assert!(reason.contains(what), "{what}: {reason:?}");
        }
        // Legacy 8-bit text is mostly invalid UTF-8 but has no control bytes;
        // "x^" and "BZh" can begin a text; a log keeps its colour escapes.
        let cyrillic: Vec<u8> = "Съешь же ещё этих мягких французских булок, да выпей чаю.\r\n"
            .chars()
            .map(|c| match c as u32 {
                0x0410..=0x044F => (c as u32 - 0x0410 + 0xC0) as u8,
                0x0451 => 0xB8,
                other => other as u8,
            })
            .collect::<Vec<u8>>()
            .repeat(40);
        for text in [
            cyrillic,
            b"x^2 + y^2 = 1 is a circle".to_vec(),
            b"BZh is not a word".to_vec(),
            b"\x1b[31merror\x1b[0m: failed\n\tat line 3\x0c\n".repeat(50),
            b"one stray \x01 control byte in a short note".to_vec(),
        ] {
            assert_eq!(refusal(&text), None, "{:?}", String::from_utf8_lossy(&text));
        }
    }
}
