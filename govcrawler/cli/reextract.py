"""`govcrawler reextract data/warc/*.warc.gz [--site KEY] [-o out.jsonl]`: rebuild the JSONL from
the raw archive with today's extraction, offline.

Each response the crawl handed to its article callback (the WARC metadata record says so; in a
WARC without it, every HTML response) goes through extraction.record.build exactly as in a crawl,
with the site's boilerplate learned as it goes. Versions follow the crawl's rules in WARC order:
an unchanged payload (a revisit) or body is no new record, a changed one the next version, a
404/410 of an archived article its tombstone. Each record points to its WARC response record.
Unreadable captures are listed on stderr and make the exit code 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import IO, Any, TypeVar, cast
from urllib.parse import urlsplit

from scrapy.exporters import JsonLinesItemExporter
from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes

from govcrawler.archive.warc_reader import (
    PayloadIndex,
    Problem,
    UnreadableCapture,
    WarcResponse,
    is_warc,
    iter_responses,
    warc_files,
)
from govcrawler.archive.warc_writer import CALLBACK_FIELD, COLUMN_FIELD
from govcrawler.cleaning.learned import BoilerplateLearner
from govcrawler.export.pipelines import schema_errors
from govcrawler.extraction.article import Rejection
from govcrawler.extraction.record import build
from govcrawler.extraction.urls import article_id
from govcrawler.item import Article, Tombstone
from govcrawler.sites import SiteProfile, get_profile, profile_for_url
from govcrawler.state.ledger import ArticleState
from govcrawler.state.rules import version_of
from govcrawler.state.site_state import REMOVED_STATUSES

ARTICLE_CALLBACK = "parse_article"
R = TypeVar("R", Article, Tombstone)


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "reextract", help="rebuild article JSONL from WARC files with today's extraction"
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="WARC", help="files or folders")
    parser.add_argument("--site", help="profile key (default: from each URL)")
    parser.add_argument("-o", "--output", type=Path, help="JSONL file (default: stdout)")
    parser.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar on stderr (auto: when stderr is a terminal)",
    )
    parser.set_defaults(run=run)


@dataclass
class Known:
    """What re-extraction remembers of an id's last record (an in-memory ledger)."""

    record: Article | Tombstone
    state: ArticleState


@dataclass
class Reextraction:
    """The records rebuilt from a series of captures, in order, and what was not a record."""

    site: str | None = None
    records: list[Article | Tombstone] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    known: dict[str, Known] = field(default_factory=dict)
    learners: dict[str, BoilerplateLearner] = field(default_factory=dict)
    index: PayloadIndex = field(default_factory=PayloadIndex)  # across files: revisits refer back

    def profile_for(self, url: str) -> SiteProfile | None:
        return get_profile(self.site) if self.site else profile_for_url(url)

    def take(self, capture: WarcResponse) -> Article | Tombstone | None:
        """The record a crawl would have written for this capture, if any."""
        callback = capture.context.get(CALLBACK_FIELD)
        if callback is not None and callback != ARTICLE_CALLBACK:
            return None  # a list page, robots.txt: not an article request
        if callback is None and urlsplit(capture.url).path == "/robots.txt":
            return None  # another tool's WARC: every HTML page is tried, robots.txt is not
        profile = self.profile_for(capture.url)
        if profile is None:
            self.skipped["no_profile"] += 1
            return None
        if capture.status in REMOVED_STATUSES:
            return self._tombstone(capture, profile)
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
        return self._versioned(point(result.article, capture))

    def _versioned(self, article: Article) -> Article | None:
        known = self.known.get(article.id)
        decision = version_of(
            known.state if known else None, article.content_sha256, article.payload_digest
        )
        if decision.outcome == "unchanged":
            assert known is not None
            known.state = state_of(known.record, article.payload_digest)
            self.skipped["unchanged"] += 1
            return None
        article.version, article.supersedes = decision.version, decision.supersedes
        errors = schema_errors(article.to_dict())
        if errors:
            self.skipped["invalid_record"] += 1
            return None
        self.known[article.id] = Known(article, state_of(article, article.payload_digest))
        return article

    def _tombstone(self, capture: WarcResponse, profile: SiteProfile) -> Tombstone | None:
        known = self.known.get(article_id(profile, profile.key, capture.url))
        if known is None or isinstance(known.record, Tombstone):
            self.skipped[f"http_{capture.status}"] += 1
            return None
        last = known.record
        tombstone = point(
            Tombstone(
                id=last.id,
                site=last.site,
                site_name=last.site_name,
                url=last.url,
                column=last.column,
                title=last.title,
                published_at=last.published_at,
                fetched_at=capture.date,
                http_status=capture.status,
                version=last.version + 1,
                supersedes=last.content_sha256,
            ),
            capture,
        )
        self.known[last.id] = Known(tombstone, state_of(tombstone, tombstone.payload_digest))
        return tombstone


def point(record: R, capture: WarcResponse) -> R:
    """The record's evidence: the response record holding the payload it was made from."""
    record.warc_file = capture.payload.file.name
    record.warc_record_id = capture.payload.record_id
    record.warc_offset = capture.payload.offset
    record.payload_digest = capture.payload_digest
    return record


def state_of(record: Article | Tombstone, payload_digest: str | None) -> ArticleState:
    removed = isinstance(record, Tombstone)
    return ArticleState(
        id=record.id,
        site=record.site,
        url=record.url,
        column=record.column,
        title=record.title,
        published_at=record.published_at,
        first_seen=0,
        last_fetched=0,
        last_status=record.http_status,
        etag=None,
        last_modified=None,
        content_sha256=record.supersedes
        if isinstance(record, Tombstone)
        else record.content_sha256,
        version=record.version,
        removed=removed,
        file=None,
        payload_digest=payload_digest,
    )


class Progress:
    """A one-line progress bar on stderr: bytes of WARC read, records written."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = max(total, 1)
        self.enabled = enabled
        self.last = 0.0

    def show(self, done: int, records: int, *, final: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not final and now - self.last < 0.2):
            return
        self.last = now
        share = min(done / self.total, 1.0)
        bar = "#" * int(share * 30)
        sys.stderr.write(f"\r[{bar:<30}] {share:6.1%} {records} records")
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; folders → the WARC files inside them."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += warc_files(path)
        elif not path.is_file():
            raise ValueError(f"{path}: no such file")
        elif not is_warc(path):
            raise ValueError(f"{path}: not a .warc or .warc.gz file")
        else:
            files.append(path)
    return files


def run(args: argparse.Namespace) -> int:
    if args.site:
        get_profile(args.site)  # fail before reading anything
    files = expand(args.files)
    job = Reextraction(site=args.site)
    total = sum(p.stat().st_size for p in files)
    enabled = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    progress = Progress(total, enabled)
    out: IO[bytes]
    tmp: str | None = None
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{args.output.name}.", dir=args.output.parent)
        out = os.fdopen(fd, "wb")
    else:
        out = sys.stdout.buffer
    exporter = JsonLinesItemExporter(cast(BytesIO, out), encoding="utf-8")
    exporter.start_exporting()
    done_bytes, written = 0, 0
    try:
        for number, path in enumerate(files):
            for capture in iter_responses([path], job.problems, job.index):
                record = job.take(capture)
                if record is not None:
                    exporter.export_item(record)
                    written += 1
                progress.show(done_bytes + capture.record.offset, written)
            done_bytes += path.stat().st_size
            progress.show(done_bytes, written, final=number == len(files) - 1)
        exporter.finish_exporting()
        out.flush()
        if tmp is not None:
            os.fsync(out.fileno())
            out.close()
            os.replace(tmp, args.output)
            tmp = None
    finally:
        if tmp is not None:
            out.close()
            os.unlink(tmp)
    skipped = ", ".join(f"{k}={v}" for k, v in sorted(job.skipped.items())) or "none"
    print(
        f"govcrawler reextract: {written} records from {len(files)} WARC files;"
        f" not records: {skipped}; unreadable captures: {len(job.problems)}",
        file=sys.stderr,
    )
    for problem in job.problems:
        where = f"{problem.file}:{problem.offset}" if problem.offset is not None else problem.file
        print(f"  unreadable: {where} {problem.url or ''} ({problem.detail})", file=sys.stderr)
    return 1 if job.problems else 0
