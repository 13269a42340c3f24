"""The incremental rules as pure functions: re-check due?, which version?, may pagination stop?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from govcrawler.state.ledger import ArticleState

DAY = 86_400


def recheck_due(last_fetched: int, now: int, recheck_days: float) -> bool:
    """A known article is fetched again once `recheck_days` have passed since its last answer
    (0: on every run)."""
    return now - last_fetched >= recheck_days * DAY


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from what the site said last time (RFC 9110 §13.1)."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


@dataclass(frozen=True)
class Version:
    """What a freshly extracted record is, compared with the ledger."""

    outcome: Literal["new", "changed", "unchanged"]
    version: int
    supersedes: str | None


def version_of(
    known: ArticleState | None,
    content_sha256: str,
    payload_digest: str | None = None,
    files_missing: int = 0,
) -> Version:
    """New → version 1; the same payload as the last capture (WARC payload digest), or the same
    clean body as the last archived one → unchanged (nothing written: a page that did not change
    is no new version even when today's cleaning reads it differently), unless the record keeps
    files the last one could not (fewer `files_missing`); a different body, or any body after a
    removal (restored) → the next version, superseding the last archived body."""
    if known is None:
        return Version("new", 1, None)
    same_payload = payload_digest is not None and known.payload_digest == payload_digest
    same = same_payload or known.content_sha256 == content_sha256
    if not known.removed and same and files_missing >= known.files_missing:
        return Version("unchanged", known.version, None)
    return Version("changed", known.version + 1, known.content_sha256)


def page_is_covered(first_seen: Sequence[int | None], walk_completed_at: int | None) -> bool:
    """May pagination stop at this list page? Only when the column was once walked to its end
    and every article on the page was already in the ledger when that walk finished: everything
    after the page is older still and was covered by that walk (or by an earlier one)."""
    if walk_completed_at is None or not first_seen:
        return False
    return all(seen is not None and seen <= walk_completed_at for seen in first_seen)
