"""Replay mode: answer requests from a folder of captures through Scrapy's download machinery.

Enabled by the GOVCRAWLER_REPLAY setting (a folder); the addon then installs the replay download
handler for http and https, so robots.txt, middlewares, retries and the unchanged spider all run
as in a live crawl. A URL with no capture gets a 404 marked `X-Govcrawler-Replay: miss`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings

from govcrawler.archive.captures import CaptureIndex

logger = logging.getLogger(__name__)

CAPTURED_AT_HEADER = "X-Govcrawler-Captured-At"
MISS_HEADER = "X-Govcrawler-Replay"
HANDLER_PATH = "govcrawler.archive.replay.ReplayDownloadHandler"


class ReplayDownloadHandler(BaseDownloadHandler):
    """A download handler that serves captures instead of opening connections."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.index = CaptureIndex.from_folder(Path(crawler.settings.get("GOVCRAWLER_REPLAY")))
        self.stats = crawler.stats
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
        headers = Headers({**capture.headers, CAPTURED_AT_HEADER: capture.fetched_at})
        body = capture.body
        respcls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return respcls(
            url=request.url, status=capture.status, headers=headers, body=body, request=request
        )


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
