"""The search index: a SQLite file (FTS5) kept beside the archive, updated from new run files.

Run files are immutable once renamed from `.part`, so the index is incremental by file: a new
file is added; a changed or vanished file triggers a full rebuild (rare, and said on stderr).
Tables:
- `records`: one row per archive line that is a record, with its file/offset (the JSONL stays the
  record of truth), filter fields and the version flags `latest`, `current`, `gone`;
- `tri`: trigram FTS5 over the folded title, body and attachment text (the text of the PDF and
  Word files the record's `attachments[]` carry), for terms of 3+ characters;
- `grams`: the distinct unigram+bigram tokens of the folded title and attachment text (each
  marked) and body, for 1–2 character terms (a token list per record, no positions: small);
- `files`, `bad_lines`: what was read, and every malformed line with file and line number.
Both FTS tables are contentless: the index holds no copy of the text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcrawler.query.records import ArchiveFile, archive_files, locate, read_lines
from govcrawler.query.text import FILES_MARK, TITLE_MARK, attachment_text, fold, grams

FORMAT = "4"  # bump when the tables change: an old index is rebuilt

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(file_id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, size INTEGER,
                   mtime_ns INTEGER, records INTEGER, bad INTEGER);
CREATE TABLE bad_lines(file_id INTEGER, line INTEGER, error TEXT);
CREATE TABLE records(
    rowid INTEGER PRIMARY KEY, file_id INTEGER, line INTEGER, offset INTEGER, length INTEGER,
    id TEXT NOT NULL, site TEXT, col TEXT, published_at TEXT, fetched_at TEXT, version INTEGER,
    removed INTEGER NOT NULL, latest INTEGER NOT NULL DEFAULT 0,
    current INTEGER NOT NULL DEFAULT 0, gone INTEGER NOT NULL DEFAULT 0, versions INTEGER);
CREATE INDEX records_id ON records(id);
CREATE INDEX records_latest ON records(latest, published_at);
CREATE INDEX records_site ON records(site, latest, published_at);
CREATE VIRTUAL TABLE tri USING fts5(title, body, files, tokenize='trigram', content='');
CREATE VIRTUAL TABLE grams USING fts5(tokens, tokenize='unicode61 remove_diacritics 0',
                                      content='', detail='none');
"""

#: The latest-version rule: highest `version`; records without one (before versioning existed)
#: rank below any versioned record and among themselves by `fetched_at`; then the later line.
RANK_ORDER = "COALESCE(version, 0) DESC, COALESCE(fetched_at, '') DESC, rowid DESC"


@dataclass(frozen=True)
class BadLine:
    """A malformed archive line, skipped: where it is and why."""

    path: str
    line: int
    error: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.error}"


@dataclass
class Refresh:
    """What one index update did."""

    rebuilt: str | None = None  # why the whole index was rebuilt, if it was
    files: int = 0
    records: int = 0
    bad: list[BadLine] | None = None


def default_index(folder: Path) -> Path:
    """The default index file of `folder`: a crawl's data folder or a folder of JSONL files
    (records.locate)."""
    return locate(folder)[1]


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the index file."""
    try:
        conn = sqlite3.connect(path, timeout=60, isolation_level=None)
    except sqlite3.OperationalError as exc:
        raise ValueError(
            f"cannot open the index {path}: {exc} (choose another with --index)"
        ) from exc
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-65536")  # 64 MiB
    return conn


@contextmanager
def _write(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction; BEGIN IMMEDIATE so two updating processes take turns."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _create(conn: sqlite3.Connection) -> None:
    for name in ("tri", "grams", "records", "bad_lines", "files", "meta"):
        conn.execute(f"DROP TABLE IF EXISTS {name}")
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))


#: With more new bytes than this, reading/folding runs in a second process while this one
#: writes SQLite (the two halves of indexing take about as long each).
PARALLEL_FROM_BYTES = 32 * 2**20


def refresh(
    conn: sqlite3.Connection,
    data: Path,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Refresh:
    """Bring the index up to date with the `*.jsonl` files under `data`.

    Each new file is added in its own transaction (records, text, version flags together), so
    an interrupted build keeps what it finished and the next call adds the rest; two processes
    updating at once take turns file by file. `progress(done, total)` is called per file.
    """
    on_disk = archive_files(data)
    result = Refresh(bad=[])
    with _write(conn):
        reason = "asked for" if rebuild else _stale(conn, on_disk)
        if reason:
            _create(conn)
            result.rebuilt = reason
    known = {r[0] for r in conn.execute("SELECT path FROM files")}
    new = [f for f in on_disk if f.relpath not in known]
    for done, (archive_file, prepared) in enumerate(_prepared(data, new), start=1):
        with _write(conn):
            if conn.execute(
                "SELECT 1 FROM files WHERE path = ?", (archive_file.relpath,)
            ).fetchone():
                continue  # another process added it meanwhile
            before = conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM records").fetchone()[0]
            _store(conn, archive_file, prepared)
            _update_versions(conn, before)
        result.files += 1
        result.records += len(prepared.rows)
        result.bad = [*(result.bad or []), *prepared.bad]
        if progress:
            progress(done, len(new))
    if result.files:
        conn.execute("PRAGMA optimize")  # table statistics for the query planner
    return result


def _prepared(data: Path, files: list[ArchiveFile]) -> Iterator[tuple[ArchiveFile, Prepared]]:
    """Each file with its prepared rows, in order; read ahead by one in a worker process."""
    if sum(f.size for f in files) <= PARALLEL_FROM_BYTES:
        for f in files:
            yield f, prepare_file(data, f.relpath)
        return
    with ProcessPoolExecutor(max_workers=1) as pool:
        ahead = [pool.submit(prepare_file, data, f.relpath) for f in files[:2]]
        for i, f in enumerate(files):
            prepared = ahead.pop(0).result()
            if i + 2 < len(files):
                ahead.append(pool.submit(prepare_file, data, files[i + 2].relpath))
            yield f, prepared


def _stale(conn: sqlite3.Connection, on_disk: list[ArchiveFile]) -> str | None:
    """Why the index must be rebuilt, or None when adding new files is enough."""
    if "meta" not in _tables(conn):
        return "new index"
    fmt = conn.execute("SELECT value FROM meta WHERE key='format'").fetchone()
    if not fmt or fmt[0] != FORMAT:
        return "index format changed"
    disk = {f.relpath: f for f in on_disk}
    for path, size, mtime_ns in conn.execute("SELECT path, size, mtime_ns FROM files"):
        now = disk.get(path)
        if now is None:
            return f"{path} is gone"
        if (now.size, now.mtime_ns) != (size, mtime_ns):
            return f"{path} changed"
    return None


@dataclass
class Prepared:
    """One archive file made ready for the index: record rows, search texts, bad lines."""

    rows: list[tuple[object, ...]]
    texts: list[tuple[str, str, str, str]]  # folded title, body, attachment text; gram tokens
    bad: list[BadLine]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _is_version(value: object) -> bool:
    """An integer SQLite can hold (a bool, a string or a float is no version)."""
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def prepare_file(data: Path, relpath: str) -> Prepared:
    """Read, parse and fold one run file (pure: runs in a worker process for big updates)."""
    out = Prepared([], [], [])
    for line in read_lines(data / relpath):
        rec = line.record
        if rec is None:
            out.bad.append(BadLine(relpath, line.number, line.error or "unreadable"))
            continue
        version = rec.get("version")
        column = _text(rec.get("column"))
        out.rows.append(
            (
                line.number,
                line.offset,
                line.length,
                rec["id"],
                _text(rec.get("site")) or rec["id"].split(":", 1)[0],
                fold(column) if column else None,
                _text(rec.get("published_at")),
                _text(rec.get("fetched_at")),
                version if _is_version(version) else None,
                1 if rec.get("removed") is True else 0,
            )
        )
        title, body = fold(_text(rec.get("title")) or ""), fold(_text(rec.get("body")) or "")
        files = fold(attachment_text(rec))
        tokens = " ".join((grams(title, TITLE_MARK), grams(body), grams(files, FILES_MARK)))
        out.texts.append((title, body, files, tokens))
    return out


def _store(conn: sqlite3.Connection, f: ArchiveFile, prepared: Prepared) -> None:
    """Insert one prepared file: its `files` row, records, both FTS tables, bad lines."""
    file_id = conn.execute(
        "INSERT INTO files(path, size, mtime_ns, records, bad) VALUES (?, ?, ?, ?, ?)",
        (f.relpath, f.size, f.mtime_ns, len(prepared.rows), len(prepared.bad)),
    ).lastrowid
    conn.executemany(
        "INSERT INTO bad_lines VALUES (?, ?, ?)", ((file_id, b.line, b.error) for b in prepared.bad)
    )
    if not prepared.rows:
        return
    first = conn.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM records").fetchone()[0]
    conn.executemany(
        "INSERT INTO records(file_id, line, offset, length, id, site, col, published_at,"
        " fetched_at, version, removed) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        ((file_id, *row) for row in prepared.rows),
    )
    conn.executemany(
        "INSERT INTO tri(rowid, title, body, files) VALUES (?, ?, ?, ?)",
        ((first + i, t[0], t[1], t[2]) for i, t in enumerate(prepared.texts)),
    )
    conn.executemany(
        "INSERT INTO grams(rowid, tokens) VALUES (?, ?)",
        ((first + i, t[3]) for i, t in enumerate(prepared.texts)),
    )
    last = conn.execute("SELECT MAX(rowid) FROM records").fetchone()[0]
    assert last == first + len(prepared.rows) - 1, "records and text rows out of step"


def _update_versions(conn: sqlite3.Connection, before: int) -> None:
    """Recompute latest/current/gone for every id that got a new record (rowid > before).

    latest: the id's newest record (RANK_ORDER), tombstone or not; current: its newest record
    that is not a tombstone, which also carries `gone` (the latest record is a tombstone: the
    article was removed) and `versions` (how many text versions the id has).
    """
    # Created once per connection and emptied: creating a table per file costs a schema reload.
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS touched(id TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("DELETE FROM temp.touched")
    conn.execute("INSERT OR IGNORE INTO touched SELECT id FROM records WHERE rowid > ?", (before,))
    conn.execute(
        "UPDATE records SET latest=0, current=0, gone=0, versions=NULL"
        " WHERE id IN (SELECT id FROM touched)"
    )
    for flag, only in (("latest", ""), ("current", "AND removed = 0")):
        conn.execute(
            f"UPDATE records SET {flag}=1 WHERE rowid IN (SELECT r FROM ("
            f" SELECT rowid AS r, row_number() OVER (PARTITION BY id ORDER BY {RANK_ORDER}) AS n"
            f" FROM records WHERE id IN (SELECT id FROM touched) {only}) WHERE n = 1)"
        )
    conn.execute(
        "UPDATE records SET gone = EXISTS (SELECT 1 FROM records l WHERE l.id = records.id"
        " AND l.latest = 1 AND l.removed = 1), versions = (SELECT COUNT(*) FROM records v"
        " WHERE v.id = records.id AND v.removed = 0)"
        " WHERE current = 1 AND id IN (SELECT id FROM touched)"
    )


def bad_lines(conn: sqlite3.Connection) -> list[BadLine]:
    """Every malformed line the index skipped, in file and line order."""
    return [
        BadLine(path, line, error)
        for path, line, error in conn.execute(
            "SELECT f.path, b.line, b.error FROM bad_lines b JOIN files f USING (file_id)"
            " ORDER BY f.path, b.line"
        )
    ]


def file_paths(conn: sqlite3.Connection) -> dict[int, str]:
    return dict(conn.execute("SELECT file_id, path FROM files"))


def indexed_sites(conn: sqlite3.Connection) -> set[str]:
    """Every site key the indexed records carry."""
    return {row[0] for row in conn.execute("SELECT DISTINCT site FROM records")}


def size(conn: sqlite3.Connection) -> tuple[int, int]:
    """(archive files, records) the index holds."""
    files, records = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(records), 0) FROM files"
    ).fetchone()
    return int(files), int(records)
