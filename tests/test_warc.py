"""The WARC writer, its recovery after a kill and the reader, on captures made here."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from govcrawler.archive.warc_reader import Problem, iter_responses
from govcrawler.archive.warc_recovery import recover_warc_part, scan_members
from govcrawler.archive.warc_writer import (
    Exchange,
    RollingWarcWriter,
    payload_digest,
)
from govcrawler.state.files import PART_SUFFIX
from govcrawler.state.ledger import CaptureState, Ledger

INFO = {"software": "govcrawler/test", "robots": "obey", "operator": "mailto:ops@example.org"}


def page(n: int, size: int = 300) -> bytes:
    text = f"<html><body><p>第{n}号通报：某市纪委监委开展专项监督检查。</p>" + "检" * size
    return (text + "</body></html>").encode("utf-8")


def exchange(
    n: int, body: bytes | None = None, headers: list[tuple[str, str]] | None = None
) -> Exchange:
    return Exchange(
        url=f"https://www.ccdi.gov.cn/yaowenn/202603/t20260301_{600000 + n}.html",
        method="GET",
        request_headers=[("User-Agent", "govcrawler/test"), ("Accept-Encoding", "gzip")],
        request_body=b"",
        status=200,
        response_headers=headers or [("Content-Type", "text/html; charset=utf-8")],
        body=page(n) if body is None else body,
        date=f"2026-11-20T08:{n % 60:02d}:00Z",
    )


def writer(folder: Path, max_size: int = 1 << 30) -> RollingWarcWriter:
    return RollingWarcWriter(folder, "ccdi", "20261120T080000Z", max_size=max_size, info=INFO)


def records(path: Path) -> list[tuple[str, str | None, int]]:
    """(type, target URI, offset) of every record, read back with warcio."""
    out = []
    with path.open("rb") as fh:
        it = ArchiveIterator(fh)
        for record in it:
            uri = record.rec_headers.get_header("WARC-Target-URI")
            record.raw_stream.read()
            out.append((record.rec_type, uri, it.get_record_offset()))
    return out


def test_each_fetch_is_request_response_and_metadata_with_a_warcinfo_first(tmp_path: Path) -> None:
    w = writer(tmp_path)
    written = [w.write(exchange(n), metadata={"govcrawler-column": "要闻"}) for n in range(3)]
    (path,) = w.close()
    assert path.name == "ccdi-20261120T080000Z-00000.warc.gz"
    assert not path.with_name(path.name + PART_SUFFIX).exists()
    got = records(path)
    assert [t for t, _, _ in got] == ["warcinfo"] + ["request", "response", "metadata"] * 3
    with path.open("rb") as fh:
        info = next(iter(ArchiveIterator(fh)))
        fields = info.content_stream().read().decode()
    assert info.rec_headers.get_header("WARC-Filename") == path.name
    assert "operator: mailto:ops@example.org" in fields and "robots: obey" in fields
    responses = [(uri, off) for t, uri, off in got if t == "response"]
    assert [(w.record.url, w.record.offset) for w in written] == responses
    for n, w_ in enumerate(written):
        assert w_.payload_digest == payload_digest(page(n)) and not w_.revisit


def test_every_record_is_its_own_gzip_member(tmp_path: Path) -> None:
    w = writer(tmp_path)
    for n in range(4):
        w.write(exchange(n))
    (path,) = w.close()
    scan = scan_members(path)
    assert scan.damaged is None and scan.complete == path.stat().st_size
    assert scan.records == len(records(path)) == 1 + 4 * 2


def test_same_payload_as_the_last_capture_is_a_revisit_that_refers_to_it(tmp_path: Path) -> None:
    w = writer(tmp_path)
    first = w.write(exchange(1))
    again = w.write(exchange(1), previous=first.record, previous_digest=first.payload_digest)
    changed = w.write(
        exchange(1, body=page(1) + b"<!-- edited -->"),
        previous=first.record,
        previous_digest=first.payload_digest,
    )
    (path,) = w.close()
    assert again.revisit and again.payload == first.record and again.record != first.record
    assert not changed.revisit and changed.payload == changed.record
    with path.open("rb") as fh:
        revisits = [r for r in ArchiveIterator(fh) if r.rec_type == "revisit"]
    (revisit,) = revisits
    headers = revisit.rec_headers
    assert headers.get_header("WARC-Profile") == (
        "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    )
    assert headers.get_header("WARC-Refers-To") == first.record.record_id
    assert headers.get_header("WARC-Refers-To-Date") == first.record.date
    assert headers.get_header("WARC-Payload-Digest") == first.payload_digest
    # The reader resolves the revisit to the payload it refers to.
    problems: list[Problem] = []
    read = list(iter_responses([path], problems))
    assert problems == []
    assert [r.revisit for r in read] == [False, True, False]
    assert read[1].raw == page(1) and read[1].payload.offset == first.record.offset


def noise(n: int, size: int) -> bytes:
    """Bytes that gzip cannot shrink much (a hash chain), so file sizes are predictable."""
    out, block = b"", str(n).encode()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return out[:size]


def members(data: bytes) -> list[bytes]:
    """The gzip members of a WARC file's bytes, each whole."""
    out = []
    while data:
        member = zlib.decompressobj(zlib.MAX_WBITS | 16)
        member.decompress(data)
        rest = member.unused_data
        out.append(data[: len(data) - len(rest)])
        data = rest
    return out


def test_files_roll_over_at_the_size_limit(tmp_path: Path) -> None:
    w = writer(tmp_path, max_size=4000)
    written = [w.write(exchange(n, body=noise(n, 2500))) for n in range(5)]
    files = w.close()
    assert [p.name for p in files] == [
        f"ccdi-20261120T080000Z-{s:05d}.warc.gz" for s in range(len(files))
    ]
    assert len(files) >= 3
    for path in files:
        kinds = [t for t, _, _ in records(path)]
        assert kinds[0] == "warcinfo" and kinds.count("response") >= 1
    named = {w_.record.file for w_ in written}
    assert named == {p.name for p in files}


def test_a_run_killed_mid_write_reads_cleanly_up_to_the_last_complete_record(
    tmp_path: Path,
) -> None:
    w = writer(tmp_path)
    for n in range(5):
        w.write(exchange(n))
    part = tmp_path / "ccdi-20261120T080000Z-00000.warc.gz.part"
    complete = part.read_bytes()
    # Killed while writing the sixth fetch: half of its request's gzip member reached the disk.
    sixth = writer(tmp_path / "other")
    sixth.write(exchange(5))
    (other,) = sixth.close()
    member = members(other.read_bytes())[1]  # after the warcinfo: the request record
    part.write_bytes(complete + member[: len(member) // 2])
    assert scan_members(part).complete == len(complete)

    recovery = recover_warc_part(part)
    assert recovery.damaged is None
    assert recovery.torn_bytes == len(member) // 2
    assert recovery.path == tmp_path / "ccdi-20261120T080000Z-00000.warc.gz"
    assert not part.exists() and recovery.path.read_bytes() == complete
    problems: list[Problem] = []
    read = list(iter_responses([recovery.path], problems))
    assert problems == [] and [r.raw for r in read] == [page(n) for n in range(5)]


def test_a_file_corrupt_before_its_tail_is_left_alone_and_reported(tmp_path: Path) -> None:
    w = writer(tmp_path)
    for n in range(3):
        w.write(exchange(n))
    part = tmp_path / "ccdi-20261120T080000Z-00000.warc.gz.part"
    data = bytearray(part.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 8] = b"\x00garbage"
    part.write_bytes(bytes(data))
    recovery = recover_warc_part(part)
    assert recovery.damaged is not None and recovery.path is None
    assert part.read_bytes() == bytes(data)  # untouched


def test_a_torn_payload_is_reported_by_the_reader_not_dropped(tmp_path: Path) -> None:
    w = writer(tmp_path)
    for n in range(3):
        w.write(exchange(n))
    (path,) = w.close()
    # Rewrite the second response's payload with other bytes of the same length: its digest
    # no longer matches.
    parts = [gzip.decompress(m) for m in members(path.read_bytes())]
    altered = [p.replace("第1号通报".encode(), "第9号通报".encode()) for p in parts]
    assert sum(a != p for a, p in zip(altered, parts, strict=True)) == 1
    path.write_bytes(b"".join(gzip.compress(a) for a in altered))
    problems: list[Problem] = []
    read = list(iter_responses([path], problems))
    assert len(read) == 2
    assert [p.url for p in problems] == [exchange(1).url]
    assert "does not match its digest" in problems[0].detail


def test_a_revisit_without_its_original_is_reported(tmp_path: Path) -> None:
    w = writer(tmp_path)
    first = w.write(exchange(1))
    w.roll()
    w.write(exchange(1), previous=first.record, previous_digest=first.payload_digest)
    first_file, second_file = w.close()
    problems: list[Problem] = []
    assert list(iter_responses([second_file], problems)) == []
    assert "original response is not in the files read" in problems[0].detail
    problems = []
    both = list(iter_responses([first_file, second_file], problems))
    assert problems == [] and both[1].revisit and both[1].payload.file == first_file


def test_ledger_remembers_the_last_capture_of_a_url(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "state.sqlite")
    url = exchange(1).url
    assert ledger.capture(url) is None
    state = CaptureState(
        url, "ccdi", "sha1:AAAA", "<urn:uuid:x>", "f.warc.gz", 12, "2026-11-20T08:00:00Z"
    )
    ledger.save_capture(state)
    assert ledger.capture(url) == state
    assert ledger.counts()["captures"] == 1
