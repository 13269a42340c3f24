"""List pagination families (SITES.md §4) as pure functions: page N's HTML and URL → page N+1's URL."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import html as lxml_html

from govcrawler.extraction.article import parse_html
from govcrawler.extraction.urls import canonical_url
from govcrawler.sites import Pagination

# TRS WCM: createPageHTML(<total pages>, <current, 0-based>, "index", "html"|"htm"|"shtml").
_TRS_RE = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([\w-]+)[\"']\s*,\s*[\"'](\w+)[\"']\s*\)"
)


def trs_next_page(html: str, url: str) -> str | None:
    """`index.html` → `index_1.html` → … → `index_{total-1}.html`, read from createPageHTML."""
    match = _TRS_RE.search(html)
    if not match:
        return None
    total, current, stem, ext = int(match[1]), int(match[2]), match[3], match[4]
    if current + 1 >= total:
        return None
    return canonical_url(urljoin(url, f"{stem}_{current + 1}.{ext}"))


def next_link_page(html: str, url: str, pagination: Pagination) -> str | None:
    """The href of the profile's next-page link (`div.page a[text()=">"]`, 下一页 …)."""
    root = parse_html(html)
    if root is None or pagination.next_link is None:
        return None
    for value in pagination.next_link.select(root):
        href = value.get("href") if isinstance(value, lxml_html.HtmlElement) else str(value)
        if href and not href.strip().startswith(("javascript:", "#")):
            target = canonical_url(urljoin(url, href.strip()))
            if target != canonical_url(url):
                return target
    return None


def template_page(pagination: Pagination, page: int) -> str:
    """URL of list page `page + 1` (1-based) for a `{page}` template or an `{offset}` step."""
    if pagination.kind == "offset":
        offset = pagination.start + pagination.step * page
        return pagination.template.format(offset=offset)
    return pagination.template.format(page=pagination.first + page - 1)


def next_page(html: str, url: str, pagination: Pagination, page: int) -> str | None:
    """The URL of list page `page + 1`, or None when this family says there is none."""
    if pagination.kind == "trs":
        return trs_next_page(html, url)
    if pagination.kind == "next_link":
        return next_link_page(html, url, pagination)
    if pagination.kind in ("template", "offset"):
        return canonical_url(template_page(pagination, page))
    return None
