"""One site's crawl state in one crawl: the ledger seen through the incremental rules (no Scrapy).

The spider asks it what to request and whether pagination may stop; the versioning pipeline asks
which version a record is; the run-file export tells it when a record is durably written, and
only then is the article marked archived. Every article ends in one outcome, counted in the stats
as `govcrawler/outcome/<outcome>`. With no ledger (GOVCRAWLER_STATE empty) every linked article
is fetched and every record is version 1. The Scrapy side, which owns it for one crawler, is
state/crawl_state.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcrawler.extraction.drift import ListDrift
from govcrawler.extraction.files import files_to_retry
from govcrawler.extraction.listing import ListEntry
from govcrawler.extraction.urls import article_id
from govcrawler.item import Article, Tombstone
from govcrawler.sites import SiteProfile
from govcrawler.state.failures import failure_class
from govcrawler.state.ledger import ArticleState, Ledger, ListPageState
from govcrawler.state.locks import FileLock
from govcrawler.state.rules import (
    DAY,
    Version,
    conditional_headers,
    page_is_covered,
    recheck_due,
    version_of,
)

logger = logging.getLogger(__name__)

#: Every article a run meets ends in exactly one of these (the manifest's counts).
OUTCOMES = ("new", "changed", "unchanged", "known", "removed", "blocked", "failed", "skipped")
#: The outcomes that wrote a record, and those that left an article not archived (retried).
ARCHIVED_OUTCOMES = ("new", "changed", "removed")
MISSED_OUTCOMES = ("blocked", "failed", "skipped")
#: Answers the spider takes itself for an article already archived: not modified, gone.
KNOWN_STATUSES = (304, 404, 410)
REMOVED_STATUSES = (404, 410)


@dataclass
class ColumnRun:
    """What one column's walk did in this run: list pages read, article links found, the first
    list page that failed (its reason), and where the profile drifted (for the per-column report).

    Drift is not failure: `drift` notes where the profile's list or pagination rules parted from
    the page and discovery stood in (`discovered` links came from discovery alone);
    `body_fallbacks` counts the articles whose body the generic extractor made because the
    profile's body selectors missed. A column whose drift was survived has status `drift` with
    links; one where nothing stood in has status `drift` and no links."""

    name: str
    url: str
    list_pages: int = 0
    links: int = 0
    failed_page: int | None = None
    reason: str | None = None
    drift: list[dict[str, Any]] = field(default_factory=list)
    discovered: int = 0
    body_fallbacks: int = 0
    body_reason: str | None = None
    seen: set[str] = field(default_factory=set, repr=False)  # article links met in this walk

    def drifted(self) -> bool:
        return bool(self.drift or self.body_fallbacks)

    def status(self) -> str:
        """`ok`; or the failure class of what went wrong (state/failures.py); `drift` when list
        pages came but gave no article link, or the profile drifted and discovery or the generic
        extractor stood in; `not_reached` when no list page was asked for."""
        if self.reason is not None:
            return failure_class(self.reason)
        if self.links:
            return "drift" if self.drifted() else "ok"
        return "drift" if self.list_pages else "not_reached"

    def classes(self) -> list[str]:
        """The failure classes of this column's problems (drift beside a failed walk too)."""
        status = self.status()
        if status in ("ok", "not_reached"):
            return ["drift"] if self.drifted() else []
        return sorted({status, "drift"} if self.drifted() else {status})

    def drift_notes(self) -> list[str]:
        """What drifted, in words: each list page or pager, then the article bodies."""
        notes = [f"{d['where']}: {d['reason']}" for d in self.drift]
        if self.body_fallbacks:
            notes.append(
                f"article body: the generic extractor made {self.body_fallbacks} record(s)"
                f" ({self.body_reason})"
            )
        return notes

    def problem(self) -> str | None:
        """The sentence the summary and the manifest show, or None when the walk went well (or
        never started: the crawl stopped before, which the site's report says)."""
        status = self.status()
        where = f"column {self.name} ({self.url})"
        drift = "; ".join(self.drift_notes())
        if status in ("ok", "not_reached"):
            return f"{where}: drift: {drift}" if drift else None
        if self.reason is not None:
            page = (
                "its first list page" if self.failed_page == 1 else f"list page {self.failed_page}"
            )
            also = f"; drift before that: {drift}" if drift else ""
            return f"{where}: {page} could not be read ({status}: {self.reason}){also}"
        if self.links:
            via = (
                f" ({self.discovered} of {self.links} links from discovery)"
                if self.discovered
                else ""
            )
            return f"{where}: drift, survived{via}: {drift}"
        if drift:
            return f"{where}: drift, nothing archived: {drift}"
        return (
            f"{where}: {self.list_pages} list page(s) fetched but neither the profile nor"
            " discovery found article links (drift: was the site redesigned?)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "status": self.status(),
            "reason": self.reason,
            "list_pages": self.list_pages,
            "links": self.links,
            "drift": self.drift_notes(),
            "discovered": self.discovered,
            "body_fallbacks": self.body_fallbacks,
        }


@dataclass(frozen=True)
class FetchPlan:
    """Request this article: `known` ones are archived already (re-check, conditional GET)."""

    article_id: str
    known: bool
    headers: dict[str, str]


class SiteState:
    def __init__(
        self,
        profile: SiteProfile,
        ledger: Ledger | None,
        *,
        stats: Any = None,
        recheck_days: float = 30.0,
        recheck_limit: int = 100,
        clock: Callable[[], float] = time.time,
        lock: FileLock | None = None,
    ) -> None:
        self.profile = profile
        self.site = profile.key
        self.ledger = ledger
        self.stats = stats
        self.recheck_days = recheck_days
        self.recheck_limit = recheck_limit
        self.clock = clock
        self.lock = lock
        self._requested: set[str] = set()
        self._validators: dict[str, tuple[str | None, str | None]] = {}
        self._walk_marks: dict[str, int | None] = {}
        self._walked: dict[str, int] = {}  # column URL → pages, for walks that reached the end
        self.columns: dict[str, ColumnRun] = {}  # column URL → its walk in this run

    def now(self) -> int:
        return int(self.clock())

    def count(self, outcome: str, n: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"govcrawler/outcome/{outcome}", n)

    def article_id(self, url: str) -> str:
        return article_id(self.profile, self.site, url)

    # ---- what to request -----------------------------------------------------------------------

    def plan(self, url: str) -> FetchPlan | None:
        """Request this linked article? None when it is requested already in this run, or is
        archived and not due for its re-check (counted `known`, once per link met). Only
        requested ids are remembered, so memory grows with the requests, not the archive."""
        aid = self.article_id(url)
        if aid in self._requested:
            return None
        known = self.ledger.article(aid) if self.ledger else None
        due = known is not None and (
            known.files_missing > 0  # files to try again: fetched on every run, unconditionally
            or recheck_due(known.last_fetched, self.now(), self.recheck_days)
        )
        if known is not None and not due:
            self.count("known")
            return None
        self._requested.add(aid)
        if known is None:
            return FetchPlan(aid, False, {})
        if known.files_missing:
            return FetchPlan(aid, True, {})
        return FetchPlan(aid, True, conditional_headers(known.etag, known.last_modified))

    def retries(self) -> list[tuple[str, str | None]]:
        """(url, column) to request besides the list pages: every article that could not be
        archived yet, every archived one with files to try again, then up to `recheck_limit`
        archived ones whose re-check is due, oldest first (so removals are noticed even when the
        list no longer links the article)."""
        if self.ledger is None:
            return []
        pending = self.ledger.pending(self.site)
        files = self.ledger.files_missing(self.site)
        due: list[ArticleState] = []
        if self.recheck_limit > 0:
            before = self.now() - int(self.recheck_days * DAY) + 1
            due = self.ledger.due(self.site, fetched_before=before, limit=self.recheck_limit)
        if pending or due or files:
            logger.info(
                "%s: retrying %d articles not archived yet and %d with files not kept,"
                " re-checking %d archived ones",
                self.site,
                len(pending),
                len(files),
                len(due),
            )
        return [(p.url, p.column) for p in pending] + [(a.url, a.column) for a in [*files, *due]]

    def expect_columns(self, columns: Iterable[tuple[str, str]]) -> None:
        """The (name, URL) of the columns this run walks."""
        self.columns = {url: ColumnRun(name, url) for name, url in columns}

    def column(self, column_url: str) -> ColumnRun:
        run = self.columns.get(column_url)
        if run is None:
            run = self.columns[column_url] = ColumnRun(column_url, column_url)
        return run

    def last_list_entries(self, url: str) -> int | None:
        """How many article links this list page gave in the last run that read it (None: no
        ledger, or never read)."""
        known = self.ledger.list_page(url) if self.ledger is not None else None
        return known.entries if known is not None else None

    def list_page_read(
        self,
        url: str,
        column_url: str,
        page: int,
        entries: list[ListEntry],
        *,
        drift: ListDrift | None = None,
        discovered: int = 0,
    ) -> None:
        """A list page and the links taken from it; `drift`: the verdict when the profile's list
        rules drifted on it, `discovered` the links only discovery found."""
        walk = self.column(column_url)
        walk.list_pages += 1
        walk.links += len(entries)
        walk.seen.update(e.url for e in entries)
        if drift is not None:
            self._drifted(walk, "list", page, url, drift.reason)
            walk.discovered += discovered
            if self.stats is not None:
                self.stats.inc_value("govcrawler/drift/list_pages")
                self.stats.inc_value("govcrawler/drift/discovered_links", discovered)
        if self.ledger is None:
            return
        self.ledger.save_list_page(
            ListPageState(
                url=url,
                site=self.site,
                column_url=column_url,
                page=page,
                last_fetched=self.now(),
                entries=len(entries),
                newest_id=self.article_id(entries[0].url) if entries else None,
                newest_date=entries[0].date if entries else None,
            )
        )

    def new_links(self, column_url: str, entries: list[ListEntry]) -> list[ListEntry]:
        """The entries this column's walk has not met yet in this run."""
        seen = self.column(column_url).seen
        return [e for e in entries if e.url not in seen]

    def pagination_drifted(self, column_url: str, page: int, url: str, reason: str) -> None:
        """The profile's paginator found no page after list page `page`; discovery found one."""
        self._drifted(self.column(column_url), "pagination", page, url, reason)
        if self.stats is not None:
            self.stats.inc_value("govcrawler/drift/pagination")

    def body_fell_back(self, column: str | None, reason: str) -> None:
        """An article of `column` (a name) whose body the generic extractor made because the
        profile's body selectors missed (counted by the spider as `extract/fallback/<site>`)."""
        walk = next((c for c in self.columns.values() if c.name == column), None)
        if walk is None:  # an article retried from an earlier run, of a column not walked now
            url = next((c.url for c in self.profile.columns if c.name == column), "")
            walk = self.columns.setdefault(url, ColumnRun(column or "(no column)", url))
        walk.body_fallbacks += 1
        walk.body_reason = walk.body_reason or reason

    def _drifted(self, walk: ColumnRun, what: str, page: int, url: str, reason: str) -> None:
        where = f"list page {page}" if what == "list" else f"pagination after list page {page}"
        walk.drift.append(
            {"what": what, "page": page, "url": url, "where": where, "reason": reason}
        )
        logger.log(
            logging.WARNING if len(walk.drift) == 1 else logging.INFO,  # a warning once a column
            "%s: drift on column %s, %s (%s): %s",
            self.site,
            walk.name,
            where,
            url,
            reason,
        )

    def drift_report(self) -> list[dict[str, Any]]:
        """Every drift of this run, for the manifest: one entry per list page or pager where
        the profile parted from the page, and one per column for the article bodies."""
        report: list[dict[str, Any]] = []
        for walk in self.columns.values():
            report += [{"column": walk.name, **d} for d in walk.drift]
            if walk.body_fallbacks:
                report.append(
                    {
                        "column": walk.name,
                        "what": "body",
                        "articles": walk.body_fallbacks,
                        "reason": walk.body_reason,
                    }
                )
        return report

    def page_is_covered(self, urls: list[str], column_url: str) -> bool:
        """Every article on this list page was in the ledger when the column's last complete walk
        finished: pagination may stop here (state/rules.py:page_is_covered)."""
        if self.ledger is None:
            return False
        if column_url not in self._walk_marks:
            self._walk_marks[column_url] = self.ledger.walk_completed_at(self.site, column_url)
        seen = [self.ledger.first_seen(self.article_id(u)) for u in urls]
        return page_is_covered(seen, self._walk_marks[column_url])

    def walk_complete(self, column_url: str, pages: int) -> None:
        """The column's pagination ended (last page, or a covered page): recorded at a clean close."""
        self._walked[column_url] = pages

    # ---- what an answer means ------------------------------------------------------------------

    def remember_validators(self, aid: str, etag: str | None, last_modified: str | None) -> None:
        """ETag / Last-Modified of a 200 answer, stored with the record once it is written."""
        if self.ledger is not None and (etag or last_modified):
            self._validators[aid] = (etag, last_modified)

    def not_modified(self, url: str) -> None:
        """304 to a conditional re-check."""
        if self.ledger is not None:
            self.ledger.mark_fetched(self.article_id(url), at=self.now(), status=304)
        self.count("unchanged")

    def tombstone(self, url: str, status: int, fetched_at: str) -> Tombstone | None:
        """An archived article answers 404/410: its tombstone, once (None if it is gone already)."""
        known = self.ledger.article(self.article_id(url)) if self.ledger else None
        if self.ledger is None or known is None:
            self.failed(url, None, "failed", f"http_{status}")
            return None
        if known.removed:
            self.ledger.mark_fetched(known.id, at=self.now(), status=status)
            self.count("unchanged")
            return None
        logger.warning("Gone from the site (HTTP %d), writing a tombstone: %s", status, url)
        return Tombstone(
            id=known.id,
            site=self.site,
            site_name=self.profile.name,
            url=known.url,
            column=known.column,
            title=known.title,
            published_at=known.published_at,
            fetched_at=fetched_at,
            http_status=status,
            version=known.version + 1,
            supersedes=known.content_sha256,
        )

    def version(self, article: Article, files_missing: int | None = None) -> Version | None:
        """The record's version against the ledger (None without one); `files_missing`: the
        record's files to try again (default: counted from its entries)."""
        if self.ledger is None:
            return None
        return version_of(
            self.ledger.article(article.id),
            article.content_sha256,
            article.payload_digest,
            files_to_retry(article) if files_missing is None else files_missing,
        )

    def assign_version(self, article: Article) -> bool:
        """Set the record's version/supersedes from the ledger; False when its body is unchanged
        (nothing to write: the re-check is recorded and counted `unchanged`)."""
        decision = self.version(article)
        if decision is None or self.ledger is None:  # no ledger: every record is version 1
            return True
        if decision.outcome == "unchanged":
            etag, last_modified = self._validators.pop(article.id, (None, None))
            self.ledger.mark_fetched(
                article.id,
                at=self.now(),
                status=article.http_status,
                etag=etag,
                last_modified=last_modified,
                payload_digest=article.payload_digest,
            )
            self.count("unchanged")
            return False
        article.version, article.supersedes = decision.version, decision.supersedes
        return True

    def failed(self, url: str, column: str | None, outcome: str, reason: str) -> None:
        """A linked article that could not be archived: counted (by outcome and by reason), and
        (if never archived) kept in the ledger's pending list so the next run asks for it again."""
        self.count(outcome)
        if self.stats is not None:
            self.stats.inc_value(f"govcrawler/failure/{reason}")
        if self.ledger is None:
            return
        aid = self.article_id(url)
        self._validators.pop(aid, None)
        if self.ledger.article(aid) is None:
            self.ledger.add_pending(
                article_id=aid, site=self.site, url=url, column=column, reason=reason, at=self.now()
            )

    def request_failed(self, url: str, column: str | None, outcome: str, reason: str) -> None:
        """An article request that ended in an error instead of a response (spiders/faults.py
        names it)."""
        if outcome != "blocked":  # BlockedPageMiddleware has logged those
            logger.warning("Could not fetch %s (%s): retried next run", url, reason)
        self.failed(url, column, outcome, reason)

    def list_failed(self, url: str, column_url: str, page: int, outcome: str, reason: str) -> None:
        """A list page that could not be fetched or read: the column's walk stops there; the
        first such page is the column's reason in the report."""
        if self.stats is not None:
            self.stats.inc_value("govcrawler/failed/list_page")
        walk = self.column(column_url)
        if walk.reason is None:
            walk.failed_page, walk.reason = page, reason
        if outcome == "blocked":
            self.count("blocked")
        else:
            logger.warning("Could not read list page %s (%s)", url, reason)

    # ---- after the durable write ---------------------------------------------------------------

    def written(self, record: Article | Tombstone, file: Path) -> None:
        """The record is on disk in `file`: now the ledger may say so."""
        self.count(
            "removed"
            if isinstance(record, Tombstone)
            else ("new" if record.version == 1 else "changed")
        )
        if self.ledger is None:
            return
        known = self.ledger.article(record.id)
        now = self.now()
        etag, last_modified = self._validators.pop(record.id, (None, None))
        tombstone = isinstance(record, Tombstone)
        state = ArticleState(
            id=record.id,
            site=self.site,
            url=record.url,
            column=record.column,
            title=record.title,
            published_at=record.published_at,
            first_seen=known.first_seen if known else now,
            last_fetched=now,
            last_status=record.http_status,
            # A tombstone has no validators or body of its own: it keeps the last body's hash.
            etag=None if tombstone else etag,
            last_modified=None if tombstone else last_modified,
            content_sha256=(
                record.supersedes if isinstance(record, Tombstone) else record.content_sha256
            ),
            version=record.version,
            removed=tombstone,
            file=str(file),
            payload_digest=record.payload_digest,
            files_missing=0 if tombstone else files_to_retry(record),
        )
        self.ledger.save_article(state)

    def reconcile(self, records: Iterable[dict[str, Any]], file: Path) -> int:
        """Bring the ledger up to a recovered run file: a record written just before a kill may
        not have reached the ledger. Returns how many records were newer than the ledger."""
        if self.ledger is None:
            return 0
        applied, now = 0, self.now()
        with self.ledger.transaction():
            for rec in records:
                known = self.ledger.article(rec["id"])
                version = int(rec.get("version") or 1)
                if known is not None and known.version >= version:
                    continue
                removed = rec.get("removed") is True
                self.ledger.save_article(
                    ArticleState(
                        id=rec["id"],
                        site=self.site,
                        url=rec["url"],
                        column=rec.get("column"),
                        title=rec.get("title"),
                        published_at=rec.get("published_at"),
                        first_seen=known.first_seen if known else now,
                        last_fetched=now,
                        last_status=int(rec.get("http_status") or 200),
                        etag=None,
                        last_modified=None,
                        content_sha256=rec["supersedes"] if removed else rec["content_sha256"],
                        version=version,
                        removed=removed,
                        file=str(file),
                        payload_digest=rec.get("payload_digest"),
                        files_missing=0 if removed else files_to_retry(rec),
                    )
                )
                applied += 1
        return applied

    def close(self, *, finished: bool) -> None:
        """Record the completed column walks (only after a clean finish), release ledger and lock."""
        if self.ledger is not None:
            if finished and self._walked:
                now = self.now()
                with self.ledger.transaction():
                    for column_url, pages in self._walked.items():
                        self.ledger.save_walk(self.site, column_url, at=now, pages=pages)
            self.ledger.close()
            self.ledger = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None
