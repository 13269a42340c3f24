"""Rebuilding article records from WARC files with today's extraction, offline, streaming.

Each response the crawl handed to its article callback (the WARC metadata record says so; in a
WARC without it, every HTML response) goes through extraction.record.build exactly as in a crawl,
with the site's boilerplate learned as it goes. Versions are decided by the crawl's own component
(state/site_state.py: SiteState over a ledger) in WARC order: an unchanged payload (a revisit) or
body is no new record, a changed one the next version, a 404/410 of an archived article its
tombstone. The ledger here is a scratch SQLite file in a temporary folder, so memory stays bounded
by the WARC payload index (ids and digests), never by the records or their bodies.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TypeVar
from urllib.parse import urlsplit

from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes

from govcrawler.archive.warc_reader import (
    PayloadIndex,
    Problem,
    UnreadableCapture,
    WarcResponse,
    iter_responses,
    warc_files,
)
from govcrawler.archive.warc_writer import CALLBACK_FIELD, COLUMN_FIELD
from govcrawler.cleaning.learned import BoilerplateLearner
from govcrawler.export.pipelines import schema_errors
from govcrawler.extraction.article import Rejection
from govcrawler.extraction.record import build
from govcrawler.item import Article, Tombstone
from govcrawler.sites import SiteProfile, get_profile, profile_for_url
from govcrawler.state.ledger import Ledger
from govcrawler.state.site_state import REMOVED_STATUSES, SiteState

ARTICLE_CALLBACK = "parse_article"
R = TypeVar("R", Article, Tombstone)


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; folders → the WARC files inside them."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += warc_files(path)
        elif not path.is_file():
            raise ValueError(f"{path}: no such file")
        elif not path.name.endswith((".warc", ".warc.gz")):
            raise ValueError(f"{path}: not a .warc or .warc.gz file")
        else:
            files.append(path)
    return files


@dataclass
class Reextraction:
    """The records rebuilt from a series of captures, in order, and what was not a record. Use it
    as a context manager (it owns the scratch ledger)."""

    sites: frozenset[str] = frozenset()  # only captures of these sites (default: every site)
    as_site: str | None = None  # the profile for captures no profile claims (another tool's)
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    index: PayloadIndex = field(default_factory=PayloadIndex)  # across files: revisits refer back
    states: dict[str, SiteState] = field(default_factory=dict)
    learners: dict[str, BoilerplateLearner] = field(default_factory=dict)
    written: int = 0  # records handed out so far
    scratch: tempfile.TemporaryDirectory[str] = field(
        default_factory=lambda: tempfile.TemporaryDirectory(prefix="govcrawler-reextract-")
    )

    def __post_init__(self) -> None:
        self.ledger = Ledger(Path(self.scratch.name) / "ledger.sqlite", durable=False)

    def __enter__(self) -> Reextraction:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.ledger.close()
        self.scratch.cleanup()

    def records(
        self, files: list[Path], written_to: Path, progress: Callable[[int], None] | None = None
    ) -> Iterator[Article | Tombstone]:
        """Every record of `files`, in WARC order. Each one counts as written (to `written_to`)
        once the caller takes the next, as the crawl's ledger counts a record once it is on disk.
        `progress` gets the bytes read so far after each capture."""
        done = 0
        for path in files:
            with self.ledger.transaction():  # one commit per file: the scratch ledger is cheap
                for capture in iter_responses([path], self.problems, self.index):
                    record = self.take(capture)
                    if record is not None:
                        yield record
                        self.written += 1
                        self.states[record.site].written(record, written_to)
                    if progress is not None:
                        progress(done + capture.record.offset)
            done += path.stat().st_size
            if progress is not None:
                progress(done)

    def profile_for(self, url: str) -> SiteProfile | None:
        """The profile whose domains cover `url`; with `as_site`, that profile for a URL no
        profile claims. None (skipped and counted) otherwise."""
        own = profile_for_url(url)
        if own is not None:
            if self.as_site is not None and own.key != self.as_site:
                self.skipped[f"other_site:{own.key}"] += 1
                return None
            return own
        if self.as_site is not None:
            return get_profile(self.as_site)
        self.skipped["no_profile"] += 1
        return None

    def state_of(self, profile: SiteProfile) -> SiteState:
        state = self.states.get(profile.key)
        if state is None:
            state = self.states[profile.key] = SiteState(profile, self.ledger)
        return state

    def take(self, capture: WarcResponse) -> Article | Tombstone | None:
        """The record a crawl would have written for this capture, if any."""
        callback = capture.context.get(CALLBACK_FIELD)
        if callback is not None and callback != ARTICLE_CALLBACK:
            return None  # a list page, robots.txt: not an article request
        if callback is None and urlsplit(capture.url).path == "/robots.txt":
            return None  # another tool's WARC: every HTML page is tried, robots.txt is not
        profile = self.profile_for(capture.url)
        if profile is None:
            return None
        if self.sites and profile.key not in self.sites:
            self.skipped["filtered"] += 1
            return None
        state = self.state_of(profile)
        if capture.status in REMOVED_STATUSES:
            tombstone = state.tombstone(capture.url, capture.status, capture.date)
            if tombstone is None:
                self.skipped[f"http_{capture.status}"] += 1
                return None
            return point(tombstone, capture)
        if not 200 <= capture.status < 300:
            self.skipped[f"http_{capture.status}"] += 1
            return None
        try:
            body = capture.body()
        except UnreadableCapture as exc:
            self.problems.append(
                Problem(capture.record.file, capture.record.offset, capture.url, str(exc))
            )
            return None
        headers = Headers()
        for name, value in capture.headers:
            headers.appendlist(name, value)
        if not issubclass(responsetypes.from_args(headers=headers, url=capture.url), TextResponse):
            self.skipped["not_html"] += 1
            return None
        learner = self.learners.setdefault(profile.key, BoilerplateLearner())
        result = build(
            body,
            capture.url,
            profile=profile,
            fetched_at=capture.date,
            content_type=capture.content_type,
            http_status=capture.status,
            column_hint=capture.context.get(COLUMN_FIELD),
            learned=learner.learned(),
        )
        if isinstance(result, Rejection):
            self.skipped[result.reason] += 1
            return None
        learner.observe(result.extraction.observed_lines)
        article = point(result.article, capture)
        if not state.assign_version(article):
            self.skipped["unchanged"] += 1
            return None
        if schema_errors(article.to_dict()):
            self.skipped["invalid_record"] += 1
            return None
        return article


def point(record: R, capture: WarcResponse) -> R:
    """The record's evidence: the response record holding the payload it was made from."""
    record.warc_file = capture.payload.file.name
    record.warc_record_id = capture.payload.record_id
    record.warc_offset = capture.payload.offset
    record.payload_digest = capture.payload_digest
    return record
