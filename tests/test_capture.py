"""`govcrawler capture` against a loopback server that answers gzip-encoded: the WARC keeps the
response as received (compressed, Content-Encoding kept) and it still re-extracts correctly; the
fixture format gets the decoded page. No network: 127.0.0.1 only."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from govcrawler.archive.warc_writer import payload_digest
from govcrawler.extraction.record import Built, build
from govcrawler.sites import get_profile
from tests.conftest import FIXTURES, ROOT, loopback_server, read_json

pytestmark = pytest.mark.e2e

PAGE = FIXTURES / "ccdi" / "article_case_1.html"
PATH = "/scdcn/zggb/zjsc/202603/t20260312_470231.html"
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING")


class GzipHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path != PATH:
            self.send_error(404)
            return
        body = gzip.compress(PAGE.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", '"470231-v1"')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    with loopback_server(GzipHandler) as url:
        yield url


def govcrawler(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govcrawler.cli.main", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def expected_record(url: str) -> Built:
    built = build(
        PAGE.read_bytes(),
        url,
        profile=get_profile("ccdi"),
        fetched_at="2026-11-20T08:00:00Z",
        content_type="text/html; charset=utf-8",
    )
    assert isinstance(built, Built)
    return built


def test_gzip_response_is_archived_as_received_and_reextracts(server: str, tmp_path: Path) -> None:
    url = server + PATH
    warcs = tmp_path / "warc"
    result = govcrawler("capture", url, "--warc", str(warcs), *FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    (path,) = warcs.glob("capture-*.warc.gz")
    with path.open("rb") as fh:
        responses = [
            (r.rec_headers, r.http_headers, r.raw_stream.read())
            for r in ArchiveIterator(fh)
            if r.rec_type == "response"
        ]
    (page,) = [r for r in responses if r[0].get_header("WARC-Target-URI") == url]
    warc_headers, http_headers, raw = page
    assert http_headers.get_header("Content-Encoding") == "gzip"
    assert raw[:2] == b"\x1f\x8b"  # compressed, as it came off the wire
    assert gzip.decompress(raw) == PAGE.read_bytes()
    assert warc_headers.get_header("WARC-Payload-Digest") == payload_digest(raw)
    assert payload_digest(raw) != payload_digest(PAGE.read_bytes())
    # robots.txt (a 404 here) is archived too.
    assert any(h.get_header("WARC-Target-URI").endswith("/robots.txt") for h, _, _ in responses)

    out = tmp_path / "out.jsonl"
    # A loopback capture no profile claims, extracted with CCDI's profile.
    result = govcrawler("reextract", str(path), "--as-site", "ccdi", "-o", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    (record,) = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    want = expected_record(url).article.to_dict()
    evidence = ("warc_file", "warc_record_id", "warc_offset", "payload_digest", "fetched_at")
    assert {k: v for k, v in record.items() if k not in evidence} == {
        k: v for k, v in want.items() if k not in evidence
    }
    assert record["warc_file"] == path.name
    assert record["payload_digest"] == payload_digest(raw)
    assert record["warc_record_id"] == warc_headers.get_header("WARC-Record-ID")
    fixture = read_json(FIXTURES / "ccdi" / "article_case_1.expected.json")["record"]
    assert record["body"] == fixture["body"] and record["title"] == fixture["title"]


def test_capture_into_the_fixture_format_stores_the_decoded_page(
    server: str, tmp_path: Path
) -> None:
    url = server + PATH
    folder = tmp_path / "fixtures" / "ccdi"
    result = govcrawler("capture", url, "--fixtures", str(folder), *FAST)
    assert result.returncode == 0, result.stderr[-3000:]
    sidecar = folder / "t20260312_470231.capture.json"
    meta = read_json(sidecar)
    assert meta["url"] == url and meta["status"] == 200
    assert meta["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert meta["headers"]["Etag"] == '"470231-v1"'
    assert "Content-Encoding" not in meta["headers"]
    assert (folder / "t20260312_470231.html").read_bytes() == PAGE.read_bytes()
    extracted = govcrawler("extract", "--site", "ccdi", str(folder / "t20260312_470231.html"))
    record = json.loads(extracted.stdout)
    assert record["body"] == expected_record(url).article.body


def test_capture_reports_a_url_it_could_not_fetch(server: str, tmp_path: Path) -> None:
    result = govcrawler(
        "capture",
        server + "/missing.html",
        "http://127.0.0.1:9/",
        "--fixtures",
        str(tmp_path),
        *FAST,
        "-s",
        "RETRY_ENABLED=False",
    )
    assert result.returncode == 1
    assert (tmp_path / "missing.capture.json").is_file()  # a 404 is a capture too
    assert read_json(tmp_path / "missing.capture.json")["status"] == 404
