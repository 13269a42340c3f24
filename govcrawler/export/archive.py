"""The archive writer (a Scrapy extension): each record durably into the run's JSONL file, then
into the ledger; a killed run's files recovered at start; the run manifest at close.

Order is what makes reruns exact: a record is appended and fsynced (export/durable.py) before the
ledger marks its article archived, so a kill at any moment leaves either the line and no ledger
entry (recovery reconciles the ledger from the file) or neither (the rerun fetches it again).
Nothing is marked at yield time, and a dropped record is retried next run.

Settings: GOVCRAWLER_OUTPUT (run file, `%(data)s`, `%(name)s`, `%(run_start)s`),
GOVCRAWLER_MANIFEST (empty: none; `govcrawler crawl` writes one for all its sites),
GOVCRAWLER_RUN_STAMP (the run's start stamp; default: when the spider opens).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from govcrawler.export.durable import DurableJsonlWriter, free_run_path
from govcrawler.export.feeds import run_stamp
from govcrawler.export.pipelines import InvalidRecord
from govcrawler.export.recovery import Recovery, recover_part
from govcrawler.item import Article, Tombstone
from govcrawler.state import manifest
from govcrawler.state.site_state import SiteState, data_path, site_state

logger = logging.getLogger(__name__)


class JsonlArchive:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        if not self.settings.get("GOVCRAWLER_OUTPUT"):
            raise NotConfigured("GOVCRAWLER_OUTPUT is empty")
        self.data = Path(self.settings.get("GOVCRAWLER_DATA") or "data")
        self.state: SiteState | None = None
        self.writer: DurableJsonlWriter | None = None
        self.stamp = ""
        self.recoveries: list[Recovery] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> JsonlArchive:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _pattern(self, name: str) -> str:
        return str(self.settings.get("GOVCRAWLER_OUTPUT")) % {
            "data": str(self.data),
            "name": name,
            "run_start": "%(run_start)s",
        }

    def spider_opened(self, spider: Any) -> None:
        self.state = site_state(self.crawler)
        self.stamp = self.settings.get("GOVCRAWLER_RUN_STAMP") or run_stamp(datetime.now(UTC))
        pattern = self._pattern(spider.name)
        self.recover(Path(pattern % {"run_start": "*"}))
        self.writer = DurableJsonlWriter(free_run_path(pattern, {}, self.stamp))

    def recover(self, run_file_glob: Path) -> None:
        """Complete the `.part` files a killed run of this site left, and let the ledger catch up
        with them (the site lock is held, so no live run is writing them)."""
        assert self.state is not None
        for part in sorted(run_file_glob.parent.glob(run_file_glob.name + ".part")):
            recovery = recover_part(part, self._reconcile)
            self.recoveries.append(recovery)
            self.crawler.stats.inc_value("govcrawler/recovered/records", recovery.records)

    def _reconcile(self, records: Iterator[dict[str, Any]], path: Path) -> None:
        assert self.state is not None
        applied = self.state.reconcile(records, path)
        if applied:
            logger.warning("Ledger caught up with %d records of %s", applied, path)

    def item_scraped(self, item: Any, spider: Any) -> None:
        assert self.writer is not None and self.state is not None
        if not isinstance(item, Article | Tombstone):
            return
        try:
            self.writer.write(item)
        except OSError as exc:
            logger.error("Could not write %s to %s: %s", item.id, self.writer.part, exc)
            self.crawler.stats.inc_value("govcrawler/failed/write")
            self.state.failed(item.url, item.column, "failed", "write")
            return
        self.state.written(item, self.writer.path)

    def item_dropped(self, item: Any, exception: BaseException, spider: Any) -> None:
        if self.state is not None and isinstance(exception, InvalidRecord):
            self.state.failed(item.url, item.column, "failed", "invalid_record")

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.state is None or self.writer is None:
            return
        output = self.writer.close()
        finished = reason == "finished"
        self.state.close(finished=finished)
        stats = self.crawler.stats.get_stats()
        outputs = [manifest.file_entry(output, self.writer.records, self.data)] if output else []
        recovered = [
            manifest.file_entry(r.path, r.records, self.data, torn_bytes=r.torn_bytes)
            for r in self.recoveries
            if r.path is not None
        ]
        damaged = [f"{r.part} ({r.damaged})" for r in self.recoveries if r.damaged]
        problems = manifest.site_problems(
            stats,
            reason=reason,
            columns_without_articles=self.state.columns_without_articles(),
            damaged=damaged,
        )
        ledger = data_path(self.settings, "GOVCRAWLER_STATE")
        self.state.report = manifest.site_report(
            stats,
            reason=reason,
            arguments=spider_arguments(spider),
            outputs=outputs,
            recovered=recovered,
            problems=problems,
            ledger=manifest.shown_path(ledger, self.data) if ledger else None,
        )
        if output:
            self.crawler.stats.set_value("govcrawler/output_file", str(output))
        for problem in problems:
            logger.error("%s: %s", spider.name, problem)
        path = data_path(self.settings, "GOVCRAWLER_MANIFEST", run_start=self.stamp)
        if path is not None:
            report = self.state.report
            started = stats.get("start_time") or datetime.now(UTC)
            run = manifest.run_manifest(started, datetime.now(UTC), {spider.name: report})
            written = manifest.write_manifest(path, run)
            logger.info("Run manifest: %s", written)


def spider_arguments(spider: Any) -> dict[str, Any]:
    """The crawl arguments that shaped the run (for the manifest)."""
    selected = getattr(spider, "selected", ())
    return {
        "columns": [c.name for c in selected],
        "max_pages": getattr(spider, "max_pages", None),
        "since": getattr(spider, "since", None),
        "backfill": getattr(spider, "backfill", False),
    }
