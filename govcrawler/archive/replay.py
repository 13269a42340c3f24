"""Replay mode: answer requests from a folder of captures through Scrapy's download machinery.

Enabled by the GOVCRAWLER_REPLAY setting: a folder of captures (fixtures/ layout) and/or WARC
files (`*.warc.gz`, `*.warc`, e.g. a crawl's data/warc/), or one WARC file; the addon then
installs the replay download handler for http and https, so robots.txt, middlewares, retries
and the unchanged spider all run as in a live crawl. A URL with no capture gets a 404 marked `X-Govcrawler-Replay: miss`. A
conditional request is answered as a server would: 304 when it names the capture's ETag or is
not older than its Last-Modified. A body over the request's `download_maxsize` (or
DOWNLOAD_MAXSIZE) is refused as Scrapy's HTTP handler refuses it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.exceptions import DownloadCancelledError
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings

from govcrawler.archive.capture_files import CaptureError, CaptureIndex, load_captures
from govcrawler.archive.warc_reader import is_warc, warc_files
from govcrawler.archive.warc_replay import WarcIndex
from govcrawler.extraction.urls import dedup_key

logger = logging.getLogger(__name__)

CAPTURED_AT_HEADER = "X-Govcrawler-Captured-At"
# Response flags that make CAPTURED_AT_HEADER trustworthy: set by the replay handler or by the
# WARC capture middleware, never by a server (a live site could send the header itself).
REPLAY_FLAG = "replay"
CAPTURED_FLAG = "captured"


def trusted_capture_time(response: Response) -> str | None:
    """The capture time govcrawler itself put on the response, else None."""
    if REPLAY_FLAG not in response.flags and CAPTURED_FLAG not in response.flags:
        return None
    value = response.headers.get(CAPTURED_AT_HEADER)
    return value.decode("ascii") if value else None


MISS_HEADER = "X-Govcrawler-Replay"
HANDLER_PATH = "govcrawler.archive.replay.ReplayDownloadHandler"


class ReplayDownloadHandler(BaseDownloadHandler):
    """A download handler that serves captures instead of opening connections."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.index = ReplaySource(Path(crawler.settings.get("GOVCRAWLER_REPLAY")))
        self.stats = crawler.stats
        self.maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        logger.info(
            "Replaying %d captures from %s",
            len(self.index),
            crawler.settings.get("GOVCRAWLER_REPLAY"),
        )

    async def download_request(self, request: Any) -> Response:
        capture = self.index.get(request.url)
        if capture is None:
            self.stats.inc_value("replay/miss")
            logger.warning("Replay miss (no capture): %s", request.url)
            return Response(request.url, status=404, headers={MISS_HEADER: "miss"}, request=request)
        self.stats.inc_value("replay/hit")
        headers = Headers()
        for name, value in capture.header_pairs():
            headers.appendlist(name, value)
        headers[CAPTURED_AT_HEADER] = capture.fetched_at
        if capture.status == 200 and not_modified(headers, request.headers):
            self.stats.inc_value("replay/not_modified")
            return Response(
                request.url, status=304, headers=headers, request=request, flags=[REPLAY_FLAG]
            )
        body = capture.body
        maxsize = int(request.meta.get("download_maxsize", self.maxsize) or 0)
        if maxsize and len(body) > maxsize:
            # As Scrapy's HTTP handler does past DOWNLOAD_MAXSIZE (or the request's own limit).
            logger.warning(
                "Cancelling download of %s: received response size (%d) larger than download"
                " max size (%d)",
                request.url,
                len(body),
                maxsize,
            )
            raise DownloadCancelledError(f"larger than download max size ({maxsize})")
        respcls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return respcls(
            url=request.url,
            status=capture.status,
            headers=headers,
            body=body,
            request=request,
            flags=[REPLAY_FLAG],
        )


@dataclass(frozen=True)
class Served:
    """A capture the handler can serve, from a fixture or a WARC file (bodies read on demand)."""

    status: int
    fetched_at: str
    read_body: Callable[[], bytes]
    headers: list[tuple[str, str]]

    @property
    def body(self) -> bytes:
        return self.read_body()

    def header_pairs(self) -> list[tuple[str, str]]:
        return self.headers


class ReplaySource:
    """What GOVCRAWLER_REPLAY names: a folder of captures and/or WARC files, or a WARC file. A
    URL captured both in a fixture and in a WARC is an error, as two fixtures of one URL are."""

    def __init__(self, path: Path) -> None:
        if path.is_file() and is_warc(path):
            self.captures, self.warcs = CaptureIndex([]), WarcIndex([path])
        elif path.is_dir():
            self.captures = CaptureIndex(load_captures(path))
            self.warcs = WarcIndex(warc_files(path))
            both = {dedup_key(c) for c in self.captures.urls()} & self.warcs.urls()
            if both:
                raise CaptureError(f"captured both as a fixture and in a WARC: {sorted(both)[:3]}")
        else:
            raise CaptureError(f"replay source {path} is neither a folder nor a WARC file")

    def get(self, url: str) -> Served | None:
        capture = self.captures.get(url)
        if capture is not None:
            return Served(
                capture.status,
                capture.fetched_at,
                lambda: capture.body,
                list(capture.headers.items()),
            )
        warc = self.warcs.get(url)
        if warc is None:
            return None
        return Served(warc.status, warc.fetched_at, lambda: warc.body, warc.headers)

    def __len__(self) -> int:
        return len(self.captures) + len(self.warcs)


def not_modified(served: Headers, asked: Headers) -> bool:
    """Would a server answer this conditional GET with 304 (RFC 9110 §13.1.1-3)?"""
    if_none_match = asked.get("If-None-Match")
    if if_none_match is not None:
        etag = served.get("ETag")
        tags = [t.strip() for t in if_none_match.decode("latin-1").split(",")]
        return etag is not None and ("*" in tags or etag.decode("latin-1") in tags)
    since, modified = asked.get("If-Modified-Since"), served.get("Last-Modified")
    if since is None or modified is None:
        return False
    try:
        return parsedate_to_datetime(modified.decode("latin-1")) <= parsedate_to_datetime(
            since.decode("latin-1")
        )
    except (TypeError, ValueError):
        return False


class ReplayAddon:
    """Scrapy addon: when GOVCRAWLER_REPLAY names a folder, route http(s) to the replay handler
    and drop the politeness delays (nothing leaves the machine)."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("GOVCRAWLER_REPLAY"):
            return
        handlers = {
            **settings.getdict("DOWNLOAD_HANDLERS"),
            "http": HANDLER_PATH,
            "https": HANDLER_PATH,
        }
        settings.set("DOWNLOAD_HANDLERS", handlers, priority="cmdline")
        for name, value in (("DOWNLOAD_DELAY", 0), ("AUTOTHROTTLE_ENABLED", False)):
            if (settings.getpriority(name) or 0) < 40:
                settings.set(name, value, priority="cmdline")
