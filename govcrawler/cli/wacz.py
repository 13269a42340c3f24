"""`govcrawler wacz [--data DIR] [--site KEY]… OUT.wacz`: the crawl's WARC files as one WACZ."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

from govcrawler.archive.wacz_package import (
    WaczError,
    article_pages,
    create_wacz,
    packaged_pages,
    select_warcs,
    site_of,
)
from govcrawler.cli.options import add_data_option, add_site_option, listed

EXIT_FAILED = 1
EXIT_USAGE = 2


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "wacz",
        help="package the archive's WARC files as a WACZ (for ReplayWeb.page, pywb, others)",
        description="Package the WARC files of a data folder, their CDXJ index, a pages list "
        "(every archived article version, with its title) and datapackage.json (sha256 of each "
        "file) into one WACZ file, with the `wacz` package (pip install 'govcrawler[wacz]').",
        epilog="exit status: 0 written; 1 the wacz package failed; 2 usage error (no WARC "
        "files, the wacz package not installed)",
    )
    parser.add_argument("out", type=Path, metavar="OUT.wacz", help="the WACZ file to write")
    add_data_option(parser, ": its warc/ is packaged, its articles/ give the pages list")
    add_site_option(parser, "only this site's WARC files and pages")
    parser.add_argument("--title", help="collection title (default: govcrawler, the sites)")
    parser.set_defaults(run=run)


def fail(message: str) -> int:
    print(f"govcrawler wacz: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    data: Path = args.data
    out: Path = args.out
    if importlib.util.find_spec("wacz") is None:
        return fail("the wacz package is not installed: pip install 'govcrawler[wacz]'")
    if not out.name.endswith(".wacz"):
        return fail(f"{out}: the output file name must end in .wacz")
    wanted = listed(args.site)
    warcs = select_warcs(data / "warc", wanted)
    if not warcs:
        return fail(
            f"no WARC files in {data / 'warc'}" + (f" of {', '.join(wanted)}" if wanted else "")
        )
    sites = sorted({site_of(w) for w in warcs})
    found = article_pages(data / "articles", warcs) if (data / "articles").is_dir() else None
    pages = found.pages if found else []
    title = args.title or f"govcrawler: {', '.join(sites)}"
    description = (
        f"{len(warcs)} WARC file(s) of govcrawler runs ({', '.join(sites)}); pages: "
        f"{len(pages)} archived article version(s)"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        create_wacz(out, warcs, pages, title=title, description=description)
    except WaczError as exc:
        print(f"govcrawler wacz: {exc}", file=sys.stderr)
        return EXIT_FAILED
    in_wacz = len(packaged_pages(out))
    print(f"{out}: {len(warcs)} WARC file(s), {in_wacz} page(s)")
    if found and found.not_in_warc:
        print(f"  {found.not_in_warc} article version(s) not in these WARC files: not listed")
    for problem in found.unreadable if found else []:
        print(f"  unreadable capture, not listed: {problem}", file=sys.stderr)
    if in_wacz != len(pages):
        print(f"  {len(pages) - in_wacz} page(s) the index did not match", file=sys.stderr)
    return 0
