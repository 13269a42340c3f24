"""Reading the JSONL archive: which files count, and each line as a record or a reported bad line.

Only completed run files (`*.jsonl`) are read; a `.jsonl.part` is a run still writing or killed
(see export/storage.py) and is left out, but counted so `stats` can say so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path("data")
INDEX_IN_DATA = "query-index.sqlite"  # beside state.sqlite in a crawl's data folder
INDEX_IN_FOLDER = ".query-index.sqlite"  # inside a bare folder of JSONL files


def locate(data: Path) -> tuple[Path, Path]:
    """(folder of JSONL files, default index file) for `--data`: a crawl's data folder (the one
    `govcrawler crawl --data` takes, holding `articles/`) or any folder of JSONL files."""
    if (data / "articles").is_dir():
        return data / "articles", data / INDEX_IN_DATA
    if data.is_dir():
        return data, data / INDEX_IN_FOLDER
    raise ValueError(
        f"no archive folder {data} (give the data folder, or a folder of JSONL files, with --data)"
    )


@dataclass(frozen=True)
class ArchiveFile:
    """A completed run file: path relative to the data folder, and what identifies its content."""

    relpath: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Line:
    """One archive line: a parsed record, or the reason it is not one."""

    number: int  # 1-based, as editors and `sed -n Np` count
    offset: int  # byte offset in the file
    length: int  # bytes, without the newline
    record: dict[str, Any] | None
    error: str | None


def archive_files(data: Path) -> list[ArchiveFile]:
    """Every `*.jsonl` under `data`, sorted by path (site folder, then run start)."""
    if not data.is_dir():
        raise ValueError(f"no archive folder {data} (give the folder of JSONL files with --data)")
    files = []
    for path in sorted(data.rglob("*.jsonl")):
        if path.is_file():
            st = path.stat()
            files.append(ArchiveFile(path.relative_to(data).as_posix(), st.st_size, st.st_mtime_ns))
    return files


def unfinished_files(data: Path) -> list[Path]:
    """`.jsonl.part` files: runs still writing, or killed before they could finish."""
    return sorted(data.rglob("*.jsonl.part"))


def read_lines(path: Path) -> Iterator[Line]:
    """Each non-blank line of a JSONL file, parsed; a bad line carries its error instead."""
    offset = 0
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            content = raw.rstrip(b"\r\n")
            here, offset = offset, offset + len(raw)
            if not content.strip():
                continue
            record, error = parse_record(content)
            if error and not raw.endswith(b"\n"):
                error = f"truncated last line ({error})"
            yield Line(number, here, len(content), record, error)


def parse_record(content: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """(record, None) for an article or tombstone line, else (None, why not)."""
    try:
        value = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8: {exc.reason} at byte {exc.start}"
    except json.JSONDecodeError as exc:
        return None, f"not JSON: {exc.msg} (line column {exc.colno})"
    if not isinstance(value, dict):
        return None, f"not a record: a JSON {type(value).__name__}"
    if not isinstance(value.get("id"), str) or not value["id"]:
        return None, "not a record: no string `id`"
    return value, None
