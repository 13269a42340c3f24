"""List pagination families (SITES.md §4) as pure functions: a list page's HTML + URL → page N+1.

Each family reads the page count where the site prints one (createPageHTML, `var countPage`,
`#displaypagenum`, `#fanye…`, Hanweb's `totalRecord`, a last-page link) and stops there. A family
that cannot know the count (a bare URL template) keeps going; the spider then stops at the first
list page without article links. `explain_next_page` says how the decision was made
(`govcrawler check-site` prints it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html

from govcrawler.extraction.article import parse_html
from govcrawler.extraction.blocks import absolute_url
from govcrawler.extraction.urls import canonical_url
from govcrawler.sites import PAGE_PLACEHOLDER_RE, Pagination


@dataclass(frozen=True)
class NextPage:
    """The next list page (None: this is the last one) and the evidence for it."""

    url: str | None
    how: str
    total: int | None = None  # the page count (or the last page's number) when the page shows it


def _anchors(html: str, base_url: str) -> Iterator[tuple[str, str]]:
    """(absolute canonical http(s) URL, text) of every <a href> of the page."""
    root = parse_html(html)
    if root is None:
        return
    for link in root.iter("a"):
        url = absolute_url(base_url, link.get("href") or "")
        if url is not None:
            yield url, "".join(link.text_content().split())


def _links(html: str, base_url: str) -> Iterator[str]:
    """Every <a href> of the page, absolute and canonical."""
    for url, _ in _anchors(html, base_url):
        yield url


# Texts of a pager's own links: a page number, 首页/尾页/末页/上一页/下一页, arrows.
_PAGER_TEXT_RE = re.compile(
    r"^(?:\[?\d+\]?|首页|尾页|末页|上一?页|下一?页|前页|后页|[<>«»‹›]+|first|last|prev|next)$", re.I
)


def _max_linked(html: str, base_url: str, pattern: re.Pattern[str]) -> int | None:
    """The highest number group 1 of `pattern` takes over the page's links (a 末页/尾页 link names
    the last page; a paginator window always names the next one). A link to the page itself
    counts only when it reads as a pager's (a number, 尾页 …): a column menu links each column's
    first page too (河南's sidebar, `list1.html`, SC 2018), which says nothing about the last."""
    here = canonical_url(base_url)
    numbers = [
        int(m[1])
        for url, text in _anchors(html, base_url)
        if (m := pattern.fullmatch(url)) and (url != here or _PAGER_TEXT_RE.match(text))
    ]
    return max(numbers) if numbers else None


def _count(html: str, pagination: Pagination, default_per_page: int = 0) -> int | None:
    """The profile's `total` regex (group 1), in pages; divided by `per_page` when it counts items."""
    if pagination.total is None:
        return None
    match = pagination.total.search(html)
    if not match:
        return None
    value = int(match[1])
    per_page = pagination.per_page or default_per_page
    return math.ceil(value / per_page) if per_page else value


# ---- TRS WCM: createPageHTML(total, current, "index", "html") or `var countPage = N` ----------

# The family signatures (TRS_CALL_RE, NODE_URL_RE, VSB_PAGE_RE) are public: discovery_paging
# recognises a family by them.
TRS_CALL_RE = re.compile(
    r"createPageHTML\(\s*(\w+)\s*,\s*(\w+)\s*,\s*[\"']([\w-]+)[\"']\s*,\s*[\"'](\w+)[\"']\s*\)"
)
_TRS_URL_RE = re.compile(r"/([\w-]+?)(?:_(\d+))?\.(s?html?)$")


def _js_number(html: str, token: str) -> int | None:
    """A literal argument, or the value of `var <token> = N` elsewhere in the page."""
    if token.isdigit():
        return int(token)
    match = re.search(rf"\bvar\s+{re.escape(token)}\s*=\s*[\"']?(\d+)", html)
    return int(match[1]) if match else None


def trs_next_page(html: str, url: str) -> NextPage:
    """`index.html` → `index_1.html` → … → `index_{total-1}.html` (`.htm`/`.shtml` alike).

    The count comes from `createPageHTML(total, current, stem, ext)` (literal or variable
    arguments, ccdi 2018–2025), else from the bare `var countPage = N` / `var currentPage = M`
    script (吉林 2018), whose stem and extension are the list URL's (`index.html` by default).
    """
    call = TRS_CALL_RE.search(html)
    in_url = _TRS_URL_RE.search(urlsplit(url).path)
    if call:
        total, current = _js_number(html, call[1]), _js_number(html, call[2])
        stem, ext, how = call[3], call[4], "createPageHTML"
    else:
        total, current = _js_number(html, "countPage"), _js_number(html, "currentPage")
        stem, ext = (in_url[1], in_url[3]) if in_url else ("index", "html")
        how = "var countPage"
    if total is None:
        return NextPage(None, "trs: no createPageHTML call or countPage variable")
    if current is None:
        current = int(in_url[2]) if in_url and in_url[2] else 0
    if current + 1 >= total:
        return NextPage(None, f"trs: {how}: page {current + 1} of {total} is the last", total)
    target = canonical_url(urljoin(url, f"{stem}_{current + 1}.{ext}"))
    return NextPage(target, f"trs: {how}: page {current + 2} of {total}", total)


# ---- Founder ENP: node_X.htm → node_X_2.htm …, counted by the #displaypagenum links -----------

NODE_URL_RE = re.compile(r"/(node_\d+)(?:_(\d+))?\.(s?html?)$")


def founder_next_page(html: str, url: str, pagination: Pagination) -> NextPage:
    """河北/重庆 2018: `node_122866.htm`, then `node_122866_2.htm` …; the count is the highest page
    linked from the paginator (`div#displaypagenum`: its last `a.page-Article` is the last page)."""
    parts = urlsplit(url)
    match = NODE_URL_RE.search(parts.path)
    if not match:
        return NextPage(None, "founder: the URL is not a node_N.htm list")
    node, current, ext = match[1], int(match[2] or 1), match[3]
    folder = canonical_url(urljoin(url, "./"))
    linked = re.compile(re.escape(f"{folder}{node}_") + r"(\d+)" + re.escape(f".{ext}"))
    total = _count(html, pagination) or _max_linked(html, url, linked)
    return _numbered(
        "founder",
        current,
        total,
        lambda n: canonical_url(urljoin(url, f"{node}_{n}.{ext}")),
    )


def _numbered(
    family: str, current: int, total: int | None, url_of: Callable[[int], str]
) -> NextPage:
    """Pages numbered 1, 2, … total: the URL of page current + 1, or None past the last."""
    if total is None:
        return NextPage(None, f"{family}: no page count on page {current}")
    if current >= total:
        return NextPage(None, f"{family}: page {current} of {total} is the last", total)
    return NextPage(url_of(current + 1), f"{family}: page {current + 1} of {total}", total)


# ---- JEECMS: index.jhtml → index_2.jhtml … ------------------------------------------------------

_JEECMS_RE = re.compile(r"/([\w-]+?)(?:_(\d+))?\.jhtml$")


def jeecms_next_page(html: str, url: str, pagination: Pagination) -> NextPage:
    """广东/福建 2015–18: `ffkb/index.jhtml`, `ffkb/index_2.jhtml` …; the count is the highest page
    the paginator links (`div.fanye` / `div.list_foot`, 末页), or the profile's `total`."""
    match = _JEECMS_RE.search(urlsplit(url).path)
    stem, current = (match[1], int(match[2] or 1)) if match else ("index", 1)
    folder = canonical_url(urljoin(url, "./"))
    linked = re.compile(re.escape(f"{folder}{stem}_") + r"(\d+)\.jhtml")
    total = _count(html, pagination) or _max_linked(html, url, linked)
    return _numbered(
        "jeecms", current, total, lambda n: canonical_url(urljoin(url, f"{stem}_{n}.jhtml"))
    )


# ---- VSB (博达): col.htm, then col/{M-1}.htm counting down to col/1.htm --------------------------

VSB_PAGE_RE = re.compile(r"/(\d+)\.htm$")
_FANYE_RE = re.compile(r"id=[\"']?fanye\w*[\"']?[^>]*>(.*?)</", re.S | re.I)
_OF_RE = re.compile(r"(\d+)\s*/\s*(\d+)")


def vsb_next_page(html: str, url: str, pagination: Pagination) -> NextPage:
    """陕西 2018–2025: the first page is `scdc.htm`, then `scdc/{M-1}.htm` … `scdc/1.htm`, where M is
    the page count `#fanye…` shows as "…1/M" (the numbers count *down*)."""
    path = urlsplit(url).path
    numbered = VSB_PAGE_RE.search(path)
    if numbered:  # page col/K.htm → col/{K-1}.htm; col/1.htm is the last page
        k = int(numbered[1])
        if k <= 1:
            return NextPage(None, "vsb: N/1.htm is the last page")
        return NextPage(canonical_url(urljoin(url, f"{k - 1}.htm")), f"vsb: {k}.htm → {k - 1}.htm")
    if not path.endswith(".htm"):
        return NextPage(None, "vsb: the URL is not a <column>.htm list")
    column = path.rsplit("/", 1)[-1][: -len(".htm")]
    total = _count(html, pagination)
    if total is None:
        fanye = _FANYE_RE.search(html)
        shown = _OF_RE.findall(re.sub(r"<[^>]+>|&nbsp;", " ", fanye[1])) if fanye else []
        total = int(shown[-1][1]) if shown else None
    if total is None:  # no "1/M": the 下页 link of page 1 is the highest number linked
        folder = canonical_url(urljoin(url, f"{column}/"))
        below = _max_linked(html, url, re.compile(re.escape(folder) + r"(\d+)\.htm"))
        total = below + 1 if below else None
    if total is None or total <= 1:
        return NextPage(None, "vsb: one page only (no #fanye count, no page links)", total)
    target = canonical_url(urljoin(url, f"{column}/{total - 1}.htm"))
    return NextPage(target, f"vsb: page 2 of {total}", total)


# ---- Hanweb JCMS: col/colN/index.html?uid=U&pageNum=N ------------------------------------------

_HANWEB_UID_RES = (
    re.compile(r"[?&]uid=(\d+)"),
    re.compile(r"\bunitid=(\d+)"),
    re.compile(r"\$\(\s*[\"']#(\d+)[\"']\s*\)\s*\.jpage"),
)
_HANWEB_TOTAL_RE = re.compile(r"\btotalRecord\s*[:=]\s*[\"']?(\d+)")
_HANWEB_PER_PAGE_RE = re.compile(r"\bperPage\s*[:=]\s*[\"']?(\d+)")
HANWEB_PER_PAGE = 20  # 江苏 2018: 20 records a page when the page does not say


def hanweb_next_page(html: str, url: str, pagination: Pagination) -> NextPage:
    """江苏 2015–2024 (贵州 2015): `index.html`, then `index.html?uid=12606&pageNum=2` …; the count
    is `totalRecord` / `perPage` from the jpage script, the uid is the list module's id."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    current = int(query["pageNum"]) if query.get("pageNum", "").isdigit() else 1
    uid = next((m[1] for r in _HANWEB_UID_RES if (m := r.search(url) or r.search(html))), None)
    if uid is None:
        return NextPage(None, "hanweb: no list module uid on the page")
    total = _count(html, pagination, HANWEB_PER_PAGE)
    if total is None:
        # The uid's own jpage({…}) call when there is one; else the page's last totalRecord
        # (SC 2018 read the second of two on 江苏's list page).
        call = re.search(rf"#{uid}[\"']\s*\)\s*\.jpage\(\s*\{{(.*?)\}}\s*\)", html, re.S)
        scope = call[1] if call else html
        records = _HANWEB_TOTAL_RE.findall(scope)
        per_page = _HANWEB_PER_PAGE_RE.findall(scope)
        size = int(per_page[-1]) if per_page else pagination.per_page or HANWEB_PER_PAGE
        total = math.ceil(int(records[-1]) / size) if records and size else None

    def url_of(n: int) -> str:
        return canonical_url(
            urlunsplit(parts._replace(query=urlencode({"uid": uid, "pageNum": n})))
        )

    return _numbered("hanweb", current, total, url_of)


# ---- a URL template: list_{page}.html, {page:08d}.shtml, ?page={page} ---------------------------

_SENTINEL = "8086808680"  # stands for the number while a URL is resolved; digits survive urljoin


def template_next_page(html: str, url: str, pagination: Pagination, page: int) -> NextPage:
    """Page k ≥ 2 is the template (relative to the list page, or absolute) with {page} =
    first + step·(k−2). The current number is read from the URL when it has the template's shape
    (else from `page`, the spider's count); the last one from the highest page linked or `total`.

    A negative step counts down (辽宁 2018 `…/1400000000000000_{page:08d}.shtml`: the first page
    links the highest number as 首页): page 2 is the highest number linked (or `total`), then
    step by step down to 1."""
    template = pagination.template
    placeholder = PAGE_PLACEHOLDER_RE.search(template)
    if placeholder is None:
        return NextPage(None, "template: no {page} in the template")
    spec = placeholder[1] or "d"
    before, after = template[: placeholder.start()], template[placeholder.end() :]
    current_url = canonical_url(url)
    here = re.search(re.escape(before) + r"(\d+)" + re.escape(after) + "$", current_url)
    if here:
        pattern = current_url[: here.start(1)] + _SENTINEL + current_url[here.end(1) :]
    else:
        pattern = canonical_url(urljoin(url, before + _SENTINEL + after))
    shape = re.compile(re.escape(pattern).replace(_SENTINEL, r"(\d+)"))
    last = _last_number(html, pagination, lambda: _max_linked(html, url, shape))
    if pagination.step < 0:
        number = int(here[1]) + pagination.step if here else last
        if number is None:
            return NextPage(None, "template: counting down, but no page number is linked")
        if number < 1:
            return NextPage(None, "template: counted down to page 1, the last")
        target = pattern.replace(_SENTINEL, format(number, spec))
        return NextPage(target, f"template: counting down, {number} → 1", last)
    number = (
        int(here[1]) + pagination.step if here else pagination.first + pagination.step * (page - 1)
    )
    target = pattern.replace(_SENTINEL, format(number, spec))
    return _last_known("template", target, number, last)


def query_next_page(html: str, url: str, pagination: Pagination, page: int) -> NextPage:
    """The page number (or item offset) in a query parameter, the other parameters kept:
    `news.php?cid=15&page=N` (黑龙江), `?ncount=8&nbegin=8k` (海南), `cur_page=` (湖北)."""
    parts = urlsplit(canonical_url(url))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    param = pagination.param
    value = next((v for k, v in pairs if k == param), None)
    if value is not None and value.isdigit():
        number = int(value) + pagination.step
    else:
        number = pagination.first + pagination.step * (page - 1)
    others = sorted((k, v) for k, v in pairs if k != param)
    if value is None:
        pairs.append((param, str(number)))
    else:
        pairs = [(k, str(number) if k == param else v) for k, v in pairs]
    target = canonical_url(urlunsplit(parts._replace(query=urlencode(pairs))))

    def linked() -> int | None:
        numbers = []
        for link in _links(html, url):
            there = urlsplit(link)
            if (there.netloc, there.path) != (parts.netloc, parts.path):
                continue
            link_pairs = parse_qsl(there.query, keep_blank_values=True)
            n = next((v for k, v in link_pairs if k == param), "")
            if n.isdigit() and sorted((k, v) for k, v in link_pairs if k != param) == others:
                numbers.append(int(n))
        return max(numbers) if numbers else None

    return _last_known("query", target, number, _last_number(html, pagination, linked))


def _last_number(html: str, pagination: Pagination, linked: Callable[[], int | None]) -> int | None:
    """The number in the last page's URL (counting down: the highest): from the profile's
    `total` (a page count), else the highest number the page links (its 末页/尾页 link)."""
    pages = _count(html, pagination)
    if pages is None:
        return linked()
    return pages if pagination.step < 0 else pagination.first + pagination.step * (pages - 2)


def _last_known(family: str, target: str, number: int, last: int | None) -> NextPage:
    """Stop past the last page when it is known; otherwise go on (the spider stops at the first
    list page without article links)."""
    if last is None:
        return NextPage(target, f"{family}: {number} (page count unknown)")
    if number > last:
        return NextPage(None, f"{family}: {number} is past the last page ({last})", last)
    return NextPage(target, f"{family}: {number} of {last}", last)


# ---- a next-page link -------------------------------------------------------------------------


def next_link_page(html: str, url: str, pagination: Pagination) -> NextPage:
    """The href of the profile's next-page link (`div.page a[text()=">"]`, 下一页 …)."""
    root = parse_html(html)
    if root is None or pagination.next_link is None:
        return NextPage(None, "next_link: no page")
    for value in pagination.next_link.select(root):
        href = value.get("href") if isinstance(value, lxml_html.HtmlElement) else str(value)
        if href and not href.strip().startswith(("javascript:", "#")):
            target = canonical_url(urljoin(url, href.strip()))
            if target != canonical_url(url):
                return NextPage(target, f"next_link: {pagination.next_link.source}")
    return NextPage(None, "next_link: no next-page link on this page")


def explain_next_page(html: str, url: str, pagination: Pagination, page: int = 1) -> NextPage:
    """The next list page after `url` (list page number `page`, 1-based) and why."""
    kind = pagination.kind
    if kind == "trs":
        return trs_next_page(html, url)
    if kind == "founder":
        return founder_next_page(html, url, pagination)
    if kind == "jeecms":
        return jeecms_next_page(html, url, pagination)
    if kind == "vsb":
        return vsb_next_page(html, url, pagination)
    if kind == "hanweb":
        return hanweb_next_page(html, url, pagination)
    if kind == "template":
        return template_next_page(html, url, pagination, page)
    if kind == "query":
        return query_next_page(html, url, pagination, page)
    if kind == "next_link":
        return next_link_page(html, url, pagination)
    return NextPage(None, "none: the profile follows no pagination")


def next_page(html: str, url: str, pagination: Pagination, page: int = 1) -> str | None:
    """The URL of the list page after `url`, or None when this family says there is none."""
    return explain_next_page(html, url, pagination, page).url
