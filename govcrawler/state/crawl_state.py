"""The crawl state of one site's crawl, as a Scrapy extension: it owns the site's lock, the
ledger connection (through SiteState), the run stamp, the column walks and the site's entry in the
run manifest.

Every other component reaches it with `crawl_state(crawler)` (Scrapy's `crawler.get_extension`):
the spider (what to request), the versioning pipeline, the run-file export (which reports the
files it completed) and the WARC middleware (the captures table). It works with export turned
off (GOVCRAWLER_OUTPUT empty): walks are still recorded and the lock released.

Life cycle: the lock is taken when the extension is built, before the engine starts (LockHeld
if another run holds the site). Its `spider_closed` handler is connected when the spider opens,
after every other component connected its own, so it runs last (Scrapy calls handlers in the
order they were connected): by then the run files and WARC files are complete. It records the
completed walks, releases ledger and lock, and builds the manifest entry (`report`), written to
GOVCRAWLER_MANIFEST when that is set (a single `scrapy crawl`; `govcrawler crawl` writes one
manifest for all its sites instead). A crawl that never opened its spider is closed at
`engine_stopped`.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import call_later

from govcrawler.sites import SiteProfile
from govcrawler.state import manifest
from govcrawler.state.failures import error_reason
from govcrawler.state.files import data_path, run_stamp
from govcrawler.state.group_commit import GroupCommit
from govcrawler.state.ledger import Ledger
from govcrawler.state.locks import FileLock
from govcrawler.state.shared_ledger import SharedLedger, connect
from govcrawler.state.site_state import SiteState

logger = logging.getLogger(__name__)


class CrawlState:
    """One per crawler whose spider has a site profile; `site` is the state the others use."""

    def __init__(
        self, crawler: Any, site: SiteState, data: Path, stamp: str, window: float = 0.05
    ) -> None:
        self.crawler = crawler
        self.site = site
        self.data = data
        self.stamp = stamp  # `%(run_start)s` of every file this run writes
        self.reason: str | None = None
        self.outputs: list[dict[str, Any]] = []  # manifest.file_entry of each completed file
        self.recovered: list[dict[str, Any]] = []
        self.damaged: list[str] = []
        self.warc: list[dict[str, Any]] = []  # archive/fixity.warc_entries of its WARC files
        self.report: dict[str, Any] | None = None  # the manifest entry, once the engine stopped
        # The run file, the WARC files and the ledger marks that wait for them (GOVCRAWLER_SYNC_WINDOW).
        self.commit = GroupCommit(
            window,
            transaction=self._ledger_transaction,
            schedule=call_later,
        )

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlState:
        profile: SiteProfile | None = getattr(crawler.spidercls, "profile", None)
        if profile is None:
            raise NotConfigured("not a site spider (no profile)")
        settings = crawler.settings
        data = Path(settings.get("GOVCRAWLER_DATA") or "data")
        lock = FileLock(data / "locks" / f"{profile.key}.lock")
        lock.acquire()  # LockHeld: another run is crawling this site
        window = settings.getfloat("GOVCRAWLER_SYNC_WINDOW", 0.05)
        try:
            path = data_path(settings, "GOVCRAWLER_STATE")
            site = SiteState(
                profile,
                open_ledger(path, settings, profile.key, durable=window <= 0) if path else None,
                stats=crawler.stats,
                recheck_days=settings.getfloat("GOVCRAWLER_RECHECK_DAYS", 30.0),
                recheck_limit=settings.getint("GOVCRAWLER_RECHECK_LIMIT", 100),
                lock=lock,
            )
        except BaseException:
            lock.release()
            raise
        stamp = settings.get("GOVCRAWLER_RUN_STAMP") or run_stamp(
            datetime.now(UTC), settings.get("GOVCRAWLER_WORKER")
        )
        ext = cls(crawler, site, data, stamp, window)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def _ledger_transaction(self) -> AbstractContextManager[Any]:
        ledger = self.site.ledger
        return ledger.transaction(sync=True) if ledger is not None else nullcontext()

    # ---- what the other components report ------------------------------------------------------

    def completed_file(self, path: Path, records: int, **extra: Any) -> None:
        """A run file this run completed (and fsynced): listed in the manifest with its sha256."""
        self.outputs.append(manifest.file_entry(path, records, self.data, **extra))

    def recovered_file(self, path: Path, records: int, **extra: Any) -> None:
        """A file a killed earlier run left, completed now."""
        self.recovered.append(manifest.file_entry(path, records, self.data, **extra))

    def damaged_file(self, description: str) -> None:
        self.damaged.append(description)

    def item_error(self, item: Any, response: Any, spider: Any, failure: Any) -> None:
        """A pipeline raised on a record: its article stays pending with the error as reason."""
        url, column = getattr(item, "url", None), getattr(item, "column", None)
        if url:
            self.site.failed(url, column, "failed", error_reason(failure.value))

    # ---- closing -------------------------------------------------------------------------------

    def spider_opened(self, spider: Any) -> None:
        self.crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.close(reason)

    def engine_stopped(self) -> None:
        if self.report is None:
            self.close("not started")

    def close(self, reason: str) -> None:
        self.reason = reason
        self.commit.flush()
        self.site.close(finished=reason == "finished")
        stats = self.crawler.stats.get_stats()
        columns = list(self.site.columns.values())
        problems, classes = manifest.site_problems(
            stats,
            reason=reason,
            column_problems=[p for c in columns if (p := c.problem()) is not None],
            column_classes=[k for c in columns for k in c.classes()],
            damaged=self.damaged,
        )
        ledger = data_path(self.crawler.settings, "GOVCRAWLER_STATE")
        self.report = manifest.site_report(
            stats,
            reason=reason,
            arguments=spider_arguments(self.crawler.spider),
            outputs=self.outputs,
            recovered=self.recovered,
            problems=problems,
            classes=classes,
            columns=[c.to_dict() for c in columns],
            drift=self.site.drift_report(),
            ledger=manifest.shown_path(ledger, self.data) if ledger else None,
        )
        self.report["warc"] = self.warc
        # Drift alone is no error: everything the pages showed was archived (exit 4).
        log = logger.warning if self.report["status"] == "drift" else logger.error
        for problem in problems:
            log("%s: %s", self.site.site, problem)
        path = data_path(self.crawler.settings, "GOVCRAWLER_MANIFEST", run_start=self.stamp)
        if path is not None:
            started = stats.get("start_time") or datetime.now(UTC)
            run = manifest.run_manifest(started, datetime.now(UTC), {self.site.site: self.report})
            logger.info("Run manifest: %s", manifest.write_manifest(path, run))


def open_ledger(path: Path, settings: Any, site: str, *, durable: bool) -> Ledger:
    """The site's ledger; shared through Redis with the other workers of a frontier
    (GOVCRAWLER_FRONTIER). With a sync window the group commit's transaction makes it durable."""
    frontier = settings.get("GOVCRAWLER_FRONTIER")
    if frontier:
        return SharedLedger(path, connect(frontier), site, durable=durable)
    return Ledger(path, durable=durable)


def crawl_state(crawler: Any) -> CrawlState:
    """The crawler's CrawlState extension (RuntimeError when it is not enabled)."""
    ext: CrawlState | None = crawler.get_extension(CrawlState)
    if ext is None:
        raise RuntimeError("the CrawlState extension is not enabled (EXTENSIONS setting)")
    return ext


def spider_arguments(spider: Any) -> dict[str, Any]:
    """The crawl arguments that shaped the run (for the manifest)."""
    selected = getattr(spider, "selected", ())
    return {
        "columns": [c.name for c in selected],
        "max_pages": getattr(spider, "max_pages", None),
        "since": getattr(spider, "since", None),
        "backfill": getattr(spider, "backfill", False),
    }
