"""Retry-After: the host that asked waits that long before the retry, and only that host (its
host gate), while another host of the site is retried at once.

No assertion here depends on how fast the machine is: the crawl checks a lower bound on the times
the fault server recorded (a retry can come late under load, never early), and which host waits how
long is checked on the host schedule with a fake clock. Speed belongs in bench/.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.signalmanager import SignalManager
from scrapy.utils.httpobj import urlparse_cached

from govcrawler.spiders import pacing
from govcrawler.spiders.pacing import HostPace, RetryAfterMiddleware
from tests.faults import pages
from tests.faults.crawl import pending, scrapy_crawl
from tests.faults.server import FaultServer, page, sequence


@pytest.mark.e2e
def test_retry_after_pauses_the_host_through_the_real_crawler(tmp_path: Path) -> None:
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

    assert retry.at - first.at >= 2.0  # never early (late only under load)
    assert busy.host == "localhost" and busy_retry.host == "localhost"
    assert "asks to retry after 2.0 s (Retry-After): 127.0.0.1 waits that long" in run.log
    assert sorted(r["url"] for r in run.records) == sorted(
        [server.url("/a/retry-after.html"), f"{other}/a/busy.html", f"{other}/a/good-1.html"]
    )
    assert pending(tmp_path / "data", pages.SITE_KEY) == {}
    assert run.stats["govcrawler/retry_after/honoured"] == 1


@pytest.mark.e2e
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


# ---- the pause itself, with a fake clock (no waiting) --------------------------------------


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class _Downloader:
    """What HostPace uses of Scrapy's downloader: the slot key of a request (its host)."""

    def get_slot_key(self, request: Request) -> str:
        return urlparse_cached(request).hostname or ""


class _Crawler:
    """What RetryAfterMiddleware and HostPace use of a Crawler."""

    def __init__(self) -> None:
        self.settings = Settings({"RETRY_ENABLED": True, "RETRY_HTTP_CODES": [503]})
        self.signals = SignalManager()
        self.stats = SimpleNamespace(inc_value=lambda *a, **k: None)
        self.engine = SimpleNamespace(downloader=_Downloader())
        self.pace = HostPace(self)

    def get_extension(self, cls: type) -> object:
        return self.pace if cls is HostPace else None


def test_retry_after_holds_only_that_host_for_exactly_its_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The middleware pauses the host that sent Retry-After from the moment the answer arrives;
    the other host of the site may be asked at once; the pause ends by itself."""
    clock = _Clock(1000.4)  # the 503 with Retry-After: 2 arrives
    monkeypatch.setattr(pacing, "monotonic", clock)
    crawler = _Crawler()
    asked = Request("http://127.0.0.1/a/retry-after.html")
    answer = HtmlResponse(asked.url, status=503, headers={"Retry-After": "2"}, request=asked)
    middleware = RetryAfterMiddleware(crawler)
    assert middleware.process_response(asked, answer) is answer  # RetryMiddleware retries it
    schedule = crawler.pace.schedule
    assert schedule.wait("127.0.0.1", clock.now) == pytest.approx(2.0)
    assert schedule.wait("localhost", clock.now) == 0.0  # another host: not held back
    assert schedule.wait("127.0.0.1", 1002.3) == pytest.approx(0.1)
    assert schedule.wait("127.0.0.1", 1002.4) == 0.0  # the pause is over
