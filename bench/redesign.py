"""Redesign and minimal-profile replay benchmark (issue 14): what a crawl archives when the sites'
markup changes, and when the profiles hold no rules at all.

    .venv/bin/python bench/redesign.py

Four crawls, each one `govcrawler crawl` of all 32 bundled sites replaying their fixtures: as
captured and after `redesign_captures` (every class and id renamed, lists rebuilt from other tags,
blocks wrapped), each with the unchanged profiles and with every profile stripped to key, name,
domains and columns. Prints one row per site: the articles its list pages link, and for each crawl
`clean/archived` (archived: a record of the linked URL; clean: its body is the expected one, bigram
F1 ≥ 0.98 with no boilerplate phrase the expected body lacks), with the drift the unchanged
profiles reported (list pages, pagers, bodies) and the minimal profiles' ids equal to the bundled
ones; then the totals and each crawl's wall time.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govcrawler.archive.replay_scores import (
    SiteScore,
    linked_articles,
    redesigned_copy,
    run_records,
    score_site,
    write_minimal_profiles,
)
from govcrawler.evaluation import LEAK_PHRASES
from govcrawler.sites import all_profiles

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "GOVCRAWLER_BOILERPLATE_DIR": "",
}


@dataclass
class Crawl:
    label: str
    reports: dict[str, dict[str, Any]]  # bundled key → manifest site entry
    scores: dict[str, SiteScore]
    seconds: float


def crawl(label: str, replay: Path, scratch: Path, minimal: bool) -> Crawl:
    profiles = scratch / "profiles"
    keys = (
        write_minimal_profiles(all_profiles().values(), profiles)
        if minimal
        else {k: k for k in all_profiles()}
    )
    data = scratch / label.replace(" ", "-").replace(",", "")
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    if minimal:
        env["GOVCRAWLER_PROFILES_DIR"] = str(profiles)
    argv = [sys.executable, "-m", "govcrawler.cli.main", "crawl", *keys, "--data", str(data)]
    argv += ["--replay", str(replay)]
    for name, value in SETTINGS.items():
        argv += ["-s", f"{name}={value}"]
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    manifest = max((data / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
    sites = json.loads(manifest.read_text("utf-8"))["sites"]
    reports = {keys[k]: v for k, v in sites.items()}
    scores = {
        s: score_site(s, run_records(data, r), linked_articles(FIXTURES / s)[0], LEAK_PHRASES)
        for s, r in reports.items()
    }
    return Crawl(label, reports, scores, seconds)


def drift_summary(report: dict[str, Any]) -> str:
    kinds = [d["what"] for d in report.get("drift", [])]
    parts = [f"{kinds.count(k)} {k}" for k in ("list", "pagination", "body") if k in kinds]
    return ", ".join(parts) or "none"


def main() -> None:
    print(
        f"# Redesign replay benchmark, {datetime.now(UTC):%Y-%m-%d}, {platform.node()} "
        f"({platform.machine()}, Python {platform.python_version()})\n"
    )
    with tempfile.TemporaryDirectory(prefix="govcrawler-redesign-") as tmp:
        scratch = Path(tmp)
        redesigned = scratch / "redesigned"
        redesigned_copy(FIXTURES, redesigned)
        crawls = [
            crawl("as captured, profile", FIXTURES, scratch, minimal=False),
            crawl("redesigned, profile", redesigned, scratch, minimal=False),
            crawl("as captured, minimal", FIXTURES, scratch, minimal=True),
            crawl("redesigned, minimal", redesigned, scratch, minimal=True),
        ]
    head = " | ".join(c.label for c in crawls)
    print(f"| site | linked articles | {head} | drift reported (redesigned, profile) |")
    print("|---|---:|" + "---:|" * len(crawls) + "---|")
    for site in sorted(all_profiles()):
        cells = []
        for c in crawls:
            s = c.scores[site]
            cell = f"{len(s.clean)}/{len(s.archived)}"
            if "minimal" in c.label and len(s.same_id) != len(s.archived):
                cell += f" ({len(s.same_id)} same ids)"
            if s.leaks or s.extra:
                cell += f" ({len(s.leaks)} leaks, {len(s.extra)} extra)"
            cells.append(cell)
        expected = crawls[0].scores[site].expected
        print(
            f"| {site} | {expected} | {' | '.join(cells)} | {drift_summary(crawls[1].reports[site])} |"
        )
    expected = sum(s.expected for s in crawls[0].scores.values())
    print(f"\ntotal: {expected} linked articles (pages planted as no article not counted)")
    for c in crawls:
        clean = sum(len(s.clean) for s in c.scores.values())
        archived = sum(len(s.archived) for s in c.scores.values())
        same = sum(len(s.same_id) for s in c.scores.values())
        below = [s.site for s in c.scores.values() if s.clean_share < 0.9]
        leaks = sum(len(s.leaks) + len(s.extra) for s in c.scores.values())
        drifted = sum(1 for r in c.reports.values() if r.get("drift"))
        print(
            f"- {c.label}: {archived} archived, {clean} clean ({clean / expected:.1%}), "
            f"{same} under the bundled id; leaks or extra records {leaks}; sites under 90 % "
            f"clean: {', '.join(below) or 'none'}; sites reporting drift {drifted}; "
            f"{c.seconds:.0f} s for the crawl of 32 sites"
        )


if __name__ == "__main__":
    main()
