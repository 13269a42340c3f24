"""The live lines `govcrawler crawl` shows on a terminal (README "Scheduled runs"): one per site,
with its state, list pages, records archived and pages not archived."""

from __future__ import annotations

from rich.console import Console
from scrapy import Spider, signals
from scrapy.utils.test import get_crawler

from govcrawler.spiders.status import StatusBoard


def rows(board: StatusBoard) -> list[list[str]]:
    console = Console(record=True, width=120)
    console.print(board.table())
    lines = console.export_text().splitlines()[1:]  # the header line first
    return [line.split() for line in lines if line.strip()]


def test_one_live_line_per_site_with_its_state_and_counts() -> None:
    board = StatusBoard(["alpha", "beta"])
    crawler = get_crawler(Spider)
    board.attach("alpha", crawler)
    assert rows(board) == [["alpha", "waiting", "0", "0", "0"], ["beta", "waiting", "0", "0", "0"]]

    spider = Spider("alpha")
    crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
    for key, n in (
        ("govcrawler/list_pages", 3),
        ("govcrawler/outcome/new", 4),
        ("govcrawler/outcome/changed", 2),
        ("govcrawler/outcome/removed", 1),
        ("govcrawler/outcome/unchanged", 9),  # neither archived now nor missed
        ("govcrawler/outcome/known", 8),
        ("govcrawler/outcome/failed", 2),
        ("govcrawler/outcome/blocked", 1),
        ("govcrawler/outcome/skipped", 3),
    ):
        crawler.stats.inc_value(key, n)
    assert rows(board)[0] == ["alpha", "crawling", "3", "7", "6"]

    crawler.signals.send_catch_log(signals.spider_closed, spider=spider, reason="blocked")
    assert rows(board)[0][:2] == ["alpha", "blocked"]
    assert rows(board)[1] == ["beta", "waiting", "0", "0", "0"]
