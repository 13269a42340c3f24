"""Every fault of the README's "What happens when…" table, through the real crawler.

One crawl of a site served by the loopback fault server (tests/faults/server.py): its list page
links one article per fault. Each case checks what a user sees — the record exported (or not),
the reason the ledger keeps the article pending for the next run, how often the server was asked,
the log line — and a second run, with the faults gone, archives exactly what the first missed.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults import pages
from tests.faults.crawl import Run, pending, scrapy_crawl
from tests.faults.server import (
    FaultServer,
    Handler,
    Hit,
    drip,
    gzipped,
    hang,
    huge,
    page,
    redirect,
    reset,
    sequence,
    truncated,
    with_cookie,
)

pytestmark = pytest.mark.e2e

FIFTY_MB = 50 * 1024 * 1024
EXPORTED = "exported"


@dataclass(frozen=True)
class Case:
    """A fault: how the server answers `path`, and what the crawl must make of it."""

    path: str
    outcome: str  # EXPORTED, or the reason the ledger keeps it pending (captcha, timeout, …)
    hits: int | None = None  # requests the server must have seen for `path`
    log: str | None = None  # a line of the log must contain this (and the URL)
    exported_as: str | None = None  # the path of the record's URL, when not `path` (a stub's)


def cases(port: int) -> tuple[list[Case], dict[str, Handler]]:
    """The fault table, and the server's routes for it (the port makes the offsite URLs)."""
    elsewhere = f"http://localhost:{port}/a/good-1.html"  # the same server, another host name
    art = pages.article
    table: list[tuple[Case, Handler]] = [
        (Case("/a/good-1.html", EXPORTED, 1), page(art(1))),
        (Case("/a/good-2.html", EXPORTED, 1), page(art(2))),
        # Anti-bot pages.
        (
            Case("/a/cookie-stub.html", EXPORTED, 2, "sets cookie GCK in a script"),
            with_cookie(
                "GCK", "7a1f09", page(art(3)), page(pages.cookie_stub("GCK=7a1f09; path=/;"))
            ),
        ),
        (
            Case("/a/cookie-stub-again.html", "challenge", 2, "Blocked (challenge page)"),
            page(pages.cookie_stub("GCK2=3c4d; path=/; max-age=300;")),
        ),
        (
            Case("/a/computed-cookie.html", "challenge", 1, "rule js_cookie_stub, HTTP 521"),
            page(pages.computed_cookie_stub(), 521),
        ),
        (
            Case("/a/captcha-widget.html", "captcha", 1, "rule captcha_widget"),
            page(pages.captcha_page()),
        ),
        (Case("/a/captcha-gzip.html", "captcha", 1), gzipped(pages.captcha_page())),
        (
            Case("/a/captcha-prompt.html", "captcha", 1, "rule captcha_prompt"),
            page(pages.captcha_prompt_page()),
        ),
        (
            Case("/a/challenge-412.html", "challenge", 1, "rule status_challenge, HTTP 412"),
            page(pages.script_challenge(), 412),
        ),
        (Case("/a/waf-420.html", "challenge", 1, "HTTP 420"), page(pages.waf_page(), 420)),
        (Case("/a/waf-403.html", "challenge", 1, "HTTP 403"), page(pages.waf_page(), 403)),
        (Case("/a/forbidden.html", "http_403", 1), page(pages.plain_forbidden(), 403)),
        (
            Case("/a/operator-cookie.html", EXPORTED, 1),
            with_cookie("OPK", "operator1", page(art(4)), page(pages.captcha_page())),
        ),
        # Redirects and stubs.
        (
            Case("/a/js-location.html", EXPORTED, 1, "JS redirect stub", "/a/good-js.html"),
            page(pages.js_location_stub("/a/good-js.html")),
        ),
        (
            Case("/a/js-offsite.html", "offsite", 1, "outside the site's domains"),
            page(pages.js_location_stub(elsewhere)),
        ),
        (
            Case("/a/meta-offsite.html", "offsite", 1, "Not following a redirect (meta refresh)"),
            page(pages.meta_refresh_stub(elsewhere)),
        ),
        (
            Case("/a/redirect-offsite.html", "offsite", 1, "Not following a redirect (302)"),
            redirect(elsewhere),
        ),
        (
            # A retried request is dont_filter, which Scrapy's OffsiteMiddleware lets through.
            Case("/a/retried-then-offsite.html", "offsite", 2),
            sequence(page("忙", 503), redirect(elsewhere)),
        ),
        (Case("/a/loop-1.html", "redirect_loop", 2, "Redirect loop"), redirect("/a/loop-2.html")),
        (
            Case("/a/bounce.html", EXPORTED, 2),
            with_cookie("BNC", "1", page(art(5)), redirect("/a/bounce-set.html")),
        ),
        # Network faults.
        (Case("/a/timeout.html", "timeout", 3, "Could not fetch"), hang(30)),
        (Case("/a/reset.html", "connection_lost", 3), reset()),
        (Case("/a/burst.html", EXPORTED, 3), sequence(page("", 503), page("", 500), page(art(6)))),
        (Case("/a/server-error.html", "http_500", 3), page("出错了", 500)),
        (Case("/a/drip.html", "timeout", 3), drip(art(7).encode(), 0.2)),
        (Case("/a/truncated.html", "truncated", 3), truncated(art(8).encode()[:700], 2000)),
        (
            Case("/a/retry-after.html", EXPORTED, 2, "asks to retry after 2.0 s (Retry-After)"),
            sequence(page("稍后再试", 503, {"Retry-After": "2"}), page(art(9))),
        ),
        (
            Case("/a/retry-after-long.html", "http_503", 1, "asks to come back in 3600 s"),
            page("维护中", 503, {"Retry-After": "3600"}),
        ),
        # Malformed content.
        (Case("/a/empty.html", "empty", 1, "Not an article (empty"), page(b"")),
        (
            Case("/a/huge-declared.html", "too_large", 1, "larger than download max size"),
            huge(FIFTY_MB, declared=True),
        ),
        (Case("/a/huge-streamed.html", "too_large", 1), huge(FIFTY_MB, declared=False)),
        (
            Case("/a/report-pdf.html", "not_html", 1, "Not an HTML page"),
            page(pages.PDF, content_type="application/pdf"),
        ),
        (
            Case("/a/pdf-as-html.html", "not_html", 1, "A pdf file (Content-Type text/html"),
            page(pages.PDF),
        ),
        (
            Case("/a/word-doc.html", "not_html", 1, "not parsed as HTML"),
            page(pages.DOC, content_type="application/msword"),
        ),
        (Case("/a/broken-nesting.html", EXPORTED, 1), page(pages.broken_nesting(10))),
        (
            Case("/a/undecodable.html", "undecodable", 1, "undecodable characters"),
            page(pages.undecodable(11)),
        ),
        (
            Case("/a/no-title.html", "no_title", 1, "Not an article (no_title"),
            page(pages.no_title(12)),
        ),
        (Case("/a/bad-date.html", EXPORTED, 1), page(art(13, when="2026-02-30 25:61"))),
    ]
    routes = {case.path: handler for case, handler in table}
    routes["/a/good-js.html"] = page(art(14))
    routes["/a/loop-2.html"] = redirect("/a/loop-1.html")
    routes["/a/bounce-set.html"] = page(
        b"", 302, {"Location": "/a/bounce.html", "Set-Cookie": "BNC=1; Path=/"}, None
    )
    routes["/robots.txt"] = page("User-agent: *\nAllow: /\n", content_type="text/plain")
    links = [case.path for case, _ in table] + [f"http://localhost:{port}/a/good-9.html"]
    routes["/list.html"] = page(pages.list_page(links))
    return [case for case, _ in table], routes


CASES = cases(0)[0]  # the table alone (the routes are built with the live server's port)


@dataclass
class Crawls:
    tmp: Path
    server: FaultServer
    first_hits: list[Hit]  # what the server saw during the first run
    first: Run
    first_pending: dict[str, str]
    second: Run
    second_pending: dict[str, str]


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawls]:
    tmp = tmp_path_factory.mktemp("faults")
    with FaultServer() as server:
        profiles, data = tmp / "profiles", tmp / "data"
        pages.write_profile(profiles, server.base)
        server.routes.update(cases(server.port)[1])
        settings = {
            "GOVCRAWLER_BLOCKED_STOP_AFTER": "0",  # many blocks in a row here; stopping: below
            "GOVCRAWLER_COOKIES": '{"127.0.0.1": "OPK=operator1"}',
        }
        first = scrapy_crawl(pages.SITE_KEY, data, profiles, settings)
        first_pending = pending(data, pages.SITE_KEY)
        first_hits = list(server.hits)
        # The site mends: every faulty page is a plain article now. The rerun picks up the rest.
        for n, case in enumerate(CASES, 100):
            if case.outcome != EXPORTED:
                server.routes[case.path] = page(pages.article(n))
        second = scrapy_crawl(pages.SITE_KEY, data, profiles, settings)
        yield Crawls(
            tmp, server, first_hits, first, first_pending, second, pending(data, pages.SITE_KEY)
        )


def hits_on(crawls: Crawls, path: str) -> list[Hit]:
    """The first run's requests for `path`."""
    return [h for h in crawls.first_hits if h.target == path]


def log_has(log: str, *parts: str) -> bool:
    return any(all(p in line for p in parts) for line in log.splitlines())


@pytest.mark.parametrize("case", CASES, ids=[c.path.rsplit("/", 1)[1] for c in CASES])
def test_fault(crawls: Crawls, case: Case) -> None:
    server, run = crawls.server, crawls.first
    url = server.url(case.path)
    exported = {r["url"] for r in run.records}
    if case.outcome == EXPORTED:
        assert server.url(case.exported_as or case.path) in exported, run.log[-3000:]
        assert url not in crawls.first_pending
    else:
        assert url not in exported
        assert crawls.first_pending.get(url) == case.outcome, run.log[-3000:]
    if case.hits is not None:
        assert len(hits_on(crawls, case.path)) == case.hits
    if case.log is not None:
        assert log_has(run.log, case.log, url), case.log


def test_the_first_run_archives_exactly_the_good_articles(crawls: Crawls) -> None:
    server, run = crawls.server, crawls.first
    # `scrapy crawl` keeps going, then says the bad pages are pending (exit 1).
    assert run.returncode == 1
    assert "Traceback" not in run.log
    good = {server.url(c.exported_as or c.path) for c in CASES if c.outcome == EXPORTED}
    assert sorted(r["url"] for r in run.records) == sorted(good)
    assert len({r["id"] for r in run.records}) == len(run.records)
    by_url = run.by_url()
    assert by_url[server.url("/a/bad-date.html")]["published_at"] is None  # never a made-up date
    assert by_url[server.url("/a/good-1.html")]["published_at"] == "2026-03-02T10:00:00+08:00"
    broken = by_url[server.url("/a/broken-nesting.html")]["body"].splitlines()
    assert broken == pages.paragraphs(10)
    for record in run.records:
        assert "版权所有" not in record["body"] and "验证" not in record["body"]


def test_blocked_pages_are_counted_by_site_host_and_kind(crawls: Crawls) -> None:
    stats, report = crawls.first.stats, crawls.first.report
    kinds = [c.outcome for c in CASES]
    assert stats["govcrawler/blocked/captcha"] == kinds.count("captcha") == 3
    assert stats["govcrawler/blocked/challenge"] == kinds.count("challenge") == 5
    assert stats["govcrawler/blocked_host/127.0.0.1/captcha"] == 3
    assert report["counts"]["blocked"] == 8
    assert report["status"] == "failed"
    assert "8 pages blocked (challenge or captcha)" in report["problems"]
    assert stats["govcrawler/followed/js_cookie"] == 2  # once per stub; never twice per page


def test_the_crawl_never_leaves_the_profiles_domains(crawls: Crawls) -> None:
    server = crawls.server
    assert [h.target for h in server.hits if h.host != "127.0.0.1"] == []
    stats = crawls.first.stats
    assert stats["govcrawler/offsite/redirect"] == 4
    # The check could fail: "localhost" does reach this server when asked directly.
    before = len(server.hits)
    with urllib.request.urlopen(server.url("/robots.txt", host="localhost"), timeout=5) as answer:
        assert answer.status == 200
    assert [h.host for h in server.hits[before:]] == ["localhost"]


def test_the_crawl_writes_only_inside_its_data_folder(crawls: Crawls) -> None:
    assert sorted(p.name for p in crawls.tmp.iterdir()) == ["data", "profiles"]
    data = crawls.tmp / "data"
    top = {p.name for p in data.iterdir()}
    assert top <= {
        "articles",
        "runs",
        "locks",
        "warc",
        "state",
        *(f"state.sqlite{s}" for s in ("", "-wal", "-shm")),
    }
    assert [p.name for p in (data / "articles").iterdir()] == [pages.SITE_KEY]
    warc = list((data / "warc").iterdir()) if (data / "warc").exists() else []
    assert all(p.name.startswith(f"{pages.SITE_KEY}-") for p in warc)


def test_retry_after_is_counted(crawls: Crawls) -> None:
    """(Its timing is checked alone, on two hosts: tests/test_faults_pacing.py.)"""
    assert crawls.first.stats["govcrawler/retry_after/honoured"] == 1
    assert crawls.first.stats["govcrawler/retry_after/too_long"] == 1


def test_operator_cookies_go_with_every_request_to_the_host(crawls: Crawls) -> None:
    hits = crawls.server.hits
    assert hits and all(h.cookies.get("OPK") == "operator1" for h in hits if h.host == "127.0.0.1")


def test_the_cookie_from_a_stub_is_sent_on_the_one_retry(crawls: Crawls) -> None:
    first, second = hits_on(crawls, "/a/cookie-stub.html")
    assert "GCK" not in first.cookies and second.cookies.get("GCK") == "7a1f09"


def test_the_next_run_archives_exactly_what_the_first_missed(crawls: Crawls) -> None:
    server = crawls.server
    missed = set(crawls.first_pending)
    assert missed  # the first run did miss pages
    assert {r["url"] for r in crawls.second.records} == missed
    assert crawls.second_pending == {}
    assert crawls.second.report["status"] == "ok", crawls.second.report["problems"]
    assert all(r["version"] == 1 for r in crawls.second.records)
    assert server.url("/a/good-9.html", host="localhost") not in missed  # offsite: never linked


def test_a_fault_table_row_per_readme_row() -> None:
    """The README's table names the crawl tests that exercise each row; they must exist."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = readme.split("## What happens when", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) > 20
    tests_dir = Path(__file__).resolve().parent
    source = "\n".join(p.read_text("utf-8") for p in tests_dir.glob("test_*.py"))
    for row in rows[1:]:
        names = [part.strip("` ") for part in row.split("|")[-2].split(",")]
        assert names and all(name and name in source for name in names), row
