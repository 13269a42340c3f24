"""`govcrawler index [--rebuild]`: bring the search index up to date (query and stats do too).

Useful after a large crawl, or from cron after each run, so the first query is fast.
"""

from __future__ import annotations

import argparse
from typing import Any

from govcrawler.cli.query import add_archive_args, open_index
from govcrawler.query.index import size


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "index",
        help="update the search index of the archive (query and stats do this by themselves)",
        description="Bring the search index beside the archive up to date (add new run files), "
        "or rebuild it.",
        epilog="exit codes: 0 the index is up to date; 2 usage error (no archive folder)",
    )
    add_archive_args(parser)
    parser.add_argument("--rebuild", action="store_true", help="rebuild it from scratch")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    conn = open_index(args, rebuild=args.rebuild)
    try:
        files, records = size(conn)
    finally:
        conn.close()
    print(f"index {args.index_path}: {files} archive file(s), {records} record(s)")
    return 0
