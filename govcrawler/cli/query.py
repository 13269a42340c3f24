"""`govcrawler query [TEXT] [filters] [--format table|jsonl|csv]`: search the JSONL archive.

The search index beside the archive is brought up to date first (new run files are added; see
govcrawler/query/index.py); malformed archive lines are reported on stderr and skipped.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, TextColumn

from govcrawler.cli.options import add_data_option, add_site_option, listed
from govcrawler.cli.progress import progress_bar
from govcrawler.query.index import bad_lines, connect, file_paths, indexed_sites, refresh
from govcrawler.query.output import LineReader, write_csv, write_jsonl, write_table
from govcrawler.query.records import locate
from govcrawler.query.search import Query, period_end, period_start, search
from govcrawler.sites import all_profiles

TABLE_LIMIT = 20
BAD_LINES_SHOWN = 5


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "query",
        help="search the archive (both scripts, any term length)",
        description="Search the archived articles. TEXT is one or more terms, all of which must "
        "occur (simplified or traditional script, any length); without TEXT every article "
        "that passes the filters is listed. Newest first, latest version of each article.",
        epilog="exit codes: 0 the search ran (zero hits included); 2 usage error (unknown site, "
        "bad date, --since after --until): nothing was searched",
    )
    parser.add_argument(
        "text", nargs="*", metavar="TEXT", help="e.g. 开除党籍, or 留置 安徽 (all must occur)"
    )
    add_archive_args(parser)
    add_filter_args(parser)
    parser.add_argument("--field", choices=("title", "body"), help="search only this field")
    versions = parser.add_mutually_exclusive_group()
    versions.add_argument(
        "--all-versions", action="store_true", help="every archived version and removal record"
    )
    versions.add_argument(
        "--removed", action="store_true", help="articles since removed from their site"
    )
    parser.add_argument("--format", choices=("table", "jsonl", "csv"), default="table")
    parser.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help=f"at most N results (table default {TABLE_LIMIT}, jsonl/csv: all; 0 = all)",
    )
    parser.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="highlight matches"
    )
    parser.set_defaults(run=run)


def add_archive_args(parser: argparse.ArgumentParser) -> None:
    add_data_option(
        parser, ": its articles/ are searched; or any folder of JSONL files (searched recursively)"
    )
    parser.add_argument(
        "--index",
        type=Path,
        metavar="FILE",
        help="search index file (default DIR/query-index.sqlite, or DIR/.query-index.sqlite for a"
        " bare folder of JSONL files)",
    )


def add_filter_args(parser: argparse.ArgumentParser) -> None:
    add_site_option(parser, "only this site")
    parser.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="NAME",
        help="only this column (栏目), either script; repeat or separate with commas",
    )
    parser.add_argument("--since", metavar="DATE", help="published on/after: YYYY[-MM[-DD]]")
    parser.add_argument("--until", metavar="DATE", help="published on/before: YYYY[-MM[-DD]]")


def open_index(args: argparse.Namespace, rebuild: bool = False) -> sqlite3.Connection:
    """The up-to-date index for `args.data`; what was added or skipped is said on stderr.

    Sets `args.articles` (the folder of JSONL files) and `args.index_path`.
    """
    articles, default = locate(args.data)
    args.articles, args.index_path = articles, args.index or default
    conn = connect(args.index_path)
    # A progress bar on a terminal only (a large archive takes a while); nothing under cron.
    with progress_bar(
        TextColumn("indexing new archive files"),
        BarColumn(),
        MofNCompleteColumn(),
        shown=sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task("index", total=None)
        result = refresh(
            conn,
            articles,
            rebuild=rebuild,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if result.rebuilt and result.rebuilt not in ("new index", "asked for"):
        print(f"govcrawler: rebuilt the search index ({result.rebuilt})", file=sys.stderr)
    if result.files:
        print(
            f"govcrawler: indexed {result.files} new archive file(s), {result.records} record(s)",
            file=sys.stderr,
        )
    bad = bad_lines(conn)
    if bad:
        print(f"govcrawler: skipped {len(bad)} malformed archive line(s):", file=sys.stderr)
        for line in bad[:BAD_LINES_SHOWN]:
            print(f"  {articles / line.path}:{line.line}: {line.error}", file=sys.stderr)
        if len(bad) > BAD_LINES_SHOWN:
            print(
                f"  … and {len(bad) - BAD_LINES_SHOWN} more (`govcrawler stats` lists all)",
                file=sys.stderr,
            )
    return conn


def check_filters(args: argparse.Namespace) -> None:
    """Usage errors in the filters, before any index is opened: an empty date range."""
    if args.since and args.until and period_start(args.since) >= period_end(args.until):
        raise ValueError(f"--since {args.since} is after --until {args.until}: nothing can match")


def check_sites(conn: sqlite3.Connection, sites: list[str]) -> None:
    """A --site that is neither a profile nor a site in the archive is a typo, not a filter."""
    known = set(all_profiles()) | indexed_sites(conn)
    unknown = [s for s in sites if s not in known]
    if unknown:
        raise ValueError(
            f"unknown site(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )


def build_query(args: argparse.Namespace, limit: int | None = None) -> Query:
    """The query the filters and TEXT ask for; their usage errors (a bad date or term, an empty
    date range) are raised here, before any index is opened."""
    check_filters(args)
    query = Query(
        text=" ".join(getattr(args, "text", None) or []) or None,
        sites=listed(args.site),
        columns=listed(args.column),
        since=args.since,
        until=args.until,
        field=getattr(args, "field", None),
        all_versions=getattr(args, "all_versions", False),
        removed=getattr(args, "removed", False),
        limit=limit,
    )
    query.terms  # a bad term fails here  # noqa: B018
    return query


def run(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 0:
        raise ValueError("--limit must be 0 (all) or more")
    limit = args.limit if args.limit is not None else (TABLE_LIMIT if args.format == "table" else 0)
    query = build_query(args, limit or None)
    conn = open_index(args)
    try:
        check_sites(conn, query.sites)
    except ValueError:
        conn.close()
        raise
    hits, total = search(conn, query)
    reader = LineReader(args.articles, file_paths(conn))
    out = sys.stdout
    try:
        if args.format == "jsonl":
            write_jsonl(hits, reader, out)
        elif args.format == "csv":
            write_csv(hits, reader, out)
        else:
            color = args.color == "always" or (args.color == "auto" and out.isatty())
            write_table(hits, reader, query.terms, out, color)
            out.flush()  # the count on stderr comes after the table, also in a terminal
            shown = f"{len(hits)} of {total}" if len(hits) < total else f"{total}"
            more = " (--limit 0 shows all)" if len(hits) < total else ""
            noun = "record(s)" if args.all_versions else "article(s)"
            print(f"{shown} {noun}{more}", file=sys.stderr)
    finally:
        reader.close()
        conn.close()
    out.flush()
    return 0
