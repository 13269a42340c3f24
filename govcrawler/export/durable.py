"""A run's JSONL file, written durably: `<name>.part` while the run lasts, renamed to `<name>` when
the run closes.

`append` serialises a record (with Scrapy's own JSON encoder, the line a `-O file.jsonl` feed
writes: tests/test_durable.py compares them) and keeps the line in memory; `sync` writes the lines kept so
far and fsyncs the file once. The run-file export appends each record and lets the group commit
(state/group_commit.py) sync within a short window, after the WARC captures the lines name; only
after `sync` returns may the ledger say a record is archived. `write` is append + sync, for writers
that need each record on disk at once.
"""

from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from scrapy.utils.serialize import ScrapyJSONEncoder

from govcrawler.item import Article, Tombstone
from govcrawler.state.files import fsync_dir, part_path


class DurableJsonlWriter:
    """Appends records to `<path>.part`; a record is on disk once `sync` (or `write`) returns.

    The file is created by the first sync with a record (a run that archives nothing leaves no
    file) and never over an existing one.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records = 0  # records on disk
        self._file: IO[bytes] | None = None
        self._lines = BytesIO()
        self._pending = 0
        self._encoder = ScrapyJSONEncoder(ensure_ascii=False)

    @property
    def part(self) -> Path:
        return part_path(self.path)

    def append(self, item: Article | Tombstone | dict[str, Any]) -> None:
        """Serialise `item` as one line, written and fsynced by the next `sync`. (Not through
        JsonLinesItemExporter: its field-by-field serialisation of the record's lists of dicts
        cost ~0.2 ms per article, and writes the same line.)"""
        record = item if isinstance(item, dict) else item.to_dict()
        self._lines.write((self._encoder.encode(record) + "\n").encode("utf-8"))
        self._pending += 1

    def sync(self) -> None:
        """Write the lines appended since the last sync and fsync the file (OSError if not)."""
        if not self._pending:
            return
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.part.open("xb")
            fsync_dir(self.path.parent)
        self._file.write(self._lines.getbuffer())
        self._file.flush()
        os.fsync(self._file.fileno())
        self.records += self._pending
        self.discard()

    def discard(self) -> None:
        """Forget the lines not synced yet (their records were not archived)."""
        self._lines.seek(0)
        self._lines.truncate()
        self._pending = 0

    def write(self, item: Article | Tombstone | dict[str, Any]) -> None:
        """Append `item` and make it durable before returning."""
        self.append(item)
        self.sync()

    def close(self) -> Path | None:
        """Finish the file: rename `.part` to its final name. None when nothing was written.
        Lines appended and never synced are not written (their ledger marks never ran)."""
        self.discard()
        if self._file is None:
            return None
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        os.replace(self.part, self.path)
        fsync_dir(self.path.parent)
        return self.path


def free_run_path(pattern: str, params: dict[str, str], run_start: str) -> Path:
    """The run file for `run_start`, or `<run_start>-1`, `-2` … when a file (or `.part`) of that
    name exists already (a rerun started within the same second as a killed run)."""
    for n in range(1000):
        stamp = run_start if n == 0 else f"{run_start}-{n}"
        path = Path(pattern % {**params, "run_start": stamp})
        if not path.exists() and not part_path(path).exists():
            return path
    raise FileExistsError(
        f"no free run file name for {pattern % {**params, 'run_start': run_start}}"
    )
