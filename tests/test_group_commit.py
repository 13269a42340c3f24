"""Group commit (state/group_commit.py) and the per-record costs removed from the crawl path:
files synced once per window in rank order, ledger marks only after the sync, a failed sync
fails its marks; the run file's lines reach the OS only at the sync; the compiled schema check
agrees with jsonschema; Scrapy's generator check, turned off per response, holds for our
callbacks."""

from __future__ import annotations

import copy
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.utils.misc import is_generator_with_return_value

from govcrawler.export.durable import DurableJsonlWriter
from govcrawler.export.pipelines import _validator, schema_errors
from govcrawler.item import Tombstone
from govcrawler.spiders.site_spider import SiteSpider
from govcrawler.state.group_commit import RUN_FILE_RANK, WARC_RANK, GroupCommit
from govcrawler.state.ledger import Ledger
from tests.test_crash_recovery import make_article


class FakeFile:
    def __init__(self, name: str, log: list[str], fail: bool = False) -> None:
        self.name, self.log, self.fail = name, log, fail

    def sync(self) -> None:
        self.log.append(f"sync {self.name}")
        if self.fail:
            raise OSError("disk full")

    def discard(self) -> None:
        self.log.append(f"discard {self.name}")


class FakeTimers:
    def __init__(self) -> None:
        self.calls: list[tuple[float, Callable[[], None]]] = []

    def __call__(self, delay: float, func: Callable[[], None]) -> Any:
        self.calls.append((delay, func))
        timers = self

        class Handle:
            def cancel(self) -> None:
                timers.calls = [c for c in timers.calls if c[1] is not func]

        return Handle()

    def fire(self) -> None:
        calls, self.calls = self.calls, []
        for _, func in calls:
            func()


def test_marks_run_after_every_file_is_synced_in_rank_order_once_per_window() -> None:
    log: list[str] = []
    timers = FakeTimers()
    commit = GroupCommit(0.05, schedule=timers)
    commit.register(FakeFile("jsonl", log), RUN_FILE_RANK)
    commit.register(FakeFile("warc", log), WARC_RANK)
    for n in range(3):
        commit.after_sync(lambda n=n: log.append(f"mark {n}"))
    assert log == []  # nothing synced, nothing marked yet
    assert [delay for delay, _ in timers.calls] == [0.05]  # one timer for the window
    timers.fire()
    assert log == ["sync warc", "sync jsonl", "mark 0", "mark 1", "mark 2"]
    commit.after_sync(lambda: log.append("mark 3"))
    commit.flush()  # at close: at once, and the timer is cancelled
    assert log[-3:] == ["sync warc", "sync jsonl", "mark 3"] and timers.calls == []


def test_a_failed_sync_fails_the_windows_marks_and_discards_unsynced_lines() -> None:
    log: list[str] = []
    commit = GroupCommit(0.05, schedule=FakeTimers())
    commit.register(FakeFile("warc", log, fail=True), WARC_RANK)
    commit.register(FakeFile("jsonl", log), RUN_FILE_RANK)
    commit.after_sync(lambda: log.append("archived"), lambda: log.append("pending"))
    commit.flush()
    assert log == ["sync warc", "discard warc", "discard jsonl", "pending"]
    assert commit.failures == 1


def test_window_zero_syncs_every_mark_at_once() -> None:
    log: list[str] = []
    commit = GroupCommit(0)
    commit.register(FakeFile("jsonl", log), RUN_FILE_RANK)
    commit.after_sync(lambda: log.append("mark"))
    assert log == ["sync jsonl", "mark"]


def test_marks_run_in_one_ledger_transaction_that_is_fsynced(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "state.sqlite", durable=False)
    commit = GroupCommit(0.05, transaction=lambda: ledger.transaction(sync=True))
    seen: list[bool] = []
    commit.after_sync(lambda: seen.append(ledger._depth == 1))
    commit.after_sync(lambda: seen.append(ledger._depth == 1))
    commit.flush()
    assert seen == [True, True]
    # the connection is back to NORMAL after the FULL commit
    assert ledger._db.execute("PRAGMA synchronous").fetchone()[0] == 1


def test_run_file_lines_reach_the_file_only_at_sync(tmp_path: Path) -> None:
    writer = DurableJsonlWriter(tmp_path / "run.jsonl")
    writer.append(make_article(1))
    writer.append(make_article(2))
    assert not writer.part.exists() and writer.records == 0
    writer.sync()
    lines = writer.part.read_bytes().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["ccdi:1", "ccdi:2"]
    assert writer.records == 2
    writer.append(make_article(3))
    writer.discard()  # a failed sync elsewhere: never written
    assert writer.close() == tmp_path / "run.jsonl"
    assert len((tmp_path / "run.jsonl").read_bytes().splitlines()) == 2


# ---- the compiled schema check agrees with jsonschema --------------------------------------

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.text(max_size=5),
    st.sampled_from(["zh-Hant", "profile", "https://x.cn/a", "2026-03-01", "ccdi:1", "sha1:AB"]),
    st.lists(st.dictionaries(st.sampled_from(["url", "title", "caption"]), st.text(max_size=3))),
)


@settings(max_examples=150, deadline=None)
@given(
    removed=st.booleans(),
    changes=st.lists(st.tuples(st.integers(0, 40), VALUES), max_size=3),
    drop=st.lists(st.integers(0, 40), max_size=2),
)
def test_compiled_schema_check_agrees_with_jsonschema(
    removed: bool, changes: list[tuple[int, Any]], drop: list[int]
) -> None:
    record = copy.deepcopy((tombstone() if removed else make_article(7)).to_dict())
    keys = sorted(record)
    for index, value in changes:
        record[keys[index % len(keys)]] = value
    for index in drop:
        record.pop(keys[index % len(keys)], None)
    reference = list(_validator().iter_errors(record))
    assert (schema_errors(record) == []) == (reference == [])


def tombstone() -> Tombstone:
    article = make_article(7)
    return Tombstone(
        id=article.id,
        site=article.site,
        site_name=article.site_name,
        url=article.url,
        column=article.column,
        title=article.title,
        published_at=article.published_at,
        fetched_at=article.fetched_at,
        http_status=404,
        version=2,
        supersedes=article.content_sha256,
    )


def test_a_valid_record_of_each_kind_passes_and_a_broken_one_is_worded() -> None:
    assert schema_errors(make_article(1).to_dict()) == []
    assert schema_errors(tombstone().to_dict()) == []
    broken = tombstone().to_dict() | {"http_status": 200}
    assert schema_errors(broken) == ["http_status: 200 is not one of [404, 410]"]


# ---- Scrapy's per-response generator check, done once here ---------------------------------


@pytest.mark.parametrize(
    "name", [n for n, f in inspect.getmembers(SiteSpider) if inspect.isgeneratorfunction(f)]
)
def test_no_spider_callback_is_a_generator_with_a_return_value(name: str) -> None:
    assert not is_generator_with_return_value(getattr(SiteSpider, name))
