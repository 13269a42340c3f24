"""`govcrawler` console script: dispatches to one module per subcommand."""

from __future__ import annotations

import argparse
import sys

from govcrawler import __version__
from govcrawler.cli import (
    capture,
    check_site,
    crawl,
    demo,
    extract,
    index,
    query,
    reextract,
    sites,
    stats,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="govcrawler",
        description="Archival crawler for China's discipline-inspection commission sites.",
    )
    parser.add_argument("--version", action="version", version=f"govcrawler {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for module in (
        crawl,
        demo,
        extract,
        reextract,
        capture,
        sites,
        check_site,
        query,
        stats,
        index,
    ):
        module.register(commands)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except BrokenPipeError:  # `govcrawler extract … | head`
        return 0
    except (ValueError, OSError) as exc:
        print(f"govcrawler {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
