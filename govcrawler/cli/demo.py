"""`govcrawler demo`: replay every bundled site's captures through the real crawler into data/."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from govcrawler.sites import all_profiles

REPO_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def register(commands: Any) -> None:
    parser = commands.add_parser("demo", help="offline demo crawl of the bundled captures")
    parser.add_argument(
        "--fixtures", type=Path, default=REPO_FIXTURES, help="capture folder (default: %(default)s)"
    )
    parser.add_argument(
        "--data", type=Path, default=Path("data"), help="output folder (default: %(default)s)"
    )
    parser.add_argument("sites", nargs="*", help="site keys (default: every site with captures)")
    parser.set_defaults(run=run)


def demo_settings(fixtures: Path, data: Path) -> Settings:
    """The project settings, replaying `fixtures` and writing JSONL under `data`; no crawl
    ledger (the demo archives every bundled capture each time, as version 1)."""
    settings = Settings()
    settings.setmodule("govcrawler.settings", priority="project")
    settings.set("GOVCRAWLER_DATA", str(data), priority="cmdline")
    settings.set("GOVCRAWLER_STATE", "", priority="cmdline")
    settings.set("GOVCRAWLER_MANIFEST", "", priority="cmdline")
    settings.set("GOVCRAWLER_REPLAY", str(fixtures), priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    return settings


def run(args: argparse.Namespace) -> int:
    fixtures: Path = args.fixtures
    if not fixtures.is_dir():
        raise ValueError(
            f"no capture folder at {fixtures} (run from a checkout, or pass --fixtures)"
        )
    keys = args.sites or [k for k in all_profiles() if (fixtures / k).is_dir()]
    unknown = [k for k in keys if k not in all_profiles()]
    if unknown:
        raise ValueError(f"unknown site(s): {', '.join(unknown)}")
    process = CrawlerProcess(demo_settings(fixtures, args.data))
    crawlers = []
    for key in keys:
        crawler = process.create_crawler(key)
        crawlers.append(crawler)
        process.crawl(crawler)
    process.start()
    print(summary(crawlers, args.data))
    finished = all(c.stats.get_value("finish_reason") == "finished" for c in crawlers)
    return 0 if finished else 1


def summary(crawlers: list[Any], data: Path) -> str:
    """Per site: list pages, articles, skipped by reason, output file."""
    lines = ["", "govcrawler demo: offline replay of the bundled captures", ""]
    for crawler in crawlers:
        stats = crawler.stats.get_stats()
        name = crawler.spidercls.name
        skipped = {
            k.split("/", 1)[1]: v
            for k, v in sorted(stats.items())
            if k.startswith(("govcrawler/skipped/", "govcrawler/blocked/", "govcrawler/dropped/"))
        }
        output = stats.get("govcrawler/output_file", "none (nothing archived)")
        lines += [
            f"{name}: {stats.get('govcrawler/list_pages', 0)} list pages, "
            f"{stats.get('response_received_count', 0)} responses, "
            f"{stats.get('item_scraped_count', 0)} articles exported",
            "  skipped: " + (", ".join(f"{k}={v}" for k, v in skipped.items()) or "none"),
            f"  replay misses: {stats.get('replay/miss', 0)}",
            f"  output: {output}",
        ]
    return "\n".join(lines)
