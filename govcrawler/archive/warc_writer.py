"""WARC 1.1 files, written durably with warcio: one fetch = request + response (or revisit) +
metadata records, each record its own gzip member, fsynced before `write` returns, or with
`write(…, sync=False)` by the next `sync` (the crawl's group commit, state/group_commit.py, which
fsyncs once per short window and only then lets the ledger or a run file name the capture).

A file is written as `<site>-<run stamp>-<serial>.warc.gz.part` and renamed when it is full
(GOVCRAWLER_WARC_MAX_SIZE) or the run closes, so anything reading `*.warc.gz` sees complete files
only; a killed run's `.part` is completed at the next start (archive/warc_recovery.py). Its name is
fixed when it is opened, so records may name it (`warc_file`) while it is being written.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govcrawler.state.files import PART_SUFFIX, fsync_dir

WARC_SUFFIX = ".warc.gz"
#: A WARC-Date as govcrawler writes it, in whole seconds: also every record's `fetched_at`.
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: Metadata record fields naming how the crawl used a response (for `govcrawler reextract`).
CALLBACK_FIELD = "govcrawler-callback"
COLUMN_FIELD = "govcrawler-column"

#: Connection-level headers the HTTP client (Twisted, under Scrapy) consumes and never hands on, so
#: no response record has them; a test pins this list to Twisted's.
UNRECORDED_HEADERS = (
    "Content-Length",
    "Connection",
    "Keep-Alive",
    "TE",
    "Trailers",
    "Transfer-Encoding",
    "Upgrade",
    "Proxy-Connection",
)
#: What each file's warcinfo says about how its HTTP messages differ from the bytes on the wire
#: (the README's "Raw archive" section says the same at length).
CAPTURE_NOTES = {
    "govcrawler-http-payload": (
        "response payload as received after transfer decoding (chunked undone), before content"
        " decoding: a gzip-encoded page is stored gzip, with its Content-Encoding header"
    ),
    "govcrawler-http-headers": (
        "response headers as Scrapy received them (names in Scrapy's capitalisation, repeated"
        " headers grouped by name) without the connection-level headers the HTTP client consumes: "
        + ", ".join(UNRECORDED_HEADERS)
        + "; reason phrase rebuilt from the status code; non-ASCII values %-encoded by warcio"
    ),
    "govcrawler-http-request": (
        "request headers as Scrapy handed them to the HTTP client, Host added"
    ),
}


def warc_date(moment: datetime | None = None) -> str:
    """`moment` (default: now) as a WARC-Date in seconds, UTC (DATE_FORMAT)."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime(DATE_FORMAT)


def payload_digest(body: bytes) -> str:
    """WARC-Payload-Digest as warcio and most tools write it: `sha1:` + base32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


@dataclass(frozen=True)
class Exchange:
    """One fetch as received: `body` after transfer decoding (de-chunked), before content
    decoding (a gzip-encoded page stays gzip); `date` is its WARC-Date (`…Z`, seconds)."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    date: str
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None


@dataclass(frozen=True)
class WarcLocation:
    """A record in a WARC file: its file name, WARC-Record-ID, offset, WARC-Date and URL."""

    file: str
    record_id: str
    offset: int
    date: str
    url: str


@dataclass(frozen=True)
class Written:
    """What `write` put down: `payload` is the response record holding the payload (the new one,
    or the earlier one a revisit refers to), `record` the response or revisit record itself."""

    payload: WarcLocation
    record: WarcLocation
    payload_digest: str
    revisit: bool


class RollingWarcWriter:
    """Appends fetches to `<folder>/<prefix>-<stamp>-<serial>.warc.gz(.part)`, rolling over to
    the next serial once a file reaches `max_size` bytes; each file opens with a warcinfo record."""

    def __init__(
        self, folder: Path, prefix: str, stamp: str, *, max_size: int, info: dict[str, str]
    ) -> None:
        self.folder = folder
        self.prefix = prefix
        self.stamp = stamp
        self.max_size = max_size
        self.info = {**info, **CAPTURE_NOTES}
        self.serial = 0
        self.completed: list[Path] = []
        self.records = 0
        self.bytes_written = 0
        self._path: Path | None = None
        self._file: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        self._unsynced = False

    @property
    def current(self) -> Path | None:
        """The file being written (its final name), if one is open."""
        return self._path

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            path = self.folder / f"{self.prefix}-{self.stamp}-{self.serial:05d}{WARC_SUFFIX}"
            self.serial += 1
            part = path.with_name(path.name + PART_SUFFIX)
            if path.exists() or part.exists():
                continue
            try:
                self._file = part.open("xb")
            except FileExistsError:
                continue
            break
        fsync_dir(self.folder)
        self._path = path
        self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
        self._writer.write_record(self._writer.create_warcinfo_record(path.name, self.info))
        self._sync()
        self.bytes_written = self._file.tell()

    def _sync(self) -> None:
        assert self._file is not None
        self._file.flush()
        os.fsync(self._file.fileno())
        self._unsynced = False

    def sync(self) -> None:
        """Make every fetch written so far durable (one fsync; nothing to do when none is new)."""
        if self._unsynced and self._file is not None:
            self._sync()

    def discard(self) -> None:
        """Nothing to drop: a WARC record is handed to the OS as it is written."""

    def _write(self, record: Any) -> int:
        assert self._file is not None and self._writer is not None
        offset = self._file.tell()
        self._writer.write_record(record)
        self.records += 1
        return offset

    def write(
        self,
        exchange: Exchange,
        *,
        previous: WarcLocation | None = None,
        previous_digest: str | None = None,
        metadata: dict[str, str] | None = None,
        sync: bool = True,
    ) -> Written:
        """Write one fetch and fsync it (`sync=False`: leave that to the next `sync`). When `previous` (the last response record holding this
        URL's payload) has the same payload digest, the response becomes a revisit record
        (identical-payload-digest profile) that refers to it."""
        if self._file is not None and self._file.tell() >= self.max_size:
            self.roll()
        if self._file is None:
            self._open()
        assert self._writer is not None and self._path is not None
        digest = payload_digest(exchange.body)
        revisit = previous is not None and previous_digest == digest and bool(exchange.body)
        builder = self._writer
        response_headers = StatusAndHeaders(
            f"{exchange.status} {reason_phrase(exchange.status)}",
            exchange.response_headers,
            protocol=exchange.protocol,
        )
        warc_headers = {"WARC-Date": exchange.date}
        if exchange.ip_address:
            warc_headers["WARC-IP-Address"] = exchange.ip_address
        if revisit:
            assert previous is not None
            response = builder.create_revisit_record(
                exchange.url,
                digest,
                previous.url,
                previous.date,
                http_headers=response_headers,
                warc_headers_dict={**warc_headers, "WARC-Refers-To": previous.record_id},
            )
        else:
            response = builder.create_warc_record(
                exchange.url,
                "response",
                payload=BytesIO(exchange.body),
                length=len(exchange.body),
                http_headers=response_headers,
                warc_headers_dict={**warc_headers, "WARC-Payload-Digest": digest},
            )
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        request = builder.create_warc_record(
            exchange.url,
            "request",
            payload=BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            http_headers=StatusAndHeaders(
                f"{exchange.method} {request_target(exchange.url)} {exchange.protocol}",
                with_host(exchange.request_headers, exchange.url),
                is_http_request=True,
            ),
            warc_headers_dict={"WARC-Date": exchange.date, "WARC-Concurrent-To": response_id},
        )
        self._write(request)
        offset = self._write(response)
        if metadata:
            fields = "".join(f"{k}: {v}\r\n" for k, v in metadata.items()).encode("utf-8")
            self._write(
                builder.create_warc_record(
                    exchange.url,
                    "metadata",
                    payload=BytesIO(fields),
                    length=len(fields),
                    warc_content_type="application/warc-fields",
                    warc_headers_dict={
                        "WARC-Date": exchange.date,
                        "WARC-Concurrent-To": response_id,
                    },
                )
            )
        assert self._file is not None
        self.bytes_written = self._file.tell()
        self._unsynced = True
        if sync:
            self._sync()
        here = WarcLocation(self._path.name, response_id, offset, exchange.date, exchange.url)
        return Written(
            payload=previous if revisit and previous is not None else here,
            record=here,
            payload_digest=digest,
            revisit=revisit,
        )

    def roll(self) -> None:
        """Complete the current file (rename `.part`); the next write opens the next serial."""
        if self._file is None or self._path is None:
            return
        self._sync()
        self._file.close()
        self._file, self._writer = None, None
        try:
            os.replace(self._path.with_name(self._path.name + PART_SUFFIX), self._path)
        except FileNotFoundError:
            if not self._path.exists():
                raise  # else: a run that started as this one released its lock completed it
        fsync_dir(self.folder)
        self.completed.append(self._path)
        self._path = None

    def close(self) -> list[Path]:
        """Complete the open file; every file this writer completed, in order."""
        self.roll()
        return self.completed


def reason_phrase(status: int) -> str:
    """The status line's reason phrase (Scrapy does not keep the one the server sent)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def with_host(headers: Iterable[tuple[str, str]], url: str) -> list[tuple[str, str]]:
    """The request headers with `Host` first, as the HTTP client sends it."""
    headers = list(headers)
    if any(k.lower() == "host" for k, _ in headers):
        return headers
    return [("Host", urlsplit(url).netloc), *headers]
