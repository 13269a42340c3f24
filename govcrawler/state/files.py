"""Files that outlive a run: their names (run stamps, `.part` while being written, `%(data)s`
paths from settings), durability (fsync of directory entries) and fixity (sha256)."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PART_SUFFIX = ".part"


def part_path(path: Path) -> Path:
    """Where a file is written until it is complete (`<name>.part`)."""
    return path.with_name(path.name + PART_SUFFIX)


def run_stamp(moment: datetime, worker: str | None = None) -> str:
    """`20261128T134512Z`, the `%(run_start)s` of output paths: UTC, sortable, no colons; a
    worker of a shared frontier adds its name (`20261128T134512Z-w1`), so the files of several
    workers never share a name when their archives are merged."""
    stamp = moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{worker}" if worker else stamp


def data_path(settings: Any, name: str, **params: str) -> Path | None:
    """A GOVCRAWLER_* path setting with `%(data)s` (and `params`) filled in; None when empty."""
    pattern = settings.get(name)
    if not pattern:
        return None
    return Path(str(pattern) % {"data": settings.get("GOVCRAWLER_DATA") or "data", **params})


def fsync_path(path: Path) -> None:
    """fsync a file or directory opened by its path (read-only)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a created or renamed directory entry durable too."""
    fsync_path(folder)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
