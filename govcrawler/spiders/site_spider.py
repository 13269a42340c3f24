"""The one spider class: walks a profile's columns (list pages + pagination) to article pages.

Spider arguments: `-a max_pages=N` (list pages per column), `-a since=YYYY-MM-DD` (stop paginating
once a list page is entirely older; skip older entries), `-a columns=name1,name2`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse

from govcrawler.archive.replay import CAPTURED_AT_HEADER
from govcrawler.cleaning.learned import BoilerplateLearner
from govcrawler.extraction.article import Rejection
from govcrawler.extraction.decode import decode_html
from govcrawler.extraction.listing import article_links
from govcrawler.extraction.pagination import next_page
from govcrawler.extraction.record import build
from govcrawler.item import Article
from govcrawler.sites import Column, SiteProfile

logger = logging.getLogger(__name__)

_POLITENESS_SETTINGS = {
    "download_delay": "DOWNLOAD_DELAY",
    "concurrency": "CONCURRENT_REQUESTS_PER_DOMAIN",
    "autothrottle_target_concurrency": "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "user_agent": "USER_AGENT",
}


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SiteSpider(scrapy.Spider):
    """Crawls one site as its profile describes; subclasses only set `name` and `profile`."""

    profile: ClassVar[SiteProfile]
    boilerplate: BoilerplateLearner  # this site's learned boilerplate (set in from_crawler)
    boilerplate_path: Path | None
    fallback_logged: bool

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        for key, setting in _POLITENESS_SETTINGS.items():
            if key in cls.profile.politeness:
                settings.set(setting, cls.profile.politeness[key], priority="spider")

    def __init__(
        self,
        max_pages: str | int | None = None,
        since: str | None = None,
        columns: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.allowed_domains = list(self.profile.domains)
        self.max_pages = int(max_pages) if max_pages not in (None, "") else None
        if self.max_pages is not None and self.max_pages < 1:
            raise ValueError("max_pages must be 1 or more")
        self.since = date.fromisoformat(since).isoformat() if since else None
        self.selected: tuple[Column, ...] = self._select_columns(columns)

    def _select_columns(self, names: str | None) -> tuple[Column, ...]:
        if not names:
            return self.profile.columns
        wanted = [n.strip() for n in names.split(",") if n.strip()]
        known = {c.name: c for c in self.profile.columns}
        unknown = [n for n in wanted if n not in known]
        if unknown:
            raise ValueError(f"unknown column(s) {unknown} for {self.name}; known: {list(known)}")
        return tuple(known[n] for n in wanted)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for column in self.selected:
            yield scrapy.Request(
                column.url, callback=self.parse_list, cb_kwargs={"column": column.name, "page": 1}
            )

    def parse_list(self, response: Response, column: str, page: int) -> Iterator[scrapy.Request]:
        """Queue the list's article links, then the next list page."""
        stats = self.crawler.stats
        if not isinstance(response, TextResponse):
            stats.inc_value("govcrawler/skipped/list_not_html")
            logger.warning("List page is not HTML: %s", response.url)
            return
        stats.inc_value("govcrawler/list_pages")
        html = decode_html(response.body, self._content_type(response)).text
        entries = article_links(html, response.url, self.profile)
        if not entries:
            stats.inc_value("govcrawler/list_without_articles")
            logger.warning(
                "No article links on list page %s (column %s): layout changed?",
                response.url,
                column,
            )
            return
        fresh = [e for e in entries if not (self.since and e.date and e.date < self.since)]
        for entry in fresh:
            yield scrapy.Request(
                entry.url, callback=self.parse_article, cb_kwargs={"column": column}
            )
        if self.since and not fresh:
            logger.info(
                "List page %s is entirely older than %s: stop paginating %s",
                response.url,
                self.since,
                column,
            )
            return
        if self.max_pages is not None and page >= self.max_pages:
            return
        url = next_page(html, response.url, self.profile.pagination, page)
        if url:
            yield scrapy.Request(
                url, callback=self.parse_list, cb_kwargs={"column": column, "page": page + 1}
            )

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        folder = crawler.settings.get("GOVCRAWLER_BOILERPLATE_DIR")
        spider.boilerplate_path = Path(folder) / f"{spider.name}.json" if folder else None
        spider.boilerplate = (
            BoilerplateLearner.load(spider.boilerplate_path)
            if spider.boilerplate_path
            else BoilerplateLearner()
        )
        spider.fallback_logged = False
        crawler.signals.connect(spider.save_boilerplate, signal=signals.spider_closed)
        return spider

    def save_boilerplate(self) -> None:
        """Keep what this run learned about the site's boilerplate for the next run."""
        if self.boilerplate_path is not None:
            self.boilerplate.save(self.boilerplate_path)

    def parse_article(self, response: Response, column: str) -> Iterator[Article]:
        """One article page → one record, or a counted, logged skip."""
        stats = self.crawler.stats
        if not isinstance(response, TextResponse):
            stats.inc_value("govcrawler/skipped/not_html")
            logger.warning(
                "Not an HTML page (%s): %s", response.headers.get("Content-Type"), response.url
            )
            return
        captured_at = response.headers.get(CAPTURED_AT_HEADER)
        result = build(
            response.body,
            response.url,
            profile=self.profile,
            fetched_at=captured_at.decode("ascii") if captured_at else utc_now(),
            content_type=self._content_type(response),
            http_status=response.status,
            column_hint=column,
            learned=self.boilerplate.learned(),
        )
        if isinstance(result, Rejection):
            stats.inc_value(f"govcrawler/skipped/{result.reason}")
            logger.warning(
                "Not an article (%s: %s): %s", result.reason, result.detail, response.url
            )
            return
        self.boilerplate.observe(result.extraction.observed_lines)
        if result.extraction.fallback:
            self._report_fallback(result.extraction.fallback, response.url)
        stats.inc_value("govcrawler/articles")
        yield result.article

    def _report_fallback(self, why: str, url: str) -> None:
        """Count every fallback to the generic extractor; log the first one of the run."""
        self.crawler.stats.inc_value(f"extract/fallback/{self.name}")
        if not self.fallback_logged:
            self.fallback_logged = True
            logger.warning(
                "%s: the profile's body selectors disagree with the page (%s) at %s; using the "
                "generic extractor. Was the site redesigned? Check it with `scrapy shell`. "
                "(Logged once per run; count in extract/fallback/%s.)",
                self.name,
                why,
                url,
                self.name,
            )

    @staticmethod
    def _content_type(response: Response) -> str | None:
        value = response.headers.get("Content-Type")
        return value.decode("latin-1") if value else None
