"""`govcrawler sites`: the bundled site profiles as a table."""

from __future__ import annotations

import argparse
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
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0
