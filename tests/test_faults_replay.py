"""A full replay crawl with faults sprinkled in exports exactly the good articles.

`govcrawler crawl` runs every bundled http site at once, with the fault server as its HTTP proxy:
the server answers each URL from the bundled captures (fixtures/), except that some linked
articles first misbehave — a 5xx burst, a reset, a timeout, a truncated body, Retry-After, a
cookie stub, gzip — and recover, while others stay a captcha page or redirect off the site. The
archive must hold exactly the expected records of the captures minus the ones that never
recovered; the next run, the faults gone, exactly those.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from govcrawler.archive.capture_files import Capture, CaptureIndex, load_captures
from govcrawler.extraction.urls import dedup_key
from govcrawler.sites import all_profiles
from tests.conftest import FIXTURES, read_json
from tests.faults import pages
from tests.faults.crawl import govcrawler_crawl, pending, total
from tests.faults.server import (
    FaultServer,
    Handler,
    Hit,
    Writer,
    gzipped,
    hang,
    page,
    redirect,
    reset,
    sequence,
    truncated,
    with_cookie,
)
from tests.test_crawl_e2e import expected_crawl, without_evidence

pytestmark = pytest.mark.e2e

# The sites whose captures are all plain http (a proxy cannot be asked for https without TLS).
SITES = [
    key
    for key in all_profiles()
    if (captures := load_captures(FIXTURES / key))
    and all(c.url.startswith("http://") for c in captures)
]
# Fields that say what was archived (fetched_at is the crawl's own time here).
COMPARED = (
    "id", "site", "url", "column", "title", "published_at", "source", "author", "editor", "body",
    "images", "attachments", "script", "http_status", "content_sha256", "extractor", "version",
)  # fmt: skip


def served(capture: Capture) -> Handler:
    headers = {k: v for k, v in capture.headers.items() if k.lower() != "content-type"}
    return page(capture.body, capture.status, headers, capture.content_type)


# A download timeout far above any loopback answer, even with 32 crawlers on a busy 2-core
# machine (at 1 s, a slow good answer was once retried and the retry count came out one high);
# the `timeout` fault hangs well beyond it.
TIMEOUT = 5

# name → (does the article end up archived in this run?, how often the crawler asks for it in
# this run, the fault around the good answer)
FAULTS: dict[str, tuple[bool, int, Callable[[Capture], Handler]]] = {
    "burst": (True, 3, lambda c: sequence(page("", 503), page("", 502), served(c))),
    "reset": (True, 2, lambda c: sequence(reset(), served(c))),
    "captcha": (False, 1, lambda c: page(pages.captcha_page())),
    "cookie_stub": (
        True,
        2,
        lambda c: with_cookie("FLT", "1", served(c), page(pages.cookie_stub("FLT=1; path=/"))),
    ),
    "plain": (True, 1, served),
    "truncated": (True, 2, lambda c: sequence(truncated(c.body[:300], 500), served(c))),
    "retry_after": (True, 2, lambda c: sequence(page("", 503, {"Retry-After": "1"}), served(c))),
    "offsite": (False, 1, lambda c: redirect("http://elsewhere.example/moved.html")),
    "timeout": (True, 2, lambda c: sequence(hang(6 * TIMEOUT), served(c))),
    "gzip": (True, 1, lambda c: gzipped(c.body, c.status, c.content_type)),
}


def linked_articles(site: str) -> list[Capture]:
    """The site's article captures its list pages link to directly."""
    captures = load_captures(FIXTURES / site)
    linked = {
        url
        for c in captures
        if c.expected_path and (e := read_json(c.expected_path))["kind"] == "list"
        for url in e["article_urls"]
    }
    return [
        c
        for c in captures
        if c.url in linked and c.expected_path and read_json(c.expected_path)["kind"] == "article"
    ]


class ReplayWithFaults:
    """The proxy's answer to any URL: its fault (by canonical URL) if it has one, else its
    capture, else 404."""

    def __init__(self, faults: dict[str, Handler]) -> None:
        self.index = CaptureIndex.from_folder(FIXTURES)
        self.faults = faults
        self.counts: dict[str, int] = {}

    async def __call__(self, hit: Hit, n: int, writer: Writer) -> None:
        key = dedup_key(hit.target)
        count = self.counts[key] = self.counts.get(key, 0) + 1
        capture = self.index.get(hit.target)
        handler = self.faults.get(key) or (served(capture) if capture else page("", 404))
        await handler(hit, count, writer)


def compared(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in without_evidence(record).items() if k in COMPARED}


def test_replay_crawl_with_faults_exports_exactly_the_good_articles(tmp_path: Path) -> None:
    assert len(SITES) > 20
    names = list(FAULTS)
    faults: dict[str, Handler] = {}
    asks: dict[str, int] = {}  # faulted URL → requests the crawler should make for it
    lost: dict[str, set[str]] = {site: set() for site in SITES}  # ids that stay missing
    i = 0
    for site in SITES:
        for capture in linked_articles(site):
            name = names[i % len(names)]
            i += 1
            recovers, times, fault = FAULTS[name]
            faults[dedup_key(capture.url)] = fault(capture)
            asks[dedup_key(capture.url)] = times
            if not recovers:
                assert capture.expected_path is not None
                lost[site].add(read_json(capture.expected_path)["record"]["id"])
    assert sum(map(len, lost.values())) >= 10

    data = tmp_path / "data"
    with FaultServer() as server:
        server.fallback = ReplayWithFaults(faults)
        proxy = {"http_proxy": server.base}
        timeout = {"DOWNLOAD_TIMEOUT": str(TIMEOUT)}
        first, runs = govcrawler_crawl(SITES, data, None, timeout, env=proxy)
        offsite_asked = [h.target for h in server.hits if "elsewhere.example" in h.target]
        asked = Counter(dedup_key(h.target) for h in server.hits)
        missed = {site: pending(data, site) for site in SITES}
        server.fallback = ReplayWithFaults({})  # the faults are gone
        second, reruns = govcrawler_crawl(SITES, data, None, timeout, env=proxy)

    assert first.returncode == 1  # captcha pages: blocked sites count as failed
    assert offsite_asked == []
    # Each faulted article was asked for as often as its fault needs, and no more.
    assert {url: asked[url] for url in asks} == asks
    # The faults did happen, and each was met the way it should be.
    kinds = [names[n % len(names)] for n in range(i)]
    assert total(first.stderr, "govcrawler/blocked/captcha") == kinds.count("captcha")
    assert total(first.stderr, "govcrawler/offsite/redirect") == kinds.count("offsite")
    assert total(first.stderr, "govcrawler/followed/js_cookie") == kinds.count("cookie_stub")
    assert total(first.stderr, "govcrawler/retry_after/honoured") == kinds.count("retry_after")
    retried = ("burst", "burst", "reset", "truncated", "retry_after", "timeout")
    assert total(first.stderr, "retry/count") == sum(kinds.count(k) for k in retried)
    assert total(first.stderr, "httpcompression/response_count") >= kinds.count("gzip")
    for site in SITES:
        expected = expected_crawl(site)
        got = {r["id"]: compared(r) for r in runs[site].records}
        want = {i: compared(r) for i, r in expected.items() if i not in lost[site]}
        assert got == want, site
        reasons = set(missed[site].values())
        assert reasons <= {"captcha", "offsite", "empty", "challenge"}, (site, reasons)
        again = {r["id"]: compared(r) for r in reruns[site].records}
        assert again == {i: compared(expected[i]) for i in lost[site]}, site
    assert "Traceback" not in first.stderr + second.stderr
