"""The Datasette plugin of `govcrawler serve`: search as `govcrawler query` searches, and links
to captures.

Datasette's own search runs one FTS table with the query as typed. The archive needs more: the
query folded to simplified script (陸承澤 finds 陆承泽) and terms of one or two characters, which a
trigram index cannot answer. So the browsing database has no FTS table of its own; this plugin
attaches the search index read-only to each connection and turns `?_search=` into a condition
on the index's trigram and gram tables (query/search.py:text_matches, the same code as the
command line). Datasette's search box, facets, CSV and JSON exports all go through it.

Configured under `plugins: govcrawler:` in the metadata (see query/browse_metadata.py):
`database` (the database name), `index` (the index file), `replay` (a pywb collection URL,
optional).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from datasette.filters import FilterArguments
from datasette.utils.asgi import BadRequest
from markupsafe import Markup, escape
from pluggy import HookimplMarker

from govcrawler.query.search import text_matches
from govcrawler.query.text import parse_terms

NAME = "govcrawler"
hookimpl = HookimplMarker("datasette")  # what `datasette.hookimpl` is, with its types
INDEX_SCHEMA = "idx"

#: For each searchable table: the condition on its rows, given the index records that match
#: (`{matching}` selects from `idx.records r`).
_SEARCH_BY_TABLE = {
    # An article matches when its current text (the latest that is not a removal) does.
    "articles": "id IN (SELECT r.id FROM {matching} AND r.current = 1)",
    # A version matches on its own text: the same archive line.
    "versions": "(archive_file, archive_line) IN (SELECT f.path, r.line FROM {matching_files})",
    # A case matches when the current text of its article does.
    "cases": "article_id IN (SELECT r.id FROM {matching} AND r.current = 1)",
}


def _config(datasette: Any) -> dict[str, Any]:
    config = datasette.plugin_config(NAME) or {}
    assert isinstance(config, dict)
    return config


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    """Attach the search index, read-only, to every connection to the archive database."""
    config = _config(datasette)
    if database == config.get("database") and config.get("index"):
        uri = Path(config["index"]).resolve().as_uri() + "?mode=ro"
        conn.execute(f"ATTACH DATABASE ? AS {INDEX_SCHEMA}", (uri,))


@hookimpl(trylast=True)  # last, so its `supports_search` wins over Datasette's own (False)
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    """`?_search=` on the archive tables: every whitespace-separated term must occur in the
    title or body, in either script, any length."""
    if database != _config(datasette).get("database") or table not in _SEARCH_BY_TABLE:
        return None
    text = request.args.get("_search", "")
    context = {"supports_search": True, "search": text}
    try:
        terms = parse_terms(text)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    matches = text_matches(terms)
    if not matches:
        return FilterArguments([], extra_context=context)
    conds, params = [], {}
    for n, (fts, match) in enumerate(matches):
        conds.append(
            f"r.rowid IN (SELECT rowid FROM {INDEX_SCHEMA}.{fts} WHERE {fts} MATCH :gc_search_{n})"
        )
        params[f"gc_search_{n}"] = match
    where = " AND ".join(conds)
    clause = _SEARCH_BY_TABLE[table].format(
        matching=f"{INDEX_SCHEMA}.records r WHERE {where}",
        matching_files=f"{INDEX_SCHEMA}.records r JOIN {INDEX_SCHEMA}.files f"
        f" ON f.file_id = r.file_id WHERE {where}",
    )
    return FilterArguments(
        [clause],
        params,
        [f"search matches “{text}” (either script) · 检索“{text}”（简繁通查）"],
        context,
    )


@hookimpl
def render_cell(row: Any, value: Any, column: str, database: str, datasette: Any) -> Any:
    """`warc_record_id` as a link to the capture in pywb, when `--replay` gave a collection URL:
    {replay}/{capture time, UTC, YYYYMMDDhhmmss}/{url}, pywb's address of a capture (the record's
    `fetched_at` is its WARC-Date)."""
    config = _config(datasette)
    if column != "warc_record_id" or not value or database != config.get("database"):
        return None
    replay = config.get("replay")
    keys = row.keys() if hasattr(row, "keys") else ()
    if not replay or "url" not in keys or "fetched_at" not in keys:
        return None
    stamp = capture_stamp(row["fetched_at"])
    if stamp is None:
        return None
    href = f"{replay.rstrip('/')}/{stamp}/{row['url']}"
    return Markup('<a href="{}" title="{}">capture · 存档</a>').format(href, escape(value))


def capture_stamp(fetched_at: object) -> str | None:
    """A record's `fetched_at` as a 14-digit UTC timestamp (WARC/pywb), or None if unreadable."""
    if not isinstance(fetched_at, str):
        return None
    try:
        when = datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y%m%d%H%M%S")
