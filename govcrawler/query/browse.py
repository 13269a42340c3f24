"""The browsing database: the archive as plain SQLite tables for Datasette (`govcrawler serve`).

A sibling of the search index (query/index.py), kept beside it and built from it:
- `articles`: one row per article id, its current text (latest version that is not a removal),
  with the number of text versions and whether the site has since removed it;
- `versions`: one row per archive line (every text version and every removal record);
- `sites`: one row per site profile (name, home page, source note), which `site` columns refer to;
- `cases`: the case rows of each article's current text (govcrawler.extraction.cases, issue 16),
  and `persons`: one timeline per person across articles and sites (its merge_rows).

Unlike the index, these tables hold the text (Datasette shows and exports it). Search is not
copied: the Datasette plugin (query/browse_plugin.py) answers `_search` from the index's FTS
tables, exactly as `govcrawler query` does. The index decides what is new and which record is
an article's current one; the browsing database follows it file by file (run files are
immutable), and is rebuilt when a file it holds changed or vanished, or its format changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcrawler.extraction.cases import CaseRow, Person, Stage, extract_cases
from govcrawler.extraction.cases.merge import merge_rows
from govcrawler.query.browse_metadata import site_rows
from govcrawler.query.records import read_lines
from govcrawler.sites import all_profiles

FORMAT = "1"  # bump when the tables change: an old browsing database is rebuilt

BROWSE_IN_DATA = "browse.sqlite"  # beside the index in a crawl's data folder
BROWSE_IN_FOLDER = ".browse.sqlite"  # inside a bare folder of JSONL files

#: A case extractor: an article record → its case rows (extract_cases; tests pass their own).
CaseExtractor = Callable[[Mapping[str, Any]], Iterable[CaseRow]]

#: Columns of the `cases` table: the case row's fields, in order (lists and stages as JSON).
CASE_COLUMNS = tuple(f.name for f in dataclasses.fields(CaseRow))
#: Columns of the `persons` table: the merged person's fields (lists as JSON). Not keyed on
#: person_id: merge_rows gives two people of one name without a position the same id.
PERSON_COLUMNS = tuple(f.name for f in dataclasses.fields(Person) if f.name != "schema_version")

#: Fields of a version row taken from the record as they are (text or null).
_RECORD_FIELDS = (
    "title",
    "published_at",
    "fetched_at",
    "column",
    "url",
    "source",
    "author",
    "editor",
    "body",
    "content_sha256",
    "warc_file",
    "warc_record_id",
)

_SCHEMA = """
CREATE TABLE browse_meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE browse_files(path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER);
CREATE TABLE sites(site TEXT PRIMARY KEY, site_name TEXT, site_name_en TEXT, home TEXT,
                   note TEXT);
CREATE TABLE versions(
    id TEXT NOT NULL, version INTEGER, removed INTEGER NOT NULL,
    site TEXT REFERENCES sites(site), site_name TEXT, title TEXT, published_at TEXT,
    fetched_at TEXT, "column" TEXT, url TEXT, source TEXT, author TEXT, editor TEXT, body TEXT,
    content_sha256 TEXT, warc_file TEXT, warc_record_id TEXT,
    archive_file TEXT NOT NULL, archive_line INTEGER NOT NULL,
    UNIQUE(archive_file, archive_line));
CREATE INDEX versions_id ON versions(id);
CREATE INDEX versions_fetched ON versions(fetched_at);
CREATE TABLE articles(
    id TEXT PRIMARY KEY, title TEXT, site TEXT REFERENCES sites(site), site_name TEXT,
    "column" TEXT, published_at TEXT, month TEXT, source TEXT, author TEXT, url TEXT, body TEXT,
    versions INTEGER, version INTEGER, removed INTEGER NOT NULL, removed_at TEXT,
    first_fetched_at TEXT, fetched_at TEXT, warc_file TEXT, warc_record_id TEXT,
    archive_file TEXT, archive_line INTEGER);
CREATE INDEX articles_published ON articles(published_at);
CREATE INDEX articles_site ON articles(site, published_at);
CREATE INDEX articles_column ON articles("column");
CREATE INDEX articles_month ON articles(month);
CREATE INDEX articles_first_fetched ON articles(first_fetched_at);
"""

_REFERENCES = {"article_id": " REFERENCES articles(id)", "site": " REFERENCES sites(site)"}
_CASES_SCHEMA = f"""
CREATE TABLE cases({", ".join(c + _REFERENCES.get(c, "") for c in CASE_COLUMNS)});
CREATE INDEX cases_article ON cases(article_id);
CREATE INDEX cases_published ON cases(published_at);
CREATE TABLE persons({", ".join(PERSON_COLUMNS)});
CREATE INDEX persons_person ON persons(person_id);
CREATE INDEX persons_name ON persons(name);
CREATE INDEX cases_name ON cases(name);
"""

_TABLES = ("persons", "cases", "articles", "versions", "sites", "browse_files", "browse_meta")


def default_browse(index: Path) -> Path:
    """The browsing database beside the index: browse.sqlite beside query-index.sqlite in a
    crawl's data folder, a hidden .browse.sqlite beside a hidden index."""
    return index.with_name(BROWSE_IN_FOLDER if index.name.startswith(".") else BROWSE_IN_DATA)


@dataclass
class BrowseSync:
    """What one update of the browsing database did."""

    rebuilt: str | None = None  # why everything was rebuilt, if it was
    files: int = 0
    versions: int = 0
    cases: bool = False  # the cases and persons tables are filled (an extractor was given)
    skipped: tuple[str, ...] = ()  # files that changed since the index read them: next time


def update(articles: Path, index: Path) -> tuple[Path, BrowseSync, int]:
    """Bring the browsing database beside the (already refreshed) `index` up to date, with every
    site profile and the case rows; returns its path, what was done, and how many
    articles it holds."""
    path = default_browse(index)
    conn = connect(path, index)
    try:
        result = sync(conn, articles, site_rows(all_profiles()), extract_cases)
        count = int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    finally:
        conn.close()
    return path, result, count


def _extractor_key(extractor: CaseExtractor | None) -> str:
    """What identifies the case extractor: its name and a digest of the source files of its
    package, so that changed case rules recompute the cases table."""
    if extractor is None:
        return ""
    module = getattr(extractor, "__module__", "?")
    name = f"{module}.{getattr(extractor, '__qualname__', '?')}"
    source = getattr(sys.modules.get(module), "__file__", None)
    digest = hashlib.sha256()
    for path in sorted(Path(source).parent.glob("*.py")) if source else ():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{name} {digest.hexdigest()[:16]}"


def connect(path: Path, index: Path) -> sqlite3.Connection:
    """Open (creating if needed) the browsing database, with the index attached read-only as
    `idx`."""
    try:
        conn = sqlite3.connect(path.resolve().as_uri(), uri=True, timeout=60, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as exc:
        raise ValueError(f"cannot open the browsing database {path}: {exc}") from exc
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("ATTACH DATABASE ? AS idx", (index.resolve().as_uri() + "?mode=ro",))
    return conn


def sync(
    conn: sqlite3.Connection,
    articles: Path,
    sites: Iterable[tuple[str, str, str, str, str]] = (),
    extractor: CaseExtractor | None = None,
) -> BrowseSync:
    """Bring the browsing database up to date with the (already refreshed) index attached as
    `idx`, reading records from the JSONL files under `articles`.

    `sites` rows are (site, name, English name, home page, source note). Each new archive file
    is added in its own transaction, with the article rows of every id it touches.
    """
    result = BrowseSync(cases=extractor is not None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        key = _extractor_key(extractor)
        reason = _stale(conn, key)
        if reason:
            _create(conn, key, extractor is not None)
            result.rebuilt = reason
        conn.execute("DELETE FROM sites")
        conn.executemany("INSERT INTO sites VALUES (?, ?, ?, ?, ?)", sites)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    new = conn.execute(
        "SELECT file_id, path, size, mtime_ns FROM idx.files"
        " WHERE path NOT IN (SELECT path FROM browse_files) ORDER BY path"
    ).fetchall()
    skipped = []
    for file_id, relpath, size, mtime_ns in new:
        path = articles / relpath
        st = path.stat() if path.is_file() else None
        if st is None or (st.st_size, st.st_mtime_ns) != (size, mtime_ns):
            skipped.append(relpath)
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            result.versions += _add_file(conn, articles, relpath, size, mtime_ns)
            _update_articles(conn, articles, file_id, extractor)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        result.files += 1
    result.skipped = tuple(skipped)
    if result.files and extractor is not None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _update_persons(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    if result.files:
        conn.execute("PRAGMA optimize")
    return result


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM main.sqlite_master WHERE type='table'")}


def _stale(conn: sqlite3.Connection, extractor: str) -> str | None:
    """Why the browsing database must be rebuilt, or None when adding new files is enough."""
    if "browse_meta" not in _tables(conn):
        return "new browsing database"
    meta = dict(conn.execute("SELECT key, value FROM browse_meta"))
    if meta.get("format") != FORMAT:
        return "format changed"
    if meta.get("cases", "") != extractor:
        return "case extractor changed"
    changed = conn.execute(
        "SELECT b.path FROM browse_files b LEFT JOIN idx.files f ON f.path = b.path"
        " WHERE f.path IS NULL OR f.size != b.size OR f.mtime_ns != b.mtime_ns LIMIT 1"
    ).fetchone()
    if changed:
        return f"{changed[0]} changed or is gone"
    return None


def _create(conn: sqlite3.Connection, extractor: str, with_cases: bool) -> None:
    for name in _TABLES:
        conn.execute(f"DROP TABLE IF EXISTS main.{name}")
    schema = _SCHEMA + (_CASES_SCHEMA if with_cases else "")
    for statement in schema.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.executemany(
        "INSERT INTO browse_meta VALUES (?, ?)", (("format", FORMAT), ("cases", extractor))
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _version(value: Any) -> int | None:
    """An integer SQLite can hold (as the index reads it), else none."""
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return value
    return None


def _add_file(conn: sqlite3.Connection, articles: Path, relpath: str, size: int, mtime: int) -> int:
    """Insert every record of one run file as a version row; returns how many."""
    rows = []
    for line in read_lines(articles / relpath):
        rec = line.record
        if rec is None:
            continue  # the index reports malformed lines (`govcrawler stats`)
        rows.append(
            (
                rec["id"],
                _version(rec.get("version")),
                1 if rec.get("removed") is True else 0,
                _text(rec.get("site")) or rec["id"].split(":", 1)[0],
                _text(rec.get("site_name")),
                *(_text(rec.get(name)) for name in _RECORD_FIELDS),
                relpath,
                line.number,
            )
        )
    conn.executemany(
        "INSERT INTO versions(id, version, removed, site, site_name,"
        f" {', '.join(_quoted(n) for n in _RECORD_FIELDS)}, archive_file, archive_line)"
        f" VALUES ({', '.join('?' * (7 + len(_RECORD_FIELDS)))})",
        rows,
    )
    conn.execute("INSERT INTO browse_files VALUES (?, ?, ?)", (relpath, size, mtime))
    return len(rows)


def _quoted(name: str) -> str:
    return f'"{name}"' if name == "column" else name


def _update_articles(
    conn: sqlite3.Connection, articles: Path, file_id: int, extractor: CaseExtractor | None
) -> None:
    """Rewrite the article rows (and cases) of every id the index file `file_id` holds, from
    the record the index marks current (the latest that is not a removal)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS touched(id TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("DELETE FROM temp.touched")
    conn.execute(
        "INSERT OR IGNORE INTO temp.touched SELECT id FROM idx.records WHERE file_id = ?",
        (file_id,),
    )
    conn.execute("DELETE FROM main.articles WHERE id IN (SELECT id FROM temp.touched)")
    conn.execute(
        'INSERT INTO main.articles SELECT v.id, v.title, v.site, v.site_name, v."column",'
        " v.published_at, substr(v.published_at, 1, 7), v.source, v.author, v.url, v.body,"
        " r.versions, v.version, r.gone,"
        " CASE WHEN r.gone THEN (SELECT MAX(t.fetched_at) FROM main.versions t"
        "   WHERE t.id = v.id AND t.removed = 1) END,"
        " (SELECT MIN(e.fetched_at) FROM main.versions e WHERE e.id = v.id),"
        " v.fetched_at, v.warc_file, v.warc_record_id, v.archive_file, v.archive_line"
        " FROM idx.records r JOIN idx.files f ON f.file_id = r.file_id"
        " JOIN main.versions v ON v.archive_file = f.path AND v.archive_line = r.line"
        " WHERE r.current = 1 AND r.id IN (SELECT id FROM temp.touched)"
    )
    if extractor is None:
        return
    # The names of the people whose cases change: their timelines are merged again (a merge never
    # joins two names, so no other person changes).
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS names(name TEXT PRIMARY KEY) WITHOUT ROWID")
    touched_cases = "FROM main.cases WHERE article_id IN (SELECT id FROM temp.touched)"
    conn.execute(f"INSERT OR IGNORE INTO temp.names SELECT name {touched_cases}")
    conn.execute(f"DELETE {touched_cases}")
    current = conn.execute(
        "SELECT archive_file, archive_line, removed FROM main.articles"
        " WHERE id IN (SELECT id FROM temp.touched) ORDER BY archive_file, archive_line"
    ).fetchall()
    removed = {(f, n) for f, n, gone in current if gone}
    rows = []
    for where, record in _records(articles, [(f, n) for f, n, _ in current]):
        for case in extractor(record):
            case.removed = where in removed  # as `govcrawler cases` flags them
            rows.append(_cells(dataclasses.asdict(case), CASE_COLUMNS))
    conn.executemany(f"INSERT INTO main.cases VALUES ({', '.join('?' * len(CASE_COLUMNS))})", rows)
    conn.execute(f"INSERT OR IGNORE INTO temp.names SELECT name {touched_cases}")


def _update_persons(conn: sqlite3.Connection) -> None:
    """Merge the case rows of every name in `temp.names` into one timeline per person
    (merge_rows), replacing those names' persons; then forget the names."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS names(name TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.execute("DELETE FROM main.persons WHERE name IN (SELECT name FROM temp.names)")
    columns = ", ".join(CASE_COLUMNS)
    cases = [
        _case(dict(zip(CASE_COLUMNS, row, strict=True)))
        for row in conn.execute(
            f"SELECT {columns} FROM main.cases WHERE name IN (SELECT name FROM temp.names)"
            " ORDER BY published_at, article_id, rowid"
        )
    ]
    conn.executemany(
        f"INSERT INTO main.persons VALUES ({', '.join('?' * len(PERSON_COLUMNS))})",
        (_cells(person.to_dict(), PERSON_COLUMNS) for person in merge_rows(cases)),
    )
    conn.execute("DELETE FROM temp.names")


def _records(
    articles: Path, where: list[tuple[str, int]]
) -> Iterable[tuple[tuple[str, int], dict[str, Any]]]:
    """((archive file, line), record) at each position, sorted by file then line."""
    by_file: dict[str, set[int]] = {}
    for relpath, number in where:
        by_file.setdefault(relpath, set()).add(number)
    for relpath, numbers in by_file.items():
        for line in read_lines(articles / relpath):
            if line.number in numbers and line.record is not None:
                yield (relpath, line.number), line.record


def _cells(values: Mapping[str, Any], columns: tuple[str, ...]) -> tuple[object, ...]:
    """A row of `columns` from a dict: lists and objects as JSON text, booleans as 0/1."""

    def cell(value: Any) -> object:
        if value is None or isinstance(value, str | int | float):
            return value
        return json.dumps(value, ensure_ascii=False)

    return tuple(cell(values.get(name)) for name in columns)


def _case(row: dict[str, Any]) -> CaseRow:
    """A `cases` row back as the CaseRow it was made from (for merge_rows)."""
    for name in ("actions", "actions_text", "evidence", "stages"):
        row[name] = json.loads(row[name]) if row[name] else []
    row["stages"] = [Stage(**stage) for stage in row["stages"]]
    row["removed"] = bool(row["removed"])
    return CaseRow(**row)
