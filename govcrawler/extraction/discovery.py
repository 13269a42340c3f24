"""Which links of a list page are its articles, from the page alone (no profile selectors).

A column page of a government CMS shows its articles as a repeated block: the same markup path
for every entry, a title of a sentence's length, often a date beside it, and URLs of one shape
that name a document (`…/202603/t20260312_470231.html`). Navigation, breadcrumbs, footers and
pagers are short words linking to folders and index pages. So: every same-site link is a
candidate; candidates are grouped by the markup path of their entry (tags and classes of the
list container and above, tags only inside an entry, so `li.odd`/`li.even` stay together);
each link is scored on its title length, a date next to it and its URL's shape (a document id or
a dated path; not a folder, an index page or a section without an id), and an article URL the
column owns (in its folder, or carrying its number: Hanweb `col232` → `art_232_…`) scores more.
The best group is the list: one the column owns before any other, then the highest total. A
group elsewhere on the page joins it only when its URLs end in the same shape and the column
owns them (an overview page with several sub-lists), never a sidebar of another column's news.
Links whose text is a number or a pager word are never articles.

Links written by scripts (贵州 2018 `var str_1 = "./…"`, Hanweb's `<record><![CDATA[…]]>`) and
entries left inside an HTML comment (a template whose server-side list is commented out while a
script loads the same list, seen on a provincial government site in 2025) are put back into the
tree as ordinary links first, where they stood.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from govcrawler.cleaning.text import normalize_space
from govcrawler.extraction.article import parse_html
from govcrawler.extraction.blocks import absolute_url
from govcrawler.extraction.dates import date_from_url, parse_datetime
from govcrawler.extraction.entries import ListEntry
from govcrawler.extraction.url_shapes import (
    folder_of,
    is_page_url,
    looks_like_article_url,
    looks_like_list_url,
    url_shape,
)
from govcrawler.extraction.urls import canonical_url
from govcrawler.sites import host_in

# Link words of navigation and pagers, never an article title.
NAV_WORDS = frozenset(
    {
        "首页", "更多", "more", "更多>>", "more>>", ">>", "上一页", "下一页", "上页", "下页", "尾页",
        "末页", "前页", "后页", "返回", "详细", "详情", "查看", "阅读全文", "全文", "进入", "<", ">",
        "«", "»", "‹", "›", "next", "prev", "previous", "last", "first",
    }
)  # fmt: skip
_SHORT_DATE_RE = re.compile(r"^[\[(（【]?\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[\])）】]?$")
_HREF_IN_SCRIPT_RE = re.compile(
    r"""["']((?:https?://|\.{0,2}/)[^"'\s<>(){};+]+|[\w-]+/[^"'\s<>(){};+]+\.s?html?)["']"""
)
_CDATA_RE = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_TITLE_IN_SCRIPT_RE = re.compile(r"""title\s*=\s*\\?["']([^"'\\]{4,})|>([^<>"'+]{4,})</a>""")
_FROM_ATTR = "data-gc-from"
_COLUMN_NUMBER_RE = re.compile(r"(?<!\d)\d{2,6}(?!\d)")  # a column's number in a path
MIN_LIST_SCORE = 2.0  # a group below this is not a list of articles
MIN_LINK_SCORE = 0.5  # a link below this inside the chosen group is chrome (更多, a category tag)
MAX_ENTRY_TEXT = 400  # an entry with more text than this is a block of prose, not a list entry


@dataclass
class _Link:
    url: str
    text: str
    anchor: HtmlElement
    order: int
    entry: HtmlElement | None = None
    date: str | None = None  # YYYY-MM-DD next to the link
    dated: bool = False  # a date (perhaps without the year) is shown next to the link
    score: float = 0.0


@dataclass(frozen=True)
class LinkGroup:
    """One group of same-path links: how it was found and how well it scored."""

    path: str  # the entries' markup path, as a CSS-like string (`ul.list_news_dl2 > li`)
    item: str  # CSS selector of one entry relative to the page (`ul.list_news_dl2 > li`)
    urls: tuple[str, ...]
    score: float
    dated: int  # entries showing a date
    shape: str  # the dominant URL shape (`/scdcn/zggb/zjsc/#/t#_#.html`)
    source: str  # a: plain links; script: written by a script; comment: inside a comment


@dataclass(frozen=True)
class ListDiscovery:
    """The article links discovery found on a list page, and the evidence."""

    entries: tuple[ListEntry, ...]
    groups: tuple[LinkGroup, ...]  # the chosen groups, best first
    rejected: tuple[LinkGroup, ...] = field(default=(), compare=False)  # best other groups
    how: str = ""

    @property
    def urls(self) -> list[str]:
        return [e.url for e in self.entries]


# ---- putting script- and comment-held links back into the tree ---------------------------------


def _script_title(text: str) -> str:
    match = _TITLE_IN_SCRIPT_RE.search(text)
    return normalize_space(next(g for g in match.groups() if g)) if match else ""


def _expand_script(script: HtmlElement) -> HtmlElement | None:
    """A <span> holding the links a script writes (CDATA records parsed as HTML, else each
    quoted page URL with the title the script gives), or None when it writes none."""
    text = script.text or ""
    if "<a" in text and "CDATA" in text:
        holder = lxml_html.Element("span")
        for chunk in _CDATA_RE.findall(text):
            if "<a" in chunk:
                holder.append(lxml_html.fragment_fromstring(chunk, create_parent="span"))
        return holder if len(holder) else None
    hrefs = [h for h in _HREF_IN_SCRIPT_RE.findall(text) if is_page_url(h)]
    if not hrefs or len(hrefs) > 3:  # a data blob or a menu, not an entry's link
        return None
    holder = lxml_html.Element("span")
    title = _script_title(text)
    for href in hrefs:
        link = etree.SubElement(holder, "a", href=href)
        link.text = title
    return holder


def _expand_comment(comment: etree._Comment) -> HtmlElement | None:
    text = comment.text or ""
    if "<a" not in text or "href" not in text:
        return None
    try:
        return lxml_html.fragment_fromstring(text, create_parent="span")
    except (etree.ParserError, ValueError):
        return None


def expand_hidden_links(root: HtmlElement) -> None:
    """Replace scripts and comments that hold links by elements holding those links, in place
    (marked `data-gc-from="script|comment"`); the tree's other content is untouched."""
    for node in list(root.iter(etree.Comment, "script")):
        parent = node.getparent()
        if parent is None:
            continue
        if isinstance(node, etree._Comment):
            holder, source = _expand_comment(node), "comment"
        else:
            holder, source = _expand_script(node), "script"
        if holder is None:
            continue
        holder.set(_FROM_ATTR, source)
        holder.tail = node.tail
        parent.replace(node, holder)


# ---- candidates, entries, dates ------------------------------------------------------------------


def _same_site(host: str, page_host: str, domains: Sequence[str]) -> bool:
    if domains:
        return host_in(host, domains)
    bare, page_bare = host.removeprefix("www."), page_host.removeprefix("www.")
    return host_in(bare, (page_bare,)) or host_in(page_bare, (bare,))


def _candidates(root: HtmlElement, page_url: str, domains: Sequence[str]) -> list[_Link]:
    page = canonical_url(page_url)
    page_host = urlsplit(page).hostname or ""
    links = []
    for order, anchor in enumerate(root.iter("a")):
        href = (anchor.get("href") or "").strip()
        url = absolute_url(page_url, href)
        if url is None or href.startswith("{{") or url == page or not is_page_url(url):
            continue  # (`{{…}}`: a client-side template's placeholder, not a link)
        if not _same_site(urlsplit(url).hostname or "", page_host, domains):
            continue
        text = normalize_space(anchor.text_content())
        title = normalize_space(anchor.get("title") or "")
        if _is_pager_text(text) and not title:
            continue  # a pager's 2, 下一页, 尾页 (or a year menu's 2024): never an article
        links.append(_Link(url, title if len(title) > len(text) else text, anchor, order))
    return links


def _entries(links: list[_Link]) -> None:
    """Each link's entry: its highest ancestor holding no link to another URL."""
    urls_under: dict[HtmlElement, set[str]] = {}
    for link in links:
        for node in link.anchor.iterancestors():
            urls_under.setdefault(node, set()).add(link.url)
    for link in links:
        entry = link.anchor
        for node in link.anchor.iterancestors():
            if node.tag in ("body", "html") or len(urls_under[node]) > 1:
                break
            entry = node
        link.entry = entry


def _date_in(text: str) -> tuple[str | None, bool]:
    """(YYYY-MM-DD, shown): a full date in a short text, or a bare month-day (`11-18`)."""
    text = normalize_space(text)
    if not text or len(text) > 60:
        return None, False
    parsed = parse_datetime(text)
    if parsed:
        return parsed[:10], True
    return None, bool(_SHORT_DATE_RE.match(text))


def _own_text(entry: HtmlElement, anchor: HtmlElement) -> Iterator[str]:
    """Text pieces of the entry outside the anchor (the date cell, the text after the title)."""
    for node in entry.iter():
        if node is anchor:
            if anchor.tail:
                yield anchor.tail
            continue
        if any(a is anchor for a in node.iterancestors()):
            continue
        skipped = node.tag in (etree.Comment, "script", "style")
        if node.text and not skipped:
            yield node.text
        if node is not entry and node.tail:
            yield node.tail


def _find_date(link: _Link) -> None:
    entry = link.entry if link.entry is not None else link.anchor
    pieces = list(_own_text(entry, link.anchor)) if entry is not link.anchor else []
    # A date cell beside an anchor that is its own entry: the next or previous sibling.
    if entry is link.anchor or not any(p.strip() for p in pieces):
        for sibling in (entry.getnext(), entry.getprevious()):
            if (
                sibling is not None
                and sibling.tag not in (etree.Comment, "script")
                and not sibling.findall(".//a")
            ):
                pieces.append(sibling.text_content())
        if entry.tail:
            pieces.append(entry.tail)
    for piece in pieces:
        date, shown = _date_in(piece)
        if shown:
            link.date, link.dated = date, True
            return
    joined = normalize_space(" ".join(pieces))
    if len(joined) <= 60:
        link.date, link.dated = _date_in(joined)


# ---- scoring ------------------------------------------------------------------------------------


def _is_pager_text(text: str) -> bool:
    return text.lower() in NAV_WORDS or text.strip("[]【】()（）<>《》 ").isdigit()


def _text_score(text: str) -> float:
    if _is_pager_text(text):
        return -3.0
    size = len(text.replace(" ", ""))
    if size >= 12:
        return 2.0
    if size >= 8:
        return 1.5
    if size >= 5:
        return 0.5
    return -1.0 if size >= 3 else -2.0


@dataclass(frozen=True)
class _Column:
    """What ties a URL to the column: its folder (not the site root) and the numbers its path
    carries (Hanweb `col/col232/` → articles `art_232_…`)."""

    folder: str
    numbers: frozenset[str]

    @classmethod
    def of(cls, url: str) -> _Column:
        path = urlsplit(url).path
        return cls(folder_of(url), frozenset(_COLUMN_NUMBER_RE.findall(path)))

    def owns(self, url: str) -> bool:
        path = urlsplit(url).path
        if self.folder != "/" and path.startswith(self.folder):
            return True
        return not self.numbers.isdisjoint(_COLUMN_NUMBER_RE.findall(path))


def _score(link: _Link, column: _Column) -> float:
    score = _text_score(link.text)
    if link.dated:
        score += 2.0
    elif date_from_url(link.url):
        score += 1.0
    if looks_like_list_url(link.url):
        score -= 2.0
    elif looks_like_article_url(link.url):
        score += 1.5
        if column.owns(link.url):  # the column's own article, not a sidebar of other news
            score += 2.0
    else:  # no document id, no date: another section's page (`jlsc_sggb.php`, `scdc/sggb/zjsc.htm`)
        score -= 1.5
    entry = link.entry if link.entry is not None else link.anchor
    if len(normalize_space(entry.text_content())) > MAX_ENTRY_TEXT:
        score -= 2.0
    return score


# ---- grouping -----------------------------------------------------------------------------------


def _classes(node: HtmlElement) -> list[str]:
    return sorted(c for c in (node.get("class") or "").split() if re.match(r"^[\w-]+$", c))


def _step(node: HtmlElement, with_classes: bool) -> str:
    tag = str(node.tag)
    return tag + "".join("." + c for c in _classes(node)) if with_classes else tag


def _group_key(link: _Link) -> tuple[str, str]:
    """(container path with classes, path from the entry down to the anchor in tags): the
    entries of one list share it; the container's classes keep a sidebar list apart."""
    entry = link.entry if link.entry is not None else link.anchor
    inner = [_step(link.anchor, True)]
    for node in link.anchor.iterancestors():
        if node is entry or entry is link.anchor:
            break
        inner.append(_step(node, False))
    if entry is not link.anchor:
        # An entry repeated beside its like (li, tr, dl) is known by its tag; a lone one (the
        # only entry of a one-article page climbs to the list's box) by its classes too.
        alone = not any(s.tag == entry.tag for s in entry.itersiblings(preceding=True)) and not any(
            s.tag == entry.tag for s in entry.itersiblings()
        )
        inner.append(_step(entry, alone))
    outer = [_step(n, True) for n in entry.iterancestors() if n.tag not in ("html",)]
    return " > ".join(reversed(outer)), " > ".join(reversed(inner))


def _source(link: _Link) -> str:
    for node in link.anchor.iterancestors():
        origin = node.get(_FROM_ATTR)
        if origin:
            return str(origin)
    return "a"


def _css(path: str, depth: int = 2) -> str:
    """The last `depth` steps of a markup path, as a CSS selector (classes kept)."""
    steps = [s for s in path.split(" > ") if s]
    return " > ".join(steps[-depth:])


def _dominant_shape(links: Iterable[_Link]) -> str:
    shapes = Counter(url_shape(link.url) for link in links)
    return shapes.most_common(1)[0][0] if shapes else ""


def _tail(shape: str) -> str:
    """The last two steps of a URL shape (`#/t#_#.html`): what the sub-lists of one column
    overview share while their folders differ."""
    return "/".join(shape.split("/")[-2:])


def _group(key: tuple[str, str], links: list[_Link]) -> LinkGroup:
    container, inner = key
    distinct = list({link.url: link for link in links}.values())
    entry_steps = inner.split(" > ")
    entry_tag = entry_steps[0].split(".")[0]
    return LinkGroup(
        path=f"{container} > {inner}",
        item=f"{_css(container)} > {entry_tag}",
        urls=tuple(link.url for link in distinct),
        score=round(sum(max(0.0, link.score) for link in distinct), 2),
        dated=sum(1 for link in distinct if link.dated),
        shape=_dominant_shape(distinct),
        source=_source(distinct[0]) if distinct else "a",
    )


def discover(
    html: str, page_url: str, domains: Sequence[str] = (), column_url: str | None = None
) -> ListDiscovery:
    """The article links of a list page (see the module doc), with the groups they came from.

    `domains` are the site's hosts (default: the page's host and its subdomains); `column_url`
    is the column's first page when `page_url` is a later one (its folder is the column's)."""
    root = parse_html(html)
    if root is None:
        return ListDiscovery((), (), how="unparsable page")
    expand_hidden_links(root)
    links = _candidates(root, page_url, domains)
    if not links:
        return ListDiscovery((), (), how="no same-site links")
    _entries(links)
    column = _Column.of(canonical_url(column_url or page_url))
    groups: dict[tuple[str, str], list[_Link]] = {}
    for link in links:
        _find_date(link)
        link.score = _score(link, column)
        groups.setdefault(_group_key(link), []).append(link)
    # A list the column owns (its folder, its number in the URLs) outranks any other: a longer
    # dated sidebar of another column's news must not win on size alone.
    ranked = sorted(
        ((_group(key, members), members) for key, members in groups.items()),
        key=lambda pair: (
            sum(1 for u in pair[0].urls if column.owns(u)) * 2 > len(pair[0].urls)
            and pair[0].score >= MIN_LIST_SCORE,
            pair[0].score,
        ),
        reverse=True,
    )
    best, best_links = ranked[0]
    if best.score < MIN_LIST_SCORE:
        return ListDiscovery(
            (),
            (),
            tuple(g for g, _ in ranked[:3]),
            how=f"no list: best group {best.path} scored {best.score}",
        )
    chosen = [(best, best_links)]
    for group, members in ranked[1:]:
        owned = sum(1 for u in group.urls if column.owns(u))
        if (
            _tail(group.shape) == _tail(best.shape)
            and group.score / max(1, len(group.urls)) >= 1.0
            and owned * 2 >= len(group.urls)
        ):
            chosen.append((group, members))
    kept: dict[str, _Link] = {}
    for _, members in chosen:
        shape = _dominant_shape(m for m in members if m.score >= MIN_LINK_SCORE)
        for link in members:
            if link.url in kept:
                continue
            if link.score >= MIN_LINK_SCORE or (url_shape(link.url) == shape and link.score > 0):
                kept[link.url] = link
    ordered = sorted(kept.values(), key=lambda link: link.order)
    entries = tuple(
        ListEntry(link.url, link.text, link.date or date_from_url(link.url)) for link in ordered
    )
    others = tuple(g for g, m in ranked[1:4] if all(g is not c for c, _ in chosen))
    how = f"{len(entries)} links in {best.item} ({best.dated} dated, shape {best.shape})"
    if len(chosen) > 1:
        how += f" and {len(chosen) - 1} more group(s) of that shape in the column's folder"
    return ListDiscovery(entries, tuple(g for g, _ in chosen), others, how)


def discover_links(
    html: str, page_url: str, domains: Sequence[str] = (), column_url: str | None = None
) -> list[ListEntry]:
    """The article links of a list page, in page order (`discover` without the evidence); the
    same type `listing.article_links` returns, so the spider can use either."""
    return list(discover(html, page_url, domains, column_url).entries)
