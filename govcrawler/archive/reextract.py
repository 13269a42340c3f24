"""Rebuilding article records from WARC files with today's extraction, offline, streaming.

Each response the crawl handed to its article callback (the WARC metadata record says so; in a
WARC without it, every HTML response) goes through extraction.record.build exactly as in a crawl,
with the site's boilerplate learned as it goes. Versions are decided by the crawl's own component
(state/site_state.py: SiteState over a ledger) in WARC order: an unchanged payload (a revisit) or
body is no new record, a changed one the next version, a 404/410 of an archived article its
tombstone. The ledger here is a scratch SQLite file in a temporary folder, so memory stays bounded
by the WARC payload index (ids and digests), never by the records or their bodies.

An article's attachments and images are filled from the crawl's own captures of them (their
metadata record says `file`; found by a first pass that reads headers only): the first capture
of the URL after the article's, else the last one before it, as the crawl fetched them right
after the page or reused one from earlier in the run. The entry then gets the same fields as in
the crawl (the payload record's location, sha256, size, content type, PDF/Word text), or
`reason` http_<status> for an error answer, or `not_in_warc` when the WARC files hold no capture
of it (a crawl before schema_version 4, or files turned off). A file the crawl refused without a
request (offsite, disabled) is `not_in_warc` here too.
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

from govcrawler.archive.warc_middleware import FILE_CALLBACK
from govcrawler.archive.warc_reader import (
    FileCapture,
    Location,
    PayloadIndex,
    Problem,
    UnreadableCapture,
    WarcResponse,
    decode_content,
    file_captures,
    iter_responses,
    read_payload_at,
    read_record_at,
    warc_files,
)
from govcrawler.archive.warc_writer import CALLBACK_FIELD, COLUMN_FIELD
from govcrawler.cleaning.learned import BoilerplateLearner
from govcrawler.export.pipelines import schema_errors
from govcrawler.extraction.article import Rejection
from govcrawler.extraction.documents import DocumentError, document_text
from govcrawler.extraction.files import FileResult, Kept, filled
from govcrawler.extraction.record import build
from govcrawler.extraction.urls import dedup_key
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
    files: dict[str, list[FileCapture]] = field(default_factory=dict)  # captures of files
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
        self.files = file_captures(files, FILE_CALLBACK)
        for number, path in enumerate(files):
            with self.ledger.transaction():  # one commit per file: the scratch ledger is cheap
                for capture in iter_responses([path], self.problems, self.index):
                    record = self.take(capture, (number, capture.record.offset))
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

    def take(
        self, capture: WarcResponse, order: tuple[int, int] = (0, 0)
    ) -> Article | Tombstone | None:
        """The record a crawl would have written for this capture (at `order` among the files
        read), if any."""
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
        article = self.with_files(point(result.article, capture), order)
        if not state.assign_version(article):
            self.skipped["unchanged"] += 1
            return None
        if schema_errors(article.to_dict()):
            self.skipped["invalid_record"] += 1
            return None
        return article

    def with_files(self, article: Article, order: tuple[int, int]) -> Article:
        """The article's file entries, filled from the captures of its files."""
        for attachment in article.attachments:
            filled(attachment, self.file_result(attachment["url"], order, text=True))
        for image in article.images:
            filled(image, self.file_result(image["url"], order, text=False))
        return article

    def file_result(self, url: str, order: tuple[int, int], *, text: bool) -> FileResult:
        captures = self.files.get(dedup_key(url), [])
        after = [c for c in captures if c.order > order]
        before = [c for c in captures if c.order < order]
        capture = after[0] if after else (before[-1] if before else None)
        if capture is None:
            return FileResult.not_kept("not_in_warc")
        content_type = capture.content_type
        if not 200 <= capture.status < 300:
            return FileResult.not_kept(f"http_{capture.status}", content_type)
        try:
            payload_at = self.file_payload(capture)
            body = decode_content(read_payload_at(payload_at), capture.headers)
        except UnreadableCapture as exc:
            self.problems.append(
                Problem(capture.record.file, capture.record.offset, capture.url, str(exc))
            )
            return FileResult.not_kept("not_in_warc")
        content = None
        if text:
            try:
                content = document_text(body)
            except DocumentError:
                self.skipped["file_text_unreadable"] += 1
        kept = Kept(
            body, content_type, payload_at.file.name, payload_at.record_id, payload_at.offset
        )
        return FileResult.kept(kept, content)

    def file_payload(self, capture: FileCapture) -> Location:
        """Where the capture's payload is: itself, or the response a revisit refers to."""
        if not capture.revisit:
            return capture.record
        record, _ = read_record_at(capture.record)
        original = self.index.original(record)
        if original is None and capture.refers_to is not None:
            original = next(
                (
                    c.record
                    for found in self.files.values()
                    for c in found
                    if c.record.record_id == capture.refers_to
                ),
                None,
            )
        if original is None:
            raise UnreadableCapture("revisit whose original response is not in the files read")
        return original


def point(record: R, capture: WarcResponse) -> R:
    """The record's evidence: the response record holding the payload it was made from."""
    record.warc_file = capture.payload.file.name
    record.warc_record_id = capture.payload.record_id
    record.warc_offset = capture.payload.offset
    record.payload_digest = capture.payload_digest
    return record
