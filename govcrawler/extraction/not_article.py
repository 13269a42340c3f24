"""Pages that are no article, whatever their markup: documents and binary bytes, pages whose only
text is navigation, and list pages (a column of dated links). Each gives a rejection reason.

These are kinds of page, not sites: the rules name no site and read only the text and shape.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from govcrawler.extraction.blocks import tag_of
from govcrawler.extraction.page_kind import binary_kind

NOT_HTML = "not_html"
NAVIGATION_ONLY = "navigation_only"
LIST_PAGE = "list_page"

# Any one of these tags makes a text HTML; random bytes or plain text have none.
_HTML_TAG_RE = re.compile(
    r"<(?:!doctype|html|head|body|title|meta|div|p|table|td|span|a|br|h[1-6]|article|section)\b",
    re.I,
)


def not_html(text: str) -> str | None:
    """Why decoded bytes are not an HTML page (a PDF, random bytes, plain text), else None.
    A document is known by the signatures the crawl checks on the raw bytes
    (page_kind.binary_kind), which survive decoding where they are ASCII (`%PDF-`, `PK…`)."""
    head = text.lstrip("\ufeff \t\r\n")[:1024]
    kind = binary_kind(head.encode("latin-1", "replace"))
    if kind:
        return f"a document ({kind})"
    if not _HTML_TAG_RE.search(text[:200_000]):
        return "no HTML markup"
    return None


_WORD_RE = re.compile(r"\w")
_SENTENCE_RE = re.compile(r"[。！？；，,.!?;]")
MIN_PROSE_LINE = 10  # word characters: `| 简 | 繁 | EN | 邮箱 |` has no line this long


def navigation_only(lines: list[str]) -> bool:
    """Body lines that are all short tokens with no sentence punctuation: menus, language
    switches, `首页 | 邮箱` bars. An article has at least one line of prose."""
    return not any(
        len(_WORD_RE.findall(line)) >= MIN_PROSE_LINE or _SENTENCE_RE.search(line) for line in lines
    )


_PROSE_END_RE = re.compile(r"[。！？]")
MAX_LINK_SHARE = 0.5


def _item_text(el: HtmlElement) -> str:
    """The element's text without any whitespace."""
    return "".join("".join(el.itertext()).split())


def links_only(block: HtmlElement) -> bool:
    """A block that is mostly link text without one sentence in it: a page's menus, which the
    generic finder falls back on when no paragraph on the page reads as prose."""
    text = _item_text(block)
    if not text or _PROSE_END_RE.search(text):
        return False
    linked = sum(len(_item_text(a)) for a in block.iter("a"))
    return linked > MAX_LINK_SHARE * len(text)


_DATE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}-\d{1,2}(?!\d)"
)
_ITEM_TAGS = frozenset(("li", "tr", "dd", "p", "div"))
MIN_LIST_ITEMS = 5
LIST_TEXT_SHARE = 0.5


def is_list_page(block: HtmlElement) -> bool:
    """The block is a column of dated links: at least MIN_LIST_ITEMS items that each hold one link
    with a title and a date, together at least half of the block's text."""
    total = len(_item_text(block))
    if not total:
        return False
    counted: set[HtmlElement] = set()
    listed = 0
    for el in block.iter():
        if tag_of(el) not in _ITEM_TAGS:
            continue
        links = [a for a in el.iter("a") if len(_item_text(a)) >= 4]
        if len(links) != 1:
            continue
        text = _item_text(el)
        if len(text) > 120 or not _DATE_RE.search(text):
            continue
        if any(tag_of(p) in _ITEM_TAGS and p in counted for p in el.iterancestors()):
            continue
        counted.add(el)
        listed += len(text)
    return len(counted) >= MIN_LIST_ITEMS and listed >= LIST_TEXT_SHARE * total
