"""`govcrawler crawl [--all | SITE…]`: the scheduled run, every named site in one process.

The sites run side by side in one Scrapy process (spiders/process.py), under a lock so two cron
runs never overlap. It writes one run manifest for all sites, prints a line per site and exits 1
when a site failed (state/manifest.py says when), 75 when another run still holds the lock.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scrapy.settings import Settings

from govcrawler.sites import all_profiles
from govcrawler.spiders.process import crawl_sites, summary
from govcrawler.state.locks import FileLock, LockHeld

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
        result = crawl_sites(keys, spider_args, settings)
    finally:
        lock.release()
    print(summary(result.manifest, result.written))
    return 0 if result.ok else EXIT_FAILED
