"""The native half of ``lifted`` (Rust, PyO3). Use :mod:`lifted` instead."""

from typing import Any, List, Optional, Sequence, Tuple

__version__: str

def scan_texts(
    ids: Sequence[str],
    texts: Sequence[str],
    origins: Sequence[str],
    dates: Optional[Sequence[Optional[str]]],
    options: dict[str, Any],
) -> str:
    """Scan texts in memory (one id, text, origin and ISO date or None each);
    return the map as the JSON text ``lifted scan --format json`` writes."""

def scan_files(
    paths: Sequence[str],
    manifest: Optional[str],
    dates: Optional[Sequence[Tuple[str, str]]],
    options: dict[str, Any],
) -> str:
    """Read and scan files, folders and JSONL as ``lifted scan`` does; return
    the map as JSON text. ``dates`` pairs document ids with ISO dates."""

def dedup_texts(
    ids: Sequence[str],
    texts: Sequence[str],
    origins: Sequence[str],
    dates: Optional[Sequence[Optional[str]]],
    level: str,
    options: dict[str, Any],
) -> Tuple[dict[str, Any], List[Tuple[str, str]], int]:
    """Deduplicate texts in memory as ``lifted dedup`` does; return the summary
    ``--summary`` writes, the kept (id, text) in input order, and the number of
    LSH buckets larger than max_bucket."""
