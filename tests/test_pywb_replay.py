"""A real replay client opens our WARCs: pywb (Webrecorder's wayback machine) builds a collection
from a replay crawl's WARC files and the chunked/gzip loopback crawl's, and one from the WACZ
`govcrawler wacz` makes of the replay crawl, runs on 127.0.0.1, and serves every article, a GBK
page, a revisited page and a gzip-encoded page with the captured bytes.

pywb 2.10 pins redis, pyOpenSSL and werkzeug versions that clash with our Scrapy stack, so it is
a tool in its own venv (`make pywb` makes `.venv-pywb`; `make test` does that first). Without it
the tests skip, except under CI (CI=true), where a missing pywb is a failure.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from govcrawler.archive.capture_files import load_captures
from govcrawler.archive.warc_reader import decode_content, warc_files
from govcrawler.extraction.urls import dedup_key
from tests.conftest import FIXTURES, ROOT
from tests.warc_crawls import (
    RECAPTURED_AT,
    REPLAY_SITES,
    ChunkedSite,
    chunked_archive,
    govcrawler,
    records_of,
    replay_archive,
)

pytestmark = [pytest.mark.pywb, pytest.mark.e2e]

COLLECTION = "govcrawler"  # the WARC files
WACZ_COLLECTION = "wacz"  # the same replay crawl packaged by `govcrawler wacz`
VENV = Path(os.environ.get("GOVCRAWLER_PYWB_VENV") or ROOT / ".venv-pywb")
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Pywb:
    base: str  # http://127.0.0.1:<port>
    root: Path  # its folder: collections/, the WACZ it was given

    def get(
        self, url: str, ts: str, mode: str = "id_", collection: str = COLLECTION
    ) -> tuple[int, Any, bytes]:
        """The capture of `url` nearest `ts` (14 digits); `id_`: the payload as archived."""
        try:
            response = NO_PROXY.open(f"{self.base}/{collection}/{ts}{mode}/{url}", timeout=30)
        except urllib.error.HTTPError as exc:
            response = exc
        with response:
            return response.status, response.headers, response.read()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tool(name: str) -> str:
    path = VENV / "bin" / name
    if not path.exists():
        message = f"pywb is not installed in {VENV} (make pywb)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return str(path)


@pytest.fixture(scope="module")
def pywb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pywb]:
    wb_manager, wayback = tool("wb-manager"), tool("wayback")
    root = tmp_path_factory.mktemp("pywb")
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    warcs = warc_files(replay_archive() / "warc") + warc_files(chunked_archive().data / "warc")
    wacz = root / "replay.wacz"
    made = govcrawler("wacz", "--data", str(replay_archive()), str(wacz))
    assert made.returncode == 0, made.stderr
    for args in (
        ("init", COLLECTION),
        ("add", COLLECTION, *map(str, warcs)),
        ("init", WACZ_COLLECTION),
        ("add", "--unpack-wacz", WACZ_COLLECTION, str(wacz)),
    ):
        subprocess.run(
            [wb_manager, *args], cwd=root, env=env, check=True, capture_output=True, timeout=300
        )
    port = free_port()
    log = (root / "wayback.log").open("wb")
    server = subprocess.Popen(
        [wayback, "-p", str(port), "-b", "127.0.0.1"], cwd=root, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (root / "wayback.log").read_text("utf-8", "replace")
            try:
                NO_PROXY.open(base + "/", timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "pywb did not start within 60 s"
                time.sleep(0.3)
        yield Pywb(base, root)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


def captured_bodies() -> dict[str, bytes]:
    """URL → the page as the replayed site served it (the bundled captures' body files)."""
    return {
        dedup_key(c.url): c.body for site in REPLAY_SITES for c in load_captures(FIXTURES / site)
    }


def warc_payloads(files: list[Path]) -> dict[tuple[str, str], tuple[str, bytes]]:
    """(URL, 14-digit time) → (record type, content-decoded payload; b"" for a revisit)."""
    found = {}
    for path in files:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type not in ("response", "revisit"):
                    continue
                headers = record.rec_headers
                raw = record.raw_stream.read()
                body = decode_content(raw, list(record.http_headers.headers)) if raw else b""
                key = (
                    headers.get_header("WARC-Target-URI"),
                    iso_date_to_timestamp(headers.get_header("WARC-Date")),
                )
                found[key] = (record.rec_type, body)
    return found


def memento_ts(headers: Any) -> str:
    return parsedate_to_datetime(headers["Memento-Datetime"]).strftime("%Y%m%d%H%M%S")


def test_every_archived_article_replays_byte_for_byte(pywb: Pywb) -> None:
    captured = captured_bodies()
    records = [r for r in records_of(replay_archive()) if not r.get("removed")]
    assert {r["site"] for r in records} == set(REPLAY_SITES)
    for record in records:
        ts = iso_date_to_timestamp(record["fetched_at"])
        status, headers, body = pywb.get(record["url"], ts)
        assert status == 200, record["url"]
        assert memento_ts(headers) == ts
        assert body == captured[dedup_key(record["url"])], record["url"]


def test_a_gbk_page_replays_byte_for_byte_and_reads_as_gbk(pywb: Pywb) -> None:
    captured = captured_bodies()
    gbk = [r for r in records_of(replay_archive()) if r["site"] == "guangxi"]
    assert gbk
    for record in gbk:
        ts = iso_date_to_timestamp(record["fetched_at"])
        _, headers, body = pywb.get(record["url"], ts)
        assert headers["Content-Type"].lower().endswith("charset=gbk")
        assert body == captured[dedup_key(record["url"])]
        assert record["title"] in body.decode("gbk")
        # Browsing mode (pywb rewrites links and injects its client) keeps the text readable.
        status, headers, page = pywb.get(record["url"], ts, mode="mp_")
        assert status == 200 and record["title"] in page.decode("gbk")


def test_a_revisited_page_replays_the_original_payload_at_the_revisit_time(pywb: Pywb) -> None:
    payloads = warc_payloads(warc_files(replay_archive() / "warc"))
    later = iso_date_to_timestamp(RECAPTURED_AT)
    revisited = [
        url for (url, ts), (kind, _) in payloads.items() if ts == later and kind == "revisit"
    ]
    records = records_of(replay_archive())
    articles = [r for r in records if r["url"] in {dedup_key(u) for u in revisited}]
    assert len(articles) == len(records) > 0  # every article was revisited
    for record in articles:
        first = iso_date_to_timestamp(record["fetched_at"])
        url = next(u for u in revisited if dedup_key(u) == record["url"])
        status, headers, body = pywb.get(url, later)
        assert status == 200
        assert memento_ts(headers) == later  # the revisit record answered ...
        assert body == payloads[(url, first)][1]  # ... with the payload of the one it refers to


def test_a_chunked_gzip_capture_replays_as_the_page_the_server_had(pywb: Pywb) -> None:
    site: ChunkedSite = chunked_archive()
    payloads = warc_payloads(warc_files(site.data / "warc"))
    for url, page in site.bodies.items():
        ts = next(t for (u, t) in payloads if u == url)
        status, headers, body = pywb.get(url, ts)
        assert status == 200
        assert headers["X-Archive-Orig-Content-Encoding"] == "gzip"
        # pywb undoes the stored gzip: the bytes are the server's page before it compressed it.
        assert body == page and body != gzip.compress(page)


def test_the_wacz_opens_in_pywb_and_every_listed_page_replays(pywb: Pywb) -> None:
    captured = captured_bodies()
    wacz = pywb.root / "replay.wacz"
    with zipfile.ZipFile(wacz) as z:
        pages = [json.loads(x) for x in z.read("pages/pages.jsonl").splitlines()][1:]
    assert len(pages) == len([r for r in records_of(replay_archive()) if not r.get("removed")])
    for page in pages:
        ts = iso_date_to_timestamp(page["ts"])
        status, headers, body = pywb.get(page["url"], ts, collection=WACZ_COLLECTION)
        assert status == 200 and memento_ts(headers) == ts
        assert body == captured[dedup_key(page["url"])]
