"""Downloader middleware: challenge and captcha pages are reported, counted and never parsed."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse

from govcrawler.extraction import page_kind
from govcrawler.extraction.decode import decode_html

logger = logging.getLogger(__name__)


class BlockedPage(IgnoreRequest):
    """A challenge or captcha page instead of the requested one (`reason`: challenge|captcha)."""

    def __init__(self, reason: str, url: str) -> None:
        super().__init__(f"{reason} page at {url}")
        self.reason = reason


class BlockedPageMiddleware:
    """Turns a challenge/captcha response into IgnoreRequest with `govcrawler/blocked/<kind>` stats.

    Such a page is never handed to a spider callback, so it can never become a record. It never
    tries to solve a captcha.
    """

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> BlockedPageMiddleware:
        return cls(crawler.stats)

    def process_response(self, request: Any, response: Response) -> Response:
        if not isinstance(response, TextResponse) or request.url.endswith("/robots.txt"):
            return response
        raw_type = response.headers.get("Content-Type")
        content_type = raw_type.decode("latin-1") if raw_type else None
        reason = page_kind.rejection_reason(decode_html(response.body, content_type).text)
        if reason in (page_kind.CHALLENGE, page_kind.CAPTCHA):
            self.stats.inc_value(f"govcrawler/blocked/{reason}")
            logger.warning(
                "Blocked (%s page) at %s: not exported, retried next run", reason, request.url
            )
            raise BlockedPage(reason, request.url)
        return response
