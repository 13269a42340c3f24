"""The crawl ledger (SQLite), the incremental rules and the run lock, tested directly."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from govcrawler.state.ledger import (
    MIGRATIONS,
    ArticleState,
    Ledger,
    LedgerError,
    ListPageState,
)
from govcrawler.state.locks import FileLock, LockHeld
from govcrawler.state.rules import (
    DAY,
    conditional_headers,
    page_is_covered,
    recheck_due,
    version_of,
)

HASH_A, HASH_B = "a" * 64, "b" * 64


def article(aid: str = "ccdi:1", **changes: object) -> ArticleState:
    site, number = aid.split(":")
    base = ArticleState(
        id=aid,
        site=site,
        url=f"https://www.ccdi.gov.cn/a/t20260101_{number}.html",
        column="要闻",
        title="标题",
        published_at="2026-01-01T09:00:00+08:00",
        first_seen=1_000,
        last_fetched=1_000,
        last_status=200,
        etag=None,
        last_modified=None,
        content_sha256=HASH_A,
        version=1,
        removed=False,
        file="articles/ccdi/run.jsonl",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "state.sqlite")


def test_ledger_file_is_wal_and_migrated_once(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.sqlite"
    Ledger(path).save_article(article())
    again = Ledger(path)  # reopening keeps the rows and runs no migration twice
    assert again.article("ccdi:1") == article()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_newer_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    Ledger(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    raw.close()
    with pytest.raises(LedgerError, match="newer than this govcrawler"):
        Ledger(path)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    path.write_bytes(b"not a database, just text " * 100)
    with pytest.raises(LedgerError, match="not a usable ledger"):
        Ledger(path)


def test_save_replaces_the_article_and_clears_it_from_pending(ledger: Ledger) -> None:
    ledger.add_pending(
        article_id="ccdi:1", site="ccdi", url="https://x/1", column=None, reason="captcha", at=5
    )
    ledger.add_pending(
        article_id="ccdi:1", site="ccdi", url="https://x/1", column=None, reason="http_500", at=9
    )
    (pending,) = ledger.pending("ccdi")
    assert (pending.attempts, pending.first_seen, pending.last_attempt) == (2, 5, 9)
    assert pending.reason == "http_500"
    assert ledger.first_seen("ccdi:1") == 5  # known to the ledger while pending

    ledger.save_article(article())
    ledger.save_article(article(version=2, content_sha256=HASH_B))
    assert ledger.pending("ccdi") == []
    assert ledger.article("ccdi:1") == article(version=2, content_sha256=HASH_B)
    assert ledger.first_seen("ccdi:1") == 1_000
    assert ledger.first_seen("ccdi:2") is None and ledger.article("ccdi:2") is None


def test_mark_fetched_keeps_validators_it_is_not_given(ledger: Ledger) -> None:
    ledger.save_article(article(etag='"v1"', last_modified="Fri, 20 Nov 2026 08:00:00 GMT"))
    ledger.mark_fetched("ccdi:1", at=2_000, status=304)
    got = ledger.article("ccdi:1")
    assert got is not None
    assert (got.last_fetched, got.last_status, got.etag) == (2_000, 304, '"v1"')
    ledger.mark_fetched("ccdi:1", at=3_000, status=200, etag='"v2"')
    got = ledger.article("ccdi:1")
    assert got is not None and got.etag == '"v2"'
    assert got.last_modified == "Fri, 20 Nov 2026 08:00:00 GMT"


def test_due_lists_live_articles_of_one_site_oldest_first(ledger: Ledger) -> None:
    with ledger.transaction():
        for n, fetched in enumerate((500, 100, 300, 900), start=1):
            ledger.save_article(article(f"ccdi:{n}", last_fetched=fetched))
        ledger.save_article(article("ccdi:9", last_fetched=50, removed=True))
        ledger.save_article(article("anhui:1", last_fetched=10))
    due = ledger.due("ccdi", fetched_before=600, limit=10)
    assert [a.id for a in due] == ["ccdi:2", "ccdi:3", "ccdi:1"]
    assert [a.id for a in ledger.due("ccdi", fetched_before=600, limit=2)] == ["ccdi:2", "ccdi:3"]


def test_a_failed_transaction_writes_nothing(ledger: Ledger) -> None:
    with pytest.raises(RuntimeError), ledger.transaction():
        ledger.save_article(article("ccdi:1"))
        with ledger.transaction():  # a nested block joins the outer one
            ledger.save_article(article("ccdi:2"))
        raise RuntimeError("interrupted")
    assert ledger.article("ccdi:1") is None and ledger.article("ccdi:2") is None
    ledger.save_article(article("ccdi:3"))  # usable afterwards
    assert ledger.counts()["articles"] == 1


def test_list_pages_and_walks(ledger: Ledger) -> None:
    page = ListPageState(
        url="https://www.ccdi.gov.cn/yaowenn/index_1.html",
        site="ccdi",
        column_url="https://www.ccdi.gov.cn/yaowenn/index.html",
        page=2,
        last_fetched=1_234,
        entries=15,
        newest_id="ccdi:470214",
        newest_date="2026-03-11",
    )
    ledger.save_list_page(page)
    assert ledger.list_page(page.url) == page
    assert ledger.walk_completed_at("ccdi", page.column_url) is None
    ledger.save_walk("ccdi", page.column_url, at=5_000, pages=2)
    assert ledger.walk_completed_at("ccdi", page.column_url) == 5_000
    assert ledger.walk_completed_at("anhui", page.column_url) is None


# ---- rules --------------------------------------------------------------------------------------


def test_recheck_is_due_after_the_configured_days() -> None:
    assert not recheck_due(0, 30 * DAY - 1, 30)
    assert recheck_due(0, 30 * DAY, 30)
    assert recheck_due(100, 100, 0)  # 0 days: every run


def test_conditional_headers_carry_the_sites_validators() -> None:
    assert conditional_headers(None, None) == {}
    assert conditional_headers('"x"', "Fri, 20 Nov 2026 08:00:00 GMT") == {
        "If-None-Match": '"x"',
        "If-Modified-Since": "Fri, 20 Nov 2026 08:00:00 GMT",
    }


def test_versions() -> None:
    v = version_of(None, HASH_A)
    assert (v.outcome, v.version, v.supersedes) == ("new", 1, None)
    same = version_of(article(version=3), HASH_A)
    assert (same.outcome, same.version) == ("unchanged", 3)
    changed = version_of(article(version=3), HASH_B)
    assert (changed.outcome, changed.version, changed.supersedes) == ("changed", 4, HASH_A)
    restored = version_of(article(version=4, removed=True), HASH_A)  # back after a tombstone
    assert (restored.outcome, restored.version, restored.supersedes) == ("changed", 5, HASH_A)


@pytest.mark.parametrize(
    ("first_seen", "walk", "covered"),
    [
        ([100, 200], None, False),  # no walk ever reached the end
        ([], 500, False),  # an empty page proves nothing
        ([100, None], 500, False),  # an article the ledger has never heard of
        ([100, 600], 500, False),  # one first seen after the last complete walk
        ([100, 500], 500, True),
    ],
)
def test_page_is_covered(first_seen: list[int | None], walk: int | None, covered: bool) -> None:
    assert page_is_covered(first_seen, walk) is covered


# ---- lock ---------------------------------------------------------------------------------------


def test_lock_is_exclusive_and_names_its_holder(tmp_path: Path) -> None:
    path = tmp_path / "locks" / "crawl.lock"
    holder = f"held by another run \\(pid {os.getpid()} since"
    with FileLock(path), pytest.raises(LockHeld, match=holder):
        FileLock(path).acquire()
    with FileLock(path) as again:  # released on exit
        assert again.held


def test_lock_of_a_killed_process_is_free(tmp_path: Path) -> None:
    path = tmp_path / "crawl.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from govcrawler.state.locks import FileLock;"
            f" FileLock(Path({str(path)!r})).acquire(); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with pytest.raises(LockHeld):
        FileLock(path).acquire()
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with FileLock(path) as lock:
        assert lock.held
