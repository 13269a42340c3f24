"""`govcrawler` console script: dispatches to one module per subcommand.

Only the module of the subcommand being run is imported (the crawl commands pull in Scrapy, which
`query` and `stats` do not need); `govcrawler --help` imports them all to list them.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from govcrawler import __version__

# Subcommand → module in govcrawler.cli, in the order `--help` lists them.
COMMANDS = (
    "crawl",
    "demo",
    "extract",
    "reextract",
    "capture",
    "sites",
    "check-site",
    "add-site",
    "query",
    "stats",
    "index",
    "cases",
    "verify",
    "wacz",
    "serve",
)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="govcrawler",
        description="Archival crawler for China's discipline-inspection commission sites.",
    )
    parser.add_argument("--version", action="version", version=f"govcrawler {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for name in (wanted,) if wanted in COMMANDS else COMMANDS:
        importlib.import_module(f"govcrawler.cli.{str(name).replace('-', '_')}").register(commands)
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
