//! The manifest of dates: which document was published when.
//!
//! A manifest is a CSV file with a header row starting `id,date` (then
//! optional `title,url`), or a JSON array of `{"id", "date", "title", "url"}`
//! objects. It is read as JSON when its name ends in `.json` (in any case) or
//! when its first character other than white space is `[` or `{`; a UTF-8
//! byte order mark is skipped in both. Every problem is an error that names
//! the file and the line: an id that is not in the corpus, an id given twice
//! (both lines named: which date is right cannot be guessed), a date that is
//! not a real ISO 8601 date or date-time.
//!
//! Dates are parsed with `jiff` (issue 13: they used to be compared as
//! strings, so `2022-09-04T10:00:00+02:00` came after `2022-09-04T09:30:00Z`).
//! Accepted forms: `YYYY-MM-DD`, or that followed by `T` (or a space) and
//! `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fraction`, then optionally `Z` or an
//! offset `+HH:MM`, `-HH:MM`, `+HHMM` or `+HH`. Offsets are normalised to UTC;
//! a time without an offset is taken as UTC. Each date is an interval of time:
//! a date-time is one instant, a date alone is the whole day (00:00 to
//! 23:59:59.999999999 UTC). One date is before another only when its interval
//! ends before the other begins; dates whose intervals overlap (the same day,
//! or a day and a time on that day) are treated as equal, so no direction is
//! invented between them. Reports show each date as the manifest gives it.
//! Instants are kept as UTC civil date-times, so every day from 0000-01-01
//! to 9999-12-31 is accepted (a `Timestamp` ends at 9999-12-30T22:00Z,
//! which refused `9999-12-31`, a common "no end" sentinel); only a
//! date-time whose offset takes it past 9999 or before year -9999 in UTC is
//! refused, as out of range.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::Path;

use jiff::civil;
use jiff::tz::Offset;
use jiff::SignedDuration;
use serde_json::value::RawValue;

use crate::error::{Error, Result};

/// A publication date: the text as given and the interval of time it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Date {
    given: String,
    first: civil::DateTime,
    last: civil::DateTime,
}

impl Date {
    /// Parse an ISO 8601 date or date-time (see the module doc for the forms).
    /// The error says what is wrong.
    pub fn parse(text: &str) -> std::result::Result<Date, String> {
        let given = text.trim();
        let (day, rest) = split_day(given)?;
        let (first, last) = if rest.is_empty() {
            (day.at(0, 0, 0, 0), day.at(23, 59, 59, 999_999_999))
        } else {
            let instant = parse_time(day, rest)?;
            (instant, instant)
        };
        Ok(Date {
            given: given.to_string(),
            first,
            last,
        })
    }

    /// The date as the manifest gives it (without surrounding white space).
    pub fn as_given(&self) -> &str {
        &self.given
    }

    /// First instant of the date, as a UTC date-time.
    pub fn first(&self) -> civil::DateTime {
        self.first
    }

    /// Last instant of the date, as a UTC date-time (the same as `first` for
    /// a date-time).
    pub fn last(&self) -> civil::DateTime {
        self.last
    }

    /// Whether this date ends before `other` begins. Overlapping dates (a day
    /// and a time on that day, or two equal dates) are in neither order.
    pub fn before(&self, other: &Date) -> bool {
        self.last < other.first
    }
}

/// A total order for sorting and tie-breaking only (by first instant, then
/// last, then text); use [`Date::before`] to decide what came first.
impl Ord for Date {
    fn cmp(&self, other: &Date) -> Ordering {
        (self.first, self.last, &self.given).cmp(&(other.first, other.last, &other.given))
    }
}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Date) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `YYYY-MM-DD` at the start, and what follows it (empty, or the time with
/// its separator removed).
fn split_day(text: &str) -> std::result::Result<(civil::Date, &str), String> {
    let bytes = text.as_bytes();
    let shape = bytes.len() >= 10
        && bytes[..10].iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape {
        return Err("it does not start with YYYY-MM-DD".to_string());
    }
    let number =
        |range: std::ops::Range<usize>| -> i16 { text[range].parse().expect("checked digits") };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let date = civil::Date::new(year, month as i8, day as i8)
        .map_err(|_| format!("{year:04}-{month:02}-{day:02} is not a day of the calendar"))?;
    let rest = &text[10..];
    match rest.as_bytes().first() {
        None => Ok((date, "")),
        Some(b'T' | b't' | b' ') if rest.len() > 1 => Ok((date, &rest[1..])),
        _ => Err("the day must end the date or be followed by T or a space and a time".to_string()),
    }
}

/// `HH:MM[:SS[.fraction]][Z|±HH[:]MM|±HH]` on `day`, as a UTC date-time.
fn parse_time(day: civil::Date, text: &str) -> std::result::Result<civil::DateTime, String> {
    let bad = || format!("{text:?} is not a time HH:MM[:SS[.fraction]] with Z, +HH:MM or nothing");
    let (clock, offset) = match text.find(['Z', 'z', '+', '-']) {
        None => (text, Offset::UTC),
        Some(at) => (&text[..at], parse_offset(&text[at..]).ok_or_else(bad)?),
    };
    let (hms, fraction) = match clock.find(['.', ',']) {
        None => (clock, ""),
        Some(at) => (&clock[..at], &clock[at + 1..]),
    };
    let fields: Vec<&str> = hms.split(':').collect();
    let two_digits = |f: &&str| f.len() == 2 && f.bytes().all(|b| b.is_ascii_digit());
    let fraction_ok = fraction.len() <= 9 && fraction.bytes().all(|b| b.is_ascii_digit());
    let has_fraction = clock.len() != hms.len();
    if !(fields.len() == 2 || fields.len() == 3)
        || !fields.iter().all(two_digits)
        || !fraction_ok
        || (has_fraction && (fraction.is_empty() || fields.len() != 3))
    {
        return Err(bad());
    }
    let field = |i: usize| {
        fields
            .get(i)
            .map_or(0, |f| f.parse::<i8>().expect("checked digits"))
    };
    let nanos = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}")
            .parse::<i32>()
            .expect("checked digits")
    };
    let time = civil::Time::new(field(0), field(1), field(2), nanos)
        .map_err(|_| format!("{text:?} is not a time of day (00:00 to 23:59:59)"))?;
    civil::DateTime::from_parts(day, time)
        .checked_sub(SignedDuration::from_secs(i64::from(offset.seconds())))
        .map_err(|_| format!("{text:?} on {day} is out of range in UTC (years -9999 to 9999)"))
}

/// `Z`, `±HH:MM`, `±HHMM` or `±HH`, hours up to 23 and minutes up to 59.
fn parse_offset(text: &str) -> Option<Offset> {
    if text == "Z" || text == "z" {
        return Some(Offset::UTC);
    }
    let sign = match text.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = match text[1..].split_once(':') {
        Some((h, m)) if h.len() == 2 && m.len() == 2 => format!("{h}{m}"),
        Some(_) => return None,
        None => text[1..].to_string(),
    };
    if !(digits.len() == 2 || digits.len() == 4) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

/// A document's manifest title and URL.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Label {
    /// Manifest `title`.
    pub title: Option<String>,
    /// Manifest `url`.
    pub url: Option<String>,
}

/// One dated entry of a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// Document id, as the corpus names it.
    pub id: String,
    /// Publication date.
    pub date: Date,
    /// Optional title.
    pub title: Option<String>,
    /// Optional address.
    pub url: Option<String>,
    /// 1-based line of the entry in the manifest.
    pub line: u64,
}

/// A row or object as written in the file.
#[derive(Debug, serde::Deserialize)]
struct RawEntry {
    id: String,
    date: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// Read a manifest, checking its dates, that every id is in `ids` (sorted),
/// and that no id is given twice.
pub fn read_manifest(path: &Path, ids: &[&str]) -> Result<Vec<ManifestEntry>> {
    let bad = |line: Option<u64>, reason: String| Error::Manifest {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let raw = if is_json(path, bytes) {
        read_json(bytes, &bad)?
    } else {
        read_csv(bytes, &bad)?
    };
    let mut seen: HashMap<&str, u64> = HashMap::new();
    let mut entries = Vec::with_capacity(raw.len());
    for (line, entry) in &raw {
        let date = Date::parse(&entry.date).map_err(|why| {
            bad(
                Some(*line),
                format!(
                    "date {:?} of {:?} is not an ISO 8601 date (YYYY-MM-DD, optionally \
                     followed by THH:MM[:SS] and Z or +HH:MM): {why}",
                    entry.date, entry.id
                ),
            )
        })?;
        if ids.binary_search(&entry.id.as_str()).is_err() {
            return Err(bad(
                Some(*line),
                format!(
                    "id {:?} is not in the corpus; fix the id or remove the row",
                    entry.id
                ),
            ));
        }
        if let Some(first) = seen.insert(&entry.id, *line) {
            return Err(bad(
                Some(*line),
                format!(
                    "id {:?} is given twice (lines {first} and {line}); keep one row per document",
                    entry.id
                ),
            ));
        }
        entries.push(ManifestEntry {
            id: entry.id.clone(),
            date,
            title: entry.title.clone(),
            url: entry.url.clone(),
            line: *line,
        });
    }
    Ok(entries)
}

/// JSON by name (`.json`, any case) or by content (`[` or `{` first).
fn is_json(path: &Path, bytes: &[u8]) -> bool {
    let by_name = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    by_name || matches!(first, Some(b'[' | b'{'))
}

fn read_json(
    bytes: &[u8],
    bad: &dyn Fn(Option<u64>, String) -> Error,
) -> Result<Vec<(u64, RawEntry)>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = line_of(bytes, e.valid_up_to());
        bad(
            Some(line),
            "not UTF-8 text; save the manifest as UTF-8".to_string(),
        )
    })?;
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
        bad(
            Some(e.line() as u64),
            format!("not a JSON array of {{\"id\", \"date\"}} objects ({e})"),
        )
    })?;
    items
        .into_iter()
        .map(|item| {
            // The raw value borrows from `text`: its offset gives its line.
            let offset = item.get().as_ptr() as usize - text.as_ptr() as usize;
            let line = line_of(bytes, offset);
            let entry = serde_json::from_str(item.get()).map_err(|e| {
                bad(
                    Some(line),
                    format!("not an object with \"id\" and \"date\" strings ({e})"),
                )
            })?;
            Ok((line, entry))
        })
        .collect()
}

fn read_csv(
    bytes: &[u8],
    bad: &dyn Fn(Option<u64>, String) -> Error,
) -> Result<Vec<(u64, RawEntry)>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| bad(Some(1), format!("cannot read the header row ({e})")))?
        .clone();
    if headers.get(0) != Some("id") || headers.get(1) != Some("date") {
        return Err(bad(
            Some(1),
            "the header row must start with id,date".to_string(),
        ));
    }
    let mut entries = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line());
            bad(line, format!("bad row ({e})"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let entry = record
            .deserialize(Some(&headers))
            .map_err(|e| bad(Some(line), format!("bad row ({e})")))?;
        entries.push((line, entry));
    }
    Ok(entries)
}

/// 1-based line of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> u64 {
    memchr::memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count() as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn valid_forms() {
        for text in [
            "2022-09-04",
            "2024-02-29T10:00:00Z",
            "2022-09-04T10:00",
            "2022-09-04 23:00",
            "2022-09-04T10:00:00.123+02:00",
            "2022-09-04T10:00:00,5-0530",
            "2022-09-04T10:00+02",
            " 2022-09-04 ",
        ] {
            date(text);
        }
        assert_eq!(date(" 2022-09-04 ").as_given(), "2022-09-04");
    }

    #[test]
    fn invalid_forms() {
        for text in [
            "2023-02-29",
            "04/09/2022",
            "2022-13-01",
            "2022-09-04T99:99",
            "2022-09-04Tgarbage",
            "+022-09-04",
            "2022-9-4",
            "2022-09-04T",
            "2022-09-04X10:00",
            "2022-09-04T10",
            "2022-09-04T10:00:00.",
            "2022-09-04T10:00.5",
            "2022-09-04T24:00",
            "2022-09-04T10:00:60",
            "2022-09-04T10:00+2:00",
            "2022-09-04T10:00+24:00",
            "2022-09-04T10:00Zjunk",
            "2022-09-04T10:00:00.1234567890",
            "",
        ] {
            assert!(Date::parse(text).is_err(), "{text:?} was accepted");
        }
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        let paris = date("2022-09-04T10:00:00+02:00");
        let utc = date("2022-09-04T09:30:00Z");
        assert!(paris.before(&utc) && !utc.before(&paris));
        assert!(date("2022-09-04T01:00").before(&date("2022-09-04 23:00")));
        assert!(date("2022-09-04T23:00-02:00").before(&date("2022-09-05T01:00:01Z")));
        assert_eq!(
            date("2022-09-04T23:00-02:00").first(),
            date("2022-09-05T01:00Z").first()
        );
    }

    #[test]
    fn the_last_days_of_year_9999_are_dates() {
        // "9999-12-31" (a common "no end" sentinel) was refused as "out of
        // range" because an instant ended at 9999-12-30T22:00Z.
        assert!(date("9999-12-30").before(&date("9999-12-31")));
        assert!(date("9999-12-31T12:00Z").before(&date("9999-12-31T23:59:59.5")));
        assert!(date("0000-01-01").before(&date("9999-12-31T23:59:59Z")));
        assert!(date("9999-12-31T23:00+05:00").before(&date("9999-12-31T23:00Z")));
        assert!(date("0000-01-01T01:00+05:00").before(&date("0000-01-01")));
        let past = Date::parse("9999-12-31T23:00-05:00").unwrap_err();
        assert!(past.contains("out of range in UTC"), "{past}");
    }

    #[test]
    fn a_day_overlaps_its_times() {
        let day = date("2022-09-04");
        for time in [
            "2022-09-04T00:00Z",
            "2022-09-04T12:00Z",
            "2022-09-04T23:59:59.999Z",
        ] {
            let time = date(time);
            assert!(!day.before(&time) && !time.before(&day), "{time:?}");
        }
        assert!(day.before(&date("2022-09-05T00:00Z")));
        assert!(date("2022-09-03T23:59:59Z").before(&day));
        assert!(date("2022-09-03").before(&day));
        // 01:00 in Paris on the 5th is the 4th in UTC.
        assert!(!day.before(&date("2022-09-05T01:00+02:00")));
        assert!(!day.before(&day));
    }

    #[test]
    fn manifests_in_csv_and_json() {
        let dir = tempfile::tempdir().unwrap();
        let ids = ["a.txt", "b.txt"];
        let csv = dir.path().join("m.csv");
        std::fs::write(&csv, "id,date,title,url\na.txt,2022-08-25,\"Titre, avec virgule\",https://x\nb.txt,2022-09-04,,\n").unwrap();
        let entries = read_manifest(&csv, &ids).unwrap();
        assert_eq!(entries[0].title.as_deref(), Some("Titre, avec virgule"));
        assert_eq!(entries[1].date.as_given(), "2022-09-04");
        assert_eq!(entries[1].line, 3);
        let json = dir.path().join("m.json");
        std::fs::write(&json, "[\n{\"id\": \"a.txt\", \"date\": \"2022-09-04\"},\n{\"id\": \"b.txt\", \"date\": \"2022-09-05\"}]").unwrap();
        let entries = read_manifest(&json, &ids).unwrap();
        assert_eq!((entries[1].id.as_str(), entries[1].line), ("b.txt", 3));

        std::fs::write(&csv, "id,date\na.txt,2022-08-25\nb.txt,4 septembre\n").unwrap();
        let error = read_manifest(&csv, &ids).unwrap_err().to_string();
        assert!(
            error.contains("m.csv:3:") && error.contains("not an ISO 8601 date"),
            "{error}"
        );
        std::fs::write(&csv, "id,date\nc.txt,2022-08-25\n").unwrap();
        let error = read_manifest(&csv, &ids).unwrap_err().to_string();
        assert!(
            error.contains("m.csv:2:") && error.contains("\"c.txt\" is not in the corpus"),
            "{error}"
        );
        std::fs::write(&csv, "name,when\n").unwrap();
        assert!(read_manifest(&csv, &ids)
            .unwrap_err()
            .to_string()
            .contains("header row"));
    }

    #[test]
    fn json_is_recognised_by_content_and_any_case_and_a_bom_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let ids = ["a.txt"];
        let body = "[{\"id\": \"a.txt\", \"date\": \"2022-09-04\"}]";
        for (name, bytes) in [
            ("M.JSON", body.as_bytes().to_vec()),
            ("dates.txt", format!("  \n{body}").into_bytes()),
            (
                "bom.json",
                [b"\xEF\xBB\xBF".as_slice(), body.as_bytes()].concat(),
            ),
            (
                "bom.csv",
                b"\xEF\xBB\xBFid,date\na.txt,2022-09-04\n".to_vec(),
            ),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let entries = read_manifest(&path, &ids).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(entries[0].date.as_given(), "2022-09-04", "{name}");
        }
    }
}
