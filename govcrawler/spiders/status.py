"""What a person at a terminal sees while `govcrawler crawl` runs: one live line per site (state,
list pages, records, pages not archived), redrawn by rich, instead of Scrapy's INFO log. Under
cron (no terminal) nothing is drawn: the run prints its summary at the end, and warnings go to
the log as usual."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table
from scrapy import signals

from govcrawler.state.manifest import outcome_counts
from govcrawler.state.site_state import ARCHIVED_OUTCOMES, MISSED_OUTCOMES


@dataclass
class SiteLine:
    key: str
    state: str = "waiting"
    crawler: Any = None

    def cells(self) -> tuple[str, ...]:
        stats = self.crawler.stats.get_stats() if self.crawler is not None else {}
        counts = outcome_counts(stats)
        return (
            self.key,
            self.state,
            str(stats.get("govcrawler/list_pages", 0)),
            str(sum(counts[o] for o in ARCHIVED_OUTCOMES)),
            str(sum(counts[o] for o in MISSED_OUTCOMES)),
        )


class StatusBoard:
    """Live per-site lines for the crawlers of one process (`attach` each crawler)."""

    def __init__(self, keys: list[str]) -> None:
        self.lines = {key: SiteLine(key) for key in keys}

    def attach(self, key: str, crawler: Any) -> None:
        line = self.lines[key]
        line.crawler = crawler

        def opened(spider: Any) -> None:
            line.state = "crawling"

        def closed(spider: Any, reason: str) -> None:
            line.state = reason

        crawler.signals.connect(opened, signal=signals.spider_opened, weak=False)
        crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)

    def table(self) -> Table:
        table = Table(box=None, pad_edge=False)
        for title in ("site", "state", "list pages", "archived", "not archived"):
            table.add_column(title, justify="left" if title in ("site", "state") else "right")
        for line in self.lines.values():
            table.add_row(*line.cells())
        return table

    @contextmanager
    def live(self, console: Console) -> Iterator[None]:
        """Redraw the lines twice a second while the block runs; logs print above them."""

        class Redraw:
            def __rich__(inner) -> Table:
                return self.table()

        with Live(Redraw(), console=console, refresh_per_second=2, redirect_stderr=True):
            yield
