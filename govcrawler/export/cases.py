"""Live case rows (a Scrapy extension): with `-s GOVCRAWLER_CASES=1` the case rows of each
archived article are appended to `data/cases/<site>/<run>.jsonl`, next to the run's articles
(`data/articles/<site>/<run>.jsonl`, same run file name).

Rows are written like the articles (export/durable.py): `<run>.jsonl.part` while the run lasts,
one fsync per article's rows, renamed at close; a killed run's `.part` is completed at the next
start (export/recovery.py). They are derived data: `govcrawler cases` makes the same rows from
the archive at any time, so a row that could not be made or written is logged and counted
(`govcrawler/cases/failed`), never a reason to stop the crawl.

Settings: GOVCRAWLER_CASES (off unless true), GOVCRAWLER_CASES_OUTPUT (default
`%(data)s/cases/%(name)s/%(run_start)s.jsonl`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from govcrawler.export.durable import DurableJsonlWriter, free_run_path
from govcrawler.export.recovery import recover_part
from govcrawler.extraction.cases import extract_cases
from govcrawler.item import Article
from govcrawler.state.crawl_state import CrawlState, crawl_state

logger = logging.getLogger(__name__)

DEFAULT_OUTPUT = "%(data)s/cases/%(name)s/%(run_start)s.jsonl"


class CaseExport:
    def __init__(self, crawler: Any) -> None:
        if not crawler.settings.getbool("GOVCRAWLER_CASES"):
            raise NotConfigured  # off, the usual case: no message, so Scrapy logs no warning
        self.crawler = crawler
        self.pattern = str(crawler.settings.get("GOVCRAWLER_CASES_OUTPUT") or DEFAULT_OUTPUT)
        self.state: CrawlState | None = None
        self.writer: DurableJsonlWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> CaseExport:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self.state = crawl_state(self.crawler)  # the run's stamp, data folder and manifest
        pattern = self.pattern % {
            "data": str(self.state.data),
            "name": spider.name,
            "run_start": "%(run_start)s",
        }
        folder = Path(pattern % {"run_start": "x"}).parent
        for part in sorted(folder.glob("*.jsonl.part")):
            recovery = recover_part(part)
            self.crawler.stats.inc_value("govcrawler/cases/recovered", recovery.records)
            if recovery.path is not None:
                self.state.recovered_file(recovery.path, recovery.records)
        self.writer = DurableJsonlWriter(free_run_path(pattern, {}, self.state.stamp))

    def item_scraped(self, item: Any, spider: Any) -> None:
        if self.writer is None or not isinstance(item, Article):
            return
        stats = self.crawler.stats
        try:
            rows = extract_cases(item.to_dict())
            for row in rows:
                self.writer.append(row.to_dict())
            self.writer.sync()  # one fsync for the article's rows
        except Exception:  # derived data must never stop the crawl; counted and logged
            self.writer.discard()
            logger.exception("Could not write the case rows of %s", item.url)
            stats.inc_value("govcrawler/cases/failed")
            return
        stats.inc_value("govcrawler/cases/articles")
        if rows:
            stats.inc_value("govcrawler/cases/rows", len(rows))

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.writer is None:
            return
        output = self.writer.close()
        if output is not None:
            if self.state is not None:
                self.state.completed_file(output, self.writer.records)
            self.crawler.stats.set_value("govcrawler/cases/output_file", str(output))
            logger.info("Case rows: %s (%d)", output, self.writer.records)
