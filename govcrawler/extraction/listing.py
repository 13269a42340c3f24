"""List pages: which links are articles, in page order, with the date each entry shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from lxml import html as lxml_html

from govcrawler.cleaning.text import normalize_space
from govcrawler.extraction.article import parse_html
from govcrawler.extraction.dates import date_from_url, parse_datetime
from govcrawler.extraction.discovery import discover_links
from govcrawler.extraction.entries import ListEntry
from govcrawler.extraction.urls import canonical_url
from govcrawler.sites import SiteProfile

__all__ = [
    "ListEntry",
    "article_links",
    "has_list_rules",
]  # ListEntry lives in entries.py, shared with discovery


def _entry_date(item: lxml_html.HtmlElement, profile: SiteProfile, url: str) -> str | None:
    if profile.list.date is not None:
        for value in profile.list.date.select(item):
            text = value if isinstance(value, str) else getattr(value, "text_content", lambda: "")()
            parsed = parse_datetime(str(text))
            if parsed:
                return parsed[:10]
    return date_from_url(url)


def _script_hrefs(script: lxml_html.HtmlElement, pattern: re.Pattern[str]) -> Iterator[str]:
    """URLs written inside a script's raw text: group 1 of each match (or the whole match)."""
    for match in pattern.finditer(script.text or ""):
        yield match[1] if pattern.groups else match[0]


def _candidates(
    item: lxml_html.HtmlElement, script_links: re.Pattern[str] | None
) -> Iterator[tuple[str, str]]:
    """(href, title) of an entry's links in document order: <a href>, and with `script_links`
    also the URLs its <script> elements write (JS-built lists, SITES.md §4)."""
    for node in item.iter("a", "script"):
        if node.tag == "a":
            yield (node.get("href") or "").strip(), node.get("title") or node.text_content()
        elif script_links is not None:
            for href in _script_hrefs(node, script_links):
                yield href.strip(), ""


def has_list_rules(profile: SiteProfile) -> bool:
    """The profile says which links are articles (`[list] items` or `article_url`); a minimal
    profile does not, and discovery finds its links."""
    return profile.list.items is not None or profile.list.article_url is not None


def article_links(html: str, page_url: str, profile: SiteProfile) -> list[ListEntry]:
    """Article links of a list page: inside the profile's `items` (if set), matching `article_url`
    (if set), on the profile's domains; each URL once, in page order. With `script_links`, URLs
    written in the list's <script> text count too (贵州's `var str_1 = "…"`, Hanweb records).
    A profile without [list] rules (a minimal profile) has its links found by discovery."""
    rules = profile.list
    if not has_list_rules(profile):
        return discover_links(html, page_url, profile.domains)
    root = parse_html(html)
    if root is None:
        return []
    items = (
        [v for v in rules.items.select(root) if isinstance(v, lxml_html.HtmlElement)]
        if rules.items
        else [root]
    )
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for item in items:
        for href, title in _candidates(item, rules.script_links):
            if not href or href.startswith(("javascript:", "#", "mailto:")):
                continue
            url = canonical_url(urljoin(page_url, href))
            if url in seen or not profile.allows(url):
                continue
            if rules.article_url is not None and not rules.article_url.search(url):
                continue
            seen.add(url)
            entries.append(ListEntry(url, normalize_space(title), _entry_date(item, profile, url)))
    return entries
