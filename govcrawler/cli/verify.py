"""`govcrawler verify [--data DIR]`: the fixity check, every archive file against its manifest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from govcrawler.archive.fixity import run_manifests, summary, verify
from govcrawler.cli.options import add_data_option

EXIT_CHANGED = 1
EXIT_USAGE = 2

EPILOG = f"""exit status:
  0  every file the run manifests list is as it was written (files that no manifest lists are
     named, but are not a failure: they predate manifests that list them, or their run died)
  {EXIT_CHANGED}  a listed file changed or is missing, or a manifest cannot be read
  {EXIT_USAGE}  usage error: no data folder, or no run manifest in DIR/runs
"""


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "verify",
        help="fixity check: re-hash the archive's JSONL and WARC files against the run manifests",
        description="Re-hash every JSONL and WARC file the run manifests (DIR/runs/*.json) list "
        "and report each one changed or missing since its run wrote it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_option(parser, "")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    data: Path = args.data
    if not data.is_dir():
        print(f"govcrawler verify: no data folder {data}", file=sys.stderr)
        return EXIT_USAGE
    if not run_manifests(data):
        print(f"govcrawler verify: no run manifest in {data / 'runs'}", file=sys.stderr)
        return EXIT_USAGE
    report = verify(data)
    print("\n".join(summary(report)))
    return 0 if report.ok else EXIT_CHANGED
