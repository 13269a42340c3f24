"""Saving live pages for tests and evidence: a small spider behind `govcrawler capture`.

It runs through the project's own settings (robots.txt, User-Agent, politeness, retries), so a
capture is fetched as a crawl would fetch it. Into a fixture folder it writes the fixture format
(fixtures/README.md: the body after content decoding and a `.capture.json`; the transfer headers
that no longer describe the saved bytes are dropped); into a WARC folder the WARC capture
middleware writes every response as received.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from govcrawler.archive.capture_files import CAPTURE_SUFFIX
from govcrawler.archive.replay import CAPTURED_AT_HEADER, trusted_capture_time
from govcrawler.archive.warc_middleware import header_pairs
from govcrawler.archive.warc_reader import header_value
from govcrawler.archive.warc_writer import warc_date

logger = logging.getLogger(__name__)

#: Headers that describe the bytes on the wire, not the decoded body a fixture stores.
WIRE_HEADERS = ("content-encoding", "content-length", "transfer-encoding", "set-cookie")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def fixture_name(url: str, taken: set[str]) -> str:
    """A file stem from the URL's last path segment (`t20260306_470158`), unique in `taken`."""
    stem = PurePosixPath(urlsplit(url).path).stem or "index"
    stem = _UNSAFE.sub("_", stem).strip("_") or "page"
    name, n = stem, 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}"
    taken.add(name)
    return name


def body_suffix(content_type: str | None, url: str) -> str:
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml", ""):
        return ".html"
    if kind == "text/plain":
        return ".txt"
    return PurePosixPath(urlsplit(url).path).suffix or ".bin"


def write_fixture(folder: Path, name: str, response: Response, fetched_at: str) -> Path:
    """`<name>.<ext>` (decoded body) + `<name>.capture.json`; returns the sidecar."""
    headers = dict(header_pairs(response.headers, drop=(*WIRE_HEADERS, CAPTURED_AT_HEADER.lower())))
    content_type = header_value(headers.items(), "Content-Type")
    body_name = name + body_suffix(content_type, response.url)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / body_name).write_bytes(response.body)
    meta: dict[str, Any] = {
        "url": response.url,
        "status": response.status,
        "headers": headers,
        "fetched_at": fetched_at,
    }
    if body_name != f"{name}.html":
        meta["body"] = body_name
    sidecar = folder / f"{name}{CAPTURE_SUFFIX}"
    sidecar.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return sidecar


class CaptureSpider(scrapy.Spider):
    """Fetches the given URLs once each (any status), saving each as a fixture if asked."""

    name = "capture"

    def __init__(self, urls: list[str], fixtures: Path | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.fixtures = fixtures
        self.saved: list[Path] = []
        self.failed: list[str] = []
        self._taken: set[str] = (
            {p.name[: -len(CAPTURE_SUFFIX)] for p in fixtures.glob(f"*{CAPTURE_SUFFIX}")}
            if fixtures and fixtures.is_dir()
            else set()
        )

    async def start(self) -> Any:
        for url in self.urls:
            yield scrapy.Request(
                url,
                callback=self.save,
                errback=self.fetch_failed,
                meta={"handle_httpstatus_all": True},
                dont_filter=True,
            )

    def save(self, response: Response) -> Iterator[Any]:
        # The WARC middleware's (or the replay's) capture time; never a header a server sent.
        fetched_at = trusted_capture_time(response) or warc_date()
        if self.fixtures is not None:
            name = fixture_name(response.url, self._taken)
            self.saved.append(write_fixture(self.fixtures, name, response, fetched_at))
        logger.info("Captured %s (HTTP %d)", response.url, response.status)
        yield from ()

    def fetch_failed(self, failure: Any) -> None:
        self.failed.append(failure.request.url)
        logger.error("Could not capture %s: %s", failure.request.url, failure.value)
