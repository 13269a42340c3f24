"""The one spider class: walks a profile's columns (list pages + pagination) to article pages.

Spider arguments: `-a max_pages=N` (list pages per column), `-a since=YYYY-MM-DD` (stop paginating
once a list page is entirely older; skip older entries), `-a columns=name1,name2`, `-a backfill=1`
(walk every list page, even past the point where a rerun would stop). Any other argument, or a
malformed value, is a ValueError when the spider is made (usage error, exit 2, before anything
runs).

What to request, when pagination may stop and what a 304/404/410 means come from the crawl
state (state/site_state.py, owned by the CrawlState extension); the spider only asks.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse

from govcrawler.archive.replay import trusted_capture_time
from govcrawler.archive.warc_middleware import with_evidence
from govcrawler.cleaning.learned import BoilerplateLearner
from govcrawler.extraction.article import Rejection
from govcrawler.extraction.list_walk import next_list_page, read_list
from govcrawler.extraction.record import build
from govcrawler.item import Article, Tombstone
from govcrawler.sites import Column, SiteProfile
from govcrawler.spiders.faults import failure_outcome
from govcrawler.spiders.files import file_archiver
from govcrawler.spiders.page_response import content_type, header, page_of
from govcrawler.state.crawl_state import crawl_state
from govcrawler.state.failures import error_reason
from govcrawler.state.files import data_path
from govcrawler.state.site_state import KNOWN_STATUSES, SiteState

logger = logging.getLogger(__name__)

_POLITENESS_SETTINGS = {
    "download_delay": "DOWNLOAD_DELAY",
    "concurrency": "CONCURRENT_REQUESTS_PER_DOMAIN",
    "autothrottle_target_concurrency": "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "user_agent": "USER_AGENT",
}


def linked_url(message: scrapy.Request | Response) -> str:
    """The URL a request was first made for (the one the list linked), before any redirect: the
    ledger knows an article under it."""
    return str((message.meta.get("redirect_urls") or [message.url])[0])


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_flag(value: str | bool | None) -> bool:
    """`-a backfill=1|true|yes|on` (or 0|false|no|off)."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = value.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off"):
        return False
    raise ValueError(f"expected 1/0, true/false, yes/no or on/off, not {value!r}")


SPIDER_ARGUMENTS = ("max_pages", "since", "columns", "backfill")


def _positive_int(name: str, value: str | int | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if number < 1:
        raise ValueError(f"{name} must be 1 or more")
    return number


def _iso_date(name: str, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise ValueError(f"{name} must be a date YYYY-MM-DD, not {value!r} ({exc})") from None


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
        if cls.profile.recheck_days is not None:
            settings.set("GOVCRAWLER_RECHECK_DAYS", cls.profile.recheck_days, priority="spider")

    def __init__(
        self,
        max_pages: str | int | None = None,
        since: str | None = None,
        columns: str | None = None,
        backfill: str | bool | None = None,
        **kwargs: Any,
    ) -> None:
        unknown = sorted(set(kwargs) - {"name"})
        if unknown:
            raise ValueError(
                f"unknown spider argument(s) {', '.join(unknown)} for {self.name}; "
                f"known: {', '.join(SPIDER_ARGUMENTS)}"
            )
        super().__init__(**kwargs)
        self.allowed_domains = list(self.profile.domains)
        self.max_pages = _positive_int("max_pages", max_pages)
        self.since = _iso_date("since", since)
        self.selected: tuple[Column, ...] = self._select_columns(columns)
        self.backfill = parse_flag(backfill)
        self.column_urls = {c.name: c.url for c in self.profile.columns}

    @cached_property
    def state(self) -> SiteState:
        """This site's crawl state (the CrawlState extension's; it exists once the crawl runs)."""
        return crawl_state(self.crawler).site

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
        self.state.expect_columns((c.name, c.url) for c in self.selected)
        for column in self.selected:
            yield scrapy.Request(
                column.url,
                callback=self.parse_list,
                errback=self.list_failed,
                cb_kwargs={"column": column.name, "page": 1},
            )
        for url, column_name in self.state.retries():
            request = self._article_request(url, column_name)
            if request is not None:
                yield request

    def _article_request(self, url: str, column: str | None) -> scrapy.Request | None:
        """A request for a linked article, or None when the ledger says it is archived and not
        due for a re-check (or it is requested already)."""
        plan = self.state.plan(url)
        if plan is None:
            return None
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            headers=plan.headers or None,
            cb_kwargs={"column": column},
            meta={"handle_httpstatus_list": list(KNOWN_STATUSES)} if plan.known else {},
        )

    def parse_list(
        self, response: Response, column: str, page: int, guessed: bool = False
    ) -> Iterator[scrapy.Request]:
        """Queue the list's article links, then the next list page. The profile's rules decide,
        with discovery beside them where they find nothing or far fewer links than last run, or
        no next page (extraction/list_walk.py); drift is recorded for the column's report. A
        `guessed` page (a pager a script draws) that brings no new link ends the walk quietly."""
        stats = self.crawler.stats
        if not isinstance(response, TextResponse):
            stats.inc_value("govcrawler/skipped/list_not_html")
            logger.warning("List page is not HTML: %s", response.url)
            return
        stats.inc_value("govcrawler/list_pages")
        html = page_of(response).text
        column_url = self.column_urls[column]
        reading = read_list(
            html,
            response.url,
            self.profile,
            column_url=column_url,
            last_count=self.state.last_list_entries(response.url),
        )
        entries = reading.entries
        if guessed and not self.state.new_links(column_url, entries):
            logger.info(
                "Guessed list page %s brings no new article link: column %s ends at page %d",
                response.url,
                column,
                page - 1,
            )
            self.state.walk_complete(column_url, page - 1)
            return
        self.state.list_page_read(
            response.url,
            column_url,
            page,
            entries,
            drift=reading.drift,
            discovered=reading.discovered,
        )
        if not entries:
            stats.inc_value("govcrawler/list_without_articles")
            logger.warning(
                "No article links on list page %s (column %s), from the profile or discovery:"
                " layout changed?",
                response.url,
                column,
            )
            return
        covered = not self.backfill and self.state.page_is_covered(
            [e.url for e in entries], column_url
        )
        fresh = [e for e in entries if not (self.since and e.date and e.date < self.since)]
        for entry in fresh:
            request = self._article_request(entry.url, column)
            if request is not None:
                yield request
        if self.since and not fresh:
            logger.info(
                "List page %s is entirely older than %s: stop paginating %s",
                response.url,
                self.since,
                column,
            )
            return
        if covered:
            logger.info(
                "List page %s: all its articles were archived by the last complete walk of %s;"
                " stop paginating (-a backfill=1 walks on)",
                response.url,
                column,
            )
            self.state.walk_complete(column_url, page)
            return
        if self.max_pages is not None and page >= self.max_pages:
            return
        after = next_list_page(html, response.url, self.profile, page)
        if after.url is None:
            self.state.walk_complete(column_url, page)
            return
        if after.drift is not None:
            self.state.pagination_drifted(column_url, page, response.url, after.drift)
        yield scrapy.Request(
            after.url,
            callback=self.parse_list,
            errback=self.list_failed,
            cb_kwargs={"column": column, "page": page + 1, "guessed": after.guessed},
        )

    def list_failed(self, failure: Any) -> None:
        request = failure.request
        column, page = request.cb_kwargs["column"], request.cb_kwargs["page"]
        column_url = self.column_urls[column]
        outcome, reason = failure_outcome(failure.value)
        if page > 1 and (reason in ("http_404", "http_410") or request.cb_kwargs.get("guessed")):
            # A paginator that does not know the page count walks until a page is missing; a
            # guessed page that fails in any way was only a guess.
            logger.info("List page %s of %s (%s): the column ends there", page, column, reason)
            self.state.walk_complete(column_url, page - 1)
            return
        self.state.list_failed(request.url, column_url, page, outcome, reason)

    def callback_failed(self, response: Response, error: BaseException) -> None:
        """A callback raised (spiders/callback_errors.py): the article stays pending with the
        error as its reason, a list page ends its column's walk; Scrapy logs the traceback."""
        request = response.request
        if request is None:
            return
        column = request.cb_kwargs.get("column")
        if request.callback == self.parse_list and column in self.column_urls:
            self.state.list_failed(
                request.url,
                self.column_urls[column],
                request.cb_kwargs.get("page", 1),
                "failed",
                error_reason(error),
            )
        elif request.callback == self.parse_article:
            self.state.failed(linked_url(request), column, "failed", error_reason(error))

    def article_failed(self, failure: Any) -> None:
        """Blocked, HTTP error, network error: counted, and asked for again next run (under the
        URL the list linked, when the error came after a redirect)."""
        request = failure.request
        self.state.request_failed(
            linked_url(request), request.cb_kwargs.get("column"), *failure_outcome(failure.value)
        )

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        folder = data_path(crawler.settings, "GOVCRAWLER_BOILERPLATE_DIR")
        spider.boilerplate_path = folder / f"{spider.name}.json" if folder else None
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

    async def parse_article(
        self, response: Response, column: str | None
    ) -> AsyncIterator[Article | Tombstone]:
        """One article page → one record, or a counted, logged skip; for an archived article a
        304 (unchanged) or 404/410 (a tombstone, once). The record waits for its attachments and
        images to be archived (spiders/files.py)."""
        stats = self.crawler.stats
        if response.status in KNOWN_STATUSES:
            if response.status == 304:
                self.state.not_modified(response.url)
                return
            tombstone = self.state.tombstone(
                linked_url(response), response.status, self._fetched_at(response)
            )
            if tombstone is not None:
                yield with_evidence(response, tombstone)
            return
        if not isinstance(response, TextResponse):
            stats.inc_value("govcrawler/skipped/not_html")
            logger.warning(
                "Not an HTML page (%s): %s", response.headers.get("Content-Type"), response.url
            )
            self.state.failed(response.url, column, "skipped", "not_html")
            return
        result = build(
            response.body,
            response.url,
            profile=self.profile,
            fetched_at=self._fetched_at(response),
            content_type=content_type(response),
            http_status=response.status,
            column_hint=column,
            learned=self.boilerplate.learned(),
            page=page_of(response),
        )
        if isinstance(result, Rejection):
            stats.inc_value(f"govcrawler/skipped/{result.reason}")
            logger.warning(
                "Not an article (%s: %s): %s", result.reason, result.detail, response.url
            )
            self.state.failed(response.url, column, "skipped", result.reason)
            return
        self.boilerplate.observe(result.extraction.observed_lines)
        if result.extraction.fallback:
            self._report_fallback(result.extraction.fallback, response.url)
            self.state.body_fell_back(column, result.extraction.fallback)
        stats.inc_value("govcrawler/articles")
        self.state.remember_validators(
            result.article.id,
            header(response, "ETag"),
            header(response, "Last-Modified"),
        )
        article = with_evidence(response, result.article)
        archiver = file_archiver(self.crawler)
        yield await archiver.archive(article, self.profile) if archiver else article

    def _report_fallback(self, why: str, url: str) -> None:
        """Count every fallback to the generic extractor; log the first one of the run."""
        self.crawler.stats.inc_value(f"extract/fallback/{self.name}")
        if not self.fallback_logged:
            self.fallback_logged = True
            logger.warning(
                "%s: the profile's body selectors disagree with the page (%s) at %s; using the "
                "generic extractor. Was the site redesigned? Check it with `govcrawler "
                "check-site %s --live`. (Logged once per run; count in extract/fallback/%s.)",
                self.name,
                why,
                url,
                self.name,
                self.name,
            )

    @staticmethod
    def _fetched_at(response: Response) -> str:
        """When the page was fetched: now, or a replayed capture's own time."""
        return trusted_capture_time(response) or utc_now()
