"""`govcrawler crawl [--all | SITE…]`: the scheduled run, every named site in one process.

The sites run side by side in one Scrapy process (spiders/process.py), under a lock so two cron
runs never overlap. It writes one run manifest for all sites, prints a line per site and exits
with a code that says what happened (cli/exit_codes.py).
"""

from __future__ import annotations

import argparse
import re
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rich.console import Console
from scrapy.settings import SETTINGS_PRIORITIES, Settings

from govcrawler.cli import exit_codes
from govcrawler.cli.options import add_settings_option, name_values
from govcrawler.sites import all_profiles
from govcrawler.spiders.process import RunResult, crawl_sites, summary
from govcrawler.spiders.sites import check_arguments
from govcrawler.spiders.status import StatusBoard
from govcrawler.state.locks import FileLock, LockHeld


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "crawl",
        help="crawl sites incrementally into the archive (the scheduled run)",
        description="Crawl the named sites (or --all) incrementally into the archive folder, "
        "side by side in one process, under a lock; print a summary and write the run manifest.",
        epilog=exit_codes.HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sites", nargs="*", metavar="SITE", help="site keys (`govcrawler sites`)")
    parser.add_argument("--all", action="store_true", help="every bundled site")
    parser.add_argument(
        "-a",
        dest="spider_args",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="spider argument for every site: max_pages=N (list pages per column), "
        "since=YYYY-MM-DD, columns=NAME,NAME (from `govcrawler sites`), backfill=1",
    )
    add_settings_option(parser, "Scrapy setting, e.g. USER_AGENT=… or GOVCRAWLER_RECHECK_DAYS=7")
    parser.add_argument("--data", type=Path, help="archive folder (default: data)")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="Scrapy's INFO log instead of the live status (-s LOG_LEVEL=… also works)",
    )
    parser.add_argument(
        "--replay", type=Path, help="answer from a folder of captures instead of the network"
    )
    parser.add_argument(
        "--frontier",
        metavar="redis://HOST:PORT/DB",
        help="share the crawl with other workers through this Redis (README: several machines)",
    )
    parser.add_argument(
        "--worker",
        metavar="NAME",
        help="this worker's name in the frontier and in its file names (default: the host name)",
    )
    parser.set_defaults(run=run)


def crawl_settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    settings.setmodule("govcrawler.settings", priority="project")
    for name, value in name_values(args.settings, "-s").items():
        settings.set(name, value, priority="cmdline")
    if args.data is not None:
        settings.set("GOVCRAWLER_DATA", str(args.data), priority="cmdline")
    if args.replay is not None:
        if not args.replay.is_dir():
            raise ValueError(f"no capture folder at {args.replay}")
        settings.set("GOVCRAWLER_REPLAY", str(args.replay), priority="cmdline")
    frontier, worker = getattr(args, "frontier", None), getattr(args, "worker", None)  # not in demo
    if frontier:
        worker = worker or socket.gethostname().split(".")[0]
        settings.set("GOVCRAWLER_FRONTIER", frontier_url(frontier), priority="cmdline")
        settings.set("GOVCRAWLER_WORKER", worker_name(worker), priority="cmdline")
    elif worker:
        raise ValueError("--worker names a worker of a shared frontier: give --frontier too")
    return settings


def frontier_url(value: str) -> str:
    if urlsplit(value).scheme not in ("redis", "rediss", "unix"):
        raise ValueError(
            f"--frontier must be a redis:// (or rediss://, unix://) URL, not {value!r}"
        )
    return value


def worker_name(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", value):
        raise ValueError(f"a worker name is letters, digits, '.', '_' and '-', not {value!r}")
    return value


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
    spider_args = name_values(args.spider_args, "-a")
    check_arguments(keys, spider_args)
    result = locked_crawl(keys, spider_args, crawl_settings(args), verbose=args.verbose)
    if result is None:
        return exit_codes.LOCKED
    print(summary(result.manifest, result.written, data_folder(result.settings)))
    return exit_codes.for_sites(list(result.manifest["sites"].values()))


def data_folder(settings: Settings) -> Path:
    return Path(settings.get("GOVCRAWLER_DATA") or "data")


def locked_crawl(
    keys: list[str], spider_args: dict[str, str], settings: Settings, *, verbose: bool
) -> RunResult | None:
    """The crawl of `keys` under the run lock (None, said on stderr, when another run holds it).
    Quiet unless `verbose`: Scrapy logs warnings only, and a terminal gets the live status."""
    lock = FileLock(data_folder(settings) / "locks" / "crawl.lock")
    try:
        lock.acquire()
    except LockHeld as exc:
        print(f"govcrawler: {exc}; not starting", file=sys.stderr)
        return None
    try:
        if verbose or settings.getpriority("LOG_LEVEL") == SETTINGS_PRIORITIES["cmdline"]:
            return crawl_sites(keys, spider_args, settings)
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
        console = Console(stderr=True)
        if not console.is_terminal:
            return crawl_sites(keys, spider_args, settings)
        board = StatusBoard(keys)
        with board.live(console):
            return crawl_sites(keys, spider_args, settings, board)
    finally:
        lock.release()
