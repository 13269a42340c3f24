"""`govcrawler stats [--by site|month|column …] [filters] [--plot FILE]`: what the archive holds.

Counts per group: articles (still online at their last fetch), versions (archived text versions,
all articles of the group) and removals (articles whose latest record is a removal). Also lists
malformed lines skipped and unfinished `.part` files left out.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

from rich.cells import cell_len

from govcrawler.cli.query import (
    add_archive_args,
    add_filter_args,
    build_query,
    check_sites,
    open_index,
)
from govcrawler.query.index import bad_lines
from govcrawler.query.records import unfinished_files
from govcrawler.query.stats import GROUPS, Row, counts, orphan_removals, plot_months


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "stats",
        help="count articles, versions and removals (by site, month, column)",
        description="Counts of the archive's articles, versions and removals, grouped by one or "
        "more of site, month (published), column; optionally a PNG chart of articles per month "
        "per site.",
        epilog="exit codes: 0 counted; 2 usage error (unknown site, bad date, --since after "
        "--until, no archive folder)",
    )
    parser.add_argument(
        "--by",
        nargs="+",
        action="extend",
        choices=tuple(GROUPS),
        metavar="site|month|column",
        help="group by these, in this order (default: site)",
    )
    parser.add_argument("text", nargs="*", metavar="TEXT", help="count only articles matching")
    add_archive_args(parser)
    add_filter_args(parser)
    parser.add_argument("--format", choices=("table", "csv"), default="table")
    parser.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help="also write a PNG bar chart of articles per month per site",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    by = args.by or ["site"]
    query = build_query(args)
    conn = open_index(args)
    try:
        check_sites(conn, query.sites)
        rows = counts(conn, by, query)
        if args.plot:
            plot_months(counts(conn, ["site", "month"], query), args.plot)
        orphans = orphan_removals(conn)
        bad = bad_lines(conn)
    finally:
        conn.close()
    header = [*by, "articles", "versions", "removals"]
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(header)
        writer.writerows([*r.key, r.articles, r.versions, r.removals] for r in rows)
    else:
        _print_table(header, rows)
        if orphans:
            print(f"removal records with no archived text version: {orphans}")
        for line in bad:
            print(f"malformed line skipped: {args.articles / line.path}:{line.line}: {line.error}")
        for part in unfinished_files(args.articles):
            print(f"unfinished run file not included: {part}")
        if args.plot:
            print(f"chart written: {args.plot}")
    return 0


def _print_table(header: list[str], rows: list[Row]) -> None:
    total = Row(
        ("total",) + ("",) * (len(header) - 4),
        sum(r.articles for r in rows),
        sum(r.versions for r in rows),
        sum(r.removals for r in rows),
    )
    table = [header] + [
        [*r.key, str(r.articles), str(r.versions), str(r.removals)] for r in [*rows, total]
    ]
    widths = [max(cell_len(row[i]) for row in table) for i in range(len(header))]
    numeric = len(header) - 3
    for row in table:
        cells = [
            (c.rjust(w) if i >= numeric else c + " " * (w - cell_len(c)))
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
