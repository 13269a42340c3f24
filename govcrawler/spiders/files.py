"""Each archived article's attachments and in-body images, fetched and archived in WARC before its
record is written; the record's entries say where each file is (or why it is not).

How: the article callback awaits `FileArchiver.archive(article)`, which fetches each file with
`crawler.engine.download_async(request)` (public since Scrapy 2.14). Such a request goes through
every downloader middleware — robots.txt, the domain guard (spiders/domains.py: the profile's
domains and `[files] hosts`), retries, Retry-After, blocked-page detection, the host gate
(spiders/pacing.py) and the WARC capture (archive/warc_middleware.py) — but not through the
scheduler, so it is paced and archived exactly like a page. Chosen over chained requests that
carry the record from file to file because:
- the record reaches the pipelines once, complete, so versioning, the schema check, the durable
  write and the ledger work as for any record; a chain can be cut (dupe filter, a dropped
  request, the spider closing) and the article lost with it;
- a failed file is an `except` around one fetch: the record is written all the same, with the
  file's `reason`;
- a file that several articles link is fetched once per run (an in-run cache), and files of one
  article are fetched one after another, never bursting a host beyond its pace.
The cost: a callback holds its response while its files download.

What is fetched: every attachment extraction found (document suffixes, the profile's `[files]
links`) and, unless the profile says `[files] images = false`, every in-body image; only from the
site's domains and known file hosts; each at most GOVCRAWLER_FILE_MAX_SIZE bytes (Scrapy's
per-request `download_maxsize`). GOVCRAWLER_FILES = False fetches none (reason `disabled`).
A record that will be dropped as unchanged (same payload or body as the archived version, no
file left to retry) fetches nothing. Text of PDF and Word files is read in a worker thread
(extraction/documents.py).

Reruns: a file whose payload is the same as its last capture is written as a WARC revisit (the
WARC middleware), so it is stored once; a file not kept for a passing reason (network error,
5xx, 408, 429, blocked) makes the ledger keep the article due, and the next run fetches the
article and its files again (state/site_state.py; a record that now keeps more files is a new
version). Counted in the stats as `govcrawler/files/...` and in the run manifest (`files`).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from scrapy import Request
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from govcrawler.archive.replay import MISS_HEADER
from govcrawler.archive.warc_middleware import EVIDENCE_META, FILE_OF_META
from govcrawler.archive.warc_writer import Written
from govcrawler.extraction.documents import DocumentError, document_text
from govcrawler.extraction.files import (
    FileResult,
    Kept,
    file_host_allowed,
    filled,
    reason_name,
    retried_next_run,
)
from govcrawler.item import Article
from govcrawler.sites import SiteProfile
from govcrawler.spiders.faults import failure_outcome
from govcrawler.spiders.page_response import content_type
from govcrawler.state.crawl_state import crawl_state

logger = logging.getLogger(__name__)

STATS = "govcrawler/files"
#: Results kept for files several articles of one run link (the site's logo, a shared notice).
CACHE_SIZE = 256


class FileArchiver:
    """The crawler's file fetcher (an extension); the spider reaches it with `file_archiver`."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.enabled = settings.getbool("GOVCRAWLER_FILES", True)
        self.max_size = settings.getint("GOVCRAWLER_FILE_MAX_SIZE", 20 * 1024 * 1024)
        self.done: OrderedDict[str, FileResult] = OrderedDict()
        self.fetching: dict[str, list[Deferred[FileResult]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> FileArchiver:
        return cls(crawler)

    def count(self, key: str) -> None:
        self.crawler.stats.inc_value(f"{STATS}/{key}")

    async def archive(self, article: Article, profile: SiteProfile | None) -> Article:
        """Fetch the article's files and fill its entries; never raises for a file."""
        files = [*article.attachments, *article.images]
        if not files:
            return article
        if self.unchanged(article):
            self.count("skipped_unchanged_article")
            return article
        for attachment in article.attachments:
            filled(attachment, await self.result(attachment["url"], article, profile, text=True))
        for image in article.images:
            if profile is not None and not profile.files.images:
                filled(image, self.refused("disabled"))
            else:
                filled(image, await self.result(image["url"], article, profile, text=False))
        return article

    def unchanged(self, article: Article) -> bool:
        """Will the versioning pipeline drop this record as unchanged, even if every file is
        kept (so no file of the archived version waits for a retry)? Then no file is fetched."""
        decision = crawl_state(self.crawler).site.version(article, files_missing=0)
        return decision is not None and decision.outcome == "unchanged"

    def refused(self, reason: str) -> FileResult:
        """A file not requested at all (policy)."""
        self.count(f"not_kept/{reason}")
        return FileResult.not_kept(reason)

    async def result(
        self, url: str, article: Article, profile: SiteProfile | None, *, text: bool
    ) -> FileResult:
        """The file's result: from this run's cache, from a fetch already under way, or fetched."""
        if not self.enabled:
            return self.refused("disabled")
        if not file_host_allowed(url, profile):
            return self.refused("offsite")
        cached = self.done.get(url)
        if cached is not None:
            self.done.move_to_end(url)
            self.count("reused")
            return cached
        waiting = self.fetching.get(url)
        if waiting is not None:
            later: Deferred[FileResult] = Deferred()
            waiting.append(later)
            self.count("reused")
            return await maybe_deferred_to_future(later)
        self.fetching[url] = []
        try:
            result = await self.fetch(url, article, text=text)
        except Exception as exc:  # never lose the article for a file
            logger.exception("Could not archive %s (a file of %s)", url, article.url)
            result = self.not_kept(url, article, type(exc).__name__)
        finally:
            waiters = self.fetching.pop(url, [])
        self.done[url] = result
        while len(self.done) > CACHE_SIZE:
            self.done.popitem(last=False)
        for later in waiters:
            later.callback(result)
        return result

    def request(self, url: str, article: Article) -> Request:
        return Request(
            url,
            callback=NO_CALLBACK,
            headers={"Referer": article.url},  # as a browser sends it (some servers want it)
            meta={
                FILE_OF_META: article.url,
                "download_maxsize": self.max_size,
                "download_warnsize": self.max_size,
            },
            dont_filter=True,
        )

    async def fetch(self, url: str, article: Article, *, text: bool) -> FileResult:
        try:
            response = await self.crawler.engine.download_async(self.request(url, article))
        except Exception as exc:  # download errors, IgnoreRequest (robots, offsite), WARC write
            reason = failure_outcome(exc)[1]
            return self.not_kept(url, article, reason)
        if not 200 <= response.status < 300:
            miss = response.headers.get(MISS_HEADER)
            status = "not_captured" if miss else f"http_{response.status}"
            return self.not_kept(url, article, status, content_type(response))
        kept = self.kept(response)
        self.count("kept")
        content = await self.text(kept.body, url) if text else None
        return FileResult.kept(kept, content)

    def not_kept(
        self, url: str, article: Article, error: str, content_type: str | None = None
    ) -> FileResult:
        reason = reason_name(error)
        self.count(f"not_kept/{reason}")
        retry = retried_next_run(reason)
        if retry:
            self.count("retried_next_run")
        logger.warning(
            "File not kept (%s%s): %s, of %s",
            reason,
            "; tried again next run" if retry else "",
            url,
            article.url,
        )
        return FileResult.not_kept(reason, content_type)

    def kept(self, response: Response) -> Kept:
        written = response.request.meta.get(EVIDENCE_META) if response.request else None
        if isinstance(written, Written):
            if written.revisit:
                self.count("revisits")
            return Kept(
                response.body,
                content_type(response),
                written.payload.file,
                written.payload.record_id,
                written.payload.offset,
            )
        return Kept(response.body, content_type(response))

    async def text(self, body: bytes, url: str) -> str | None:
        """The text of a PDF or Word file (in a worker thread), None for other files."""
        try:
            text: str | None = await maybe_deferred_to_future(deferToThread(document_text, body))
        except DocumentError as exc:
            self.count("text_failed")
            logger.warning("No text from %s: %s", url, exc)
            return None
        if text is not None:
            self.count("text")
        return text


def file_archiver(crawler: Any) -> FileArchiver | None:
    """The crawler's FileArchiver, or None when the extension is not enabled."""
    archiver: FileArchiver | None = crawler.get_extension(FileArchiver)
    return archiver
