"""A site that keeps answering with captcha pages: the crawler slows down after each one, stops
the site after GOVCRAWLER_BLOCKED_STOP_AFTER in a row with a clear message and `govcrawler crawl`
exits 1 — no hammering — and the next run, the site mended, archives everything it missed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults import pages
from tests.faults.crawl import govcrawler_crawl, pending
from tests.faults.server import FaultServer, page

pytestmark = pytest.mark.e2e

ARTICLES = [f"/a/case-{n}.html" for n in range(1, 9)]
PACE = {
    "DOWNLOAD_DELAY": "0.2",
    "DOWNLOAD_DELAY_JITTER": "0",
    "AUTOTHROTTLE_ENABLED": "True",  # as in production: AutoThrottle must not undo the back-off
    "AUTOTHROTTLE_START_DELAY": "0.2",
    "GOVCRAWLER_BLOCKED_STOP_AFTER": "3",
}


def test_blocked_pages_in_a_row_stop_the_site_and_the_next_run_recovers(tmp_path: Path) -> None:
    profiles, data = tmp_path / "profiles", tmp_path / "data"
    with FaultServer() as server:
        pages.write_profile(profiles, server.base)
        server.routes["/robots.txt"] = page("User-agent: *\nAllow: /\n", content_type="text/plain")
        server.routes["/list.html"] = page(pages.list_page(ARTICLES))
        for path in ARTICLES:
            server.routes[path] = page(pages.captcha_page())
        result, runs = govcrawler_crawl([pages.SITE_KEY], data, profiles, PACE)
        run = runs[pages.SITE_KEY]
        asked = [h for h in server.hits if h.target in ARTICLES]
        missed = pending(data, pages.SITE_KEY)

        assert result.returncode == 1, result.stderr[-3000:]
        assert f"{pages.SITE_KEY}: failed" in result.stdout
        assert "problem: the crawl did not finish (blocked)" in result.stdout
        assert (
            f"{pages.SITE_KEY}: stopping the crawl: 3 pages in a row were blocked "
            "(the last a captcha page from 127.0.0.1)"
        ) in run.log
        assert run.report["finish_reason"] == "blocked"
        assert run.records == []
        # No hammering: three captcha pages were asked for, none after the stop; each one
        # doubled the host's delay (0.2 s → 0.4 → 0.8 → 1.6) through its download slot.
        assert len(asked) == 3
        assert asked[1].at - asked[0].at >= 0.4 - 0.05
        assert asked[2].at - asked[1].at >= 0.8 - 0.05
        for delay in ("0.4", "0.8", "1.6"):
            assert f"127.0.0.1 now waits {delay} s between requests" in run.log
        # Nothing is lost: the blocked ones and the ones dropped unsent (already queued in the
        # host's download slot) are pending.
        reasons = sorted(missed.values())
        assert reasons == ["captcha"] * 3 + ["site_stopped"] * (len(ARTICLES) - 3)
        assert run.stats.get("govcrawler/outcome/failed", 0) == reasons.count("site_stopped")

        for n, path in enumerate(ARTICLES, 1):
            server.routes[path] = page(pages.article(n))
        result, runs = govcrawler_crawl([pages.SITE_KEY], data, profiles, PACE)

    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    archived = sorted(r["url"] for r in runs[pages.SITE_KEY].records)
    assert archived == sorted(server.url(p) for p in ARTICLES)
    assert pending(data, pages.SITE_KEY) == {}
