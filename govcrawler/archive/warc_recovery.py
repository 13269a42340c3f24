"""Completing the `.warc.gz.part` files a killed run left behind.

Every WARC record is its own gzip member and each fetch is fsynced (archive/warc_writer.py), so a
killed run's file is a series of complete members, possibly followed by one torn member. Recovery
finds the end of the last complete member (a member is complete when its gzip trailer — CRC and
length — checks out), cuts the torn tail and gives the file its final name, which records already
use. A file that is corrupt before its tail (not gzip, or a member that is not a WARC record) is
left in place and reported, never cut.
"""

from __future__ import annotations

import logging
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from govcrawler.state.files import PART_SUFFIX, fsync_dir

logger = logging.getLogger(__name__)

CHUNK = 1 << 20


@dataclass(frozen=True)
class WarcRecovery:
    """What became of one `.warc.gz.part` file."""

    part: Path
    path: Path | None  # the completed file, None when removed or left alone
    records: int  # complete WARC records kept (the warcinfo record included)
    torn_bytes: int
    damaged: str | None = None


@dataclass(frozen=True)
class MemberScan:
    records: int  # complete gzip members, each a WARC record
    complete: int  # byte length of those members
    damaged: str | None


def scan_members(path: Path) -> MemberScan:
    """Count the complete gzip members of a WARC file, streaming; a truncated last member is
    not counted (it is the torn tail)."""
    records = complete = 0
    offset = 0  # file offset of `data`
    member = zlib.decompressobj(zlib.MAX_WBITS | 16)
    head = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            data = chunk
            while data:
                try:
                    out = member.decompress(data)
                except zlib.error as exc:
                    return MemberScan(records, complete, f"byte {complete}: not gzip ({exc})")
                if len(head) < 5:
                    head += out[: 5 - len(head)]
                if not member.eof:
                    offset += len(data)
                    break
                end = offset + len(data) - len(member.unused_data)
                if not head.startswith(b"WARC/"):
                    return MemberScan(records, complete, f"byte {complete}: not a WARC record")
                records, complete, offset = records + 1, end, end
                data = member.unused_data
                member, head = zlib.decompressobj(zlib.MAX_WBITS | 16), b""
    return MemberScan(records, complete, None)


def final_path(part: Path) -> Path:
    return part.with_name(part.name[: -len(PART_SUFFIX)])


def recover_warc_part(part: Path) -> WarcRecovery:
    """Cut the torn tail of a killed run's WARC file and complete it under its final name."""
    size = part.stat().st_size
    scan = scan_members(part)
    final = final_path(part)
    if scan.damaged:
        logger.error("Left %s as it is: %s; inspect it by hand", part, scan.damaged)
        return WarcRecovery(part, None, scan.records, 0, scan.damaged)
    if final.exists():
        why = f"{final.name} exists already"
        logger.error("Left %s as it is: %s", part, why)
        return WarcRecovery(part, None, scan.records, 0, why)
    torn = size - scan.complete
    if scan.records == 0:
        part.unlink()
        fsync_dir(part.parent)
        logger.warning("Removed %s: a killed run's WARC file without a complete record", part)
        return WarcRecovery(part, None, 0, torn)
    if torn:
        with part.open("r+b") as fh:
            fh.truncate(scan.complete)
            os.fsync(fh.fileno())
        logger.warning("Cut a torn WARC record (%d bytes) from %s", torn, part)
    os.replace(part, final)
    fsync_dir(final.parent)
    logger.warning("Recovered %d WARC records of a killed run: %s", scan.records, final)
    return WarcRecovery(part, final, scan.records, torn)
