"""WARC capture of every response, as received (a Scrapy downloader middleware).

It sits at 950, next to the download handler: its `process_response` runs before Redirect (600)
and HttpCompression (590) touch the response, so the WARC holds the bytes and headers as they came
off the wire (gzip still gzip, `Content-Encoding` kept; Twisted has only undone the chunked
transfer coding) and every response is kept: redirects, retried 5xx, robots.txt, blocked pages.
In a site crawl the fetches are fsynced by the crawl's group commit (state/group_commit.py): once
per short window, before the run file's lines (which name their capture, `with_evidence`) are
written and before the ledger's `captures` table (which revisits refer to) hears of them, so
neither ever names a capture that a kill could lose. Outside a site crawl each fetch is fsynced
before the response goes on.

A payload equal to the last capture of the same URL (the ledger's `captures` table) is written
as a `revisit` record referring to that capture. The response is stamped with its WARC-Date
(`X-Govcrawler-Captured-At`), which the spider reports as `fetched_at`, so re-extraction from
the WARC gives the same record. Settings: GOVCRAWLER_WARC (folder, `%(data)s`; "" = no WARC),
GOVCRAWLER_WARC_MAX_SIZE (bytes per file), GOVCRAWLER_CONTACT (operator, in the warcinfo).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from govcrawler import __version__
from govcrawler.archive.fixity import warc_entries
from govcrawler.archive.replay import (
    CAPTURED_AT_HEADER,
    CAPTURED_FLAG,
    MISS_HEADER,
    trusted_capture_time,
)
from govcrawler.archive.warc_recovery import WarcRecovery, recover_warc_part
from govcrawler.archive.warc_writer import (
    CALLBACK_FIELD,
    COLUMN_FIELD,
    WARC_SUFFIX,
    Exchange,
    RollingWarcWriter,
    WarcLocation,
    Written,
    warc_date,
)
from govcrawler.extraction.urls import canonical_url
from govcrawler.item import Article, Tombstone
from govcrawler.state.crawl_state import CrawlState
from govcrawler.state.files import PART_SUFFIX, data_path, run_stamp
from govcrawler.state.group_commit import WARC_RANK
from govcrawler.state.ledger import CaptureState
from govcrawler.state.site_state import SiteState

logger = logging.getLogger(__name__)

#: request.meta key holding the `Written` capture of the response (archive/warc_writer.py).
EVIDENCE_META = "govcrawler_warc"
#: request.meta key of a file request (spiders/files.py): the URL of the article it belongs to.
FILE_OF_META = "govcrawler_file_of"
#: The `callback` a file capture's metadata record names (the article: its `via`).
FILE_CALLBACK = "file"

Record = TypeVar("Record", Article, Tombstone)


class WarcWriteError(OSError):
    """The capture could not be written: the page is not archived (retried next run)."""


def with_evidence(response: Response, record: Record) -> Record:
    """Point `record` at the WARC response record holding the page it was made from."""
    request = getattr(response, "request", None)
    written = request.meta.get(EVIDENCE_META) if request is not None else None
    if isinstance(written, Written):
        record.warc_file = written.payload.file
        record.warc_record_id = written.payload.record_id
        record.warc_offset = written.payload.offset
        record.payload_digest = written.payload_digest
    return record


def header_pairs(headers: Any, *, drop: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Scrapy Headers → (name, value) pairs, repeated headers kept (latin-1, as on the wire)."""
    pairs = []
    for key, values in headers.items():
        name = key.decode("latin-1")
        if name.lower() in drop:
            continue
        pairs += [(name, v.decode("latin-1")) for v in values]
    return pairs


def exchange_of(request: Request, response: Response, date: str) -> Exchange:
    """The fetch as received, without the replay handler's own header."""
    ip = getattr(response, "ip_address", None)
    return Exchange(
        url=response.url,
        method=request.method,
        request_headers=header_pairs(request.headers),
        request_body=request.body or b"",
        status=response.status,
        response_headers=header_pairs(response.headers, drop=(CAPTURED_AT_HEADER.lower(),)),
        body=response.body,
        date=date,
        protocol=getattr(response, "protocol", None) or "HTTP/1.1",
        ip_address=str(ip) if ip else None,
    )


def crawl_context(request: Request) -> dict[str, str]:
    """How the crawl used the response (callback, column), for `govcrawler reextract`; a file of
    an article (spiders/files.py) says `file`, and `via` names its article."""
    name = getattr(request.callback, "__name__", None) or "parse"
    if request.meta.get(FILE_OF_META):
        name = FILE_CALLBACK
    context = {CALLBACK_FIELD: "none" if name == "NO_CALLBACK" else name}  # none: robots.txt
    column = request.cb_kwargs.get("column")
    if column:
        context[COLUMN_FIELD] = str(column)
    referer = request.headers.get("Referer")
    if referer:
        context["via"] = referer.decode("latin-1")
    return context


def warcinfo(settings: Any, spider: Any, stamp: str) -> dict[str, str]:
    """The warcinfo fields of every file: software, crawl, site, robots policy, operator."""
    profile = getattr(spider, "profile", None)
    return {
        "software": (
            f"govcrawler/{__version__} (Scrapy {scrapy.__version__}; warcio {version('warcio')})"
        ),
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "isPartOf": f"govcrawler-{spider.name}-{stamp}",
        "description": f"{profile.name} ({spider.name})" if profile else spider.name,
        "govcrawler-site": spider.name,
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "operator": settings.get("GOVCRAWLER_CONTACT") or "",
        "http-header-user-agent": settings.get("USER_AGENT") or "",
    }


class WarcCaptureMiddleware:
    def __init__(self, crawler: Any, folder: Path) -> None:
        self.crawler = crawler
        self.folder = folder
        self.max_size = crawler.settings.getint("GOVCRAWLER_WARC_MAX_SIZE", 1 << 30)
        self.writer: RollingWarcWriter | None = None
        self.state: SiteState | None = None
        self.crawl: CrawlState | None = None
        self.recoveries: list[WarcRecovery] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcCaptureMiddleware:
        folder = data_path(crawler.settings, "GOVCRAWLER_WARC")
        if folder is None:
            raise NotConfigured("GOVCRAWLER_WARC is empty")
        mw = cls(crawler, folder)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider: Any) -> None:
        settings = self.crawler.settings
        crawl = self.crawl = self.crawler.get_extension(CrawlState)  # None: not a site spider
        stamp = crawl.stamp if crawl else run_stamp(datetime.now(UTC))
        if crawl is not None:
            self.state = crawl.site  # holds the site's lock: no live run writes
            self.recover(spider.name)
        self.writer = RollingWarcWriter(
            self.folder,
            spider.name,
            stamp,
            max_size=self.max_size,
            info=warcinfo(settings, spider, stamp),
        )
        if crawl is not None:
            crawl.commit.register(self.writer, WARC_RANK)

    def recover(self, site: str) -> None:
        """Complete the WARC files a killed run of this site left (`.part`)."""
        for part in sorted(self.folder.glob(f"{site}-*{WARC_SUFFIX}{PART_SUFFIX}")):
            recovery = recover_warc_part(part)
            self.recoveries.append(recovery)
            self.crawler.stats.inc_value("govcrawler/warc/recovered_files")

    def process_request(self, request: Request) -> None:
        request.meta.pop(EVIDENCE_META, None)  # a redirect's new request: not its capture

    def process_response(self, request: Request, response: Response) -> Response:
        if self.writer is None or response.headers.get(MISS_HEADER):
            return response
        stats = self.crawler.stats
        captured_at = trusted_capture_time(response)
        date = captured_at or warc_date()
        url = canonical_url(response.url)
        ledger = self.state.ledger if self.state is not None else None
        last = ledger.capture(url) if ledger is not None else None
        previous = (
            WarcLocation(last.warc_file, last.record_id, last.warc_offset, last.warc_date, last.url)
            if last
            else None
        )
        try:
            written = self.writer.write(
                exchange_of(request, response, date),
                previous=previous,
                previous_digest=last.payload_digest if last else None,
                metadata=crawl_context(request) if self.state is not None else None,
                sync=self.crawl is None,
            )
        except OSError as exc:
            stats.inc_value("govcrawler/warc/failed_write")
            logger.error("Could not write the WARC capture of %s: %s", response.url, exc)
            raise WarcWriteError(f"WARC capture not written: {exc}") from exc
        stats.inc_value(
            "govcrawler/warc/revisits" if written.revisit else "govcrawler/warc/responses"
        )
        stats.set_value("govcrawler/warc/bytes", self.writer.bytes_written)
        if ledger is not None and not written.revisit and response.status != 304:
            capture = CaptureState(
                url=url,
                site=self.state.site if self.state else "",
                payload_digest=written.payload_digest,
                record_id=written.record.record_id,
                warc_file=written.record.file,
                warc_offset=written.record.offset,
                warc_date=written.record.date,
            )
            self._after_sync(lambda: ledger.save_capture(capture))
        request.meta[EVIDENCE_META] = written
        if not captured_at:  # the record's fetched_at is the WARC-Date, never a server's header
            response.headers[CAPTURED_AT_HEADER] = date
            response.flags.append(CAPTURED_FLAG)
        return response

    def _after_sync(self, action: Any) -> None:
        """Run `action` (a ledger mark) once the capture is on disk."""
        if self.crawl is not None:
            self.crawl.commit.after_sync(action)
        else:
            action()

    def spider_closed(self, spider: Any) -> None:
        if self.writer is None:
            return
        if self.crawl is not None:
            self.crawl.commit.flush()
            self.crawl.commit.unregister(self.writer)
        files = self.writer.close()
        self.crawler.stats.set_value("govcrawler/warc/files", [str(p) for p in files])
        # The run manifest's `warc` list (checked by `govcrawler verify`).
        if self.crawl is not None:
            recovered = [r.path for r in self.recoveries if r.path is not None]
            self.crawl.warc += warc_entries([*files, *recovered], self.crawl.data)
        self.writer = None
