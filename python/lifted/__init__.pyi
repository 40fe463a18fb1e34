"""Type stubs of :mod:`lifted` (the options spelt out, with their defaults)."""

import datetime
import os
from typing import Any, Iterable, Literal, Mapping, Optional, Sequence, Union

__version__: str

DateLike = Union[str, datetime.date, datetime.datetime, None]
PathLike = Union[str, os.PathLike[str]]
Map = dict[str, Any]

class LiftedWarning(UserWarning):
    """An input skipped or read with care (also in the map's ``warnings``)."""

def scan(
    texts_or_records: Union[Iterable[Union[str, Mapping[str, Any]]], Any],
    ids: Optional[Sequence[Any]] = None,
    dates: Optional[Sequence[DateLike]] = None,
    *,
    id_field: str = "id",
    text_field: str = "text",
    date_field: str = "date",
    ngram: int = 5,
    permutations: int = 128,
    threshold: float = 0.5,
    bands: Optional[int] = None,
    rows: Optional[int] = None,
    window: int = 100,
    min_words: int = 8,
    max_gap: int = 8,
    fold_accents: bool = False,
    within_doc: bool = False,
    max_bucket: int = 64,
    pairs_only: bool = False,
    max_docs_frac: float = 0.5,
    keep_boilerplate: bool = False,
    preset: Literal["fast", "thorough"] = "fast",
    order: Literal["none", "given"] = "none",
    threads: int = 0,
) -> Map:
    """Scan texts held in memory; return the map as ``lifted scan --format json`` writes it."""

def scan_files(
    paths: Union[PathLike, Iterable[PathLike]],
    *,
    manifest: Optional[PathLike] = None,
    dates: Optional[Mapping[str, DateLike]] = None,
    jsonl: bool = False,
    id_field: str = "id",
    text_field: str = "text",
    skip_bad_lines: bool = False,
    strict: bool = False,
    follow: bool = False,
    max_doc_bytes: int = 268435456,
    max_line_bytes: int = 536870912,
    ngram: int = 5,
    permutations: int = 128,
    threshold: float = 0.5,
    bands: Optional[int] = None,
    rows: Optional[int] = None,
    window: int = 100,
    min_words: int = 8,
    max_gap: int = 8,
    fold_accents: bool = False,
    within_doc: bool = False,
    max_bucket: int = 64,
    pairs_only: bool = False,
    max_docs_frac: float = 0.5,
    keep_boilerplate: bool = False,
    preset: Literal["fast", "thorough"] = "fast",
    order: Literal["none", "given"] = "none",
    threads: int = 0,
) -> Map:
    """Read and scan files, folders and JSONL as ``lifted scan PATH...`` does; return the map."""

def dedup(
    texts_or_records: Union[Iterable[Union[str, Mapping[str, Any]]], Any],
    ids: Optional[Sequence[Any]] = None,
    dates: Optional[Sequence[DateLike]] = None,
    level: Literal["document", "paragraph"] = "document",
    *,
    id_field: str = "id",
    text_field: str = "text",
    date_field: str = "date",
    ngram: int = 5,
    permutations: int = 128,
    threshold: float = 0.5,
    bands: Optional[int] = None,
    rows: Optional[int] = None,
    window: int = 100,
    min_words: int = 8,
    max_gap: int = 8,
    fold_accents: bool = False,
    within_doc: bool = False,
    max_bucket: int = 64,
    pairs_only: bool = False,
    max_docs_frac: float = 0.5,
    keep_boilerplate: bool = False,
    preset: Literal["fast", "thorough"] = "fast",
    order: Literal["none", "given"] = "none",
    threads: int = 0,
) -> dict[str, Any]:
    """Deduplicate texts held in memory as ``lifted dedup`` does: the ``--summary``
    dict (``removed`` as ``--dry-run`` lists it) and ``kept``, the documents that stay."""

def tables(
    report: Mapping[str, Any], kind: Literal["auto", "pandas", "pyarrow", "dict"] = "auto"
) -> dict[str, Any]:
    """The map's tables: documents, pairs, passages, copies, links."""
