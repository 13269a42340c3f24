"""An article's files (attachments and in-body images) as pure data: which to fetch, what a fetch
made of an entry, and which failures the next run tries again. The Scrapy side that fetches them
is spiders/files.py; re-extraction from WARC (archive/reextract.py) fills entries the same way.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from govcrawler.item import Attachment, Image
from govcrawler.sites import SiteProfile, host_in

Entry = TypeVar("Entry", Image, Attachment)

#: Reasons a file is not kept that no rerun changes by itself: a policy (images off, offsite,
#: too large, robots.txt), a redirect that goes wrong, a final HTTP answer (4xx but 408/429), or
#: a replay that has no capture of the file (`not_captured`: replay mode only).
#: Every other reason (network errors, 5xx, 408, 429, blocked pages, a WARC write error) is
#: tried again on the next run.
FINAL_REASONS = frozenset(
    {
        "not_fetched",
        "disabled",
        "offsite",
        "too_large",
        "robots",
        "ignored",
        "redirect_loop",
        "too_many_redirects",
        "not_in_warc",
        "not_captured",
    }
)
_RETRIED_HTTP = frozenset({408, 429})


def reason_name(text: str) -> str:
    """A reason as the schema spells it (`^[a-z0-9_]+$`): `WarcWriteError` → `warc_write_error`
    (an error govcrawler does not know is named by its type)."""
    snake = _CAMEL_RE.sub("_", text).lower()
    return _NOT_NAME_RE.sub("_", snake).strip("_") or "error"


_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_NAME_RE = re.compile(r"[^a-z0-9]+")


def retried_next_run(reason: str | None) -> bool:
    """Is a file not kept for `reason` asked for again on the next run?"""
    if reason is None or reason in FINAL_REASONS:
        return False
    if reason.startswith("http_") and reason[5:].isdigit():
        status = int(reason[5:])
        return status >= 500 or status in _RETRIED_HTTP
    return True


def files_to_retry(record: Any) -> int:
    """How many of a record's files (an Article, or a record read back as a dict) the next run
    tries again: 0 for a tombstone, or a record from before schema_version 4 (no reasons)."""
    if isinstance(record, Mapping):
        attachments, images = record.get("attachments"), record.get("images")
    else:
        attachments, images = getattr(record, "attachments", ()), getattr(record, "images", ())
    entries: Iterable[Any] = [*(attachments or ()), *(images or ())]
    return sum(1 for e in entries if isinstance(e, Mapping) and retried_next_run(e.get("reason")))


def file_host_allowed(url: str, profile: SiteProfile | None) -> bool:
    """May a file at `url` be fetched: its host is one of the site's domains or known file hosts
    (a subdomain of either counts)? Without a profile, nothing is fetched."""
    if profile is None:
        return False
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return host_in(host, (*profile.domains, *profile.files.hosts))


@dataclass(frozen=True)
class Kept:
    """A file fetched (answered 2xx): its bytes as a user saves them and where the WARC holds
    them (the response record with the payload; all None when no WARC was written)."""

    body: bytes
    content_type: str | None
    warc_file: str | None = None
    warc_record_id: str | None = None
    warc_offset: int | None = None


@dataclass(frozen=True)
class FileResult:
    """What fetching one URL gave, ready to fill every entry naming that URL."""

    content_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    warc_file: str | None = None
    warc_record_id: str | None = None
    warc_offset: int | None = None
    reason: str | None = None
    text: str | None = None

    @classmethod
    def kept(cls, kept: Kept, text: str | None) -> FileResult:
        return cls(
            content_type=media_type(kept.content_type),
            size=len(kept.body),
            sha256=hashlib.sha256(kept.body).hexdigest(),
            warc_file=kept.warc_file,
            warc_record_id=kept.warc_record_id,
            warc_offset=kept.warc_offset,
            text=text,
        )

    @classmethod
    def not_kept(cls, reason: str, content_type: str | None = None) -> FileResult:
        return cls(content_type=media_type(content_type), reason=reason_name(reason))


def media_type(content_type: str | None) -> str | None:
    """`Application/PDF; name=x.pdf` → `application/pdf`; None when there is none."""
    value = (content_type or "").split(";", 1)[0].strip().lower()
    return value or None


def filled(entry: Entry, result: FileResult) -> Entry:
    """The entry with the fetch's outcome (an image gets no text)."""
    entry["content_type"] = result.content_type
    entry["size"] = result.size
    entry["sha256"] = result.sha256
    entry["warc_file"] = result.warc_file
    entry["warc_record_id"] = result.warc_record_id
    entry["warc_offset"] = result.warc_offset
    entry["reason"] = result.reason
    if "title" in entry:
        entry["text"] = result.text  # type: ignore[typeddict-unknown-key]
    return entry
