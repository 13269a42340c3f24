"""Crawls whose WARCs the third-party-tool tests open (warcio, cdxj-indexer, wacz, pywb), made once
per test session and shared by those test modules.

- `replay_archive()`: `govcrawler crawl anhui guangxi` replaying the bundled captures (guangxi's
  pages are GBK), twice: the second run, its captures dated RECAPTURED_AT, re-checks every
  article, so its WARCs hold revisits (of unchanged payloads) at a later WARC-Date.
- `chunked_archive()`: a crawl of a loopback site that sends every page gzip-encoded with
  `Transfer-Encoding: chunked` (one of its articles GBK), the way many government servers do.
"""

from __future__ import annotations

import atexit
import functools
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES, ROOT
from tests.faults import pages
from tests.faults.crawl import child_env, scrapy_crawl
from tests.faults.server import FaultServer, Handler, Hit, Writer, head

REPLAY_SITES = ("anhui", "guangxi")
RECHECK_ALL = ("-s", "GOVCRAWLER_RECHECK_DAYS=0")
RECAPTURED_AT = "2026-12-01T08:00:00Z"


@functools.cache
def _scratch() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="govcrawler-warc-tools-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def records_of(data: Path) -> list[dict[str, Any]]:
    return [r for p in sorted((data / "articles").rglob("*.jsonl")) for r in read_jsonl(p)]


def govcrawler(
    *args: str, cwd: Path = ROOT, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govcrawler.cli.main", *args],
        cwd=cwd,
        env=child_env(None),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@functools.cache
def replay_archive() -> Path:
    """The data folder of two replayed runs of anhui and guangxi (the second all revisits)."""
    root = _scratch() / "replay"
    captures, data = root / "captures", root / "data"
    for site in REPLAY_SITES:
        shutil.copytree(FIXTURES / site, captures / site)
    for extra in ((), RECHECK_ALL):
        if extra:  # the same pages, fetched again later
            for sidecar in captures.rglob("*.capture.json"):
                capture = json.loads(sidecar.read_text("utf-8"))
                capture["fetched_at"] = RECAPTURED_AT
                sidecar.write_text(json.dumps(capture, ensure_ascii=False), "utf-8")
        result = govcrawler(
            *("crawl", *REPLAY_SITES, "--data", str(data)),
            *("-s", f"GOVCRAWLER_REPLAY={captures}", "-s", "GOVCRAWLER_BOILERPLATE_DIR="),
            *extra,
        )
        # 1: 安徽's captures plant an empty page, which stays pending (exit 0 otherwise).
        assert result.returncode == 1, result.stdout + result.stderr[-3000:]
        assert "problem: 1 articles not archived, asked for again next run (empty 1)" in (
            result.stdout
        )
    return data


# ---- the chunked + gzip loopback site --------------------------------------------------------


def chunked_gzip(body: bytes, content_type: str, pieces: int = 3) -> Handler:
    """`body` gzip-compressed and sent with `Transfer-Encoding: chunked` (no Content-Length)."""
    packed = gzip.compress(body)
    size = -(-len(packed) // pieces)

    async def handler(hit: Hit, n: int, writer: Writer) -> None:
        headers = {
            "Content-Type": content_type,
            "Content-Encoding": "gzip",
            "Transfer-Encoding": "chunked",
            "Connection": "close",
        }
        writer.write(head(200, headers))
        for start in range(0, len(packed), size):
            chunk = packed[start : start + size]
            writer.write(f"{len(chunk):x}\r\n".encode("ascii") + chunk + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    return handler


@dataclass(frozen=True)
class ChunkedSite:
    data: Path
    base: str  # http://127.0.0.1:<port> of the (now stopped) server
    bodies: dict[str, bytes]  # URL → the page as the server had it, before gzip and chunking
    records: list[dict[str, Any]]


@functools.cache
def chunked_archive() -> ChunkedSite:
    """A crawl of a loopback site whose list page and articles all come chunked and gzip."""
    root = _scratch() / "chunked"
    with FaultServer() as server:
        pages.write_profile(root / "profiles", server.base)
        bodies = {
            "/a/c1.html": pages.article(1).encode("utf-8"),
            "/a/c2.html": pages.article(2, charset="gbk").encode("gbk"),
        }
        bodies["/list.html"] = pages.list_page(list(bodies)).encode("utf-8")
        for path, body in bodies.items():
            charset = "gbk" if b'charset="gbk"' in body else "utf-8"
            server.routes[path] = chunked_gzip(body, f"text/html; charset={charset}")
        server.routes["/robots.txt"] = chunked_gzip(b"User-agent: *\nAllow: /\n", "text/plain")
        run = scrapy_crawl(pages.SITE_KEY, root / "data", root / "profiles", {})
        assert run.returncode == 0, run.log[-3000:]
        return ChunkedSite(
            root / "data",
            server.base,
            {server.url(path): body for path, body in bodies.items()},
            run.records,
        )
