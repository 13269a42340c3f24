"""List pages: which links are articles, in page order, with the date each entry shows."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import html as lxml_html

from govcrawler.cleaning.text import normalize_space
from govcrawler.extraction.article import parse_html
from govcrawler.extraction.dates import date_from_url, parse_datetime
from govcrawler.extraction.urls import canonical_url
from govcrawler.sites import SiteProfile


@dataclass(frozen=True)
class ListEntry:
    url: str
    title: str
    date: str | None  # YYYY-MM-DD shown in the list (or carried by the URL), for `since`


def _entry_date(item: lxml_html.HtmlElement, profile: SiteProfile, url: str) -> str | None:
    if profile.list.date is not None:
        for value in profile.list.date.select(item):
            text = value if isinstance(value, str) else getattr(value, "text_content", lambda: "")()
            parsed = parse_datetime(str(text))
            if parsed:
                return parsed[:10]
    return date_from_url(url)


def article_links(html: str, page_url: str, profile: SiteProfile) -> list[ListEntry]:
    """Article links of a list page: inside the profile's `items` (if set), matching `article_url`
    (if set), on the profile's domains; each URL once, in page order."""
    root = parse_html(html)
    if root is None:
        return []
    rules = profile.list
    items = (
        [v for v in rules.items.select(root) if isinstance(v, lxml_html.HtmlElement)]
        if rules.items
        else [root]
    )
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for item in items:
        for link in item.iter("a"):
            href = (link.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "#", "mailto:")):
                continue
            url = canonical_url(urljoin(page_url, href))
            if url in seen or not profile.allows(url):
                continue
            if rules.article_url is not None and not rules.article_url.search(url):
                continue
            seen.add(url)
            title = normalize_space(link.get("title") or link.text_content())
            entries.append(ListEntry(url, title, _entry_date(item, profile, url)))
    return entries
