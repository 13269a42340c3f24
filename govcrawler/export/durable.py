"""A run's JSONL file, written durably: `<name>.part` while the run lasts, one fsync per record,
renamed to `<name>` when the run closes.

A record is on disk when `write` returns; only then may the ledger say it is archived
(export/run_file.py). Lines are serialised by Scrapy's own JsonLinesItemExporter, exactly as a
`-O file.jsonl` feed would write them.
"""

from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path
from typing import IO, Any, cast

from scrapy.exporters import JsonLinesItemExporter

from govcrawler.state.files import fsync_dir, part_path


class DurableJsonlWriter:
    """Appends records to `<path>.part`, each flushed and fsynced before `write` returns.

    The file is created on the first record (a run that archives nothing leaves no file) and
    never over an existing one.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records = 0
        self._file: IO[bytes] | None = None
        self._exporter: JsonLinesItemExporter | None = None

    @property
    def part(self) -> Path:
        return part_path(self.path)

    def write(self, item: Any) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.part.open("xb")
            fsync_dir(self.path.parent)
            # Scrapy annotates the file as BytesIO; any binary file works.
            self._exporter = JsonLinesItemExporter(cast(BytesIO, self._file), encoding="utf-8")
            self._exporter.start_exporting()
        assert self._exporter is not None
        self._exporter.export_item(item)
        self._file.flush()
        os.fsync(self._file.fileno())
        self.records += 1

    def close(self) -> Path | None:
        """Finish the file: rename `.part` to its final name. None when nothing was written."""
        if self._file is None:
            return None
        assert self._exporter is not None
        self._exporter.finish_exporting()
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
