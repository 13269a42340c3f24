"""The atomic feed storage: readers never see a half-written file."""

from __future__ import annotations

from pathlib import Path

from govcrawler.export.storage import AtomicFileFeedStorage


def test_written_under_part_name_then_renamed(tmp_path: Path) -> None:
    target = tmp_path / "articles" / "ccdi" / "run.jsonl"
    storage = AtomicFileFeedStorage(str(target), feed_options={"overwrite": True})
    file = storage.open(None)
    file.write(b'{"id": "ccdi:1"}\n')
    assert not target.exists() and (target.parent / "run.jsonl.part").exists()
    storage.store(file)
    assert target.read_bytes() == b'{"id": "ccdi:1"}\n'
    assert not (target.parent / "run.jsonl.part").exists()


def test_append_keeps_existing_lines(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"old\n")
    storage = AtomicFileFeedStorage(str(target), feed_options={"overwrite": False})
    file = storage.open(None)
    file.write(b"new\n")
    assert target.read_bytes() == b"old\n"  # untouched until the run closes
    storage.store(file)
    assert target.read_bytes() == b"old\nnew\n"
