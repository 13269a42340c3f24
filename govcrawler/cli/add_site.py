"""`govcrawler add-site URL… --key K --name N [--from-capture DIR]`: a profile from column URLs.

Each URL is a column's first list page. They are fetched politely through `govcrawler capture`'s
machinery (robots.txt, the project User-Agent, retries), or read from a capture folder in the
fixture format (`--from-capture`). Discovery finds each column's article links and pager; the
profile written holds key, name, domains, the columns, the id pattern and pagination kind it
inferred and `[evidence] status = "inferred"`; list selectors are left out (discovery finds the
links at crawl time) and proposed in a comment. Exit 0 when every column showed article links,
1 when some did not or a page could not be fetched (the profile is still written when one
column worked), 2 for a usage error (nothing is fetched or written).
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from govcrawler.archive.capture_files import Capture, CaptureIndex
from govcrawler.cleaning.text import normalize_space
from govcrawler.cli.options import add_settings_option, http_url
from govcrawler.extraction.article import parse_html
from govcrawler.extraction.decode import decode_html
from govcrawler.extraction.proposal import (
    ColumnPage,
    Proposal,
    pagination_table,
    propose,
    toml_literal,
)
from govcrawler.extraction.urls import canonical_url
from govcrawler.sites import PROFILES_DIR_ENV, Evidence, all_profiles, load_profile
from govcrawler.sites.loader import KEY_RE
from govcrawler.sites.minimal import profile_toml

_TITLE_SPLIT_RE = re.compile(r"\s*(?:[_|｜]|——+|--+|\s-\s)\s*")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "add-site",
        help="write a minimal profile from a site's column URLs (inferred)",
        description="Fetch (or read from --from-capture) each column's first list page, infer "
        "what a profile needs (domains, id pattern, pagination) and write a minimal profile.",
        epilog="exit codes: 0 written, every column showed article links; 1 written, but a "
        "column gave none or could not be read; 2 usage error: nothing written",
    )
    parser.add_argument(
        "urls", nargs="+", type=http_url, metavar="URL", help="each column's first list page"
    )
    parser.add_argument("--key", required=True, help="profile key: lower-case pinyin")
    parser.add_argument("--name", required=True, help="the site's name (某市纪委监委)")
    parser.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="NAME",
        help="column names, one per URL in order (default: from each page's <title>)",
    )
    parser.add_argument(
        "--from-capture",
        type=Path,
        metavar="DIR",
        help="read the pages from this capture folder (fixture format) instead of fetching",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help=f"folder for KEY.toml (default: the first folder in ${PROFILES_DIR_ENV}, else .)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing KEY.toml")
    add_settings_option(parser, "a Scrapy setting for the live fetch (e.g. -s USER_AGENT=…)")
    parser.set_defaults(run=run)


def _out_dir(args: argparse.Namespace) -> Path:
    if args.out is not None:
        return Path(args.out)
    folders = [f for f in os.environ.get(PROFILES_DIR_ENV, "").split(os.pathsep) if f]
    return Path(folders[0]) if folders else Path()


def check_usage(args: argparse.Namespace) -> Path:
    """Every usage error, before anything is fetched or written; returns the output path."""
    if not KEY_RE.match(args.key):
        raise ValueError(f"--key {args.key!r}: lower-case pinyin, digits and _ only")
    if args.key in all_profiles():
        raise ValueError(f"--key {args.key!r}: a profile with this key exists already")
    if args.column and len(args.column) != len(args.urls):
        raise ValueError(f"{len(args.column)} --column name(s) for {len(args.urls)} URL(s)")
    if args.from_capture is not None and not args.from_capture.is_dir():
        raise ValueError(f"--from-capture {args.from_capture}: not a folder")
    path = _out_dir(args) / f"{args.key}.toml"
    if path.exists() and not args.force:
        raise ValueError(f"{path} exists (use --force to overwrite)")
    return path


def fetch_live(urls: list[str], settings: list[str], folder: Path) -> list[str]:
    """Fetch the URLs into `folder` as captures (the `govcrawler capture` spider); returns the
    URLs that could not be fetched."""
    from govcrawler.cli.capture import capture_settings, fetch  # noqa: PLC0415 (Scrapy: live only)

    _, spider = fetch(
        urls, capture_settings(argparse.Namespace(warc=None, settings=settings)), folder
    )
    return list(spider.failed)


_INDEX_NAMES = ("index.html", "index.htm", "index.shtml")


def _lookup(url: str, index: CaptureIndex) -> Capture | None:
    """The capture of `url`, or of the folder's index page a server answers it with."""
    names = ("", *_INDEX_NAMES) if url.endswith("/") else ("",)
    return next((c for n in names if (c := index.get(url + n)) is not None), None)


def _match(urls: list[str], index: CaptureIndex) -> dict[str, Capture]:
    """Each URL's capture; a lone URL without one takes the lone capture left over (a redirect)."""
    found = {u: c for u in urls if (c := _lookup(u, index)) is not None}
    missing = [u for u in urls if u not in found]
    left = [
        index.get(u) for u in index.urls() if all(index.get(u) is not c for c in found.values())
    ]
    if len(missing) == 1 and len(left) == 1 and left[0] is not None:
        found[missing[0]] = left[0]
    return found


def column_name(html: str, url: str) -> str:
    """A column's name from its page title (`审查调查_某市纪委监委` → 审查调查), else its path."""
    root = parse_html(html)
    title = normalize_space(root.findtext(".//title") or "") if root is not None else ""
    first = _TITLE_SPLIT_RE.split(title)[0] if title else ""
    return first or urlsplit(url).path.strip("/") or url


def _comment(proposal: Proposal, key: str, sources: str) -> str:
    lines = [
        f"{key}: written by `govcrawler add-site` from {sources}.",
        "Inferred from the column pages alone: discovery finds each list page's article links at",
        "crawl time, the generic extractor makes the records. Check it before relying on it:",
        f"  govcrawler check-site {key} --live",
        "",
        "What the pages showed:",
        *(f"  {note}" for note in proposal.notes),
    ]
    tables = proposal.tables()
    if "list" in tables:
        lines += ["", "Proposed [list] rules (optional: selectors only speed up and pin the list):"]
        lines += [f"  {k} = {toml_literal(v)}" for k, v in tables["list"].items()]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    path = check_usage(args)
    urls = [canonical_url(u) for u in args.urls]
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="govcrawler-add-site-") as scratch:
        folder = args.from_capture
        if folder is None:
            folder = Path(scratch)
            failed = fetch_live(urls, args.settings, folder)
        captures = _match(urls, CaptureIndex.from_folder(folder))
        if args.from_capture is not None and len(captures) < len(urls):
            missing = ", ".join(u for u in urls if u not in captures)
            raise ValueError(f"no capture of {missing} in {folder}")
        pages, dates = [], []
        for i, url in enumerate(urls):
            capture = captures.get(url)
            if capture is None:
                print(f"add-site: could not fetch {url}")
                continue
            if capture.status != 200:
                print(f"add-site: {url}: HTTP {capture.status}, left out")
                failed.append(url)
                continue
            html = decode_html(capture.body, capture.content_type).text
            name = args.column[i] if args.column else column_name(html, capture.url)
            pages.append(ColumnPage(name, capture.url, html))
            dates.append(capture.fetched_at[:10])
    proposal = propose(pages, args.key, args.name)
    empty = [page.url for page, n in zip(pages, proposal.found, strict=True) if not n]
    if not pages or len(empty) == len(pages):
        print("add-site: no column page showed article links; nothing written")
        for note in proposal.notes:
            print(f"  {note}")
        return 1
    rules: dict[str, Any] = {"pagination": pagination_table(proposal.pagination)}
    if proposal.id_pattern:
        rules["id_pattern"] = proposal.id_pattern
    sources = "captures in " + str(args.from_capture) if args.from_capture else "the live pages"
    evidence = Evidence(
        "inferred",
        max(dates) if dates else datetime.now(UTC).strftime("%Y-%m-%d"),
        ("add-site",),
        "Inferred by govcrawler add-site from the column pages; not checked by a person.",
    )
    text = profile_toml(
        args.key,
        args.name,
        proposal.domains,
        proposal.columns,
        rules=rules,
        evidence=evidence,
        comment=_comment(proposal, args.key, sources),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    try:
        load_profile(path)
    except ValueError:
        path.unlink()
        raise
    print(path)
    for note in proposal.notes:
        print(f"  {note}")
    for url in empty:
        print(f"add-site: no article links found on {url}")
    print(f"crawl it with: {PROFILES_DIR_ENV}={path.parent.resolve()} govcrawler crawl {args.key}")
    return 1 if failed or empty else 0
