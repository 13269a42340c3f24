"""A list page's next page, from the page alone: which pagination family it uses and its params.

In order: a CMS family recognised by its own signature (TRS `createPageHTML`/`var countPage`,
Hanweb's jpage `totalRecord`/`unitid`, Founder `node_N.htm`, JEECMS `.jhtml`, VSB `col.htm` with
`col/N.htm` links or `#fanye`), read by the family functions of `pagination.py`; else the
pager's 下一页/next link; else the pager's numbered links (`index_2.html`, `list_15_2.html`,
`?page=2`, `&nbegin=8`, `…_00000002.shtml`), whose 首页/尾页 links also say whether the numbers
count up or down. The answer is a `Pagination` a profile could hold (`govcrawler add-site` writes
its kind) and the next page it gives for this page.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import reduce
from urllib.parse import parse_qsl, urlsplit

from lxml.html import HtmlElement

from govcrawler.cleaning.text import normalize_space
from govcrawler.extraction.article import parse_html
from govcrawler.extraction.blocks import absolute_url
from govcrawler.extraction.discovery import expand_hidden_links
from govcrawler.extraction.pagination import (
    NODE_URL_RE,
    TRS_CALL_RE,
    VSB_PAGE_RE,
    NextPage,
    explain_next_page,
)
from govcrawler.extraction.urls import canonical_url
from govcrawler.sites import PAGE_PLACEHOLDER_RE, Pagination
from govcrawler.sites.selectors import compile_selector

NEXT_WORDS = (
    "下一页", "下页", "后页", "下一頁", "next", "next page", ">", "›", "»", "下一页>", "下一页>>",
)  # fmt: skip
FIRST_WORDS = ("首页", "第一页", "first", "1")
LAST_WORDS = ("尾页", "末页", "最后一页", "last")
BACK_WORDS = (*FIRST_WORDS, "上一页", "上页", "前页", "prev", "previous", "<", "‹", "«")
PAGER_WORDS = frozenset(NEXT_WORDS + LAST_WORDS + BACK_WORDS)
_COUNT_PAGE_RE = re.compile(r"\bvar\s+countPage\s*=")  # TRS without createPageHTML (吉林 2018)
_HANWEB_RE = re.compile(r"\.jpage\(|\btotalRecord\s*[:=]|\bunitid\s*[:=]")
_VSB_RE = re.compile(r"""id=["']?fanye""", re.I)
_NUMBER_RE = re.compile(r"\d+")


@dataclass(frozen=True)
class PagingGuess:
    """The pagination a page shows: as a profile's [pagination], and its next page."""

    pagination: Pagination
    next: NextPage
    evidence: str

    @property
    def kind(self) -> str:
        return self.pagination.kind


@dataclass(frozen=True)
class _PagerLink:
    url: str
    text: str


def _pager_links(root: HtmlElement, url: str) -> Iterator[_PagerLink]:
    host = urlsplit(url).hostname
    for anchor in root.iter("a"):
        target = absolute_url(url, anchor.get("href") or "")
        if target is None or urlsplit(target).hostname != host:
            continue
        text = normalize_space(anchor.text_content()) or normalize_space(anchor.get("title") or "")
        yield _PagerLink(target, text.lower())


# ---- the CMS families --------------------------------------------------------------------------


def _family_kinds(html: str, url: str) -> list[str]:
    path = urlsplit(url).path
    kinds = []
    if TRS_CALL_RE.search(html) or _COUNT_PAGE_RE.search(html):
        kinds.append("trs")
    if _HANWEB_RE.search(html) and ("/col/" in path or "jpage" in html):
        kinds.append("hanweb")
    if NODE_URL_RE.search(path):
        kinds.append("founder")
    if path.endswith(".jhtml"):
        kinds.append("jeecms")
    if path.endswith(".htm") and (_VSB_RE.search(html) or VSB_PAGE_RE.search(path)):
        kinds.append("vsb")
    return kinds


def _hanweb_without_count(html: str, url: str, page: int) -> NextPage | None:
    """Hanweb lists whose record count the page does not carry (the list is fetched by a
    script): page N+1 is still `?uid=U&pageNum=N+1`; the spider stops at an empty page."""
    uid = re.search(r"\bunitid\s*[:=]\s*[\"']?(\d+)", html) or re.search(r"[?&]uid=(\d+)", url)
    if uid is None:
        return None
    query = dict(parse_qsl(urlsplit(url).query))
    current = int(query["pageNum"]) if query.get("pageNum", "").isdigit() else page
    base = url.split("?", 1)[0]
    return NextPage(
        f"{base}?uid={uid[1]}&pageNum={current + 1}", "hanweb: page count unknown (list by script)"
    )


def _family(html: str, url: str, page: int) -> PagingGuess | None:
    for kind in _family_kinds(html, url):
        pagination = Pagination(kind=kind)
        step = explain_next_page(html, url, pagination, page)
        if kind == "hanweb" and step.url is None and step.total is None:
            fallback = _hanweb_without_count(html, url, page)
            if fallback is not None:
                return PagingGuess(pagination, fallback, f"hanweb list module ({fallback.how})")
        if step.url is not None or step.total is not None:
            return PagingGuess(pagination, step, f"{kind} family: {step.how}")
    return None


# ---- a next-page link ----------------------------------------------------------------------------


def _next_link(root: HtmlElement, url: str) -> PagingGuess | None:
    here = canonical_url(url)
    for word in NEXT_WORDS:
        for link in _pager_links(root, url):
            if link.text == word and link.url != here:
                literal = word.replace("'", "")
                selector = compile_selector(f"xpath://a[normalize-space(.)='{literal}']")
                pagination = Pagination(kind="next_link", next_link=selector)
                return PagingGuess(
                    pagination,
                    NextPage(link.url, f"next_link: the {word!r} link"),
                    f"a {word!r} link",
                )
    return None


# ---- numbered page links -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Numbered:
    template: str  # the URL with the page number replaced by {page}
    number: int
    text: str


def _templates(link_url: str) -> Iterator[tuple[str, int]]:
    """(template, number) for each number in the URL, last first; a zero-padded number
    (辽宁 `…_00000002.shtml`) becomes `{page:08d}`."""
    for match in reversed(list(_NUMBER_RE.finditer(link_url))):
        digits = match[0]
        holder = f"{{page:0{len(digits)}d}}" if digits[0] == "0" and len(digits) > 1 else "{page}"
        yield link_url[: match.start()] + holder + link_url[match.end() :], int(digits)


def _fill(template: str, number: int) -> str:
    return PAGE_PLACEHOLDER_RE.sub(lambda m: format(number, m[1] or "d"), template, count=1)


def _as_template(url: str, template: str) -> int | None:
    """The page number `url` has under `template`, or None when it does not fit it."""
    holder = PAGE_PLACEHOLDER_RE.search(template)
    if holder is None:
        return None
    before, after = template[: holder.start()], template[holder.end() :]
    if url.startswith(before) and url.endswith(after) and len(url) > len(before) + len(after):
        middle = url[len(before) : len(url) - len(after)]
        return int(middle) if middle.isdigit() else None
    return None


def _numbered(root: HtmlElement, url: str, page: int) -> PagingGuess | None:
    here = canonical_url(url)
    pager = [
        link
        for link in _pager_links(root, url)
        if (link.text.isdigit() and len(link.text) <= 3) or link.text in PAGER_WORDS
    ]  # (a four-digit number is a year menu, not a page)
    if not pager:
        return None
    # The template most pager links share (several numbers per link: try each, last first).
    counts: dict[str, list[_Numbered]] = {}
    for link in pager:
        for template, number in _templates(link.url):
            counts.setdefault(template, []).append(_Numbered(template, number, link.text))
    if not counts:
        return None
    template, members = max(
        counts.items(), key=lambda kv: (len({m.number for m in kv[1]}), -kv[0].count("{"))
    )
    if all(m.text in BACK_WORDS for m in members):
        return None  # only links back to earlier pages: this is the last one
    numbers = sorted({m.number for m in members})
    current = _as_template(here, template)
    shown = [m for m in members if m.text == str(page + 1)]
    if shown:  # the pager's own "N+1" link
        number = shown[0].number
        return PagingGuess(
            _pagination_for(
                template,
                here,
                number,
                _step(numbers + ([current] if current is not None else [])),
                current is not None and number < current,
            ),
            NextPage(_fill(template, number), f"numbered: the pager's {page + 1} link"),
            f"{len(members)} pager links of the shape {template}",
        )
    first = [m.number for m in members if m.text in FIRST_WORDS and m.text != "1"]
    last = [m.number for m in members if m.text in LAST_WORDS]
    descending = bool(first and last and last[0] < first[0])
    target: int | None
    if current is None:
        # The first page (a URL of another shape): the page-1 link names no other page.
        # Counting down, its 首页 link is the highest number (辽宁 2018: the newest `more` page);
        # counting up, the page-1 link names this page and the next is the lowest other one.
        ones = {m.number for m in members if m.text in FIRST_WORDS}
        candidates = [n for n in numbers if n not in ones] or numbers
        target = max(numbers) if descending else min(candidates)
    else:
        later = [n for n in numbers if (n < current if descending else n > current)]
        target = (max(later) if descending else min(later)) if later else None
    total = (min(numbers) if descending else max(numbers)) if numbers else None
    step = _step(numbers + ([current] if current is not None else []))
    pagination = _pagination_for(template, here, target, step, descending)
    if target is None:
        return PagingGuess(
            pagination, NextPage(None, f"numbered: {current} is the last", total), template
        )
    next_url = _fill(template, target)
    if next_url == here:
        return None
    return PagingGuess(
        pagination,
        NextPage(next_url, f"numbered: page {target} of the links {numbers}", total),
        f"{len(members)} pager links of the shape {template}",
    )


def _step(numbers: list[int]) -> int:
    values = sorted(set(numbers))
    gaps = [b - a for a, b in itertools.pairwise(values)]
    return reduce(math.gcd, gaps) if gaps else 1


def _pagination_for(
    template: str, here: str, target: int | None, step: int, descending: bool
) -> Pagination:
    """The profile form: `query` when the number is a query value, else a `template` relative
    to the list page's folder (zero-padded like the URL when its digits are)."""
    holder = PAGE_PLACEHOLDER_RE.search(template)
    before = template[: holder.start()] if holder else template
    if "?" in before:
        key = re.search(r"[?&]([^=&?]+)=$", before)
        if key:
            return Pagination(kind="query", param=key[1], first=target or 2, step=step)
    folder = here.rsplit("/", 1)[0] + "/"
    relative = template[len(folder) :] if template.startswith(folder) else urlsplit(template).path
    return Pagination(
        kind="template", template=relative, first=target or 2, step=-1 if descending else step
    )


def discover_pagination(html: str, url: str, page: int = 1) -> PagingGuess:
    """How this list page leads to the next (see the module doc); kind `none` when it does not."""
    family = _family(html, url, page)
    if family is not None:
        return family
    root = parse_html(html)
    if root is not None:
        expand_hidden_links(root)
        for finder in (_next_link, lambda r, u: _numbered(r, u, page)):
            guess = finder(root, url)
            if guess is not None:
                return guess
    return PagingGuess(Pagination(), NextPage(None, "no pager found"), "no pager")
