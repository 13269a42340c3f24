"""Run the real crawler (a subprocess, like a user would) against the fault server and collect
what a user sees: exit status, log, stats, manifest, archived records, the ledger's pending list.

Test profiles live in a temporary folder named by GOVCRAWLER_PROFILES_DIR, so the unchanged
`scrapy crawl` / `govcrawler crawl` commands find them beside the bundled sites.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, read_json

# Fast, loopback-only defaults for these tests: no politeness delay unless a test asks for one,
# short timeouts, two retries (a burst of two 5xx is survivable), nothing learned between runs.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_TIMEOUT": "1",
    "RETRY_TIMES": "2",
    "GOVCRAWLER_BOILERPLATE_DIR": "",
    # The tests read Scrapy's stats dump and INFO lines (`govcrawler crawl` is quiet by default).
    "LOG_LEVEL": "INFO",
}


@dataclass
class Run:
    returncode: int
    stdout: str
    log: str
    report: dict[str, Any]  # the site's manifest entry
    records: list[dict[str, Any]]

    @property
    def stats(self) -> dict[str, int]:
        return stats_from_log(self.log)

    def by_url(self) -> dict[str, dict[str, Any]]:
        return {r["url"]: r for r in self.records}


def stats_from_log(log: str) -> dict[str, int]:
    """The integer stats of Scrapy's closing dump (the last one in the log)."""
    return stats_dumps(log)[-1]


def stats_dumps(log: str) -> list[dict[str, int]]:
    """The integer stats of every closing dump in the log (one per site's crawler)."""
    dumps = log.split("Dumping Scrapy stats:")[1:]
    return [{k: int(v) for k, v in re.findall(r"'([^']+)': (\d+)[,}]", d)} for d in dumps]


def total(log: str, key: str) -> int:
    """A stat summed over every crawler of the run."""
    return sum(d.get(key, 0) for d in stats_dumps(log))


def pending(data: Path, site: str) -> dict[str, str]:
    """URL → reason for every article the ledger keeps pending (asked for again next run)."""
    with sqlite3.connect(data / "state.sqlite") as db:
        rows = db.execute("SELECT url, reason FROM pending WHERE site = ?", (site,)).fetchall()
    return dict(rows)


def child_env(profiles: Path | None, **extra: str) -> dict[str, str]:
    """The environment of a crawl: the test profiles (if any), no proxy unless one is given."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.pop("GOVCRAWLER_PROFILES_DIR", None)
    if profiles is not None:
        env["GOVCRAWLER_PROFILES_DIR"] = str(profiles)
    env.update(extra)
    return env


def settings_args(settings: dict[str, str]) -> list[str]:
    return [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]


def _collect(result: subprocess.CompletedProcess[str], data: Path, site: str) -> Run:
    manifests = sorted((data / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
    assert manifests, result.stderr[-3000:]
    report = read_json(manifests[-1])["sites"][site]
    records = [
        json.loads(line)
        for out in report["outputs"]
        for line in (data / out["path"]).read_text("utf-8").splitlines()
    ]
    return Run(result.returncode, result.stdout, result.stderr, report, records)


def scrapy_crawl(
    site: str,
    data: Path,
    profiles: Path,
    settings: dict[str, str],
    env: dict[str, str] | None = None,
) -> Run:
    """`scrapy crawl <site>` into the archive folder `data`."""
    result = subprocess.run(
        [
            *(sys.executable, "-m", "scrapy", "crawl", site, "-s", f"GOVCRAWLER_DATA={data}"),
            *settings_args({**FAST, **settings}),
        ],
        cwd=ROOT,
        env=child_env(profiles, **(env or {})),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return _collect(result, data, site)


def govcrawler_crawl(
    sites: list[str],
    data: Path,
    profiles: Path | None,
    settings: dict[str, str],
    env: dict[str, str] | None = None,
) -> tuple[subprocess.CompletedProcess[str], dict[str, Run]]:
    """`govcrawler crawl SITE…` (the scheduled run) into `data`; a Run per site."""
    result = subprocess.run(
        [
            *(sys.executable, "-m", "govcrawler.cli.main", "crawl", *sites, "--data", str(data)),
            *settings_args({**FAST, **settings}),
        ],
        cwd=ROOT,
        env=child_env(profiles, **(env or {})),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return result, {site: _collect(result, data, site) for site in sites}
