"""The browsing database: the archive as plain SQLite tables for Datasette (`govcrawler serve`).

A sibling of the search index (query/index.py), kept beside it and built from it:
- `articles`: one row per article id, its current text (latest version that is not a removal),
  with the number of text versions and whether the site has since removed it;
- `versions`: one row per archive line (every text version and every removal record);
- `sites`: one row per site profile (name, home page, source note), which `site` columns refer to;
- `cases`: case rows derived from each article's current text by a case extractor, when one is
  installed (see `find_case_extractor`); absent otherwise.

Unlike the index, these tables hold the text (Datasette shows and exports it). Search is not
copied: the Datasette plugin (query/browse_plugin.py) answers `_search` from the index's FTS
tables, exactly as `govcrawler query` does. The index decides what is new and which record is
an article's current one; the browsing database follows it file by file (run files are
immutable), and is rebuilt when a file it holds changed or vanished, or its format changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import pkgutil
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govcrawler.query.browse_metadata import site_rows
from govcrawler.query.records import read_lines
from govcrawler.sites import all_profiles

FORMAT = "1"  # bump when the tables change: an old browsing database is rebuilt

BROWSE_IN_DATA = "browse.sqlite"  # beside the index in a crawl's data folder
BROWSE_IN_FOLDER = ".browse.sqlite"  # inside a bare folder of JSONL files

#: A case extractor: an article record → its case rows (issue 16's fields, see CASE_COLUMNS), as
#: mappings or as objects with `to_dict()` (govcrawler.extraction.cases.CaseRow).
CaseExtractor = Callable[[Mapping[str, Any]], Iterable[Any]]

#: Function names looked for in a `govcrawler/extraction/cases*` module or package, first found
#: wins (`extract_cases` is issue 16's).
CASE_FUNCTIONS = ("extract_cases", "case_rows", "cases_from_record")

#: Columns of the `cases` table, in order; a row's other keys are kept as JSON in `extra`.
CASE_COLUMNS = (
    "id",
    "article_id",
    "url",
    "published_at",
    "site",
    "name",
    "position",
    "region",
    "level",
    "actions",
    "actions_text",
    "offence",
    "evidence",
    "stages",
)

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

_CASES_SCHEMA = """
CREATE TABLE cases(
    id TEXT, article_id TEXT REFERENCES articles(id), url TEXT, published_at TEXT,
    site TEXT REFERENCES sites(site), name TEXT, position TEXT, region TEXT, level TEXT,
    actions TEXT, actions_text TEXT, offence TEXT, evidence TEXT, stages TEXT, extra TEXT);
CREATE INDEX cases_article ON cases(article_id);
CREATE INDEX cases_published ON cases(published_at);
"""

_TABLES = ("cases", "articles", "versions", "sites", "browse_files", "browse_meta")


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
    cases: bool = False  # the cases table is filled (a case extractor is installed)
    skipped: tuple[str, ...] = ()  # files that changed since the index read them: next time


def update(articles: Path, index: Path) -> tuple[Path, BrowseSync, int]:
    """Bring the browsing database beside the (already refreshed) `index` up to date, with every
    site profile and the installed case extractor; returns its path, what was done, and how many
    articles it holds."""
    path = default_browse(index)
    conn = connect(path, index)
    try:
        result = sync(conn, articles, site_rows(all_profiles()), find_case_extractor())
        count = int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    finally:
        conn.close()
    return path, result, count


def find_case_extractor(package_name: str = "govcrawler.extraction") -> CaseExtractor | None:
    """The case extractor of a `govcrawler/extraction/cases*` module or package, when one
    exists: its first function named in CASE_FUNCTIONS. None until the cases work is installed."""
    package = importlib.import_module(package_name)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.name.startswith("cases"):
            continue
        module = importlib.import_module(f"{package_name}.{info.name}")
        for name in CASE_FUNCTIONS:
            function = getattr(module, name, None)
            if callable(function):
                extractor: CaseExtractor = function
                return extractor
    return None


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
    conn.execute("DELETE FROM main.cases WHERE article_id IN (SELECT id FROM temp.touched)")
    current = conn.execute(
        "SELECT archive_file, archive_line FROM main.articles"
        " WHERE id IN (SELECT id FROM temp.touched) ORDER BY archive_file, archive_line"
    ).fetchall()
    conn.executemany(
        f"INSERT INTO main.cases VALUES ({', '.join('?' * (len(CASE_COLUMNS) + 1))})",
        (_case_row(case) for record in _records(articles, current) for case in extractor(record)),
    )


def _records(articles: Path, where: list[tuple[str, int]]) -> Iterable[dict[str, Any]]:
    """The records at (archive file, line) positions, sorted by file then line."""
    by_file: dict[str, set[int]] = {}
    for relpath, number in where:
        by_file.setdefault(relpath, set()).add(number)
    for relpath, numbers in by_file.items():
        for line in read_lines(articles / relpath):
            if line.number in numbers and line.record is not None:
                yield line.record


def _case_row(case: Any) -> tuple[object, ...]:
    """A case (a mapping, or an object with `to_dict()` or a dataclass) as a `cases` row: lists
    as JSON arrays, keys without a column of their own as JSON in `extra`."""
    if hasattr(case, "to_dict"):
        case = case.to_dict()
    elif dataclasses.is_dataclass(case) and not isinstance(case, type):
        case = dataclasses.asdict(case)

    def cell(value: Any) -> object:
        if value is None or isinstance(value, str | int | float):
            return value
        return json.dumps(value, ensure_ascii=False)

    extra = {k: v for k, v in case.items() if k not in CASE_COLUMNS}
    return (
        *(cell(case.get(name)) for name in CASE_COLUMNS),
        json.dumps(extra, ensure_ascii=False) if extra else None,
    )
