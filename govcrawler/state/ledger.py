"""The crawl ledger: what the archive already holds, per article and per list page (SQLite, WAL).

One file (`data/state.sqlite` by default), opened once per process. Every lookup is a primary-key
or index probe, so time and memory stay flat at a million articles. Pure data access: the crawl
decisions are in state/rules.py, the Scrapy side in state/site_state.py.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from govcrawler.state.files import fsync_path

#: Schema steps, applied in order; `PRAGMA user_version` counts the steps already run. Extend the
#: ledger by adding a step (e.g. `ALTER TABLE articles ADD payload_digest TEXT` for WARC), never by
#: editing one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,          -- the record id, '<site>:<document id>'
        site TEXT NOT NULL,
        url TEXT NOT NULL,
        col TEXT,                     -- column, title, published_at: the last version's, for
        title TEXT,                   -- tombstones and for people reading the ledger
        published_at TEXT,
        first_seen INTEGER NOT NULL,  -- unix time the first record was durably written
        last_fetched INTEGER NOT NULL,-- unix time of the last answer (200, 304, 404, 410)
        last_status INTEGER NOT NULL,
        etag TEXT,
        last_modified TEXT,
        content_sha256 TEXT NOT NULL, -- of the last archived body (a tombstone keeps it)
        version INTEGER NOT NULL,     -- of the last record written (a tombstone is one)
        removed INTEGER NOT NULL DEFAULT 0,
        file TEXT                     -- the run file holding the last record
    ) WITHOUT ROWID;
    CREATE INDEX articles_recheck ON articles (site, removed, last_fetched);
    CREATE TABLE pending (            -- linked articles not archived yet: retried every run
        id TEXT PRIMARY KEY,
        site TEXT NOT NULL,
        url TEXT NOT NULL,
        col TEXT,
        first_seen INTEGER NOT NULL,
        last_attempt INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        reason TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX pending_site ON pending (site);
    CREATE TABLE list_pages (
        url TEXT PRIMARY KEY,
        site TEXT NOT NULL,
        column_url TEXT NOT NULL,
        page INTEGER NOT NULL,
        last_fetched INTEGER NOT NULL,
        entries INTEGER NOT NULL,
        newest_id TEXT,               -- the page's first (newest) article and the date it shows
        newest_date TEXT
    ) WITHOUT ROWID;
    CREATE TABLE walks (              -- the last walk of a column that reached its end
        site TEXT NOT NULL,
        column_url TEXT NOT NULL,
        completed_at INTEGER NOT NULL,
        pages INTEGER NOT NULL,
        PRIMARY KEY (site, column_url)
    ) WITHOUT ROWID;
    """,
    # 2: WARC captures (archive/warc_middleware.py). `payload_digest`: the WARC payload digest of the
    # article's last 200 answer, so a re-check whose payload is unchanged is no new version even
    # if today's cleaning reads it differently; `captures`: the last capture holding each URL's
    # payload, which an identical payload refers to with a WARC revisit record.
    """
    ALTER TABLE articles ADD payload_digest TEXT;
    CREATE TABLE captures (
        url TEXT PRIMARY KEY,         -- canonical URL (fragment and default port dropped)
        site TEXT NOT NULL,
        payload_digest TEXT NOT NULL, -- WARC-Payload-Digest, e.g. 'sha1:…'
        record_id TEXT NOT NULL,      -- WARC-Record-ID of the response record holding the payload
        warc_file TEXT NOT NULL,      -- its file name (in the WARC folder) and offset
        warc_offset INTEGER NOT NULL,
        warc_date TEXT NOT NULL       -- its WARC-Date
    ) WITHOUT ROWID;
    """,
    # 3: files (spiders/files.py). `files_missing`: how many of the last record's attachments and
    # images were not kept for a passing reason (network error, 5xx …); while it is above 0 the
    # article is fetched again on every run, so those files are tried again.
    """
    ALTER TABLE articles ADD files_missing INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX articles_files_missing ON articles (site) WHERE files_missing > 0;
    """,
)


class LedgerError(RuntimeError):
    """A ledger file this version cannot use (newer schema, not SQLite, no WAL)."""


def _row(state: Any) -> tuple[Any, ...]:
    """A state's fields in order, as SQL parameters: `dataclasses.astuple` without its deep
    copy, which cost more than the INSERT itself (every field here is a str, int or None)."""
    return tuple(getattr(state, f.name) for f in fields(state))


@dataclass(frozen=True)
class ArticleState:
    """What the ledger knows about one archived article (its last record)."""

    id: str
    site: str
    url: str
    column: str | None
    title: str | None
    published_at: str | None
    first_seen: int
    last_fetched: int
    last_status: int
    etag: str | None
    last_modified: str | None
    content_sha256: str
    version: int
    removed: bool
    file: str | None
    payload_digest: str | None = None  # WARC payload digest of the last 200 answer
    files_missing: int = 0  # files of the last record to try again (extraction/files.py)


@dataclass(frozen=True)
class CaptureState:
    """The last WARC response record holding a URL's payload (what a revisit refers to)."""

    url: str
    site: str
    payload_digest: str
    record_id: str
    warc_file: str
    warc_offset: int
    warc_date: str


@dataclass(frozen=True)
class PendingArticle:
    """A linked article that could not be archived yet (blocked, failed, not an article)."""

    id: str
    site: str
    url: str
    column: str | None
    first_seen: int
    last_attempt: int
    attempts: int
    reason: str


@dataclass(frozen=True)
class ListPageState:
    url: str
    site: str
    column_url: str
    page: int
    last_fetched: int
    entries: int
    newest_id: str | None
    newest_date: str | None


_ARTICLE_COLUMNS = (
    "id, site, url, col, title, published_at, first_seen, last_fetched, last_status, etag,"
    " last_modified, content_sha256, version, removed, file, payload_digest, files_missing"
)
_PENDING_COLUMNS = "id, site, url, col, first_seen, last_attempt, attempts, reason"


def _article(row: tuple[object, ...] | None) -> ArticleState | None:
    if row is None:
        return None
    values = list(row)
    values[13] = bool(values[13])
    return ArticleState(*values)  # type: ignore[arg-type]


class Ledger:
    """The ledger file. Writes commit at once unless grouped in `with ledger.transaction():`.

    `durable=True`: every commit is fsynced (`synchronous=FULL`). `durable=False` (a crawl with a
    group commit, state/group_commit.py): commits are atomic and survive a killed process at
    once, but reach the disk with the next `transaction(sync=True)` (the group commit's, at most
    a sync window later) or checkpoint; a power cut in between loses only marks a rerun redoes
    (list pages, pending articles, re-checks), never an archived article's.
    """

    def __init__(self, path: Path | str, *, durable: bool = True) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=60)
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: not a usable ledger ({exc})") from exc
        if str(mode).lower() != "wal":
            raise LedgerError(f"{self.path}: SQLite refused WAL mode (journal_mode={mode})")
        self.durable = durable
        self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        self._depth = 0
        self._migrate()

    def _migrate(self) -> None:
        with self.transaction():
            done = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            if done > len(MIGRATIONS):
                raise LedgerError(
                    f"{self.path}: ledger schema {done} is newer than this govcrawler "
                    f"({len(MIGRATIONS)}); upgrade govcrawler"
                )
            for step in MIGRATIONS[done:]:
                for statement in step.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version={len(MIGRATIONS)}")

    @contextmanager
    def transaction(self, *, sync: bool = False) -> Iterator[None]:
        """One atomic commit for everything inside (nested blocks join the outer one), fsynced
        when the ledger is durable or `sync` asks for it (which also makes every earlier commit
        of this connection durable: they precede it in the write-ahead log)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        switch = sync and not self.durable
        if switch:
            self._db.execute("PRAGMA synchronous=FULL")
        try:
            with self._atomic():
                yield
        finally:
            if switch:
                self._db.execute("PRAGMA synchronous=NORMAL")

    @contextmanager
    def _atomic(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._db.execute("ROLLBACK")
            raise
        self._depth = 0
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()
        if not self.durable:  # the last NORMAL commits: on disk before the run reports done
            wal = self.path.with_name(self.path.name + "-wal")
            with contextlib.suppress(FileNotFoundError):
                fsync_path(wal)

    # ---- articles ------------------------------------------------------------------------------

    def article(self, article_id: str) -> ArticleState | None:
        row = self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return _article(row)

    def save_article(self, state: ArticleState) -> None:
        """Record an article's newest record (after it is durably written); it is no longer pending."""
        values = list(_row(state))
        values[13] = int(state.removed)
        with self.transaction():
            self._db.execute(
                f"INSERT OR REPLACE INTO articles ({_ARTICLE_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            self._db.execute("DELETE FROM pending WHERE id = ?", (state.id,))

    def mark_fetched(
        self,
        article_id: str,
        *,
        at: int,
        status: int,
        etag: str | None = None,
        last_modified: str | None = None,
        payload_digest: str | None = None,
    ) -> None:
        """An answer that changes no record (304, same body, 404 of a removed article)."""
        with self.transaction():
            self._db.execute(
                "UPDATE articles SET last_fetched = ?, last_status = ?,"
                " etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),"
                " payload_digest = COALESCE(?, payload_digest)"
                " WHERE id = ?",
                (at, status, etag, last_modified, payload_digest, article_id),
            )

    def due(self, site: str, *, fetched_before: int, limit: int) -> list[ArticleState]:
        """Up to `limit` live articles of `site` last fetched before `fetched_before`, oldest first."""
        rows = self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE site = ? AND removed = 0"
            " AND last_fetched < ? ORDER BY last_fetched LIMIT ?",
            (site, fetched_before, limit),
        ).fetchall()
        return [a for a in map(_article, rows) if a is not None]

    def files_missing(self, site: str) -> list[ArticleState]:
        """Live articles of `site` whose last record has files to try again, oldest first."""
        rows = self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE site = ? AND files_missing > 0"
            " AND removed = 0 ORDER BY last_fetched",
            (site,),
        ).fetchall()
        return [a for a in map(_article, rows) if a is not None]

    def first_seen(self, article_id: str) -> int | None:
        """When the ledger first heard of the article, archived or pending; None if never."""
        row = self._db.execute(
            "SELECT first_seen FROM articles WHERE id = ?"
            " UNION ALL SELECT first_seen FROM pending WHERE id = ? LIMIT 1",
            (article_id, article_id),
        ).fetchone()
        return None if row is None else int(row[0])

    # ---- pending (not archived yet) ------------------------------------------------------------

    def add_pending(
        self, *, article_id: str, site: str, url: str, column: str | None, reason: str, at: int
    ) -> None:
        with self.transaction():
            self._db.execute(
                f"INSERT INTO pending ({_PENDING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, 1, ?)"
                " ON CONFLICT (id) DO UPDATE SET url = excluded.url, col = excluded.col,"
                " last_attempt = excluded.last_attempt, attempts = attempts + 1,"
                " reason = excluded.reason",
                (article_id, site, url, column, at, at, reason),
            )

    def pending(self, site: str) -> list[PendingArticle]:
        rows = self._db.execute(
            f"SELECT {_PENDING_COLUMNS} FROM pending WHERE site = ? ORDER BY first_seen, id",
            (site,),
        ).fetchall()
        return [PendingArticle(*row) for row in rows]

    # ---- list pages and column walks -----------------------------------------------------------

    def save_list_page(self, state: ListPageState) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO list_pages (url, site, column_url, page, last_fetched,"
                " entries, newest_id, newest_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                _row(state),
            )

    def list_page(self, url: str) -> ListPageState | None:
        row = self._db.execute(
            "SELECT url, site, column_url, page, last_fetched, entries, newest_id, newest_date"
            " FROM list_pages WHERE url = ?",
            (url,),
        ).fetchone()
        return None if row is None else ListPageState(*row)

    def walk_completed_at(self, site: str, column_url: str) -> int | None:
        """When the last walk of this column that reached its end finished, if one did."""
        row = self._db.execute(
            "SELECT completed_at FROM walks WHERE site = ? AND column_url = ?", (site, column_url)
        ).fetchone()
        return None if row is None else int(row[0])

    def save_walk(self, site: str, column_url: str, *, at: int, pages: int) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO walks (site, column_url, completed_at, pages)"
                " VALUES (?, ?, ?, ?)",
                (site, column_url, at, pages),
            )

    # ---- WARC captures -------------------------------------------------------------------------

    def capture(self, url: str) -> CaptureState | None:
        row = self._db.execute(
            "SELECT url, site, payload_digest, record_id, warc_file, warc_offset, warc_date"
            " FROM captures WHERE url = ?",
            (url,),
        ).fetchone()
        return None if row is None else CaptureState(*row)

    def save_capture(self, state: CaptureState) -> None:
        """A response record holding `url`'s payload is durably in a WARC file."""
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO captures (url, site, payload_digest, record_id, warc_file,"
                " warc_offset, warc_date) VALUES (?, ?, ?, ?, ?, ?, ?)",
                _row(state),
            )

    # ---- reporting -----------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per table (a full count: for reports and benchmarks, not for the crawl path)."""
        tables = ("articles", "pending", "list_pages", "walks", "captures")
        return {t: int(self._db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in tables}
