"""Our WARCs as others' tools see them: what a chunked, gzip-encoded response becomes in the
record (pinned against a loopback server), `warcio check` (block and payload digests) and
`warcio index` on every file of a replay crawl and of that loopback crawl, one gzip member per
record, revisits that name their original."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from twisted.web._newclient import HTTPClientParser
from warcio.archiveiterator import ArchiveIterator

from govcrawler.archive.warc_reader import warc_files
from govcrawler.archive.warc_writer import CAPTURE_NOTES, UNRECORDED_HEADERS, payload_digest
from tests.warc_crawls import ChunkedSite, chunked_archive, replay_archive

pytestmark = pytest.mark.e2e

WARCIO = str(Path(sys.executable).with_name("warcio"))
IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


@pytest.fixture(scope="module")
def chunked() -> ChunkedSite:
    return chunked_archive()


@pytest.fixture(scope="module")
def replayed() -> Path:
    return replay_archive()


def all_warcs(replayed: Path, chunked: ChunkedSite) -> list[Path]:
    files = warc_files(replayed / "warc") + warc_files(chunked.data / "warc")
    assert len(files) >= 5
    return files


def records(path: Path) -> list[tuple[Any, bytes]]:
    with path.open("rb") as fh:
        return [(r, r.raw_stream.read()) for r in ArchiveIterator(fh)]


def member_starts(path: Path) -> list[int]:
    """The file offset of every gzip member of `path`."""
    data, starts, offset = path.read_bytes(), [], 0
    while offset < len(data):
        starts.append(offset)
        member = zlib.decompressobj(zlib.MAX_WBITS | 16)
        member.decompress(data[offset:])
        assert member.eof, f"{path.name}: torn member at {offset}"
        offset = len(data) - len(member.unused_data)
    return starts


# ---- what capture stores ---------------------------------------------------------------------


def test_chunked_gzip_response_is_stored_dechunked_still_gzip_without_connection_headers(
    chunked: ChunkedSite,
) -> None:
    (path,) = warc_files(chunked.data / "warc")
    responses = {
        r.rec_headers.get_header("WARC-Target-URI"): (r, raw)
        for r, raw in records(path)
        if r.rec_type == "response"
    }
    assert set(chunked.bodies) <= set(responses)
    for url, body in chunked.bodies.items():
        record, raw = responses[url]
        names = {k.lower() for k, _ in record.http_headers.headers}
        assert not names & {"transfer-encoding", "content-length", "connection"}, names
        assert record.http_headers.get_header("Content-Encoding") == "gzip"
        assert raw[:2] == b"\x1f\x8b" and gzip.decompress(raw) == body  # de-chunked, still gzip
        assert record.rec_headers.get_header("WARC-Payload-Digest") == payload_digest(raw)
    # ... and the crawl read the pages, the GBK one included.
    titles = {r["url"]: r["title"] for r in chunked.records}
    assert titles == {
        chunked.base + "/a/c1.html": "测试市纪委监委通报第1批典型问题",
        chunked.base + "/a/c2.html": "测试市纪委监委通报第2批典型问题",
    }


def test_the_warcinfo_says_exactly_what_capture_changes(chunked: ChunkedSite) -> None:
    (path,) = warc_files(chunked.data / "warc")
    info, fields = records(path)[0]
    assert info.rec_type == "warcinfo"
    text = fields.decode("utf-8")
    for name, value in CAPTURE_NOTES.items():
        assert f"{name}: {value}\r\n" in text
    assert "Transfer-Encoding" in CAPTURE_NOTES["govcrawler-http-headers"]


def test_the_unrecorded_headers_are_twisteds_connection_headers() -> None:
    # If Twisted changes the set, the warcinfo and README must change with it.
    assert {h.lower().encode() for h in UNRECORDED_HEADERS} == set(
        HTTPClientParser.CONNECTION_CONTROL_HEADERS
    )


# ---- warcio check / index --------------------------------------------------------------------


def test_warcio_check_verifies_every_digest_of_every_file(
    replayed: Path, chunked: ChunkedSite
) -> None:
    for path in all_warcs(replayed, chunked):
        result = subprocess.run(
            [WARCIO, "check", "-v", str(path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout
        verdicts = [line.strip() for line in result.stdout.splitlines()[1:] if "offset" not in line]
        kinds = [r.rec_type for r, _ in records(path)]
        expected = [
            "digest present but not checked (revisit)" if k == "revisit" else "digest pass"
            for k in kinds
        ]
        assert verdicts == expected, (path.name, result.stdout[-2000:])


def test_warcio_check_fails_a_record_whose_payload_was_altered(
    chunked: ChunkedSite, tmp_path: Path
) -> None:
    """The check above can fail: one changed byte in a payload (gzip rebuilt) is caught."""
    (path,) = warc_files(chunked.data / "warc")
    starts = member_starts(path)
    data = path.read_bytes()
    kinds = [r.rec_type for r, _ in records(path)]
    n = kinds.index("response", 2)
    end = starts[n + 1] if n + 1 < len(starts) else len(data)
    member = bytearray(gzip.decompress(data[starts[n] : end]))
    member[-10] ^= 0x01  # inside the gzip payload, near its end
    tampered = tmp_path / path.name
    tampered.write_bytes(data[: starts[n]] + gzip.compress(bytes(member)) + data[end:])
    result = subprocess.run(
        [WARCIO, "check", str(tampered)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "payload digest failed" in result.stdout and "block digest failed" in result.stdout


def test_warcio_index_finds_every_record_each_its_own_gzip_member(
    replayed: Path, chunked: ChunkedSite
) -> None:
    for path in all_warcs(replayed, chunked):
        result = subprocess.run(
            [WARCIO, "index", "-f", "offset,length,warc-type", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        index = [json.loads(line) for line in result.stdout.splitlines()]
        assert [e["warc-type"] for e in index] == [r.rec_type for r, _ in records(path)]
        assert [int(e["offset"]) for e in index] == member_starts(path)
        assert sum(int(e["length"]) for e in index) == path.stat().st_size


def test_revisits_name_their_original_by_id_uri_date_and_payload_digest(replayed: Path) -> None:
    originals: dict[str, tuple[Any, bytes]] = {}
    revisits = []
    for path in warc_files(replayed / "warc"):
        for record, raw in records(path):
            headers = record.rec_headers
            if record.rec_type == "response":
                originals[headers.get_header("WARC-Record-ID")] = (record, raw)
            elif record.rec_type == "revisit":
                revisits.append(headers)
    assert len(revisits) >= 8  # every article, list head and robots.txt of the second run
    for headers in revisits:
        assert headers.get_header("WARC-Profile") == IDENTICAL_PAYLOAD
        original, raw = originals[headers.get_header("WARC-Refers-To")]
        assert headers.get_header("WARC-Refers-To-Target-URI") == original.rec_headers.get_header(
            "WARC-Target-URI"
        )
        assert headers.get_header("WARC-Refers-To-Date") == original.rec_headers.get_header(
            "WARC-Date"
        )
        assert headers.get_header("WARC-Date") > headers.get_header("WARC-Refers-To-Date")
        digest = headers.get_header("WARC-Payload-Digest")
        assert digest == original.rec_headers.get_header("WARC-Payload-Digest")
        assert digest == payload_digest(raw) and digest.startswith("sha1:")
