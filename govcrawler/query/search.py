"""`govcrawler query` as a function: filters + terms → matching index rows, newest first."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date

from govcrawler.query.text import Terms, fold, fts_phrase, grams_match, parse_terms

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def period_start(text: str) -> str:
    """`2024` → 2024-01-01, `2024-03` → 2024-03-01, `2024-03-05` as is (ISO, comparable)."""
    year, month, day = _date_parts(text)
    return date(year, month or 1, day or 1).isoformat()


def period_end(text: str) -> str:
    """The first day after the period: `--until 2024` includes all of 2024."""
    year, month, day = _date_parts(text)
    if day:
        return date.fromordinal(date(year, month or 1, day).toordinal() + 1).isoformat()
    if month:
        return date(year + month // 12, month % 12 + 1, 1).isoformat()
    return date(year + 1, 1, 1).isoformat()


def _date_parts(text: str) -> tuple[int, int | None, int | None]:
    match = _DATE_RE.match(text.strip())
    if not match:
        raise ValueError(f"date {text!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        date(year, month or 1, day or 1)
    except ValueError as exc:
        raise ValueError(f"date {text!r}: {exc}") from exc
    return year, month, day


@dataclass
class Query:
    """What the archivist asked for. `field` is None (title, body or attachment text), 'title'
    or 'body'."""

    text: str | None = None
    sites: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    since: str | None = None
    until: str | None = None
    field: str | None = None
    all_versions: bool = False
    removed: bool = False  # the articles whose latest record is a removal, instead
    limit: int | None = None

    @property
    def terms(self) -> Terms:
        return parse_terms(self.text)


@dataclass(frozen=True)
class Hit:
    """One matching record: where its line is, and what the table shows without reading it."""

    rowid: int
    file_id: int
    line: int
    offset: int
    length: int
    id: str
    site: str
    published_at: str | None
    version: int | None
    removed: bool  # this record is a tombstone
    gone: bool  # the article's latest record is a tombstone (this is its last text version)


def where_clause(query: Query) -> tuple[str, list[object]]:
    """SQL condition on `records r` (and the FTS tables) for every filter of `query`."""
    _, where, params = _plan(query, drive_from_text=False)
    return where, params


def text_matches(terms: Terms, field: str | None = None) -> list[tuple[str, str]]:
    """(FTS table, MATCH expression) pairs that together find `terms`: the trigram index for
    terms of 3+ characters, the gram index for shorter ones (the records' rowid in both)."""
    matches = []
    if terms.long:
        scope = f"{field} : " if field else ""
        matches.append(("tri", scope + "(" + " AND ".join(map(fts_phrase, terms.long)) + ")"))
    if terms.short:
        matches.append(("grams", grams_match(terms.short, field)))
    return matches


def _plan(query: Query, drive_from_text: bool) -> tuple[str, str, list[object]]:
    """(FROM clause, WHERE condition, parameters). With `drive_from_text`, a text search starts
    from the FTS match (CROSS JOIN fixes the order): a rare name is then a few row lookups
    instead of a walk over every record."""
    source, conds = "records r", []
    params: list[object] = []
    from_params: list[object] = []
    for table, match in text_matches(query.terms, query.field):
        if drive_from_text and source == "records r":
            source = (
                f"(SELECT rowid AS m FROM {table} WHERE {table} MATCH ?) t CROSS JOIN records r"
            )
            conds.append("r.rowid = t.m")
            from_params.append(match)
        else:
            conds.append(f"r.rowid IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)")
            params.append(match)
    if query.removed:
        conds.append("r.current = 1 AND r.gone = 1")
    elif not query.all_versions:
        conds.append("r.latest = 1 AND r.removed = 0")
    if query.sites:
        conds.append(f"r.site IN ({','.join('?' * len(query.sites))})")
        params += query.sites
    if query.columns:
        conds.append(f"r.col IN ({','.join('?' * len(query.columns))})")
        params += [fold(c) for c in query.columns]
    if query.since:
        conds.append("r.published_at >= ?")
        params.append(period_start(query.since))
    if query.until:
        conds.append("r.published_at < ?")
        params.append(period_end(query.until))
    return source, " AND ".join(conds) or "1", from_params + params


def search(conn: sqlite3.Connection, query: Query) -> tuple[list[Hit], int]:
    """(the hits up to the limit, newest first; how many match in all)."""
    source, where, params = _plan(query, drive_from_text=True)
    total = conn.execute(f"SELECT COUNT(*) FROM {source} WHERE {where}", params).fetchone()[0]
    limit = " LIMIT ?" if query.limit else ""
    rows = conn.execute(
        "SELECT r.rowid, r.file_id, r.line, r.offset, r.length, r.id, r.site, r.published_at,"
        f" r.version, r.removed, r.gone FROM {source} WHERE {where}"
        " ORDER BY r.published_at IS NULL, r.published_at DESC, r.id,"
        " COALESCE(r.version, 0) DESC, r.fetched_at DESC, r.rowid DESC" + limit,
        [*params, query.limit] if query.limit else params,
    )
    hits = [
        Hit(
            rowid=row[0],
            file_id=row[1],
            line=row[2],
            offset=row[3],
            length=row[4],
            id=row[5],
            site=row[6],
            published_at=row[7],
            version=row[8],
            removed=bool(row[9]),
            gone=bool(row[10]),
        )
        for row in rows
    ]
    return hits, total
