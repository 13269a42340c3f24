"""`scrapy crawl <site>`: Scrapy's own crawl command, with what an unattended run needs first.

Before Scrapy even starts its crawler process, spider arguments are checked (`-a max_page=1` or
`-a since=garbage` is a usage error, exit 2) and the site's lock is tried (another run holds it:
one line, exit 75). After the crawl the exit code says what happened, as `govcrawler crawl`'s
does (cli/exit_codes.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from govcrawler.cli import exit_codes
from govcrawler.sites import all_profiles
from govcrawler.spiders.sites import check_arguments
from govcrawler.state.crawl_state import CrawlState
from govcrawler.state.locks import FileLock, LockHeld


class Command(ScrapyCrawl):
    def long_desc(self) -> str:
        return f"{self.short_desc()}\n\n{exit_codes.HELP}"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) != 1:
            return  # Scrapy's own usage error, from run()
        key = args[0]
        if key not in all_profiles():
            known = ", ".join(all_profiles())
            raise UsageError(f"no site {key!r} (known: {known})", print_help=False)
        try:
            check_arguments([key], opts.spargs)
        except ValueError as exc:
            raise UsageError(str(exc), print_help=False) from None
        assert self.settings is not None
        data = Path(self.settings.get("GOVCRAWLER_DATA") or "data")
        lock = FileLock(data / "locks" / f"{key}.lock")
        if lock.path.parent.is_dir():
            try:
                lock.acquire()
            except LockHeld as exc:
                print(f"scrapy crawl {key}: {exc}; not starting", file=sys.stderr)
                sys.exit(exit_codes.LOCKED)
            lock.release()

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)
            return
        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        try:
            state = crawler.get_extension(CrawlState)
        except RuntimeError:  # the crawl failed before its extensions were made
            state = None
        report = state.report if state is not None else None
        self.exitcode = exit_codes.FAILED if report is None else exit_codes.for_sites([report])
