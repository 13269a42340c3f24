"""A guess at the next list page when a script draws the pager and the page links none.

Discovery (discovery_paging.py) reads pagers from links and known CMS families and finds none
rather than guessing. Some pagers are drawn in the browser from a count the crawler cannot see
(河南 2018: an empty `#pageDiv` and `page.js`; 西藏 2018: `page.pageCount = N` in a script), so
a profile without `[pagination]` would stop after the first page. When the page shows such a
pager, this guesses the next page from the page's own URL: the number in its file name one up
(`list1.html` → `list2.html`, `index_1.html` → `index_2.html`), or a `page` query parameter
(`gz.php?type=97` → `gz.php?type=97&page=2`). A guess is only that: the crawl ends the walk
quietly at a guessed page that is missing or brings no new article link.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml.html import HtmlElement

from govcrawler.extraction.article import parse_html
from govcrawler.extraction.blocks import tag_of
from govcrawler.extraction.pagination import NextPage
from govcrawler.extraction.urls import canonical_url

# A page count a pager script sets (`page.pageCount = 2`, `var totalPage = 5`, `maxpage: 3`).
_COUNT_RE = re.compile(
    r"\b(?:page_?count|count_?page|total_?pages?|page_?total|max_?page)\s*[:=]\s*[\"']?(\d+)",
    re.I,
)
# A pager script by its file name (`page.js`, `pager.js`, `fenye.js`, `pagination.min.js`).
_PAGER_SCRIPT_RE = re.compile(r"(?:^|/)(?:page|pager|paging|pages|pagination|fenye)[\w.-]*\.js$")
# An element named like a pager (`#pageDiv`, `.pagebar`, `#fanye`).
_PAGER_NAME_RE = re.compile(r"page|fanye|paging", re.I)
_PAGE_PARAMS = ("page", "pageno", "pagenum", "page_no", "cur_page", "curpage", "pageindex")
# The number in a list page's file name: `list1`, `index_1`, `node_12_1`, `list-5_1`.
_FILE_NUMBER_RE = re.compile(r"^(?P<stem>.*?\D)(?P<number>\d+)(?P<suffix>\.\w+)$")


def _script_count(root: HtmlElement) -> int | None:
    for script in root.iter("script"):
        match = _COUNT_RE.search(script.text or "")
        if match:
            return int(match[1])
    return None


def _drawn_pager(root: HtmlElement) -> bool:
    """A pager script is loaded, or an element named like a pager is empty (a script fills it)."""
    for node in root.iter():
        tag = tag_of(node)
        if tag == "script" and _PAGER_SCRIPT_RE.search(urlsplit(node.get("src") or "").path):
            return True
        if (
            tag in ("div", "span", "p", "ul", "td", "nav")
            and _PAGER_NAME_RE.search(f"{node.get('class', '')} {node.get('id', '')}")
            and len(node) == 0
            and not (node.text or "").strip()
        ):
            return True
    return False


def _next_by_file_number(url: str, page: int) -> str | None:
    parts = urlsplit(url)
    folder, _, name = parts.path.rpartition("/")
    match = _FILE_NUMBER_RE.match(name)
    if match is None or int(match["number"]) != page:
        return None
    digits = match["number"]
    width = len(digits) if digits.startswith("0") else 0
    name = f"{match['stem']}{page + 1:0{width}d}{match['suffix']}"
    return urlunsplit(parts._replace(path=f"{folder}/{name}"))


def _next_by_query(url: str, page: int) -> str | None:
    parts = urlsplit(url)
    if not parts.query:
        return None
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    for i, (key, value) in enumerate(pairs):
        if key.lower() in _PAGE_PARAMS and value.isdigit():
            if int(value) != page:
                return None
            pairs[i] = (key, str(page + 1))
            return urlunsplit(parts._replace(query=urlencode(pairs)))
    if page != 1:
        return None
    return urlunsplit(parts._replace(query=urlencode([*pairs, ("page", "2")])))


def guess_next_page(html: str, url: str, page: int = 1) -> NextPage:
    """The next list page when a script draws this page's pager (see the module doc); its
    `url` is None when the page shows no such pager, says it is the last, or its URL has no
    place for a page number."""
    root = parse_html(html)
    if root is None:
        return NextPage(None, "guess: unparsable page")
    count = _script_count(root)
    if count is not None and count <= page:
        return NextPage(None, f"guess: the pager script counts {count} page(s)", count)
    if count is None and not _drawn_pager(root):
        return NextPage(None, "guess: no pager drawn by a script")
    here = canonical_url(url)
    target = _next_by_file_number(here, page) or (
        _next_by_query(here, page) if count is not None else None
    )
    if target is None:
        return NextPage(None, "guess: the page's URL has no place for a page number")
    evidence = f"a pager script counting {count} pages" if count else "a pager drawn by a script"
    return NextPage(canonical_url(target), f"guessed from {evidence}", count)
