"""`govcrawler serve [--data DIR] [--host 127.0.0.1] [--port 8001]`: browse the archive in a web
browser (Datasette over the browsing database, query/browse.py), read-only, on loopback.
"""

from __future__ import annotations

import argparse
import importlib.util
import ipaddress
import socket
import sys
from pathlib import Path
from typing import Any

from govcrawler.cli.options import http_url
from govcrawler.cli.query import add_archive_args, open_index

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001

EPILOG = """\
The search index and the browsing database beside it (DIR/browse.sqlite) are brought up to date
first; a running server shows what a later `govcrawler serve --build-only` (e.g. from cron after
each crawl) adds. Search finds both scripts and terms of any length, as `govcrawler query` does.

exit codes:
  0  the server was stopped (Ctrl-C), or --build-only finished
  1  the server failed while running
  2  usage error: bad option, no archive folder, the port is taken, Datasette not installed
     (pip install 'govcrawler[serve]') -- nothing was built or started
"""


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "serve",
        help="browse the archive in a web browser (Datasette: search, facets, CSV)",
        description="Serve the archive read-only with Datasette: articles, versions, sites, "
        "cases and persons, with search in both scripts, facets on site, column, month, "
        "action and region, and CSV/JSON export.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_archive_args(parser)
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        type=_host,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only; 0.0.0.0 shows "
        "the archive to the whole network)",
    )
    parser.add_argument(
        "--port", default=DEFAULT_PORT, type=_port, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--replay",
        metavar="URL",
        type=http_url,
        help="a pywb collection serving this crawl's WARC files (e.g. "
        "http://127.0.0.1:8080/govcrawler/): article rows then link to their capture",
    )
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="update the index and the browsing database, then exit without serving",
    )
    parser.set_defaults(run=run)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1-65535)")
    return port


def _host(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        if text == "localhost":
            return text
        raise argparse.ArgumentTypeError(
            f"{text!r}: give an IP address (127.0.0.1, ::1, 0.0.0.0) or localhost"
        ) from None


def _check_port(host: str, port: int) -> None:
    """Fail before building anything when the address cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ValueError(
                f"cannot listen on {host}:{port}: {exc.strerror} (choose another with --port)"
            ) from None


def run(args: argparse.Namespace) -> int:
    if not args.build_only:
        if importlib.util.find_spec("datasette") is None:
            raise ValueError(
                "Datasette is not installed: pip install 'govcrawler[serve]' (or make venv)"
            )
        _check_port(args.host, args.port)
    from govcrawler.query.records import locate  # noqa: PLC0415 (lazy: keep --help fast)

    locate(args.data)  # no archive folder: a usage error, before anything is written
    browse_path = _build(args)
    if args.build_only:
        return 0
    return _serve(args, browse_path)


def _build(args: argparse.Namespace) -> Path:
    """Refresh the index, then the browsing database from it; returns the database path."""
    from govcrawler.query.browse import update  # noqa: PLC0415

    open_index(args).close()
    path, result, articles = update(args.articles, args.index_path)
    if result.rebuilt and result.rebuilt != "new browsing database":
        print(f"govcrawler: rebuilt the browsing database ({result.rebuilt})", file=sys.stderr)
    for relpath in result.skipped:
        print(f"govcrawler: {relpath} changed while indexing; added next time", file=sys.stderr)
    print(
        f"govcrawler: browsing database {path}: {articles} article(s), {result.files} new file(s)",
        file=sys.stderr,
    )
    return path


def _serve(args: argparse.Namespace, browse_path: Path) -> int:
    from govcrawler.query.browse_metadata import DATABASE  # noqa: PLC0415
    from govcrawler.query.browse_server import make_datasette, serve  # noqa: PLC0415

    ds = make_datasette(browse_path, Path(args.index_path), args.replay)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"govcrawler: serving http://{host}:{args.port}/{DATABASE} (Ctrl-C stops)", flush=True)
    return serve(ds, args.host, args.port)
