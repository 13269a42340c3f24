"""`govcrawler extract [--site KEY] [--url URL] FILE…`: saved pages → JSONL records on stdout.

Runs the crawl's own extraction and cleaning (extraction.record.build). Every FILE gets one line,
in the order given: its record, or `{"error": <reason>, "file": …, "detail": …}` when it is no
article (a PDF, a list page, navigation only …) or cannot be read (missing, a directory, bad
gzip). `.gz` files are decompressed. A capture sidecar next to the file (`<name>.capture.json`)
supplies URL, headers and capture time. Exit code 0 when every file became a record, 1 when any
did not, 2 on a usage error (before any file is read).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govcrawler.archive.capture_files import CAPTURE_SUFFIX, read_capture
from govcrawler.cleaning.learned import BoilerplateLearner
from govcrawler.extraction.article import Rejection
from govcrawler.extraction.decode import decode_html
from govcrawler.extraction.record import GENERIC_SITE, Built, build
from govcrawler.sites import SiteProfile, get_profile, profile_for_url

_PAGE_URL_RES = (
    re.compile(r'<link[^>]+rel=["\']canonical["\'][^>]+href=["\'](https?://[^"\']+)', re.I),
    re.compile(r'<meta[^>]+property=["\']og:url["\'][^>]+content=["\'](https?://[^"\']+)', re.I),
)
_SITE_DOMAIN_RE = re.compile(
    r'<meta[^>]+name=["\']SiteDomain["\'][^>]+content=["\']([\w.-]+)', re.I
)


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "extract",
        help="extract records from saved page files (exit 0 all extracted, 1 any failed, 2 usage)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--site", help="profile key (default: inferred from the URL or the page)")
    parser.add_argument("--url", help="the page's URL (only with a single FILE)")
    parser.add_argument(
        "--evidence",
        action="store_true",
        help="add an `evidence` object: which rule produced each field (and any fallback)",
    )
    parser.add_argument(
        "--learn",
        action="store_true",
        help="two passes: learn lines that recur across the given pages of a site, drop them",
    )
    parser.set_defaults(run=run)


def _page_hints(html: str) -> tuple[str | None, str | None]:
    """(URL the page names for itself, host its SiteDomain meta names)."""
    url = next((m[1] for r in _PAGE_URL_RES if (m := r.search(html))), None)
    domain = _SITE_DOMAIN_RE.search(html)
    return url, domain[1] if domain else None


def extract_file(
    path: Path, site: str | None, url: str | None, learned: dict[str, frozenset[str]] | None = None
) -> tuple[dict[str, Any], Built | None]:
    """One file → (a record dict or {"error", "file", "detail"}, the extraction when it worked).

    `learned` maps site keys to their learned boilerplate (from a first pass with --learn).
    Raises OSError when the file cannot be read (a gzip file that is not one included)."""
    body = read_saved_file(path)
    stem = path.name.removesuffix(".gz")
    sidecar = path.with_name(stem.rsplit(".", 1)[0] + CAPTURE_SUFFIX)
    content_type, fetched_at, status = None, None, 200
    if sidecar.is_file():
        capture = read_capture(sidecar)
        url = url or capture.url
        content_type, fetched_at, status = capture.content_type, capture.fetched_at, capture.status
    html = decode_html(body, content_type).text
    page_url, page_domain = _page_hints(html)
    url = url or page_url
    profile: SiteProfile | None = get_profile(site) if site else None
    if profile is None and url:
        profile = profile_for_url(url)
    if profile is None and page_domain:
        profile = profile_for_url(f"https://{page_domain}/")
    if not url:
        url = path.resolve().as_uri()
    if fetched_at is None:  # when the file was saved: the best capture time a bare file has
        fetched_at = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    site_key = profile.key if profile else GENERIC_SITE
    result = build(
        body,
        url,
        profile=profile,
        fetched_at=fetched_at,
        content_type=content_type,
        http_status=status,
        learned=(learned or {}).get(site_key, frozenset()),
    )
    if isinstance(result, Rejection):
        return {"error": result.reason, "file": str(path), "detail": result.detail}, None
    return result.article.to_dict(), result


_GZIP_MAGIC = b"\x1f\x8b"


def read_saved_file(path: Path) -> bytes:
    """The file's bytes, decompressed when it is gzip (by name or by its magic bytes)."""
    data = path.read_bytes()
    if path.suffix == ".gz" or data.startswith(_GZIP_MAGIC):
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise OSError(f"not a readable gzip file: {exc}") from exc
    return data


def learn_boilerplate(
    files: list[Path], site: str | None, url: str | None
) -> dict[str, frozenset[str]]:
    """First pass of --learn: lines that recur across the given pages of each site."""
    learners: dict[str, BoilerplateLearner] = {}
    for path in files:
        try:
            _, built = extract_file(path, site, url)
        except OSError:
            continue  # reported by the second pass
        if built is not None:
            learner = learners.setdefault(built.article.site, BoilerplateLearner())
            learner.observe(built.extraction.observed_lines)
    return {key: learner.learned() for key, learner in learners.items()}


def run(args: argparse.Namespace) -> int:
    if args.url and len(args.files) > 1:
        raise ValueError("--url names one page: give a single FILE with it")
    if args.site:
        get_profile(args.site)  # fail before reading any file
    learned = learn_boilerplate(args.files, args.site, args.url) if args.learn else None
    failed = 0
    for path in args.files:
        try:
            line, built = extract_file(path, args.site, args.url, learned)
            if args.evidence and built is not None:
                evidence = dict(built.extraction.evidence)
                if built.extraction.fallback:
                    evidence["fallback"] = built.extraction.fallback
                line = {**line, "evidence": evidence}
        except OSError as exc:
            line = {"error": "unreadable", "file": str(path), "detail": str(exc)}
        except Exception as exc:  # one bad page must not hide the other files' lines
            line = {"error": "failed", "file": str(path), "detail": f"{type(exc).__name__}: {exc}"}
        failed += "error" in line
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 1 if failed else 0
