"""`govcrawler capture URL… (--fixtures DIR | --warc DIR)`: save live pages for new tests.

Fetched politely through the project settings (archive/capture_spider.py); `--fixtures` writes the
replay fixture format (then add an `.expected.json` by hand), `--warc` a WARC file as a crawl
writes it. Exit code 1 when a URL could not be fetched.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from govcrawler.archive.capture_spider import CaptureSpider
from govcrawler.cli.options import add_settings_option, http_url, name_values


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "capture",
        help="save live pages as fixtures or into a WARC",
        description="Fetch URLs politely, as a crawl would, and save them in the fixture capture "
        "format (--fixtures) or into a WARC file (--warc).",
        epilog="exit codes: 0 every page saved; 1 a page could not be fetched or the fetch did "
        "not finish; 2 usage error (nothing fetched)",
    )
    parser.add_argument("urls", nargs="+", type=http_url, metavar="URL")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--fixtures", type=Path, help="folder for fixture-format captures")
    where.add_argument("--warc", type=Path, help="folder for the WARC file")
    add_settings_option(parser, "a Scrapy setting (e.g. -s USER_AGENT=…), as for scrapy crawl")
    parser.set_defaults(run=run)


def capture_settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    settings.setmodule("govcrawler.settings", priority="project")
    extensions = {
        **settings.getdict("EXTENSIONS"),
        "govcrawler.export.run_file.RunFileExport": None,
    }
    for name, value in (
        ("EXTENSIONS", extensions),
        ("ITEM_PIPELINES", {}),
        ("GOVCRAWLER_STATE", ""),
        ("GOVCRAWLER_MANIFEST", ""),
        ("GOVCRAWLER_WARC", str(args.warc) if args.warc else ""),
        ("LOG_LEVEL", "INFO"),
    ):
        settings.set(name, value, priority="cmdline")
    for name, value in name_values(args.settings, "-s").items():
        settings.set(name, value, priority="cmdline")
    return settings


def fetch(
    urls: list[str], settings: Settings, fixtures: Path | None
) -> tuple[Crawler, CaptureSpider]:
    """Fetch `urls` with the capture spider (into `fixtures`, or the WARC the settings name);
    the finished crawler (its stats) and spider (what it saved, what failed)."""
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(CaptureSpider)
    process.crawl(crawler, urls=urls, fixtures=fixtures)
    process.start()
    spider = crawler.spider
    assert isinstance(spider, CaptureSpider)
    return crawler, spider


def run(args: argparse.Namespace) -> int:
    crawler, spider = fetch(args.urls, capture_settings(args), args.fixtures)
    for path in spider.saved:
        print(path)
    for path in crawler.stats.get_value("govcrawler/warc/files") or []:
        print(path)
    return 1 if spider.failed or crawler.stats.get_value("finish_reason") != "finished" else 0
