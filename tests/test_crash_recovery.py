"""The durable run file and the recovery of a killed run's `.part` file, tested directly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govcrawler.export.durable import DurableJsonlWriter, free_run_path
from govcrawler.export.recovery import iter_records, recover_part
from govcrawler.item import Article
from govcrawler.state.files import part_path


def make_article(n: int) -> Article:
    return Article(
        id=f"ccdi:{n}",
        site="ccdi",
        site_name="中央纪委国家监委",
        url=f"https://www.ccdi.gov.cn/yaowenn/202603/t20260301_{n}.html",
        column="要闻",
        title=f"第{n}篇",
        published_at="2026-03-01T09:00:00+08:00",
        source=None,
        author=None,
        editor=None,
        body=f"正文{n}",
        fetched_at="2026-11-20T08:00:00Z",
    )


def lines_of(n: int) -> bytes:
    """What the writer puts on disk for articles 1..n: one JSON line each, UTF-8, no escapes."""
    return b"".join(
        json.dumps(make_article(i).to_dict(), ensure_ascii=False).encode() + b"\n"
        for i in range(1, n + 1)
    )


def test_writer_appends_to_part_and_renames_at_close(tmp_path: Path) -> None:
    target = tmp_path / "articles" / "ccdi" / "20261128T000000Z.jsonl"
    writer = DurableJsonlWriter(target)
    writer.write(make_article(1))
    writer.write(make_article(2))
    assert not target.exists()
    assert part_path(target).read_bytes() == lines_of(2)  # on disk before the run closes
    assert writer.close() == target
    assert target.read_bytes() == lines_of(2) and not part_path(target).exists()
    assert writer.records == 2


def test_a_run_that_archives_nothing_leaves_no_file(tmp_path: Path) -> None:
    writer = DurableJsonlWriter(tmp_path / "run.jsonl")
    assert writer.close() is None
    assert list(tmp_path.iterdir()) == []


def test_writer_never_writes_over_an_existing_part_file(tmp_path: Path) -> None:
    target = tmp_path / "run.jsonl"
    part_path(target).write_bytes(b"kept\n")
    with pytest.raises(FileExistsError):
        DurableJsonlWriter(target).write(make_article(1))
    assert part_path(target).read_bytes() == b"kept\n"


def test_free_run_path_avoids_files_and_part_files(tmp_path: Path) -> None:
    pattern = str(tmp_path / "%(name)s" / "%(run_start)s.jsonl")
    first = free_run_path(pattern, {"name": "ccdi"}, "20261128T000000Z")
    assert first == tmp_path / "ccdi" / "20261128T000000Z.jsonl"
    first.parent.mkdir()
    first.write_bytes(b"")
    part_path(tmp_path / "ccdi" / "20261128T000000Z-1.jsonl").write_bytes(b"")
    second = free_run_path(pattern, {"name": "ccdi"}, "20261128T000000Z")
    assert second == tmp_path / "ccdi" / "20261128T000000Z-2.jsonl"


class Reconciled:
    def __init__(self) -> None:
        self.calls: list[tuple[list[dict[str, Any]], Path, bool]] = []

    def __call__(self, records: Iterator[dict[str, Any]], path: Path) -> None:
        self.calls.append((list(records), path, path.exists()))


def test_recovery_cuts_the_torn_line_and_completes_the_file(tmp_path: Path) -> None:
    part = tmp_path / "20261128T000000Z.jsonl.part"
    torn = lines_of(4)[len(lines_of(3)) :][:40]  # a kill in the middle of record 4
    part.write_bytes(lines_of(3) + torn)
    reconcile = Reconciled()
    recovery = recover_part(part, reconcile)
    final = tmp_path / "20261128T000000Z.jsonl"
    assert recovery.path == final and recovery.records == 3
    assert recovery.torn_bytes == len(torn) == 40
    assert final.read_bytes() == lines_of(3) and not part.exists()
    # The ledger was brought up to the records before the file was completed.
    ((records, path, existed),) = reconcile.calls
    assert [r["id"] for r in records] == ["ccdi:1", "ccdi:2", "ccdi:3"]
    assert path == final and existed is False
    assert [r["id"] for r in iter_records(final)] == ["ccdi:1", "ccdi:2", "ccdi:3"]


def test_recovery_removes_a_file_without_one_complete_record(tmp_path: Path) -> None:
    part = tmp_path / "run.jsonl.part"
    part.write_bytes(lines_of(1)[:25])
    recovery = recover_part(part, Reconciled())
    assert recovery.path is None and recovery.records == 0 and recovery.torn_bytes == 25
    assert list(tmp_path.iterdir()) == []


def test_recovery_leaves_a_damaged_file_as_it_is(tmp_path: Path) -> None:
    part = tmp_path / "run.jsonl.part"
    content = lines_of(1) + b'{"id": "ccdi:2", "bo\n' + lines_of(3)[len(lines_of(2)) :]
    part.write_bytes(content)
    reconcile = Reconciled()
    recovery = recover_part(part, reconcile)
    assert recovery.path is None and recovery.damaged is not None
    assert "line 2 is not JSON" in recovery.damaged
    assert part.read_bytes() == content and reconcile.calls == []


def test_recovery_never_replaces_a_completed_file(tmp_path: Path) -> None:
    (tmp_path / "run.jsonl").write_bytes(b"other\n")
    part = tmp_path / "run.jsonl.part"
    part.write_bytes(lines_of(2))
    recovery = recover_part(part)
    assert recovery.path == tmp_path / "run-recovered1.jsonl"
    assert (tmp_path / "run.jsonl").read_bytes() == b"other\n"
    assert recovery.path.read_bytes() == lines_of(2)
