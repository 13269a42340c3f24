"""Replay from WARC files: the latest capture of each URL, served as it was received.

The body is the payload as received (a gzip-encoded page stays gzip with its Content-Encoding),
so Scrapy's own middlewares decode it as in the live crawl; a revisit is served with the payload
of the response it refers to. The WARC-Date becomes the capture time (`fetched_at`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from govcrawler.archive.warc_reader import (
    Location,
    PayloadIndex,
    Problem,
    iter_responses,
    read_payload_at,
)
from govcrawler.extraction.urls import dedup_key

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WarcCapture:
    """One capture in a WARC file, its body read on demand."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    fetched_at: str
    payload: Location

    @property
    def body(self) -> bytes:
        return read_payload_at(self.payload)


class WarcIndex:
    """The latest capture of each URL across `files` (by WARC-Date, then file order)."""

    def __init__(self, files: list[Path]) -> None:
        self.files = files
        self.problems: list[Problem] = []
        self._by_url: dict[str, WarcCapture] = {}
        for response in iter_responses(files, self.problems, PayloadIndex()):
            if response.status == 304:
                continue  # no payload: the capture before it holds the page
            key = dedup_key(response.url)
            known = self._by_url.get(key)
            if known is None or known.fetched_at <= response.date:
                self._by_url[key] = WarcCapture(
                    response.url, response.status, response.headers, response.date, response.payload
                )
        for problem in self.problems:
            logger.warning(
                "Unreadable WARC capture %s:%s %s (%s): not replayed",
                problem.file,
                problem.offset,
                problem.url or "",
                problem.detail,
            )

    def get(self, url: str) -> WarcCapture | None:
        return self._by_url.get(dedup_key(url))

    def urls(self) -> set[str]:
        return set(self._by_url)

    def __len__(self) -> int:
        return len(self._by_url)
