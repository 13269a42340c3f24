"""Recovering the `.part` run files a killed run left behind.

Records are appended one line at a time with an fsync each (export/durable.py), so a killed run's
file is a series of complete lines, possibly followed by one torn line. Recovery cuts the torn
line (its record never reached the ledger, so the rerun archives that article again), keeps the
complete lines as a completed run file, and never deletes a file that holds a record: a file
whose complete lines are not all records is left in place and reported as damaged.

The ledger is brought up to the file's records *before* the file is completed, so a kill during
recovery itself leaves a `.part` file that the next start recovers again, never a completed file
whose records the ledger does not know.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcrawler.state.files import PART_SUFFIX, fsync_dir

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recovery:
    """What became of one `.part` file."""

    part: Path
    path: Path | None  # the completed run file now holding the kept records
    records: int
    torn_bytes: int  # the cut partial last line
    damaged: str | None = None  # why the file was left untouched


def _scan(part: Path) -> tuple[int, int, str | None]:
    """(records, byte length of the complete lines, damage) of a `.part` file, streamed."""
    records = complete = 0
    with part.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.endswith(b"\n"):
                break  # the torn last line
            complete += len(line)
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as exc:
                return records, complete, f"line {number} is not JSON ({exc})"
            if not isinstance(value, dict) or not isinstance(value.get("id"), str):
                return records, complete, f"line {number} is not a record"
            records += 1
    return records, complete, None


def completed_name(part: Path) -> Path:
    final = part.with_name(part.name[: -len(PART_SUFFIX)])
    n = 0
    while final.exists():
        n += 1
        final = part.with_name(f"{Path(part.stem).stem}-recovered{n}{Path(part.stem).suffix}")
    return final


def recover_part(
    part: Path, reconcile: Callable[[Iterator[dict[str, Any]], Path], object] | None = None
) -> Recovery:
    """Turn a killed run's `.part` file into a completed run file (or remove it if it holds no
    record at all); `reconcile(records, completed_path)` runs first, over the kept records."""
    size = part.stat().st_size
    records, complete, damaged = _scan(part)
    torn = size - complete
    if damaged:
        logger.error("Left %s as it is: %s; inspect it by hand", part, damaged)
        return Recovery(part, None, records, 0, damaged)
    if records == 0:
        part.unlink()
        fsync_dir(part.parent)
        logger.warning("Removed %s: a killed run's file without a complete record", part)
        return Recovery(part, None, 0, torn)
    if torn:
        with part.open("r+b") as fh:
            fh.truncate(complete)
            os.fsync(fh.fileno())
        logger.warning("Cut a torn last line (%d bytes) from %s", torn, part)
    final = completed_name(part)
    if reconcile is not None:
        reconcile(iter_records(part, limit=complete), final)
    os.replace(part, final)
    fsync_dir(final.parent)
    logger.warning("Recovered %d records of a killed run: %s", records, final)
    return Recovery(part, final, records, torn)


def iter_records(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """The records of a run file, one by one (only those within its first `limit` bytes)."""
    read = 0
    with path.open("rb") as fh:
        for line in fh:
            read += len(line)
            if limit is not None and read > limit:
                return
            if line.strip():
                value: dict[str, Any] = json.loads(line)
                yield value
