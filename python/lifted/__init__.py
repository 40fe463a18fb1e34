"""Find text lifted from one document into others, at span level, and say
where it came from.

The Python face of the ``lifted`` command-line tool. :func:`scan` takes texts
(or records) held in memory, :func:`scan_files` takes files, folders and
JSONL as ``lifted scan`` does; both return the map that ``lifted scan
--format json`` writes, as Python objects (dicts, lists, str, int, float,
bool, None): the map is built and written by the same Rust library, so it is
the command line's, byte for byte before ``json.loads``.

:func:`dedup` deduplicates texts or records held in memory as ``lifted
dedup`` does, and returns what its ``--summary`` and ``--dry-run`` say with
the documents that stay. :func:`tables` turns a map into pandas DataFrames
or pyarrow Tables.

Options are those of ``lifted scan``, spelt with ``_`` (``min_words=12``,
``fold_accents=True``, ``preset="thorough"``, ``order="given"``,
``threads=2``); a value the command line would refuse raises ``ValueError``
with its message, an unknown name or a wrong type ``TypeError``.

The GIL is released while the scan runs; Ctrl-C (``KeyboardInterrupt``)
stops it.
"""

from __future__ import annotations

import datetime as _datetime
import json as _json
import os as _os
import warnings as _warnings
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from . import _lifted

__all__ = ["scan", "scan_files", "dedup", "tables", "LiftedWarning", "__version__"]

__version__: str = _lifted.__version__

DateLike = Union[str, _datetime.date, _datetime.datetime, None]


class LiftedWarning(UserWarning):
    """An input skipped or read with care (also in the map's ``warnings``)."""


def _date_text(value: DateLike, where: str) -> Optional[str]:
    """An ISO date or time as the manifest takes it, or None."""
    if value is None or (not isinstance(value, str) and value != value):
        return None  # also NaN and NaT, pandas' missing values
    if isinstance(value, _datetime.datetime):
        # The manifest takes seconds at most; a naive time is UTC there.
        return value.isoformat(timespec="seconds")
    if isinstance(value, _datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise TypeError(
        f"{where}: a date is a str (ISO 8601), datetime.date or datetime.datetime, "
        f"not {type(value).__name__}"
    )


def _load(text: str) -> dict:
    report = _json.loads(text)
    for warning in report.get("warnings", ()):
        line = warning.get("line")
        where = f"{warning['path']}:{line}" if line is not None else warning["path"]
        _warnings.warn(f"{where}: {warning['message']}", LiftedWarning, stacklevel=3)
    return report


def _documents(
    function: str,
    texts_or_records: Any,
    ids: Optional[Sequence[Any]],
    dates: Optional[Sequence[DateLike]],
    id_field: str,
    text_field: str,
    date_field: str,
) -> tuple:
    """The ids, texts, origins and dates (None when no document has one) of
    texts or records held in memory, as :func:`scan` and :func:`dedup` take them."""
    if isinstance(texts_or_records, (str, bytes)):
        raise TypeError(f"{function}() takes a sequence of texts or records, not one str")
    if hasattr(texts_or_records, "to_pylist"):
        # A pyarrow Table or RecordBatch (rows as dicts) or Array (values).
        items = texts_or_records.to_pylist()
    elif hasattr(texts_or_records, "columns") and hasattr(texts_or_records, "to_dict"):
        # A pandas DataFrame: its rows, not its column names.
        items = texts_or_records.to_dict("records")
    else:
        items = list(texts_or_records)
    if ids is not None:
        ids = list(ids)
        if len(ids) != len(items):
            raise ValueError(f"{len(ids)} ids for {len(items)} texts: give one id per text")
    if dates is not None:
        dates = list(dates)
        if len(dates) != len(items):
            raise ValueError(
                f"{len(dates)} dates for {len(items)} texts: give one date (or None) per text"
            )
    doc_ids: list = []
    texts: list = []
    origins: list = []
    doc_dates: list = []
    any_date = dates is not None
    for i, item in enumerate(items):
        where = f"texts[{i}]"
        record_date = None
        if isinstance(item, str):
            text = item
            record_id = None
        elif isinstance(item, Mapping):
            if text_field not in item:
                raise ValueError(f"{where}: no {text_field!r} field; name the text's field with text_field=")
            text = item[text_field]
            record_id = item.get(id_field)
            if date_field in item:
                record_date = item[date_field]
                any_date = any_date or record_date is not None
        else:
            raise TypeError(f"{where}: a text is a str or a mapping (record), not {type(item).__name__}")
        if not isinstance(text, str):
            raise TypeError(f"{where}: the text is a {type(text).__name__}, not a str")
        if ids is not None:
            doc_id = ids[i]
        elif record_id is not None:
            doc_id = record_id
        else:
            doc_id = i
        doc_ids.append(str(doc_id))
        texts.append(text)
        origins.append(where)
        value = dates[i] if dates is not None else record_date
        doc_dates.append(_date_text(value, f"dates[{i}]"))
    return doc_ids, texts, origins, (doc_dates if any_date else None)


def scan(
    texts_or_records: Iterable[Union[str, Mapping[str, Any]]],
    ids: Optional[Sequence[Any]] = None,
    dates: Optional[Sequence[DateLike]] = None,
    *,
    id_field: str = "id",
    text_field: str = "text",
    date_field: str = "date",
    **options: Any,
) -> dict:
    """Scan texts held in memory; return the map as ``lifted scan --format json`` writes it.

    ``texts_or_records`` is a sequence of str (the texts), or of mappings
    (records, e.g. the rows of a dataset) holding the text under
    ``text_field``, and optionally an id under ``id_field`` and a date under
    ``date_field``; a pandas DataFrame or a pyarrow Table is read row by row
    (missing dates, NaN or NaT, are unknown).

    ``ids`` gives one id per document (any value, made a str); without it, a
    record's ``id_field``, else the document's position (``"0"``, ``"1"``,
    ...). Ids must be unique. The map lists documents sorted by id; spans
    are byte offsets into each text's UTF-8.

    ``dates`` gives one date per document (an ISO 8601 str as in a
    manifest, a ``datetime.date``, a ``datetime.datetime``, or None when
    unknown); records may carry theirs under ``date_field``. With dates,
    links are directed from the older copy to the newer one, as with
    ``lifted scan --manifest``.

    Options (keyword only, as ``lifted scan``'s flags): ngram, permutations,
    threshold, bands, rows, window, min_words, max_gap, fold_accents,
    within_doc, max_bucket, pairs_only, max_docs_frac, keep_boilerplate,
    preset ("fast" or "thorough"), order ("none" or "given": input order is
    chronological), threads (0: one per core).

    Raises ValueError for a value ``lifted scan`` would refuse, duplicate
    ids or a bad date; TypeError for an unknown option or a wrong type;
    KeyboardInterrupt on Ctrl-C.
    """
    doc_ids, texts, origins, doc_dates = _documents(
        "scan", texts_or_records, ids, dates, id_field, text_field, date_field
    )
    return _load(_lifted.scan_texts(doc_ids, texts, origins, doc_dates, options))


def scan_files(
    paths: Union[str, _os.PathLike, Iterable[Union[str, _os.PathLike]]],
    *,
    manifest: Union[str, _os.PathLike, None] = None,
    dates: Optional[Mapping[str, DateLike]] = None,
    **options: Any,
) -> dict:
    """Read and scan files, folders and JSONL as ``lifted scan PATH...`` does; return the map.

    ``paths`` is one path or a sequence of them. ``manifest`` is a manifest
    of dates (CSV ``id,date[,title,url]`` or JSON), as ``--manifest``;
    ``dates`` maps document ids to dates instead (str, date or datetime).

    Options: those of :func:`scan`, and how files are read: jsonl, id_field,
    text_field, skip_bad_lines, strict, follow, max_doc_bytes,
    max_line_bytes (as ``lifted scan``'s flags, sizes in bytes).

    Skipped files are listed in the map's ``warnings`` and issued as
    :class:`LiftedWarning`. Raises FileNotFoundError for a missing path,
    OSError for one that cannot be read, ValueError for bad input or option
    values, TypeError for an unknown option, KeyboardInterrupt on Ctrl-C.
    """
    if isinstance(paths, (str, _os.PathLike)):
        paths = [paths]
    paths = [_os.fspath(p) for p in paths]
    if manifest is not None:
        manifest = _os.fspath(manifest)
    pairs = None
    if dates is not None:
        pairs = [(str(k), _date_text(v, f"dates[{k!r}]")) for k, v in dates.items() if v is not None]
    return _load(_lifted.scan_files(paths, manifest, pairs, options))


def dedup(
    texts_or_records: Iterable[Union[str, Mapping[str, Any]]],
    ids: Optional[Sequence[Any]] = None,
    dates: Optional[Sequence[DateLike]] = None,
    level: str = "document",
    *,
    id_field: str = "id",
    text_field: str = "text",
    date_field: str = "date",
    **options: Any,
) -> dict:
    """Deduplicate texts held in memory as ``lifted dedup`` does; say what goes and what stays.

    ``texts_or_records``, ``ids``, ``dates``, ``id_field``, ``text_field``
    and ``date_field`` are read as by :func:`scan`.

    ``level="document"``: a document goes when the exact Jaccard similarity
    of its whole shingle set with another's reaches ``threshold``; of each
    cluster of near-duplicates (connected through such pairs) the earliest
    stays: the earliest date when ``dates`` (or records' dates) are given,
    undated documents last, else the first in input order.
    ``level="paragraph"``: near-duplicate paragraphs (windows of long ones)
    are cut from later documents, keeping each in its earliest document; a
    document left with nothing but white space goes whole.

    Returns the summary ``lifted dedup --summary FILE`` writes, as a dict:
    ``level``, ``threshold``, ``documents``, ``bytes``,
    ``documents_removed``, ``paragraphs_removed``, ``bytes_removed``,
    ``documents_written``, ``bytes_written``, ``reason`` and ``removed``: one
    dict per removal, as ``lifted dedup --dry-run`` lists them (``id``; at
    paragraph level the byte range cut, ``start`` and ``end``; ``kept``, the
    kept near-duplicate, with ``kept_start`` and ``kept_end`` at paragraph
    level; at document level ``matched``, the document it was verified
    against with the highest similarity; ``jaccard``; ``bytes`` removed).
    One more key, ``kept``, lists what stays in input order, one
    ``{"id", "text"}`` per document (the text what is left after cuts), as
    ``lifted dedup --output`` writes documents that were not JSONL records.

    Options (keyword only): those of :func:`scan` (``threshold``, ``ngram``,
    ``permutations``, ``bands``, ``rows``, ``max_bucket``, ``fold_accents``,
    ``min_words``, ... as ``lifted dedup``'s flags).

    Raises ValueError for a value ``lifted dedup`` would refuse (a ``level``
    other than "document" or "paragraph"), duplicate ids or a bad date;
    TypeError for an unknown option or a wrong type; KeyboardInterrupt on
    Ctrl-C. An LSH bucket larger than ``max_bucket`` is issued as a
    :class:`LiftedWarning`.
    """
    if not isinstance(level, str):
        raise TypeError(f"level takes a str, not {type(level).__name__}")
    doc_ids, texts, origins, doc_dates = _documents(
        "dedup", texts_or_records, ids, dates, id_field, text_field, date_field
    )
    summary, kept, oversized = _lifted.dedup_texts(
        doc_ids, texts, origins, doc_dates, level, options
    )
    if oversized:
        unit = "paragraphs" if level == "paragraph" else "documents"
        _warnings.warn(
            f"{oversized} LSH bucket(s) held more than max_bucket {unit}: their members were "
            f"compared with the bucket's first one only (raise max_bucket to compare them all)",
            LiftedWarning,
            stacklevel=2,
        )
    summary["kept"] = [{"id": id_, "text": text} for id_, text in kept]
    return summary


# The map's tables, flattened: one row per document, near-duplicate pair,
# passage, copy of a passage, and link.
_SPAN = ("doc", "start", "end")


def _columns(report: Mapping[str, Any]) -> dict:
    def flat(rows, spans=(), plain=()):
        columns = {name: [] for name in plain}
        for span in spans:
            for field in _SPAN:
                columns[f"{span}_{field}"] = []
        for row in rows:
            for name in plain:
                columns[name].append(row.get(name))
            for span in spans:
                for field in _SPAN:
                    columns[f"{span}_{field}"].append(row[span][field])
        return columns

    passages = report.get("passages", [])
    copies = {"passage": [], "doc": [], "start": [], "end": []}
    for passage in passages:
        for copy in passage["copies"]:
            copies["passage"].append(passage["id"])
            for field in _SPAN:
                copies[field].append(copy[field])
    passage_columns = flat(passages, plain=("id", "source", "words"))
    passage_columns["copies"] = [len(p["copies"]) for p in passages]
    passage_columns["boilerplate"] = [bool(p.get("boilerplate", False)) for p in passages]
    return {
        "documents": flat(
            report.get("documents", []),
            plain=("id", "path", "bytes", "date", "lifted_bytes", "lifted_share"),
        ),
        "pairs": flat(report.get("pairs", []), spans=("a", "b"), plain=("jaccard", "containment")),
        "passages": passage_columns,
        "copies": copies,
        "links": flat(
            report.get("links", []),
            spans=("source", "target"),
            plain=("passage", "directed", "similarity", "words", "edits", "coverage"),
        ),
    }


def tables(report: Mapping[str, Any], kind: str = "auto") -> dict:
    """The map's tables: ``documents``, ``pairs``, ``passages``, ``copies``, ``links``.

    One row per document, near-duplicate pair, passage, copy of a passage
    (``passage``, ``doc``, ``start``, ``end``) and link; a span is three
    columns (``source_doc``, ``source_start``, ``source_end``). ``kind`` is
    "pandas" (DataFrames), "pyarrow" (Tables), "dict" (dicts of column
    lists) or "auto": pandas when installed, else pyarrow; ImportError when
    the kind asked for is not installed.
    """
    columns = _columns(report)
    if kind == "auto":
        try:
            import pandas  # noqa: F401

            kind = "pandas"
        except ImportError:
            try:
                import pyarrow  # noqa: F401

                kind = "pyarrow"
            except ImportError:
                raise ImportError(
                    "lifted.tables needs pandas or pyarrow: pip install pandas (or pyarrow), "
                    "or pass kind=\"dict\""
                ) from None
    if kind == "dict":
        return columns
    if kind == "pandas":
        import pandas

        return {name: pandas.DataFrame(cols) for name, cols in columns.items()}
    if kind == "pyarrow":
        import pyarrow

        return {name: pyarrow.table(cols) for name, cols in columns.items()}
    raise ValueError(f"invalid kind: {kind!r}: use \"auto\", \"pandas\", \"pyarrow\" or \"dict\"")
