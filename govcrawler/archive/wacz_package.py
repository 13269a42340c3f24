"""A crawl's WARC files as one WACZ (Web Archive Collection Zipped, the format ReplayWeb.page and
pywb open and archivists hand on), made by the `wacz` package (Webrecorder's py-wacz): it writes
the CDXJ index with cdxj-indexer, copies the WARCs in, and lists every file with its sha256 in
datapackage.json. We supply the pages list: one entry per archived article version, with its
title, pointing at the response record the version was extracted from.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcrawler.archive.warc_reader import Location, UnreadableCapture, read_record_at, warc_files
from govcrawler.query.records import archive_files, read_lines
from govcrawler.state.files import part_path

PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "Archived articles"}
PAGES_IN_WACZ = "pages/pages.jsonl"


class WaczError(RuntimeError):
    """The wacz package failed (its output is in the message)."""


@dataclass
class Pages:
    """The pages list, and what could not be listed (never dropped silently)."""

    pages: list[dict[str, str]] = field(default_factory=list)
    not_in_warc: int = 0  # records whose WARC file is not packaged (or that have no evidence)
    unreadable: list[str] = field(default_factory=list)  # "file:offset: why"


def site_of(warc: Path) -> str:
    """`<site>-<run start>-<serial>.warc.gz` → site."""
    return warc.name.split("-", 1)[0]


def select_warcs(folder: Path, sites: Iterable[str] = ()) -> list[Path]:
    """The completed WARC files under `folder`, of `sites` only when given."""
    wanted = set(sites)
    return [p for p in warc_files(folder) if not wanted or site_of(p) in wanted]


def article_pages(articles: Path, warcs: list[Path]) -> Pages:
    """One page per archived article version in the JSONL under `articles` (of the sites whose
    WARC files are packaged): URL and time of the WARC response record it was extracted from (so
    the page opens that capture), and its title."""
    by_name = {p.name: p for p in warcs}
    sites = {site_of(p) for p in warcs}
    result = Pages()
    seen: set[tuple[str, str]] = set()
    for archive_file in archive_files(articles):
        for line in read_lines(articles / archive_file.relpath):
            record = line.record
            if record is None or record.get("removed") or record.get("site") not in sites:
                continue
            warc = by_name.get(str(record.get("warc_file")))
            if warc is None or not isinstance(record.get("warc_offset"), int):
                result.not_in_warc += 1
                continue
            location = Location(warc, record["warc_offset"], str(record.get("warc_record_id")))
            try:
                response, _ = read_record_at(location)
            except UnreadableCapture as exc:
                result.unreadable.append(str(exc))
                continue
            url = response.rec_headers.get_header("WARC-Target-URI")
            date = response.rec_headers.get_header("WARC-Date")
            if (url, date) in seen:
                continue
            seen.add((url, date))
            result.pages.append({"url": url, "ts": date, "title": str(record.get("title") or url)})
    return result


def write_pages(path: Path, pages: list[dict[str, str]]) -> None:
    lines = [PAGES_HEADER, *pages]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")


def create_wacz(
    out: Path, warcs: list[Path], pages: list[dict[str, str]], *, title: str, description: str
) -> None:
    """Package `warcs` and `pages` into `out` with `wacz create` (written beside `out`, then
    renamed, so `out` is never half-written)."""
    from wacz.main import main as wacz_main  # noqa: PLC0415  (the optional extra [wacz])

    partial = part_path(out)
    pages_file = out.with_name(out.name + ".pages.jsonl")
    write_pages(pages_file, pages)
    args = ["create", "-o", str(partial), "--title", title, "--desc", description]
    args += ["-p", str(pages_file)] if pages else []
    said = io.StringIO()
    try:
        with contextlib.redirect_stdout(said):
            try:
                status = wacz_main([*args, *map(str, warcs)])
            except Exception as exc:  # a file it cannot read: say which, and that it failed
                raise WaczError(f"wacz create failed: {type(exc).__name__}: {exc}") from exc
        if status != 0:
            raise WaczError(f"wacz create exited {status}: {said.getvalue()[-2000:]}")
        os.replace(partial, out)
    finally:
        pages_file.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)


def packaged_pages(wacz: Path) -> list[dict[str, Any]]:
    """The pages list inside a WACZ (its header line left out)."""
    with zipfile.ZipFile(wacz) as z:
        if PAGES_IN_WACZ not in z.namelist():
            return []
        lines = z.read(PAGES_IN_WACZ).decode("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()][1:]
