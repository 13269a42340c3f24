"""Reading captures back from WARC files (warcio): responses with their payload as received and
decoded, revisits resolved to the record holding their payload, the crawl's metadata attached.

Used by `govcrawler reextract` (streaming, in file order) and by replay from WARC (an index of
the latest capture of each URL, read on demand).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from govcrawler.archive.warc_writer import CALLBACK_FIELD, payload_digest, warc_date
from govcrawler.extraction.urls import dedup_key

WARC_GLOBS = ("*.warc.gz", "*.warc")


class UnreadableCapture(ValueError):
    """A capture whose payload cannot be read (torn record, bad encoding, missing original)."""


def is_warc(path: Path) -> bool:
    return path.name.endswith((".warc.gz", ".warc"))


def warc_files(folder: Path) -> list[Path]:
    """The WARC files under `folder` (recursively), sorted by path (= by site, run, serial)."""
    return sorted({p for pattern in WARC_GLOBS for p in folder.rglob(pattern)})


def header_value(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """The first value of the header `name` (in any case) among (name, value) pairs."""
    wanted = name.lower()
    return next((v for k, v in headers if k.lower() == wanted), None)


def normal_date(value: str) -> str:
    """A WARC-Date (any precision) as `…Z` in seconds, the record's `fetched_at` form."""
    return warc_date(datetime.fromisoformat(value.replace("Z", "+00:00")))


def decode_content(body: bytes, headers: list[tuple[str, str]]) -> bytes:
    """Undo the Content-Encoding (gzip, deflate) as Scrapy's HttpCompressionMiddleware does."""
    encodings = [
        e.strip().lower()
        for k, v in headers
        if k.lower() == "content-encoding"
        for e in v.split(",")
        if e.strip()
    ]
    for encoding in reversed(encodings):
        try:
            if encoding in ("gzip", "x-gzip"):
                body = gzip.decompress(body)
            elif encoding == "deflate":
                try:
                    body = zlib.decompress(body)
                except zlib.error:
                    body = zlib.decompress(body, -zlib.MAX_WBITS)
            elif encoding != "identity":
                raise UnreadableCapture(f"unsupported Content-Encoding {encoding!r}")
        except (OSError, EOFError, zlib.error) as exc:
            raise UnreadableCapture(f"{encoding} body does not decode: {exc}") from exc
    return body


@dataclass(frozen=True)
class Location:
    file: Path
    offset: int
    record_id: str


@dataclass
class WarcResponse:
    """A response or revisit record; `payload` is the record holding the body (itself, or the
    response a revisit refers to); `raw` the body as received (still content-encoded)."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    date: str
    record: Location
    payload: Location
    payload_digest: str | None
    revisit: bool
    raw: bytes
    context: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str | None:
        return header_value(self.headers, "Content-Type")

    def body(self) -> bytes:
        """The body after content decoding (what a spider callback sees)."""
        return decode_content(self.raw, self.headers)


@dataclass(frozen=True)
class Problem:
    """An unreadable capture or file region, reported by the reader (never dropped silently)."""

    file: Path
    offset: int | None
    url: str | None
    detail: str


def _fields(data: bytes) -> dict[str, str]:
    out = {}
    for line in data.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            out[name.strip()] = value.strip()
    return out


def _http(record: Any) -> tuple[int, list[tuple[str, str]]]:
    http = record.http_headers
    if http is None:
        raise UnreadableCapture("no HTTP headers")
    return int(http.get_statuscode() or 0), list(http.headers)


def read_record_at(location: Location) -> tuple[Any, bytes]:
    """The WARC record at `location` and its payload (bytes after the HTTP headers)."""
    try:
        with location.file.open("rb") as fh:
            fh.seek(location.offset)
            for record in ArchiveIterator(fh):
                return record, record.raw_stream.read()
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error) as exc:
        raise UnreadableCapture(f"{location.file.name}:{location.offset}: {exc}") from exc
    raise UnreadableCapture(f"no record at {location.file.name}:{location.offset}")


def read_payload_at(location: Location) -> bytes:
    return read_record_at(location)[1]


class PayloadIndex:
    """Where each response record holding a payload is: by record id, by (URL, digest)."""

    def __init__(self) -> None:
        self.by_id: dict[str, Location] = {}
        self.by_digest: dict[tuple[str, str], Location] = {}

    def add(self, url: str, digest: str | None, location: Location) -> None:
        self.by_id[location.record_id] = location
        if digest:
            self.by_digest[(dedup_key(url), digest)] = location

    def original(self, record: Any) -> Location | None:
        headers = record.rec_headers
        refers_to = headers.get_header("WARC-Refers-To")
        if refers_to and refers_to in self.by_id:
            return self.by_id[refers_to]
        target = headers.get_header("WARC-Refers-To-Target-URI") or headers.get_header(
            "WARC-Target-URI"
        )
        digest = headers.get_header("WARC-Payload-Digest")
        return self.by_digest.get((dedup_key(target), digest)) if target and digest else None


def iter_responses(
    files: list[Path], problems: list[Problem], index: PayloadIndex | None = None
) -> Iterator[WarcResponse]:
    """Every response and revisit record of `files`, in order, with the metadata record the
    crawl wrote beside it; unreadable ones go to `problems`."""
    index = index if index is not None else PayloadIndex()
    for path in files:
        pending: WarcResponse | None = None
        offset: int | None = None
        try:
            with path.open("rb") as fh:
                records = ArchiveIterator(fh)
                for record in records:
                    kind = record.rec_type
                    headers = record.rec_headers
                    # The payload is read before the offset: warcio's get_record_offset()
                    # reads the record to its end.
                    payload = record.raw_stream.read() if kind != "revisit" else b""
                    offset = records.get_record_offset()
                    if (
                        kind == "metadata"
                        and pending is not None
                        and headers.get_header("WARC-Concurrent-To") == pending.record.record_id
                    ):
                        pending.context = _fields(payload)
                        continue
                    if pending is not None:
                        yield pending
                        pending = None
                    if kind not in ("response", "revisit"):
                        continue
                    url = headers.get_header("WARC-Target-URI") or ""
                    try:
                        here = Location(path, offset, headers.get_header("WARC-Record-ID") or "")
                        pending = _response(record, payload, here, url, index)
                    except (UnreadableCapture, ValueError, OSError, EOFError) as exc:
                        problems.append(Problem(path, offset, url, str(exc)))
            if pending is not None:
                yield pending
        except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
            if pending is not None:
                yield pending
            problems.append(Problem(path, offset, None, f"unreadable from here on: {exc}"))


def _response(
    record: Any, raw: bytes, here: Location, url: str, index: PayloadIndex
) -> WarcResponse:
    headers = record.rec_headers
    status, http_headers = _http(record)
    digest = headers.get_header("WARC-Payload-Digest")
    date = normal_date(headers.get_header("WARC-Date") or "")
    if record.rec_type == "revisit":
        original = index.original(record)
        if original is None:
            raise UnreadableCapture("revisit whose original response is not in the files read")
        raw = read_payload_at(original)
        if digest and digest.startswith("sha1:") and payload_digest(raw) != digest:
            raise UnreadableCapture(f"the original of this revisit does not match {digest}")
        return WarcResponse(url, status, http_headers, date, here, original, digest, True, raw)
    if digest and digest.startswith("sha1:") and payload_digest(raw) != digest:
        raise UnreadableCapture(f"payload does not match its digest {digest} (torn or altered)")
    index.add(url, digest, here)
    return WarcResponse(url, status, http_headers, date, here, here, digest, False, raw)


@dataclass(frozen=True)
class FileCapture:
    """A capture the crawl made of an article's file (its metadata record says `file`), found
    without reading its payload: where it is, in what order it came, what it answered."""

    url: str
    order: tuple[int, int]  # (index of its WARC file among those read, offset): WARC order
    record: Location
    revisit: bool
    refers_to: str | None  # a revisit's WARC-Refers-To
    status: int
    headers: list[tuple[str, str]]

    @property
    def content_type(self) -> str | None:
        return header_value(self.headers, "Content-Type")


def file_captures(files: list[Path], callback: str) -> dict[str, list[FileCapture]]:
    """Every capture of `files` whose metadata record names `callback`, by URL (dedup_key), in
    WARC order. Reads headers and metadata records only; an unreadable file ends its scan (the
    streaming reader reports it)."""
    found: dict[str, list[FileCapture]] = {}
    for number, path in enumerate(files):
        last: FileCapture | None = None
        try:
            with path.open("rb") as fh:
                records = ArchiveIterator(fh)
                for record in records:
                    kind, headers = record.rec_type, record.rec_headers
                    if kind == "metadata":
                        payload = record.raw_stream.read()
                        if (
                            last is not None
                            and headers.get_header("WARC-Concurrent-To") == last.record.record_id
                            and _fields(payload).get(CALLBACK_FIELD) == callback
                        ):
                            found.setdefault(dedup_key(last.url), []).append(last)
                        last = None
                        continue
                    last = None
                    if kind not in ("response", "revisit") or record.http_headers is None:
                        continue
                    offset = records.get_record_offset()
                    status, http_headers = _http(record)
                    last = FileCapture(
                        url=headers.get_header("WARC-Target-URI") or "",
                        order=(number, offset),
                        record=Location(path, offset, headers.get_header("WARC-Record-ID") or ""),
                        revisit=kind == "revisit",
                        refers_to=headers.get_header("WARC-Refers-To"),
                        status=status,
                        headers=http_headers,
                    )
        except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error):
            continue
    return found
