"""Several sites crawled side by side in one Scrapy CrawlerProcess, as one run: one run stamp,
one manifest for all sites (state/manifest.py), a summary per site. `govcrawler crawl` runs it
under the run lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from govcrawler.state import manifest
from govcrawler.state.crawl_state import CrawlState
from govcrawler.state.files import data_path, run_stamp
from govcrawler.state.site_state import OUTCOMES


@dataclass(frozen=True)
class RunResult:
    manifest: dict[str, Any]  # the run manifest (also written to `written`, when configured)
    written: Path | None

    @property
    def ok(self) -> bool:
        return bool(self.manifest["status"] == "ok")


def crawl_sites(keys: list[str], spider_args: dict[str, str], settings: Settings) -> RunResult:
    """Crawl the sites `keys` (profile keys) with `spider_args` in one process; return the run."""
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
    reports = {key: site_outcome(crawlers[key], errors.get(key)) for key in keys}
    run = manifest.run_manifest(started, datetime.now(UTC), reports)
    written = manifest.write_manifest(manifest_path, run) if manifest_path else None
    return RunResult(run, written)


def site_outcome(crawler: Any, error: str | None) -> dict[str, Any]:
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
    """What a person reads after a run: a line per site, its problems and files."""
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
