"""Several sites crawled side by side in one Scrapy CrawlerProcess, as one run: one run stamp,
one manifest for all sites (state/manifest.py), a summary per site. `govcrawler crawl` runs it
under the run lock."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import deferred_from_coro

from govcrawler.spiders.status import StatusBoard
from govcrawler.state import manifest
from govcrawler.state.crawl_state import CrawlState
from govcrawler.state.files import data_path, run_stamp
from govcrawler.state.site_state import OUTCOMES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    manifest: dict[str, Any]  # the run manifest (also written to `written`, when configured)
    written: Path | None
    settings: Settings

    @property
    def ok(self) -> bool:
        return bool(self.manifest["status"] == "ok")


def crawl_sites(
    keys: list[str],
    spider_args: dict[str, str],
    settings: Settings,
    status: StatusBoard | None = None,
) -> RunResult:
    """Crawl the sites `keys` (profile keys) with `spider_args` in one process; return the run.

    Ctrl-C (SIGINT/SIGTERM) stops every site gracefully, a second one forcefully (Scrapy's own
    handlers); a site still starting up when the first one comes is stopped as soon as its engine
    starts, instead of running to completion."""
    started = datetime.now(UTC)
    stamp = run_stamp(started, settings.get("GOVCRAWLER_WORKER"))
    manifest_path = data_path(settings, "GOVCRAWLER_MANIFEST", run_start=stamp)
    settings.set("GOVCRAWLER_RUN_STAMP", stamp, priority="cmdline")
    settings.set("GOVCRAWLER_MANIFEST", "", priority="cmdline")  # one manifest for the run
    process = CrawlerProcess(settings)
    crawlers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    interrupted = Interrupted.catch()  # Scrapy's own handlers take over in process.start()
    for key in keys:
        if interrupted.signal is not None:
            errors[key] = f"interrupted before it started ({interrupted.signal})"
            continue
        crawler = crawlers[key] = process.create_crawler(key)
        crawler.signals.connect(
            stop_if_stopping(crawler, interrupted), signal=signals.engine_started, weak=False
        )
        if status is not None:
            status.attach(key, crawler)

        def failed(failure: Any, key: str = key) -> None:
            errors[key] = f"{type(failure.value).__name__}: {failure.value}"

        process.crawl(crawler, **spider_args).addErrback(failed)
    process.start()
    reports = {key: site_outcome(crawlers.get(key), errors.get(key)) for key in keys}
    run = manifest.run_manifest(started, datetime.now(UTC), reports)
    written = manifest.write_manifest(manifest_path, run) if manifest_path else None
    return RunResult(run, written, settings)


@dataclass
class Interrupted:
    """SIGINT/SIGTERM while the crawlers are being made (before Scrapy's handlers are in place):
    noted, not a KeyboardInterrupt in the middle of making one."""

    signal: str | None = None

    @classmethod
    def catch(cls) -> Interrupted:
        interrupted = cls()

        def note(signum: int, frame: Any) -> None:
            interrupted.signal = signal.Signals(signum).name
            logger.warning("%s: stopping every site as it starts", interrupted.signal)

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, note)
        return interrupted


def stop_if_stopping(crawler: Any, interrupted: Interrupted) -> Callable[[], None]:
    """A handler for a crawler's `engine_started`: if the run was interrupted while this crawler
    was being made, or asked to stop while it was still starting (Scrapy then only clears
    `crawler.crawling`), close it at once instead of letting it crawl."""

    def engine_started() -> None:
        if interrupted.signal is not None or not crawler.crawling:
            call_later(0, lambda: deferred_from_coro(crawler.engine.close_async()))

    return engine_started


def site_outcome(crawler: Any, error: str | None) -> dict[str, Any]:
    """The site's manifest entry; a crawl that could not start (lock held, interrupted) failed."""
    report: dict[str, Any] | None = None
    if error is None and crawler is not None:
        state = crawler.get_extension(CrawlState)
        report = state.report if state is not None else None
    if report is None:
        report = {
            "status": "failed",
            "problems": [f"the crawl did not start ({error or 'no report'})"],
            "problem_classes": ["error"],
            "counts": dict.fromkeys(OUTCOMES, 0),
            "outputs": [],
            "recovered": [],
        }
    return report


def summary(run: dict[str, Any], written: Path | None, data: Path) -> str:
    """What a person reads after a run: a line per site, what was not archived and why, its
    problems and files (paths under `data`)."""
    lines = []
    for key, site in run["sites"].items():
        counts = site["counts"]
        exported = sum(counts.get(o, 0) for o in ("new", "changed", "removed"))
        detail = ", ".join(f"{k} {v}" for k, v in counts.items())
        pages = (
            f"; {site['list_pages']} list pages, {site['requests']} requests"
            if "requests" in site
            else ""
        )
        lines.append(f"{key}: {site['status']}: {exported} articles exported ({detail}){pages}")
        failures = site.get("failures") or {}
        if failures:
            reasons = ", ".join(f"{r}={n}" for r, n in failures.items())
            lines.append(f"  not archived, asked for again next run: {reasons}")
        lines += [f"  problem: {p}" for p in site["problems"]]
        for entry in site["outputs"]:
            lines.append(f"  output: {data / entry['path']} ({entry['records']} records)")
        for entry in site["recovered"]:
            lines.append(
                f"  recovered from a killed run: {data / entry['path']} ({entry['records']})"
            )
    if written is not None:
        lines.append(f"manifest: {written}")
    return "\n".join(lines)
