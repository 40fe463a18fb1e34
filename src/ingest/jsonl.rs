//! JSONL: one document per line, `{"id": ..., "text": ...}` (the convention
//! of passim and text-dedup), read in batches that are parsed in parallel.
//!
//! Lines are read with a bounded reader: a line longer than `--max-line-bytes`
//! is refused (or skipped, with `--skip-bad-lines`) once that many bytes are
//! read, so a small `.jsonl.gz` that decompresses to one huge line cannot
//! exhaust memory (issue 13, item 16).

use std::io::{self, BufRead};
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

use super::{Document, Reader};
use crate::error::{size, Error, Result, Warning};
use crate::manifest::Date;

/// A parsed JSONL record, `(id, text, date)`, or why the line cannot be used.
pub(super) type Parsed = std::result::Result<(String, Vec<u8>, Option<Date>), String>;

/// What [`read_line`] found.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// A line (with its newline, if it has one) was appended.
    Read,
    /// A line longer than the limit: nothing appended, its first bytes consumed.
    TooLong,
    /// The end of the input.
    End,
}

/// Append the next line of `input` to `buffer`, unless it is longer than
/// `limit` bytes (its newline not counted): then stop reading it, append
/// nothing, and say so. Never holds more than `limit` bytes of one line, and
/// is as fast as `read_until` (the same `fill_buf` and `memchr` loop).
fn read_line(input: &mut impl BufRead, buffer: &mut Vec<u8>, limit: usize) -> io::Result<Line> {
    let start = buffer.len();
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(if buffer.len() == start {
                Line::End
            } else {
                Line::Read
            });
        }
        let (found, used) = match memchr::memchr(b'\n', available) {
            Some(at) => (true, at + 1),
            None => (false, available.len()),
        };
        if buffer.len() - start + used - usize::from(found) > limit {
            input.consume(used);
            buffer.truncate(start);
            return Ok(Line::TooLong);
        }
        buffer.extend_from_slice(&available[..used]);
        input.consume(used);
        if found {
            return Ok(Line::Read);
        }
    }
}

impl Reader<'_> {
    /// Read the JSONL `input` (of `path`, named `origin` in messages).
    pub(super) fn read_jsonl(
        &mut self,
        path: &Path,
        origin: &str,
        mut input: impl BufRead + Send,
    ) -> Result<()> {
        // Lines are read in order and parsed in parallel, a batch of about
        // 8 MiB at a time: JSON parsing is the costliest part of reading a
        // JSONL corpus, and a batch bounds the memory it holds.
        const BATCH_BYTES: usize = 8 << 20;
        let limit = usize::try_from(self.options.max_line_bytes).unwrap_or(usize::MAX);
        let skip_bad_lines = self.options.skip_bad_lines;
        // Shares of a file start at a later line ([`Reader::read_jsonl_range`]).
        let mut number = self.first_line;
        let mut stopped = false;
        let mut bad = 0u64;
        let mut first_bad: Option<(u64, String)> = None;
        // The next batch: one buffer of lines and each line's number and
        // range in it (one allocation per batch, not per line), no range for
        // a line over the limit; `None` at the end of the input.
        type Batch = (Vec<u8>, Vec<(u64, Option<Range<usize>>)>);
        let mut read_batch = |mut buffer: Vec<u8>| -> Result<Option<Batch>> {
            buffer.clear();
            buffer.reserve(BATCH_BYTES + (1 << 16));
            let mut lines = Vec::new();
            while buffer.len() < BATCH_BYTES && !stopped {
                let start = buffer.len();
                let read =
                    read_line(&mut input, &mut buffer, limit).map_err(|source| Error::Read {
                        path: path.to_path_buf(),
                        source,
                    })?;
                if read == Line::End {
                    break;
                }
                number += 1;
                if read == Line::TooLong {
                    lines.push((number, None));
                    if skip_bad_lines {
                        input.skip_until(b'\n').map_err(|source| Error::Read {
                            path: path.to_path_buf(),
                            source,
                        })?;
                    } else {
                        // The line is an error: read no further.
                        stopped = true;
                    }
                    continue;
                }
                let mut first = start;
                // A UTF-8 BOM (Windows tools write one) is not part of the JSON.
                if number == 1 && buffer[start..].starts_with(b"\xEF\xBB\xBF") {
                    first += 3;
                }
                if buffer[first..].iter().all(|b| b.is_ascii_whitespace()) {
                    buffer.truncate(start);
                    continue;
                }
                lines.push((number, Some(first..buffer.len())));
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
                    || -> Vec<(u64, Option<Parsed>)> {
                        lines
                            .into_par_iter()
                            .map(|(number, range)| {
                                (number, range.map(|range| this.parse_record(&buffer[range])))
                            })
                            .collect()
                    },
                    || read_batch(recycled),
                )
            };
            spare = buffer;
            for (number, record) in parsed {
                let record = match record {
                    Some(record) => record,
                    None if skip_bad_lines => Err(format!(
                        "line longer than the {} limit (--max-line-bytes)",
                        size(self.options.max_line_bytes)
                    )),
                    None => {
                        return Err(Error::LineTooLong {
                            path: path.to_path_buf(),
                            line: number,
                            limit: self.options.max_line_bytes,
                        })
                    }
                };
                match record {
                    Ok((id, text, date)) => {
                        let order = self.next_order();
                        self.line = Some(number);
                        self.push(Document {
                            id,
                            origin: format!("{origin}:{number}"),
                            order,
                            text,
                            date,
                        });
                    }
                    Err(reason) if skip_bad_lines => {
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

    /// The record of one line, its text no longer than `--max-doc-bytes`.
    fn parse_record(&self, line: &[u8]) -> Parsed {
        let options = self.options;
        let fields = Fields {
            id: &options.id_field,
            text: &options.text_field,
            date: options.date_field.as_deref(),
        };
        let (id, text, date) = match fast_record(line, &fields) {
            Some((id, text, date)) => (id, text, record_date(fields.date, date)?),
            None => self.parse_record_slowly(line)?,
        };
        if text.len() as u64 > self.options.max_doc_bytes {
            return Err(format!(
                "text of {} is larger than the {} limit for one document (--max-doc-bytes)",
                size(text.len() as u64),
                size(self.options.max_doc_bytes)
            ));
        }
        Ok((id, text, date))
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
        let text = match object.remove(text_field) {
            Some(serde_json::Value::String(text)) => text.into_bytes(),
            Some(_) => return Err(format!("field {text_field:?} must be a string")),
            None => return Err(format!("missing field {text_field:?} (see --text-field)")),
        };
        let date_field = self.options.date_field.as_deref();
        let date = date_field.and_then(|field| object.remove(field));
        Ok((id, text, record_date(date_field, date)?))
    }
}

/// The date of a record from the value of its `--date-field` (`None`: no
/// such field given or present, or `null`): an ISO 8601 date or date-time
/// string, read as the manifest's dates are.
fn record_date(
    field: Option<&str>,
    value: Option<serde_json::Value>,
) -> std::result::Result<Option<Date>, String> {
    let Some(field) = field else {
        return Ok(None);
    };
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(text)) => Date::parse(&text)
            .map(Some)
            .map_err(|reason| format!("field {field:?} (--date-field): {reason}")),
        Some(_) => Err(format!(
            "field {field:?} (--date-field) must be an ISO 8601 date string, like \"2024-05-01\""
        )),
    }
}

/// The fields of a record that are read.
struct Fields<'o> {
    id: &'o str,
    text: &'o str,
    date: Option<&'o str>,
}

/// The id, text and raw date of a well-formed JSONL record, or `None` for anything
/// else (the caller then parses the line through `serde_json::Value` for the
/// error message, so the two paths cannot disagree on what is an error). The
/// text is taken as raw JSON and unescaped once into a buffer of its size:
/// serde_json's own path grows a scratch buffer and copies it again for
/// every line with an escape (every line holding a newline), which cost
/// about 8% of a whole scan's CPU time, and builds a map of every field.
fn fast_record(
    line: &[u8],
    fields: &Fields<'_>,
) -> Option<(String, Vec<u8>, Option<serde_json::Value>)> {
    use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
    use serde_json::value::RawValue;

    enum Field {
        Id,
        Text,
        Date,
        Other,
    }
    #[derive(Clone, Copy)]
    struct Keys<'f, 'o>(&'f Fields<'o>);
    impl<'de> DeserializeSeed<'de> for Keys<'_, '_> {
        type Value = Field;
        fn deserialize<D: serde::Deserializer<'de>>(
            self,
            d: D,
        ) -> std::result::Result<Field, D::Error> {
            d.deserialize_str(self)
        }
    }
    impl<'de> Visitor<'de> for Keys<'_, '_> {
        type Value = Field;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a field name")
        }
        fn visit_str<E>(self, key: &str) -> std::result::Result<Field, E> {
            // Last of equal keys wins, as in a serde_json map.
            Ok(if key == self.0.id {
                Field::Id
            } else if key == self.0.text {
                Field::Text
            } else if Some(key) == self.0.date {
                Field::Date
            } else {
                Field::Other
            })
        }
    }
    type Found<'de> = (
        Option<serde_json::Value>,
        Option<&'de RawValue>,
        Option<serde_json::Value>,
    );
    struct Record<'f, 'o>(&'f Fields<'o>);
    impl<'de> Visitor<'de> for Record<'_, '_> {
        type Value = Found<'de>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Found<'de>, A::Error> {
            let (mut id, mut text, mut date) = (None, None, None);
            while let Some(field) = map.next_key_seed(Keys(self.0))? {
                match field {
                    Field::Id => id = Some(map.next_value()?),
                    Field::Text => text = Some(map.next_value()?),
                    Field::Date => date = Some(map.next_value()?),
                    Field::Other => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok((id, text, date))
        }
    }

    // The id field wins over the text field when they are one (as in the
    // slow path, which removes the id first and then finds no text).
    // (And a date field that is one of the others goes the slow way too.)
    if fields.id == fields.text
        || fields
            .date
            .is_some_and(|d| d == fields.id || d == fields.text)
    {
        return None;
    }
    // Validated at once with SIMD, the line is then parsed as a `str`, whose
    // strings serde_json does not validate again (its own check of each
    // string, byte by byte, was 2.7% of a scan's time on the 100 MB
    // benchmark corpus). Invalid UTF-8 goes to the slow path, which reports it.
    let line = simdutf8::basic::from_utf8(line).ok()?;
    let mut deserializer = serde_json::Deserializer::from_str(line);
    let (id, text, date) =
        serde::Deserializer::deserialize_map(&mut deserializer, Record(fields)).ok()?;
    deserializer.end().ok()?;
    let id = match id? {
        serde_json::Value::String(id) => id,
        serde_json::Value::Number(id) => id.to_string(),
        _ => return None,
    };
    let raw = text?.get().strip_prefix('"')?.strip_suffix('"')?;
    Some((id, unescape(raw)?, date))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::IngestOptions;

    const FIELDS: Fields = Fields {
        id: "id",
        text: "text",
        date: None,
    };

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
        let reader = Reader::new(&options);
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
            assert!(fast_record(line, &FIELDS).is_none());
            let slow = reader.parse_record_slowly(line);
            assert!(slow.is_err());
            assert_eq!(reader.parse_record(line), slow);
        }
        assert!(fast_record(lines[0].as_bytes(), &FIELDS).is_some());
        assert!(fast_record(lines[1].as_bytes(), &FIELDS).is_some());
        assert_eq!(
            reader.parse_record(lines[3].as_bytes()),
            Ok(("last".to_string(), b"second".to_vec(), None))
        );
        let same = IngestOptions {
            id_field: "text".to_string(),
            ..IngestOptions::default()
        };
        let reader = Reader::new(&same);
        let line = br#"{"text": "both"}"#;
        assert_eq!(reader.parse_record(line), reader.parse_record_slowly(line));
        assert!(reader.parse_record(line).is_err());
    }

    #[test]
    fn dated_records_agree_with_the_value_path() {
        let dated = IngestOptions {
            date_field: Some("date".to_string()),
            ..IngestOptions::default()
        };
        let reader = Reader::new(&dated);
        let lines: &[&str] = &[
            r#"{"id": "a", "text": "x", "date": "2022-09-04"}"#,
            r#"{"date": "2022-09-04T10:00:00+02:00", "id": "a", "text": "x"}"#,
            r#"{"id": "a", "text": "x"}"#,
            r#"{"id": "a", "text": "x", "date": null}"#,
            r#"{"id": "a", "text": "x", "date": "2022-02-30"}"#,
            r#"{"id": "a", "text": "x", "date": 2022}"#,
            r#"{"id": "a", "text": "x", "date": "not a date"}"#,
            r#"{"id": "a", "text": "x", "date": "2022-01-01", "date": "2023-01-01"}"#,
        ];
        for line in lines {
            assert_eq!(
                reader.parse_record(line.as_bytes()),
                reader.parse_record_slowly(line.as_bytes()),
                "{line}"
            );
        }
        let date = |line: &str| reader.parse_record(line.as_bytes()).map(|r| r.2);
        assert_eq!(date(lines[0]), Ok(Some(Date::parse("2022-09-04").unwrap())));
        assert_eq!(date(lines[2]), Ok(None));
        assert_eq!(date(lines[3]), Ok(None));
        assert!(date(lines[4])
            .unwrap_err()
            .contains("\"date\" (--date-field)"));
        assert_eq!(date(lines[7]), Ok(Some(Date::parse("2023-01-01").unwrap())));
        // A date field that is the text field: the slow path's answer.
        let same = IngestOptions {
            date_field: Some("text".to_string()),
            ..IngestOptions::default()
        };
        let reader = Reader::new(&same);
        let line = br#"{"id": "a", "text": "2022-01-01"}"#;
        assert_eq!(reader.parse_record(line), reader.parse_record_slowly(line));
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
    fn lines_are_read_up_to_the_limit() {
        let mut input = io::BufReader::with_capacity(4, &b"abc\nabcdef\nlast"[..]);
        let mut buffer = Vec::new();
        assert_eq!(read_line(&mut input, &mut buffer, 3).unwrap(), Line::Read);
        assert_eq!(buffer, b"abc\n");
        assert_eq!(
            read_line(&mut input, &mut buffer, 3).unwrap(),
            Line::TooLong
        );
        assert_eq!(buffer, b"abc\n", "nothing of the long line is kept");
        input.skip_until(b'\n').unwrap();
        assert_eq!(read_line(&mut input, &mut buffer, 4).unwrap(), Line::Read);
        assert_eq!(buffer, b"abc\nlast");
        assert_eq!(read_line(&mut input, &mut buffer, 4).unwrap(), Line::End);
    }
}
