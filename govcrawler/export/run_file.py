"""The run file (a Scrapy extension): each record durably into this run's JSONL file, then into
the ledger; a killed run's files completed at start.

Order is what makes reruns exact: a record is appended and fsynced (export/durable.py) before the
ledger marks its article archived, so a kill at any moment leaves either the line and no ledger
entry (recovery reconciles the ledger from the file) or neither (the rerun fetches it again).
The fsync is grouped (state/group_commit.py): the lines of a short window are written and synced
once, after the WARC captures they name, and then their ledger marks run in one transaction.
Nothing is marked when a record is yielded, and a dropped record is retried next run. The files
it completes are reported to the crawl state (state/crawl_state.py), which lists them in the run
manifest.

Settings: GOVCRAWLER_OUTPUT (run file, `%(data)s`, `%(name)s`, `%(run_start)s`; empty: none).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from govcrawler.export.durable import DurableJsonlWriter, free_run_path
from govcrawler.export.pipelines import InvalidRecord
from govcrawler.export.recovery import recover_part
from govcrawler.item import Article, Tombstone
from govcrawler.state.crawl_state import CrawlState, crawl_state
from govcrawler.state.group_commit import RUN_FILE_RANK

logger = logging.getLogger(__name__)


class RunFileExport:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.pattern = str(crawler.settings.get("GOVCRAWLER_OUTPUT") or "")
        if not self.pattern:
            raise NotConfigured("GOVCRAWLER_OUTPUT is empty")
        self.state: CrawlState | None = None
        self.writer: DurableJsonlWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunFileExport:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self.state = crawl_state(self.crawler)
        pattern = self.pattern % {
            "data": str(self.state.data),
            "name": spider.name,
            "run_start": "%(run_start)s",
        }
        self.recover(Path(pattern % {"run_start": "*"}))
        self.writer = DurableJsonlWriter(free_run_path(pattern, {}, self.state.stamp))
        self.state.commit.register(self.writer, RUN_FILE_RANK)

    def recover(self, run_file_glob: Path) -> None:
        """Complete the `.part` files a killed run of this site left, and let the ledger catch up
        with them (the site lock is held, so no live run is writing them)."""
        assert self.state is not None
        for part in sorted(run_file_glob.parent.glob(run_file_glob.name + ".part")):
            recovery = recover_part(part, self._reconcile)
            self.crawler.stats.inc_value("govcrawler/recovered/records", recovery.records)
            if recovery.path is not None:
                self.state.recovered_file(
                    recovery.path, recovery.records, torn_bytes=recovery.torn_bytes
                )
            if recovery.damaged:
                self.state.damaged_file(f"{recovery.part} ({recovery.damaged})")

    def _reconcile(self, records: Iterator[dict[str, Any]], path: Path) -> None:
        assert self.state is not None
        applied = self.state.site.reconcile(records, path)
        if applied:
            logger.warning("Ledger caught up with %d records of %s", applied, path)

    def item_scraped(self, item: Any, spider: Any) -> None:
        assert self.writer is not None and self.state is not None
        if not isinstance(item, Article | Tombstone):
            return
        site, path = self.state.site, self.writer.path

        def failed() -> None:
            logger.error("Could not write %s to %s", item.id, path)
            self.crawler.stats.inc_value("govcrawler/failed/write")
            site.failed(item.url, item.column, "failed", "write")

        self.writer.append(item)
        self.state.commit.after_sync(lambda: site.written(item, path), failed)

    def item_dropped(self, item: Any, exception: BaseException, spider: Any) -> None:
        if self.state is not None and isinstance(exception, InvalidRecord):
            self.state.site.failed(item.url, item.column, "failed", "invalid_record")

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.state is None or self.writer is None:
            return
        self.state.commit.flush()
        self.state.commit.unregister(self.writer)
        output = self.writer.close()
        if output is not None:
            self.state.completed_file(output, self.writer.records)
            self.crawler.stats.set_value("govcrawler/output_file", str(output))
