"""`govcrawler sites`: the bundled site profiles as a table."""

from __future__ import annotations

import argparse
import unicodedata
from typing import Any

from govcrawler.sites import all_profiles


def register(commands: Any) -> None:
    parser = commands.add_parser("sites", help="list the bundled site profiles")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    rows = [("key", "name", "domains", "columns", "status", "evidence date")]
    for p in all_profiles().values():
        columns = ", ".join(c.name for c in p.columns)
        rows.append(
            (p.key, p.name, " ".join(p.domains), columns, p.evidence.status, p.evidence.date)
        )
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (
            cell + " " * (w - display_width(cell)) for cell, w in zip(row, widths, strict=True)
        )
        print("  ".join(cells).rstrip())
    return 0


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
