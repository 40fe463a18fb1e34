//! JSON writer: the provenance map as one object laid out one list element
//! per line (the default), fully pretty-printed (`--pretty`), or on one line
//! (`--compact`, serde_json's compact form: no spaces, no breaks).
//!
//! The default layout is serde_json's pretty printer down to the elements
//! of the top-level lists, each of which is written on one line of its own
//! with `", "` and `": "` between its parts: a link, passage or document is
//! one line to read, grep or diff, and the map takes 35% fewer bytes than
//! fully pretty-printed (223 MB -> 145 MB on 100 MB of generated versions).
//!
//! With `--pretty` the bytes are exactly those of
//! `serde_json::to_writer_pretty(report)` followed by a newline; with
//! `--compact`, of `serde_json::to_writer`. In every layout the lists are
//! serialized in parallel: each list
//! is cut into chunks of [`CHUNK`] elements, and a group of chunks is
//! serialized on the worker threads (kept in order) while the calling thread
//! writes the group before it. Memory stays bounded by two groups' JSON (a
//! few MB), not the whole report's.
//!
//! An element of a top-level list sits at depth 2 of the pretty printer (4
//! spaces); serialized alone by `to_vec_pretty` it would start at depth 0.
//! So it is serialized with [`Nested`], serde_json's pretty formatter
//! started at depth 2, and the separators around the elements are written
//! here as the pretty printer writes them (`[`, `\n    `, `,\n    `,
//! `\n  ]`, `[]` when empty).

use std::io::{self, Write};
use std::ops::Range;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::ser::Formatter;

use super::{MapParts, Report};

/// Elements of a list serialized by one task.
const CHUNK: usize = 1024;

/// Chunks serialized per worker thread before a group is written.
const CHUNKS_PER_THREAD: usize = 4;

/// Fewest chunks in a group, whatever the thread count.
const MIN_CHUNKS_PER_GROUP: usize = 8;

/// Depth of a top-level field's value.
const FIELD_DEPTH: usize = 1;

/// Depth of a top-level list's element.
const ELEMENT_DEPTH: usize = 2;

/// How the map's JSON is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// Pretty-printed down to the top-level lists' elements, each on one
    /// line of its own (the default).
    #[default]
    Lines,
    /// serde_json's pretty printer throughout (`--pretty`).
    Pretty,
    /// serde_json's compact form, all on one line (`--compact`).
    Compact,
}

/// Write `report` as JSON, one list element per line ([`Layout::Lines`]),
/// followed by a newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_chunked(report, out, CHUNK, Layout::Lines)
}

/// Write `report` as pretty-printed JSON (`--pretty`), followed by a
/// newline: the bytes of `serde_json::to_writer_pretty`.
pub fn write_pretty(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_chunked(report, out, CHUNK, Layout::Pretty)
}

/// Write `report` as JSON on one line (`--compact`), followed by a newline:
/// the bytes of `serde_json::to_writer`.
pub fn write_compact(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_chunked(report, out, CHUNK, Layout::Compact)
}

/// Write `report` in `layout`.
pub fn write_as(report: &Report, out: &mut dyn Write, layout: Layout) -> io::Result<()> {
    write_chunked(report, out, CHUNK, layout)
}

/// [`write_as`], with lists cut into chunks of `chunk` elements.
fn write_chunked(
    report: &Report,
    out: &mut dyn Write,
    chunk: usize,
    layout: Layout,
) -> io::Result<()> {
    // Every field named: a field added to `Report` must be added here too.
    let Report {
        schema,
        tool,
        parameters,
        stats,
        documents,
        pairs,
        passages,
        links,
        warnings,
    } = report;
    let chunk = chunk.max(1);
    let group =
        chunk * (CHUNKS_PER_THREAD * rayon::current_num_threads()).max(MIN_CHUNKS_PER_GROUP);
    // The small writes (keys, brackets) are buffered; a group's chunks are
    // larger than the buffer and go straight through.
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(b"{")?;
    field(&mut out, layout, "schema", schema)?;
    field(&mut out, layout, "tool", tool)?;
    field(&mut out, layout, "parameters", parameters)?;
    field(&mut out, layout, "stats", stats)?;
    list(&mut out, layout, "documents", documents, chunk, group)?;
    list(&mut out, layout, "pairs", pairs, chunk, group)?;
    list(&mut out, layout, "passages", passages, chunk, group)?;
    list(&mut out, layout, "links", links, chunk, group)?;
    list(&mut out, layout, "warnings", warnings, chunk, group)?;
    layout.at(0).line(&mut out)?;
    out.write_all(b"}\n")?;
    out.flush()
}

/// Write the map that `parts` make as [`write_as`] writes the whole
/// [`Report`] in `layout`, byte for byte, making the entries of each list a
/// group at a time: only two groups' entries and JSON are held.
pub fn write_parts(parts: &MapParts, out: &mut dyn Write, layout: Layout) -> io::Result<()> {
    // Made here, before the worker threads read them.
    parts.quote_ids();
    let head = parts.head();
    let [documents, pairs, passages, links] = parts.lengths();
    let chunk = CHUNK;
    let group =
        chunk * (CHUNKS_PER_THREAD * rayon::current_num_threads()).max(MIN_CHUNKS_PER_GROUP);
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    out.write_all(b"{")?;
    field(&mut out, layout, "schema", &head.schema)?;
    field(&mut out, layout, "tool", &head.tool)?;
    field(&mut out, layout, "parameters", &head.parameters)?;
    field(&mut out, layout, "stats", &head.stats)?;
    list_with(
        &mut out,
        layout,
        "documents",
        documents,
        chunk,
        group,
        &|r| serialize_chunk(layout, &parts.documents(r)),
    )?;
    // The other lists are written straight from the findings, no entries
    // made (see [`MapParts::write_pair`]).
    list_with(&mut out, layout, "pairs", pairs, chunk, group, &|r| {
        Ok(write_each(layout, r, |w, i| parts.write_pair(w, i)))
    })?;
    list_with(&mut out, layout, "passages", passages, chunk, group, &|r| {
        Ok(write_each(layout, r, |w, n| parts.write_passage(w, n)))
    })?;
    list_with(&mut out, layout, "links", links, chunk, group, &|r| {
        Ok(write_each(layout, r, |w, i| parts.write_link(w, i)))
    })?;
    list(&mut out, layout, "warnings", &head.warnings, chunk, group)?;
    layout.at(0).line(&mut out)?;
    out.write_all(b"}\n")?;
    out.flush()
}

impl Layout {
    /// The formatter for the map's own structure `depth` levels deep (the
    /// top-level object, its fields, the lists' brackets and line breaks).
    fn at(self, depth: usize) -> Nested {
        Nested {
            depth,
            has_value: false,
            mode: match self {
                Layout::Compact => Mode::Compact,
                Layout::Lines | Layout::Pretty => Mode::Pretty,
            },
        }
    }

    /// The formatter for an element of a top-level list.
    fn element(self) -> Nested {
        Nested {
            depth: ELEMENT_DEPTH,
            has_value: false,
            mode: match self {
                Layout::Compact => Mode::Compact,
                Layout::Lines => Mode::Inline,
                Layout::Pretty => Mode::Pretty,
            },
        }
    }
}

/// The separator and key of a top-level field (`schema` comes first, right
/// after the opening brace, without a comma).
fn key(out: &mut impl Write, style: Layout, name: &str) -> io::Result<()> {
    let first = name == "schema";
    if !first {
        out.write_all(b",")?;
    }
    style.at(FIELD_DEPTH).line(out)?;
    serde_json::to_writer(&mut *out, name).map_err(io::Error::from)?;
    out.write_all(if style == Layout::Compact {
        b":"
    } else {
        b": "
    })
}

/// A small top-level field, serialized on this thread.
fn field<T: Serialize>(
    out: &mut impl Write,
    style: Layout,
    name: &str,
    value: &T,
) -> io::Result<()> {
    key(out, style, name)?;
    pretty(out, style.at(FIELD_DEPTH), value)
}

/// A top-level list, serialized in parallel a group of chunks at a time:
/// while this thread writes one group, the worker threads serialize the next.
fn list<T: Serialize + Sync>(
    out: &mut impl Write,
    style: Layout,
    name: &str,
    items: &[T],
    chunk: usize,
    group: usize,
) -> io::Result<()> {
    let serialize = |range: Range<usize>| serialize_chunk(style, &items[range]);
    list_with(out, style, name, items.len(), chunk, group, &serialize)
}

/// [`list`] of `len` elements whose chunks `serialize` makes, a range of
/// elements at a time (made only then: see [`write_parts`]).
fn list_with(
    out: &mut impl Write,
    style: Layout,
    name: &str,
    len: usize,
    chunk: usize,
    group: usize,
    serialize_range: &(dyn Fn(Range<usize>) -> io::Result<Vec<u8>> + Sync),
) -> io::Result<()> {
    key(out, style, name)?;
    if len == 0 {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    let serialize = |items: Range<usize>| -> io::Result<Vec<Vec<u8>>> {
        let starts: Vec<usize> = items.clone().step_by(chunk).collect();
        starts
            .into_par_iter()
            .map(|start| serialize_range(start..(start + chunk).min(items.end)))
            .collect()
    };
    let mut groups = (0..len)
        .step_by(group)
        .map(|start| start..(start + group).min(len));
    let mut ready = groups.next().map(serialize).transpose()?;
    let mut first = true;
    while let Some(chunks) = ready.take() {
        let mut next = None;
        let written = rayon::in_place_scope(|scope| {
            if let Some(items) = groups.next() {
                let next = &mut next;
                scope.spawn(move |_| *next = Some(serialize(items)));
            }
            // `in_place_scope` runs this closure on the calling thread, so
            // `out` need not be `Send`.
            write_chunks(out, &chunks, &mut first)
        });
        written?;
        ready = next.transpose()?;
    }
    style.at(FIELD_DEPTH).line(out)?;
    out.write_all(b"]")
}

/// Serialized chunks of a list, joined with commas (and one before the
/// first unless it starts the list).
fn write_chunks(out: &mut impl Write, chunks: &[Vec<u8>], first: &mut bool) -> io::Result<()> {
    for bytes in chunks {
        if !*first {
            out.write_all(b",")?;
        }
        *first = false;
        out.write_all(bytes)?;
    }
    Ok(())
}

/// Elements as the pretty printer writes them inside a top-level list, each
/// after its line break and indentation, with commas between them (not
/// before the first nor after the last: the chunks are joined with commas).
fn serialize_chunk<T: Serialize>(style: Layout, items: &[T]) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(items.len() * 256);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            bytes.push(b',');
        }
        style.at(ELEMENT_DEPTH).line(&mut bytes)?;
        pretty(&mut bytes, style.element(), item)?;
    }
    Ok(bytes)
}

/// The elements `items` of a top-level list as [`serialize_chunk`] writes
/// them, each written by `write` through a [`Writer`] instead of serialized.
fn write_each(style: Layout, items: Range<usize>, write: impl Fn(&mut Writer, usize)) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(items.len() * 256);
    for (k, item) in items.enumerate() {
        if k > 0 {
            bytes.push(b',');
        }
        infallible(style.at(ELEMENT_DEPTH).line(&mut bytes));
        let mut writer = Writer {
            bytes: &mut bytes,
            f: style.element(),
        };
        write(&mut writer, item);
    }
    bytes
}

/// Whether serde_json escapes any byte of `bytes` in a string: `"`, `\\`
/// and the control characters below 0x20 (not 0x7F, nor any byte of a
/// character beyond ASCII). Eight bytes at a time: a byte below 0x20 is
/// one that borrows when 0x20 is taken from it, `"` and `\\` those equal
/// to 0 once xor'ed with them (the classic has-zero-byte test, exact when
/// it says none: a borrow only crosses from a byte that is itself a hit).
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let x = u64::from_le_bytes(eight);
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        if control | zero(x ^ (ONES * u64::from(b'"'))) | zero(x ^ (ONES * u64::from(b'\\'))) != 0 {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// A `Vec<u8>` takes every write: the formatter's `io::Result` is always `Ok`.
fn infallible(written: io::Result<()>) {
    written.expect("writing to memory")
}

/// A value written straight into the bytes of a list's chunk through the
/// element's formatter, calling its methods in the order serde_json's
/// `Serializer` calls them for the same value (a struct: `begin_object`,
/// then per field `begin_object_key`, the key, `end_object_key`,
/// `begin_object_value`, the value, `end_object_value`; `end_object`), so
/// the bytes are those serde_json writes in every [`Layout`]. What it
/// saves: the keys are written as given (quoted and escaped once, at
/// compile time), and the callers write strings escaped beforehand (the
/// documents' ids) as they are.
pub(super) struct Writer<'b> {
    bytes: &'b mut Vec<u8>,
    f: Nested,
}

/// An object being written by a [`Writer`].
pub(super) struct Object<'w, 'b> {
    w: &'w mut Writer<'b>,
    first: bool,
}

/// An array being written by a [`Writer`].
pub(super) struct Array<'w, 'b> {
    w: &'w mut Writer<'b>,
    empty: bool,
    first: bool,
}

impl<'b> Writer<'b> {
    /// Begin an object (`serialize_struct`, never of no fields).
    #[inline]
    pub(super) fn object(&mut self) -> Object<'_, 'b> {
        infallible(self.f.begin_object(self.bytes));
        Object {
            w: self,
            first: true,
        }
    }

    /// Begin an array of `len` elements (`serialize_seq`).
    #[inline]
    pub(super) fn array(&mut self, len: usize) -> Array<'_, 'b> {
        infallible(self.f.begin_array(self.bytes));
        if len == 0 {
            infallible(self.f.end_array(self.bytes));
        }
        Array {
            w: self,
            empty: len == 0,
            first: true,
        }
    }

    /// An unsigned integer.
    #[inline]
    pub(super) fn u64(&mut self, value: u64) {
        infallible(self.f.write_u64(self.bytes, value));
    }

    /// A float as serde_json writes an `f64` (`null` unless finite).
    #[inline]
    pub(super) fn f64(&mut self, value: f64) {
        infallible(if value.is_finite() {
            self.f.write_f64(self.bytes, value)
        } else {
            self.f.write_null(self.bytes)
        });
    }

    /// A boolean.
    #[inline]
    pub(super) fn bool(&mut self, value: bool) {
        infallible(self.f.write_bool(self.bytes, value));
    }

    /// `null`.
    #[inline]
    pub(super) fn null(&mut self) {
        infallible(self.f.write_null(self.bytes));
    }

    /// A string, escaped as serde_json escapes it (the formatter writes
    /// strings with serde_json's default methods): quoted as it is when no
    /// byte needs escaping (most excerpts), else by serde_json.
    #[inline]
    pub(super) fn str(&mut self, value: &str) {
        if needs_escape(value.as_bytes()) {
            infallible(serde_json::to_writer(&mut *self.bytes, value).map_err(io::Error::from));
        } else {
            self.bytes.reserve(value.len() + 2);
            self.bytes.push(b'"');
            self.bytes.extend_from_slice(value.as_bytes());
            self.bytes.push(b'"');
        }
    }

    /// A value's JSON written beforehand (a string quoted and escaped by
    /// serde_json).
    #[inline]
    pub(super) fn raw(&mut self, json: &[u8]) {
        self.bytes.extend_from_slice(json);
    }
}

impl<'b> Object<'_, 'b> {
    /// The key `key` (its JSON: quoted, escaped) of the next field; its
    /// value is written next, then [`Object::done`]. Of a length known
    /// when compiled, so that copying it takes a few moves, not a call.
    #[inline]
    pub(super) fn key<const N: usize>(&mut self, key: &[u8; N]) -> &mut Writer<'b> {
        let (f, bytes) = (&mut self.w.f, &mut *self.w.bytes);
        infallible(f.begin_object_key(bytes, self.first));
        self.first = false;
        bytes.extend_from_slice(key);
        infallible(f.end_object_key(bytes));
        infallible(f.begin_object_value(bytes));
        self.w
    }

    /// After a field's value.
    #[inline]
    pub(super) fn done(&mut self) {
        infallible(self.w.f.end_object_value(self.w.bytes));
    }

    /// A field of an unsigned integer.
    #[inline]
    pub(super) fn u64<const N: usize>(&mut self, key: &[u8; N], value: u64) {
        self.key(key).u64(value);
        self.done();
    }

    /// A field of a float.
    #[inline]
    pub(super) fn f64<const N: usize>(&mut self, key: &[u8; N], value: f64) {
        self.key(key).f64(value);
        self.done();
    }

    /// A field of a boolean.
    #[inline]
    pub(super) fn bool<const N: usize>(&mut self, key: &[u8; N], value: bool) {
        self.key(key).bool(value);
        self.done();
    }

    /// A field of a string.
    #[inline]
    pub(super) fn str<const N: usize>(&mut self, key: &[u8; N], value: &str) {
        self.key(key).str(value);
        self.done();
    }

    /// A field whose value's JSON was written beforehand.
    #[inline]
    pub(super) fn raw<const N: usize>(&mut self, key: &[u8; N], json: &[u8]) {
        self.key(key).raw(json);
        self.done();
    }

    /// The end of the object.
    #[inline]
    pub(super) fn end(self) {
        infallible(self.w.f.end_object(self.w.bytes));
    }
}

impl<'b> Array<'_, 'b> {
    /// The next element: written next, then [`Array::done`].
    #[inline]
    pub(super) fn element(&mut self) -> &mut Writer<'b> {
        infallible(self.w.f.begin_array_value(self.w.bytes, self.first));
        self.first = false;
        self.w
    }

    /// After an element.
    #[inline]
    pub(super) fn done(&mut self) {
        infallible(self.w.f.end_array_value(self.w.bytes));
    }

    /// The end of the array.
    #[inline]
    pub(super) fn end(self) {
        if !self.empty {
            infallible(self.w.f.end_array(self.w.bytes));
        }
    }
}

/// `value` written by `formatter` (pretty-printed as if it sat that deep, or compact).
fn pretty<T: Serialize>(out: &mut impl Write, formatter: Nested, value: &T) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, formatter);
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// A line break followed by spaces, for the indentation of most depths in
/// one write.
const LINE: &[u8; 65] = b"\n                                                                ";

/// How [`Nested`] writes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// serde_json's pretty printer.
    Pretty,
    /// On one line, `", "` between elements and `": "` after keys.
    Inline,
    /// serde_json's compact form.
    Compact,
}

/// serde_json's `PrettyFormatter` with two-space indentation, starting
/// `depth` levels deep instead of at the top: the same bytes, method for
/// method, as the pretty printer writes for a value nested that deep. In
/// [`Mode::Compact`], serde_json's `CompactFormatter` instead: no line
/// breaks, no indentation, `:` without a space; in [`Mode::Inline`], no
/// line breaks either, but a space after each comma and colon.
struct Nested {
    depth: usize,
    has_value: bool,
    mode: Mode,
}

impl Nested {
    /// A line break and the indentation of the current depth (nothing on one line).
    fn line<W: ?Sized + Write>(&self, writer: &mut W) -> io::Result<()> {
        if self.mode != Mode::Pretty {
            return Ok(());
        }
        let spaces = 2 * self.depth;
        if spaces < LINE.len() {
            return writer.write_all(&LINE[..1 + spaces]);
        }
        writer.write_all(b"\n")?;
        for _ in 0..self.depth {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl Nested {
    /// `[` or `{`: one level deeper, nothing in it yet.
    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    /// `]` or `}`, on a line of its own unless the container is empty.
    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(writer)?;
        }
        writer.write_all(bracket)
    }

    /// Before an element or a key: a comma unless it is the first, then a new line.
    fn separate<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        // Each write of a length known when compiled (a few moves, where
        // one of either length was a call to memcpy).
        if !first {
            if self.mode == Mode::Inline {
                writer.write_all(b", ")?;
            } else {
                writer.write_all(b",")?;
            }
        }
        self.line(writer)
    }
}

impl Formatter for Nested {
    #[inline]
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    #[inline]
    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    #[inline]
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.separate(writer, first)
    }

    #[inline]
    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    #[inline]
    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    #[inline]
    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    #[inline]
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.separate(writer, first)
    }

    #[inline]
    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        if self.mode == Mode::Compact {
            writer.write_all(b":")
        } else {
            writer.write_all(b": ")
        }
    }

    #[inline]
    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Warning;
    use crate::report::{DocumentEntry, LinkEntry, PairEntry, PassageEntry, SpanEntry};

    /// `needs_escape` says what serde_json does: for every byte value at
    /// every position of an 8-byte word and in the remainder, among plain
    /// text and characters beyond ASCII, and in strings of every length.
    #[test]
    fn needs_escape_agrees_with_serde_json() {
        let escaped = |s: &str| serde_json::to_string(s).unwrap() != format!("\"{s}\"");
        for c in (0u32..0x80).chain([0xE9, 0x2026, 0x1F600]) {
            let c = char::from_u32(c).unwrap();
            for len in 0..20 {
                for at in 0..len {
                    let s: String = (0..len).map(|k| if k == at { c } else { 'a' }).collect();
                    assert_eq!(needs_escape(s.as_bytes()), escaped(&s), "{s:?}");
                }
            }
        }
        for s in ["", "plain words, \u{7f} and é…", "x\u{1f}", "\"", "\\"] {
            assert_eq!(needs_escape(s.as_bytes()), escaped(s), "{s:?}");
        }
    }

    /// What `write` must produce: serde_json's pretty printer and a newline.
    fn expected(report: &Report) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(report).unwrap();
        bytes.push(b'\n');
        bytes
    }

    fn written(report: &Report, chunk: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        write_chunked(report, &mut bytes, chunk, Layout::Pretty).unwrap();
        bytes
    }

    /// For each byte of `json`, whether it is outside every string (a
    /// string's quotes count as inside).
    fn outside_strings(json: &[u8]) -> Vec<bool> {
        let (mut in_string, mut escaped) = (false, false);
        json.iter()
            .map(|&byte| {
                if !in_string {
                    in_string = byte == b'"';
                    return !in_string;
                }
                (in_string, escaped) = match (escaped, byte) {
                    (true, _) => (true, false),
                    (false, b'\\') => (true, true),
                    (false, b'"') => (false, false),
                    _ => (true, false),
                };
                false
            })
            .collect()
    }

    /// `json` without the whitespace outside its strings.
    fn squeezed(json: &[u8]) -> Vec<u8> {
        json.iter()
            .zip(outside_strings(json))
            .filter(|&(byte, outside)| !(outside && byte.is_ascii_whitespace()))
            .map(|(&byte, _)| byte)
            .collect()
    }

    /// The default layout: the compact bytes plus whitespace only; the
    /// head (up to the first list) as the pretty printer writes it; and
    /// every element of the four lists on one line of its own, four spaces
    /// in, a JSON value by itself (after its comma), with `", "` and `": "`
    /// inside.
    fn check_lines(report: &Report, lines: &[u8]) {
        let mut compact = expected_compact(report);
        compact.pop();
        assert!(
            squeezed(lines) == compact,
            "the default layout adds only whitespace"
        );
        let pretty = String::from_utf8(expected(report)).unwrap();
        let text = std::str::from_utf8(lines).unwrap();
        let head = |t: &str| t[..t.find("\"documents\"").unwrap()].to_string();
        assert_eq!(head(text), head(&pretty));
        assert!(text.ends_with("\n}\n"));
        let lists_text = &text[text.find("\"documents\"").unwrap()..];
        let elements: Vec<&str> = lists_text
            .lines()
            .filter(|line| line.starts_with("    ") && !line.starts_with("     "))
            .collect();
        let lists = report.documents.len()
            + report.pairs.len()
            + report.passages.len()
            + report.links.len()
            + report.warnings.len();
        assert_eq!(elements.len(), lists, "one line per element");
        for line in elements {
            let value = line.trim().trim_end_matches(',');
            let _: serde_json::Value = serde_json::from_str(value).unwrap();
            assert!(spaced(value), "{value}");
        }
    }

    /// Whether every comma and colon outside the strings of `json` is
    /// followed by a space.
    fn spaced(json: &str) -> bool {
        let bytes = json.as_bytes();
        outside_strings(bytes)
            .iter()
            .enumerate()
            .all(|(i, &outside)| {
                !(outside && matches!(bytes[i], b',' | b':')) || bytes.get(i + 1) == Some(&b' ')
            })
    }

    /// What `write_compact` must produce: serde_json's compact writer and a newline.
    fn expected_compact(report: &Report) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(report).unwrap();
        bytes.push(b'\n');
        bytes
    }

    /// Byte-identical to the pretty printer, with the real chunk size and
    /// with small ones (many chunks and groups), compared as text on failure.
    fn check(report: &Report) {
        let expected = expected(report);
        let mut default = Vec::new();
        write_pretty(report, &mut default).unwrap();
        assert_eq!(
            String::from_utf8(default).unwrap(),
            String::from_utf8(expected.clone()).unwrap(),
            "write_pretty"
        );
        for chunk in [1, 2, 3, 7, 64] {
            assert_eq!(
                String::from_utf8(written(report, chunk)).unwrap(),
                String::from_utf8(expected.clone()).unwrap(),
                "chunk {chunk}"
            );
        }
        let compact = expected_compact(report);
        let mut default = Vec::new();
        write_compact(report, &mut default).unwrap();
        assert_eq!(
            String::from_utf8(default).unwrap(),
            String::from_utf8(compact.clone()).unwrap(),
            "write_compact"
        );
        for chunk in [1, 3, 64] {
            let mut bytes = Vec::new();
            write_chunked(report, &mut bytes, chunk, Layout::Compact).unwrap();
            assert!(bytes == compact, "compact, chunk {chunk}");
        }
        let mut lines = Vec::new();
        write(report, &mut lines).unwrap();
        check_lines(report, &lines);
        for chunk in [1, 3, 64] {
            let mut bytes = Vec::new();
            write_chunked(report, &mut bytes, chunk, Layout::Lines).unwrap();
            assert!(bytes == lines, "lines, chunk {chunk}");
        }
    }

    fn fixture() -> Report {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/lemonde/expected.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn empty() -> Report {
        let mut report = fixture();
        report.documents.clear();
        report.pairs.clear();
        report.passages.clear();
        report.links.clear();
        report.warnings.clear();
        report
    }

    /// Ids that need escaping: quotes, backslashes, control characters,
    /// newlines, tabs, non-ASCII and astral characters.
    const NASTY: [&str; 8] = [
        "plain.txt",
        "with \"quotes\" and \\backslash\\",
        "line\nbreak\r\nand\ttab",
        "control \u{1} \u{1f} \u{7f}",
        "été/Ünïcødé — “typographic”",
        "emoji 😀 and 𝄞",
        "",
        "\n",
    ];

    fn span(n: usize) -> SpanEntry {
        SpanEntry {
            doc: format!("{}#{n}", NASTY[n % NASTY.len()]),
            start: (n * 7) as u32,
            end: (n * 7 + 100 + n % 13) as u32,
            start_char: (n * 5) as u32,
            end_char: (n * 5 + 90) as u32,
        }
    }

    /// A report with `n` elements in every list, all shapes of element.
    fn synthetic(n: usize) -> Report {
        let mut report = fixture();
        let share = |i: usize| [0.0, 1.0, 0.5, 0.0001, 0.1234, 1e-7, 12345.6789][i % 7];
        report.documents = (0..n)
            .map(|i| DocumentEntry {
                id: format!("{}{i}", NASTY[i % NASTY.len()]),
                path: format!("dir/{}:{i}", NASTY[(i + 3) % NASTY.len()]),
                bytes: (i as u64) * 1_000_003,
                date: (i % 3 != 0).then(|| format!("2024-01-{:02}", i % 28 + 1)),
                title: (i % 2 == 0).then(|| NASTY[(i + 5) % NASTY.len()].to_string()),
                url: (i % 4 == 1).then(|| format!("https://example.org/{i}?a=1&b=\"2\"")),
                lifted_bytes: (i as u64) * 17 % 1000,
                lifted_share: share(i),
                main_source: (i % 3 == 1).then(|| crate::report::MainSource {
                    doc: NASTY[(i + 2) % NASTY.len()].to_string(),
                    bytes: i as u64,
                    share: share(i + 5),
                }),
            })
            .collect();
        report.pairs = (0..n)
            .map(|i| PairEntry {
                a: span(i),
                b: span(i + 1),
                jaccard: share(i + 1),
                containment: share(i + 2),
            })
            .collect();
        report.passages = (0..n)
            .map(|i| PassageEntry {
                id: format!("p{}", i + 1),
                // Empty, one and several copies.
                copies: (0..i % 4).map(|k| span(i + k)).collect(),
                source: (i % 2 == 0).then(|| NASTY[i % NASTY.len()].to_string()),
                words: i as u32,
                boilerplate: i % 5 == 0,
                excerpt: (i % 3 != 2).then(|| format!("{}…", NASTY[(i + 4) % NASTY.len()])),
            })
            .collect();
        report.links = (0..n)
            .map(|i| LinkEntry {
                passage: format!("p{}", i + 1),
                source: span(i),
                target: span(i + 2),
                directed: i % 2 == 1,
                similarity: share(i + 3),
                words: u32::MAX - i as u32,
                edits: i as u32 % 9,
                coverage: share(i + 4),
                excerpt: (i % 2 == 0).then(|| NASTY[(i + 6) % NASTY.len()].to_string()),
            })
            .collect();
        report.warnings = (0..n)
            .map(|i| Warning {
                path: NASTY[i % NASTY.len()].to_string(),
                line: (i % 2 == 0).then_some(i as u64 + 1),
                message: format!("skipped: \"{}\"\n", NASTY[(i + 1) % NASTY.len()]),
            })
            .collect();
        report
    }

    #[test]
    fn fixture_report_is_byte_identical() {
        check(&fixture());
    }

    #[test]
    fn fixture_golden_file_is_reproduced() {
        // The golden file was written by `lifted scan`; the writer
        // reproduces it from its own parse.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/lemonde/expected.json"
        );
        let golden = std::fs::read(path).unwrap();
        let mut bytes = Vec::new();
        write(&fixture(), &mut bytes).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            String::from_utf8(golden).unwrap()
        );
    }

    #[test]
    fn empty_lists_are_byte_identical() {
        let report = empty();
        check(&report);
        let text = String::from_utf8(written(&report, 2)).unwrap();
        assert!(text.contains("\"documents\": [],\n"), "{text}");
        assert!(text.ends_with("\"warnings\": []\n}\n"), "{text}");
    }

    #[test]
    fn one_element_lists_are_byte_identical() {
        check(&synthetic(1));
    }

    #[test]
    fn some_lists_empty_are_byte_identical() {
        let mut report = synthetic(5);
        report.pairs.clear();
        report.links.clear();
        check(&report);
        let mut report = synthetic(5);
        report.documents.clear();
        report.warnings.clear();
        check(&report);
    }

    #[test]
    fn lists_across_chunks_and_groups_are_byte_identical() {
        // With chunks of 1 to 7 elements, groups hold at most 8 * 4 * threads
        // of them: 300 elements span several groups, and sizes around the
        // chunk boundaries leave partial last chunks.
        for n in [2, 3, 6, 7, 8, 15, 64, 65, 300] {
            check(&synthetic(n));
        }
    }

    #[test]
    fn lists_longer_than_a_default_group_are_byte_identical() {
        // More elements than the default chunk size times the largest group
        // of a 2-thread pool (8 chunks), so the default path cuts groups too.
        let n = CHUNK * MIN_CHUNKS_PER_GROUP.max(CHUNKS_PER_THREAD * 2) + 123;
        let report = synthetic(n);
        let mut bytes = Vec::new();
        write_pretty(&report, &mut bytes).unwrap();
        assert!(bytes == expected(&report), "large report differs");
        let mut lines = Vec::new();
        write(&report, &mut lines).unwrap();
        check_lines(&report, &lines);
    }

    #[test]
    fn nested_formatter_is_the_pretty_printer_at_depth() {
        // Deeper than the one-write indentation, with empty and one-element
        // arrays and objects: at depth 0 the bytes are the pretty printer's.
        let mut value = serde_json::json!({"a": [], "b": {}, "c": [1], "d": {"e": null}});
        for i in 0..40 {
            value = serde_json::json!({"level": i, "inner": [value, "x\ny", 1.5], "empty": []});
        }
        let mut bytes = Vec::new();
        pretty(&mut bytes, Layout::Pretty.at(0), &value).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
        // At depth 2, every line but the first is indented four more spaces.
        let mut bytes = Vec::new();
        pretty(&mut bytes, Layout::Pretty.at(2), &value).unwrap();
        let shifted = serde_json::to_string_pretty(&value)
            .unwrap()
            .replace('\n', "\n    ");
        assert_eq!(String::from_utf8(bytes).unwrap(), shifted);
    }

    #[test]
    fn write_errors_are_returned() {
        struct Failing;
        impl Write for Failing {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Err(io::Error::other("disk full"))
            }
        }
        // Failing at the final flush, and in the middle of a list while the
        // next group is being serialized.
        let error = write(&synthetic(3), &mut Failing).unwrap_err();
        assert_eq!(error.to_string(), "disk full");
        let error = write_chunked(&synthetic(5000), &mut Failing, 7, Layout::Lines).unwrap_err();
        assert_eq!(error.to_string(), "disk full");
    }
}
