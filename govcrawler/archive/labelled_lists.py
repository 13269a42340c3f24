"""Labelled list pages and link scores, shared by `bench/discovery.py` and the tests (issue 14).

A labelled page is a list page with the article links a person marked on it (and its next page
when that is known): our fixtures' list captures (`.expected.json`), the hand-written family
pages in tests/data/discovery/pages, and the real pages in ../shared/realpages whose labels
(URL lists only) live in tests/data/discovery/realpages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from govcrawler.archive.capture_files import load_captures
from govcrawler.extraction.decode import decode_html

UNKNOWN = "unknown"  # a page whose next page nobody could check: pagination is not scored


@dataclass(frozen=True)
class LabelledPage:
    name: str
    url: str
    html: str
    article_urls: tuple[str, ...]
    next_page: str | None  # UNKNOWN when not labelled
    page: int = 1  # the list page's number (1 = the column's first page)
    split: str = ""  # tuning | checking (real pages only)
    site: str = ""  # the fixture site, or the host

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


@dataclass
class LinkScore:
    """Found links against labelled ones. Nothing found where nothing is labelled is perfect."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    pages: int = 0
    wrong: list[str] = field(default_factory=list)  # names of pages not found exactly

    def add(self, name: str, found: Iterable[str], expected: Iterable[str]) -> None:
        got, want = set(found), set(expected)
        self.tp += len(got & want)
        self.fp += len(got - want)
        self.fn += len(want - got)
        self.pages += 1
        if got != want:
            self.wrong.append(name)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def _page_number(name: str) -> int:
    """Fixture list captures are named `list_<column>_<n>`: page n of the column."""
    tail = name.rsplit("_", 1)[-1]
    return int(tail) if tail.isdigit() else 1


def fixture_list_pages(root: Path) -> Iterator[LabelledPage]:
    """Every list capture under `root` (fixtures/ or a redesigned copy of it)."""
    for capture in load_captures(root):
        if capture.expected_path is None:
            continue
        expected = json.loads(capture.expected_path.read_text("utf-8"))
        if expected.get("kind") != "list":
            continue
        yield LabelledPage(
            name=f"{capture.body_path.parent.name}/{capture.name}",
            url=capture.url,
            html=decode_html(capture.body, capture.content_type).text,
            article_urls=tuple(expected["article_urls"]),
            next_page=expected.get("next_page"),
            page=_page_number(capture.name),
            site=capture.body_path.parent.name,
        )


def hand_written_pages(folder: Path) -> Iterator[LabelledPage]:
    """tests/data/discovery/pages: `<name>.html` + `<name>.json` (url, article_urls, next_page)."""
    for label in sorted(folder.glob("*.json")):
        data = json.loads(label.read_text("utf-8"))
        yield LabelledPage(
            name=label.stem,
            url=data["url"],
            html=label.with_suffix(".html").read_text("utf-8"),
            article_urls=tuple(data["article_urls"]),
            next_page=data.get("next_page", UNKNOWN),
            page=int(data.get("page", 1)),
            site=urlsplit(data["url"]).hostname or "",
        )


def real_pages(labels: Path, realpages: Path) -> Iterator[LabelledPage]:
    """The real list pages (read from `realpages`, ../shared) with their labels from `labels`."""
    for label in sorted(labels.glob("*.json")):
        data = json.loads(label.read_text("utf-8"))
        body = (realpages / data["page"]).read_bytes()
        yield LabelledPage(
            name=data["page"],
            url=data["url"],
            html=decode_html(body, None).text,
            article_urls=tuple(data["article_urls"]),
            next_page=data.get("next_page", UNKNOWN),
            split=data["split"],
            site=urlsplit(data["url"]).hostname or "",
        )
