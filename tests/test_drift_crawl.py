"""Drift is noticed and survived (issue 14 item 3), end to end on a loopback server: a site whose
list and article markup change between two runs keeps being archived through discovery and the
generic extractor; the summary, the manifest, the stats and the exit code (4) say so, and
`govcrawler check-site --live` proposes the rules the new pages suggest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from govcrawler.archive.redesign import redesign_html
from govcrawler.cli import exit_codes
from tests.conftest import ROOT
from tests.faults import pages
from tests.faults.crawl import child_env, govcrawler_crawl
from tests.faults.server import FaultServer, page

pytestmark = pytest.mark.e2e

OLD = ["/a/t20260302_1001.html", "/a/t20260302_1002.html"]
NEW = ["/a/t20260305_1003.html", "/a/t20260305_1004.html"]


def write_profile(profiles: Path, base: str) -> None:
    """The fault-server profile with a list selector (`ul.list li`) a redesign can break."""
    text = pages.profile_toml(base).replace(
        "[list]\narticle_url = '/a/[A-Za-z0-9_.-]+\\.html$'", '[list]\nitems = "ul.list li"'
    )
    assert 'items = "ul.list li"' in text
    profiles.mkdir(parents=True, exist_ok=True)
    (profiles / f"{pages.SITE_KEY}.toml").write_text(text, "utf-8")


def serve(server: FaultServer, paths: list[str], *, redesigned: bool) -> None:
    shown = redesign_html if redesigned else (lambda html: html)
    server.routes["/robots.txt"] = page("User-agent: *\nAllow: /\n", content_type="text/plain")
    server.routes["/list.html"] = page(shown(pages.list_page(paths)))
    for path in paths:  # each article's own text, numbered by its id
        server.routes[path] = page(shown(pages.article(int(path[-9:-5]))))


def test_a_redesign_between_two_runs_is_drift_survived_and_reported(tmp_path: Path) -> None:
    profiles, data = tmp_path / "profiles", tmp_path / "data"
    with FaultServer() as server:
        write_profile(profiles, server.base)
        serve(server, OLD, redesigned=False)
        before, runs = govcrawler_crawl([pages.SITE_KEY], data, profiles, {})
        assert before.returncode == exit_codes.OK, before.stdout + before.stderr[-2000:]
        assert runs[pages.SITE_KEY].report["drift"] == []

        serve(server, NEW + OLD, redesigned=True)  # classes renamed, lists rebuilt, two new
        after, runs = govcrawler_crawl([pages.SITE_KEY], data, profiles, {})
        checked = subprocess.run(
            [sys.executable, "-m", "govcrawler.cli.main", "check-site", pages.SITE_KEY, "--live"],
            cwd=ROOT,
            env=child_env(profiles),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    run = runs[pages.SITE_KEY]
    assert after.returncode == exit_codes.DRIFT, after.stdout + after.stderr[-3000:]
    assert sorted(r["url"] for r in run.records) == sorted(server.url(p) for p in NEW)
    assert all(r["extractor"] == "generic" and "版权所有" not in r["body"] for r in run.records)
    report = run.report
    assert (report["status"], report["problem_classes"]) == ("drift", ["drift"])
    (column,) = report["columns"]
    assert (column["status"], column["links"], column["discovered"]) == ("drift", 4, 4)
    assert column["body_fallbacks"] == 2
    assert [(d["what"], d["reason"]) for d in report["drift"]] == [
        ("list", "list selector matched 0 of last run's 2; discovery found 4"),
        ("body", "profile body selectors matched nothing"),
    ]
    assert (
        f"column 审查调查 ({server.url('/list.html')}): drift, survived (4 of 4 links from"
        " discovery): list page 1: list selector matched 0 of last run's 2; discovery found 4;"
        " article body: the generic extractor made 2 record(s)"
    ) in after.stdout
    assert f"{pages.SITE_KEY}: drift: 2 articles exported" in after.stdout
    stats = run.stats
    assert stats["govcrawler/drift/list_pages"] == 1
    assert stats["govcrawler/drift/discovered_links"] == 4
    assert stats[f"extract/fallback/{pages.SITE_KEY}"] == 2
    # The maintainer's next step: the rules the redesigned pages suggest.
    assert checked.returncode == 1, checked.stdout + checked.stderr[-2000:]
    assert "DRIFT: list selector matched 0; discovery found 4" in checked.stdout
    proposed = checked.stdout[checked.stdout.index("proposed rules") :]
    assert "a link discovery found" in checked.stdout
    assert "body by: generic (FALLBACK" in checked.stdout
    assert "[list]" in proposed and "items = " in proposed, proposed
