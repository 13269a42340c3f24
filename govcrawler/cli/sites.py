"""`govcrawler sites`: the bundled site profiles as a table that fits the terminal.

One line per site: key, name, evidence status and date, then the columns crawled, cut with `…`
where the line would pass the terminal's width (100 columns when it is not a terminal and COLUMNS
is unset). `--wide` adds the domains and cuts nothing, for a file or a wide window.
"""

from __future__ import annotations

import argparse
import shutil
from typing import Any

from rich.cells import cell_len

from govcrawler.sites import all_profiles

DEFAULT_WIDTH = 100


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "sites",
        help="list the bundled site profiles",
        description="The bundled site profiles, one line per site, fitted to the terminal.",
        epilog="exit codes: 0 listed; 2 usage error",
    )
    parser.add_argument(
        "--wide", action="store_true", help="also the domains, and every column in full"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    extra: tuple[str, ...] = ("domains",) if args.wide else ()
    rows = [("key", "name", "status", "evidence", *extra, "columns")]
    for p in all_profiles().values():
        hosts = (" ".join(p.domains),) if args.wide else ()
        columns = ", ".join(c.name for c in p.columns)
        rows.append((p.key, p.name, p.evidence.status, p.evidence.date, *hosts, columns))
    width = None if args.wide else shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    for line in table(rows, width):
        print(line)
    return 0


def table(rows: list[tuple[str, ...]], width: int | None) -> list[str]:
    """Left-aligned columns two spaces apart (widths in terminal cells: CJK takes two); the last
    column is cut to fit `width`."""
    widths = [max(cell_len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [c + " " * (w - cell_len(c)) for c, w in zip(row, widths, strict=False)]
        head = "  ".join(cells) + "  "
        last = row[-1]
        if width is not None:
            last = cut(last, max(1, width - cell_len(head)))
        lines.append((head + last).rstrip())
    return lines


def cut(text: str, width: int) -> str:
    """`text` in at most `width` terminal columns, ending in `…` when shortened."""
    if cell_len(text) <= width:
        return text
    out = ""
    for ch in text:
        if cell_len(out + ch) > width - 1:
            break
        out += ch
    return out + "…"
