"""Retry-After through the real crawler: the host that asked waits that long before the retry,
and only that host (its download slot), while another host of the site is retried at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults import pages
from tests.faults.crawl import pending, scrapy_crawl
from tests.faults.server import FaultServer, page, sequence

pytestmark = pytest.mark.e2e


def test_retry_after_pauses_only_the_host_that_asked(tmp_path: Path) -> None:
    with FaultServer() as server:
        other = f"http://localhost:{server.port}"  # the site's second host (same server)
        pages.write_profile(tmp_path / "profiles", server.base, domains=("127.0.0.1", "localhost"))
        server.routes.update(
            {
                "/robots.txt": page("User-agent: *\nAllow: /\n", content_type="text/plain"),
                "/list.html": page(
                    pages.list_page(
                        ["/a/retry-after.html", f"{other}/a/busy.html", f"{other}/a/good-1.html"]
                    )
                ),
                "/a/retry-after.html": sequence(
                    page("稍后再试", 503, {"Retry-After": "2"}), page(pages.article(1))
                ),
                "/a/busy.html": sequence(page("忙", 503), page(pages.article(2))),
                "/a/good-1.html": page(pages.article(3)),
            }
        )
        run = scrapy_crawl(pages.SITE_KEY, tmp_path / "data", tmp_path / "profiles", {})
        first, retry = (h for h in server.hits if h.target == "/a/retry-after.html")
        busy, busy_retry = (h for h in server.hits if h.target == "/a/busy.html")

    assert retry.at - first.at >= 2.0
    assert busy_retry.at - busy.at < 1.0  # no Retry-After, another host: retried at once
    assert busy.host == "localhost"
    assert "asks to retry after 2.0 s (Retry-After): 127.0.0.1 waits that long" in run.log
    assert sorted(r["url"] for r in run.records) == sorted(
        [server.url("/a/retry-after.html"), f"{other}/a/busy.html", f"{other}/a/good-1.html"]
    )
    assert pending(tmp_path / "data", pages.SITE_KEY) == {}
    assert run.stats["govcrawler/retry_after/honoured"] == 1


def test_a_longer_retry_after_is_left_for_the_next_run(tmp_path: Path) -> None:
    with FaultServer() as server:
        server.routes.update(
            {
                "/robots.txt": page("User-agent: *\nAllow: /\n", content_type="text/plain"),
                "/list.html": page(pages.list_page(["/a/maintenance.html"])),
                "/a/maintenance.html": page("维护中", 503, {"Retry-After": "600"}),
            }
        )
        pages.write_profile(tmp_path / "profiles", server.base)
        run = scrapy_crawl(
            pages.SITE_KEY,
            tmp_path / "data",
            tmp_path / "profiles",
            {"GOVCRAWLER_RETRY_AFTER_MAX": "300"},
        )
        asked = [h for h in server.hits if h.target == "/a/maintenance.html"]

    assert len(asked) == 1  # not retried in this run at all
    url = server.url("/a/maintenance.html")
    assert pending(tmp_path / "data", pages.SITE_KEY) == {url: "http_503"}
    assert f"HTTP 503 at {url} asks to come back in 600 s (Retry-After)" in run.log
    assert run.records == []
