"""`govcrawler crawl [--all | SITE…]`: the scheduled run, every named site in one process.

One Scrapy CrawlerProcess runs the sites side by side (each with its own politeness), under a
lock so two cron runs never overlap. It writes one run manifest for all sites, prints a line per
site and exits 1 when a site failed (state/manifest.py says when), 75 when another run still
holds the lock.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from govcrawler.sites import all_profiles
from govcrawler.state import manifest
from govcrawler.state.crawl_state import CrawlState
from govcrawler.state.files import data_path, run_stamp
from govcrawler.state.locks import FileLock, LockHeld
from govcrawler.state.site_state import OUTCOMES

EXIT_FAILED = 1
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run is still going; the next cron run tries again


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "crawl", help="crawl sites incrementally into the archive (the scheduled run)"
    )
    parser.add_argument("sites", nargs="*", metavar="SITE", help="site keys (`govcrawler sites`)")
    parser.add_argument("--all", action="store_true", help="every bundled site")
    parser.add_argument(
        "-a",
        dest="spider_args",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="spider argument for every site: max_pages=N, since=YYYY-MM-DD, backfill=1",
    )
    parser.add_argument(
        "-s",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Scrapy setting, e.g. USER_AGENT=… or GOVCRAWLER_RECHECK_DAYS=7",
    )
    parser.add_argument("--data", type=Path, help="archive folder (default: data)")
    parser.add_argument(
        "--replay", type=Path, help="answer from a folder of captures instead of the network"
    )
    parser.set_defaults(run=run)


def pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name:
            raise ValueError(f"{what} must be NAME=VALUE, not {value!r}")
        out[name] = setting
    return out


def crawl_settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    settings.setmodule("govcrawler.settings", priority="project")
    for name, value in pairs(args.settings, "-s").items():
        settings.set(name, value, priority="cmdline")
    if args.data is not None:
        settings.set("GOVCRAWLER_DATA", str(args.data), priority="cmdline")
    if args.replay is not None:
        if not args.replay.is_dir():
            raise ValueError(f"no capture folder at {args.replay}")
        settings.set("GOVCRAWLER_REPLAY", str(args.replay), priority="cmdline")
    return settings


def selected_sites(args: argparse.Namespace) -> list[str]:
    known = all_profiles()
    if args.all == bool(args.sites):
        raise ValueError("name the sites to crawl, or --all (not both)")
    keys = list(known) if args.all else args.sites
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ValueError(f"unknown site(s): {', '.join(unknown)} (known: {', '.join(known)})")
    return keys


def run(args: argparse.Namespace) -> int:
    keys = selected_sites(args)
    spider_args = pairs(args.spider_args, "-a")
    settings = crawl_settings(args)
    data = Path(settings.get("GOVCRAWLER_DATA") or "data")
    lock = FileLock(data / "locks" / "crawl.lock")
    try:
        lock.acquire()
    except LockHeld as exc:
        print(f"govcrawler crawl: {exc}; not starting", file=sys.stderr)
        return EXIT_LOCKED
    try:
        return crawl(keys, spider_args, settings, data)
    finally:
        lock.release()


def crawl(keys: list[str], spider_args: dict[str, str], settings: Settings, data: Path) -> int:
    started = datetime.now(UTC)
    stamp = run_stamp(started)
    manifest_path = data_path(settings, "GOVCRAWLER_MANIFEST", run_start=stamp)
    settings.set("GOVCRAWLER_RUN_STAMP", stamp, priority="cmdline")
    settings.set("GOVCRAWLER_MANIFEST", "", priority="cmdline")  # one manifest for the run
    process = CrawlerProcess(settings)
    crawlers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in keys:
        crawler = crawlers[key] = process.create_crawler(key)

        def failed(failure: Any, key: str = key) -> None:
            errors[key] = f"{type(failure.value).__name__}: {failure.value}"

        process.crawl(crawler, **spider_args).addErrback(failed)
    process.start()
    reports = {key: site_outcome(key, crawlers[key], errors.get(key)) for key in keys}
    run = manifest.run_manifest(started, datetime.now(UTC), reports)
    written = manifest.write_manifest(manifest_path, run) if manifest_path else None
    print(summary(run, written))
    return 0 if run["status"] == "ok" else EXIT_FAILED


def site_outcome(key: str, crawler: Any, error: str | None) -> dict[str, Any]:
    """The site's manifest entry; a crawl that could not start (lock held, bad argument) failed."""
    report: dict[str, Any] | None = None
    if error is None:
        state = crawler.get_extension(CrawlState)
        report = state.report if state is not None else None
    if report is None:
        report = {
            "status": "failed",
            "problems": [f"the crawl did not start ({error or 'no report'})"],
            "counts": dict.fromkeys(OUTCOMES, 0),
            "outputs": [],
            "recovered": [],
        }
    return report


def summary(run: dict[str, Any], written: Path | None) -> str:
    lines = []
    for key, site in run["sites"].items():
        counts = ", ".join(f"{k} {v}" for k, v in site["counts"].items())
        pages = (
            f"; {site['list_pages']} list pages, {site['requests']} requests"
            if "requests" in site
            else ""
        )
        lines.append(f"{key}: {site['status']}: {counts}{pages}")
        lines += [f"  problem: {p}" for p in site["problems"]]
        for entry in site["outputs"]:
            lines.append(f"  output: {entry['path']} ({entry['records']} records)")
        for entry in site["recovered"]:
            lines.append(f"  recovered from a killed run: {entry['path']} ({entry['records']})")
    if written is not None:
        lines.append(f"manifest: {written}")
    return "\n".join(lines)
