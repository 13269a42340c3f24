"""Raw page (bytes + URL + headers) → the exported Article record, or a Rejection.

The one entry point shared by the spider, `govcrawler extract` and (later) re-extraction from
archives, so every path produces byte-identical records from the same capture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govcrawler.cleaning.script import detect_script
from govcrawler.extraction.article import Extraction, Rejection, extract_article
from govcrawler.extraction.page import Page, read_page
from govcrawler.extraction.urls import article_id, canonical_url
from govcrawler.item import Article
from govcrawler.sites import SiteProfile

GENERIC_SITE = "generic"
# A body with more U+FFFD than this (count, or share of its characters) was not decoded right.
MAX_DAMAGED_CHARS = 5
MAX_DAMAGED_SHARE = 0.01


@dataclass(frozen=True)
class Built:
    """A record and the extraction behind it (evidence, fallback, lines for learning)."""

    article: Article
    extraction: Extraction


def build(
    body: bytes,
    url: str,
    *,
    profile: SiteProfile | None,
    fetched_at: str,
    content_type: str | None = None,
    http_status: int = 200,
    column_hint: str | None = None,
    learned: frozenset[str] = frozenset(),
    page: Page | None = None,
) -> Built | Rejection:
    """Decode, extract and clean one page; `learned` is the site's learned boilerplate. `page`:
    the answer already decoded and classified (the crawl reads each answer once)."""
    if not body.strip():
        return Rejection("empty", "empty response body")
    if page is None:
        page = read_page(body, content_type, http_status)
    decoded = page.decoded
    url = canonical_url(url)
    result = extract_article(
        decoded.text, url, profile, column_hint=column_hint, learned=learned, kind=page.kind
    )
    if isinstance(result, Rejection):
        return result
    damaged = result.body.count("\ufffd")
    if damaged > max(MAX_DAMAGED_CHARS, MAX_DAMAGED_SHARE * len(result.body)):
        # Held back, not archived as mojibake: the next run (or a fixed profile) retries it.
        return Rejection(
            "undecodable", f"{damaged} undecodable characters in the body ({decoded.encoding})"
        )
    article = to_article(result, url, profile, fetched_at=fetched_at, http_status=http_status)
    return Built(article, result)


def build_record(body: bytes, url: str, **options: Any) -> Article | Rejection:
    """`build` without the extraction details: the record, or why the page is not one."""
    result = build(body, url, **options)
    return result.article if isinstance(result, Built) else result


def to_article(
    ex: Extraction, url: str, profile: SiteProfile | None, *, fetched_at: str, http_status: int
) -> Article:
    site = profile.key if profile else GENERIC_SITE
    return Article(
        id=article_id(profile, site, url),
        site=site,
        site_name=profile.name if profile else GENERIC_SITE,
        url=url,
        column=ex.column,
        title=ex.title,
        published_at=ex.published_at,
        source=ex.source,
        author=ex.author,
        editor=ex.editor,
        body=ex.body,
        images=ex.images,
        attachments=ex.attachments,
        script=detect_script(ex.title + "\n" + ex.body),
        fetched_at=fetched_at,
        http_status=http_status,
        extractor="profile" if ex.extractor == "profile" else "generic",
    )
