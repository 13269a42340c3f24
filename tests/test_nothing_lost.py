"""Nothing lost, nothing misreported (issue 12): an exception in extraction or a pipeline leaves
the article pending with its reason and fails the run; a network outage is reported as network,
not as a redesign, with its own exit code; bad arguments stop everything before it starts; a
locked site gives one line and exit 75."""

from __future__ import annotations

import gzip
import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from govcrawler.cli import exit_codes
from govcrawler.state.failures import failure_class
from govcrawler.state.locks import FileLock
from tests.conftest import ROOT
from tests.faults import pages
from tests.faults.crawl import child_env, govcrawler_crawl, pending, scrapy_crawl
from tests.faults.server import FaultServer, page

pytestmark = pytest.mark.e2e

ARTICLES = ["/a/one.html", "/a/two.html"]


def serve_site(server: FaultServer) -> None:
    server.routes["/robots.txt"] = page("User-agent: *\nAllow: /\n", content_type="text/plain")
    server.routes["/list.html"] = page(pages.list_page(ARTICLES))
    for n, path in enumerate(ARTICLES, 1):
        server.routes[path] = page(pages.article(n))


def test_an_exception_in_extraction_leaves_the_article_pending(tmp_path: Path) -> None:
    profiles, data = tmp_path / "profiles", tmp_path / "data"
    with FaultServer() as server:
        profile = pages.write_profile(profiles, server.base)
        serve_site(server)
        # A selector that compiles but cannot be evaluated: extraction raises on every article.
        text = profile.read_text("utf-8").replace(
            'title = ["div.article h1"]', 'title = ["xpath:govcrawler-no-such-function()"]'
        )
        profile.write_text(text, "utf-8")
        run = scrapy_crawl(pages.SITE_KEY, data, profiles, {})
        assert run.returncode == exit_codes.FAILED
        assert run.records == []
        assert pending(data, pages.SITE_KEY) == {
            server.url(p): "error:XPathEvalError" for p in ARTICLES
        }
        assert run.report["failures"] == {"error:XPathEvalError": 2}
        assert "error" in run.report["problem_classes"]
        assert "2 errors in callbacks (see the log)" in run.report["problems"]

        # Mended, the next run asks for both again and archives them.
        pages.write_profile(profiles, server.base)
        again = scrapy_crawl(pages.SITE_KEY, data, profiles, {})
    assert again.returncode == exit_codes.OK, again.log[-3000:]
    assert sorted(r["url"] for r in again.records) == sorted(server.url(p) for p in ARTICLES)
    assert pending(data, pages.SITE_KEY) == {}


def test_gzip_bytes_served_as_html_are_pending_not_lost(tmp_path: Path) -> None:
    profiles, data = tmp_path / "profiles", tmp_path / "data"
    with FaultServer() as server:
        pages.write_profile(profiles, server.base)
        serve_site(server)
        # Compressed bytes with no Content-Encoding to say so (a misconfigured server).
        raw = gzip.compress(pages.article(1).encode("utf-8"))
        server.routes[ARTICLES[0]] = page(raw, content_type="text/html; charset=utf-8")
        run = scrapy_crawl(pages.SITE_KEY, data, profiles, {})
    assert run.returncode == exit_codes.FAILED
    assert [r["url"] for r in run.records] == [server.url(ARTICLES[1])]
    assert pending(data, pages.SITE_KEY) == {server.url(ARTICLES[0]): "not_html"}
    assert "spider_exceptions" not in run.log


def closed_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_network_outage_is_reported_as_network_with_its_own_exit_code(tmp_path: Path) -> None:
    profiles, data = tmp_path / "profiles", tmp_path / "data"
    pages.write_profile(profiles, f"http://127.0.0.1:{closed_port()}")
    result, runs = govcrawler_crawl(
        [pages.SITE_KEY], data, profiles, {"RETRY_TIMES": "0", "ROBOTSTXT_OBEY": "False"}
    )
    report = runs[pages.SITE_KEY].report
    assert result.returncode == exit_codes.NETWORK, result.stdout + result.stderr[-2000:]
    assert report["problem_classes"] == ["network"]
    (column,) = report["columns"]
    assert (column["status"], column["reason"]) == ("network", "connection_refused")
    assert "its first list page could not be read (network: connection_refused)" in result.stdout
    assert "drift" not in result.stdout and "no article links" not in result.stdout


def test_a_page_that_came_but_gave_no_links_is_drift(tmp_path: Path) -> None:
    profiles, data = tmp_path / "profiles", tmp_path / "data"
    with FaultServer() as server:
        pages.write_profile(profiles, server.base)
        server.routes["/robots.txt"] = page("User-agent: *\nAllow: /\n", content_type="text/plain")
        server.routes["/list.html"] = page(pages.list_page([]))  # redesigned: no /a/ links
        result, runs = govcrawler_crawl([pages.SITE_KEY], data, profiles, {})
    assert result.returncode == exit_codes.DRIFT, result.stdout
    assert runs[pages.SITE_KEY].report["columns"][0]["status"] == "drift"
    assert "neither the profile nor discovery found article links (drift" in result.stdout


def run_cli(*args: str, profiles: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=child_env(profiles),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("since=garbage", "since must be a date YYYY-MM-DD, not 'garbage'"),
        ("max_page=1", "unknown spider argument(s) max_page"),
        ("max_pages=two", "max_pages must be a whole number, not 'two'"),
        ("columns=没有这个栏目", "unknown column(s)"),
    ],
)
def test_bad_spider_arguments_exit_2_before_anything_runs(
    argument: str, message: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    for command in (
        ["-m", "govcrawler.cli.main", "crawl", "anhui", "--data", str(data), "-a", argument],
        ["-m", "scrapy", "crawl", "anhui", "-s", f"GOVCRAWLER_DATA={data}", "-a", argument],
    ):
        result = run_cli(*command)
        assert result.returncode == exit_codes.USAGE, result.stderr[-2000:]
        assert message in result.stderr
        assert "Traceback" not in result.stderr
        assert not data.exists()  # no manifest, no ledger, no lock file: nothing ran


def test_scrapy_crawl_of_a_locked_site_says_so_in_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with FileLock(data / "locks" / "ccdi.lock"):
        result = run_cli("-m", "scrapy", "crawl", "ccdi", "-s", f"GOVCRAWLER_DATA={data}")
    assert result.returncode == exit_codes.LOCKED
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "held by another run" in lines[0] and "not starting" in lines[0]


def test_exit_codes_follow_the_failure_classes() -> None:
    def site(*classes: str) -> dict[str, object]:
        return {"status": "failed" if classes else "ok", "problem_classes": list(classes)}

    assert exit_codes.for_sites([site(), site()]) == exit_codes.OK
    assert exit_codes.for_sites([site("network"), site()]) == exit_codes.NETWORK
    assert exit_codes.for_sites([site("drift"), site("drift")]) == exit_codes.DRIFT
    assert exit_codes.for_sites([site("network"), site("drift")]) == exit_codes.FAILED
    assert exit_codes.for_sites([site("blocked")]) == exit_codes.FAILED
    assert exit_codes.for_sites([{"status": "failed"}]) == exit_codes.FAILED
    assert [
        failure_class(r) for r in ("dns", "captcha", "http_503", "error:KeyError", "empty")
    ] == [
        "network",
        "blocked",
        "http",
        "error",
        "content",
    ]


def test_the_demo_twice_is_the_real_job_and_adds_nothing_the_second_time(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run_cli("-m", "govcrawler.cli.main", "demo", "anhui", "ccdi", "--data", str(data))
    assert first.returncode == 0, first.stderr[-3000:]
    assert (data / "state.sqlite").is_file() and len(list((data / "runs").iterdir())) == 1
    records = sum(len(p.read_text("utf-8").splitlines()) for p in data.glob("articles/*/*.jsonl"))
    assert records > 0
    assert f"govcrawler demo: {records} records archived" in first.stdout

    second = run_cli("-m", "govcrawler.cli.main", "demo", "anhui", "ccdi", "--data", str(data))
    assert second.returncode == 0, second.stderr[-3000:]
    assert "nothing new, 0 records written" in second.stdout
    again = sum(len(p.read_text("utf-8").splitlines()) for p in data.glob("articles/*/*.jsonl"))
    assert again == records
    manifests = sorted((data / "runs").iterdir())
    assert len(manifests) == 2
    latest = json.loads(manifests[-1].read_text("utf-8"))
    assert all(site["outputs"] == [] for site in latest["sites"].values())
    assert "Traceback" not in first.stderr + second.stderr


def start_crawl_and_interrupt(data: Path, times: int) -> tuple[int, str]:
    """`govcrawler crawl --all` over the captures, slowed down; Ctrl-C (`times` SIGINTs) as soon
    as the first site's crawler is being made, while the others are still to be made."""
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "govcrawler.cli.main", "crawl", "--all", "-v"),
            *("--replay", str(ROOT / "fixtures"), "--data", str(data)),
            *("-s", "DOWNLOAD_DELAY=1", "-s", "AUTOTHROTTLE_ENABLED=False"),
        ],
        cwd=ROOT,
        env=child_env(None),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    log = []
    for line in process.stderr:
        log.append(line)
        if "Overridden settings" in line:
            for _ in range(times):
                process.send_signal(signal.SIGINT)
            break
    log += process.stderr.readlines()
    return process.wait(timeout=240), "".join(log)


def test_one_ctrl_c_during_start_up_stops_every_site_gracefully(tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, log = start_crawl_and_interrupt(data, times=1)
    assert code == exit_codes.FAILED, log[-3000:]
    (manifest,) = (data / "runs").iterdir()
    sites = json.loads(manifest.read_text("utf-8"))["sites"]
    finished = [key for key, site in sites.items() if site.get("finish_reason") == "finished"]
    assert finished == []  # no site that was still starting ran on to the end
    assert len(sites) == 32


def test_a_second_ctrl_c_forces_the_stop_and_the_next_run_loses_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, _ = start_crawl_and_interrupt(data, times=2)
    assert code != exit_codes.OK
    again = run_cli(
        *("-m", "govcrawler.cli.main", "crawl", "ccdi", "anhui"),
        *("--replay", str(ROOT / "fixtures"), "--data", str(data)),
    )
    assert again.returncode == exit_codes.FAILED  # only the captures' planted pages are missing
    for site in ("ccdi", "anhui"):
        assert not list((data / "articles" / site).glob("*.part"))  # completed or recovered
        assert (
            not (data / "locks" / f"{site}.lock").exists()
            or FileLock(data / "locks" / f"{site}.lock").acquire() is None
        )
