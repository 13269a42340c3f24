"""DOM → text blocks: one line per paragraph-level element, hidden and script content skipped."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from govcrawler.cleaning.text import normalize_space
from govcrawler.extraction.urls import canonical_url
from govcrawler.item import Attachment, Image, new_attachment, new_image
from govcrawler.sites.selectors import CompiledSelector

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "section",
        "article",
        "blockquote",
        "pre",
        "figure",
        "figcaption",
        "dl",
        "dt",
        "dd",
        "center",
        "header",
        "footer",
        "nav",
        "aside",
        "address",
        "hr",
        "br",
        "form",
        "fieldset",
        "caption",
        "main",
        "details",
        "summary",
    ]
)
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "canvas",
        "select",
        "option",
        "button",
        "input",
        "textarea",
        "head",
        "title",
        "meta",
        "link",
        "map",
        "area",
        "audio",
        "video",
        "source",
    ]
)
CELL_TAGS = frozenset(("td", "th"))
ATTACHMENT_EXTENSIONS = frozenset(
    [
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".wps",
        ".et",
        ".zip",
        ".rar",
        ".7z",
        ".ofd",
        ".txt",
        ".ppt",
        ".pptx",
        ".csv",
    ]
)
_ATTACHMENT_SUFFIXES = tuple(ATTACHMENT_EXTENSIONS)


def names_document(text: str) -> bool:
    """The text ends with a file name of an attachment (`附件：某某通报.pdf`): a line or block
    that is content however much of it is link text."""
    return text.strip().lower().endswith(_ATTACHMENT_SUFFIXES)


# An inline style that hides its element (with its `;`, so generic.reveal_hidden_article can
# cut it out).
HIDDEN_STYLE_RE = re.compile(r"(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*;?", re.I)
# Class names that mean display:none in common CSS (Bootstrap `hidden`/`d-none`, `hide`,
# sohu's `hidden-content control-hide` behind 展开全文, seen 2020).
_HIDDEN_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:hidden|hide|d-none|display-none|sr-only|visually-hidden)(?:$|[\s_-])", re.I
)


def tag_of(node: HtmlElement) -> str:
    tag = node.tag
    return tag.lower() if isinstance(tag, str) else ""


def is_hidden(node: HtmlElement) -> bool:
    """Hidden by inline style or the `hidden` attribute (CCDI's #NewsArticleID trailer, 2022–25)."""
    return (
        node.get("hidden") is not None
        or bool(HIDDEN_STYLE_RE.search(node.get("style", "")))
        or bool(_HIDDEN_CLASS_RE.search(node.get("class", "")))
    )


def element_lines(root: HtmlElement, limit: int | None = None) -> list[str]:
    """The visible text of `root` as normalised lines, one per block element (the first `limit`)."""
    return [text for text, _ in linked_lines(root, limit)]


class _Enough(Exception):
    """Stops a walk once `limit` lines are collected."""


def linked_lines(root: HtmlElement, limit: int | None = None) -> list[tuple[str, float]]:
    """Like `element_lines`, with the share of each line's characters that sit inside links."""
    lines: list[tuple[str, float]] = []
    buf: list[tuple[str, bool]] = []

    def flush() -> None:
        text = normalize_space("".join(t for t, _ in buf))
        if text:
            size = sum(len(t.strip()) for t, _ in buf) or 1
            linked = sum(len(t.strip()) for t, in_link in buf if in_link)
            lines.append((text, min(1.0, linked / size)))
            if limit is not None and len(lines) >= limit:
                raise _Enough
        buf.clear()

    def walk(node: HtmlElement, in_link: bool) -> None:
        tag = tag_of(node)
        if not tag or tag in SKIP_TAGS or is_hidden(node):
            return  # comments, processing instructions, scripts, hidden blocks
        block = tag in BLOCK_TAGS
        in_link = in_link or tag == "a"
        if block:
            flush()
        if node.text:
            buf.append((node.text, in_link))
        for child in node:
            walk(child, in_link)
            if child.tail:
                buf.append((child.tail, in_link))
        if block:
            flush()
        elif tag in CELL_TAGS:
            buf.append((" ", in_link))

    try:
        walk(root, False)
        flush()
    except _Enough:
        pass
    return lines


def _visible(node: HtmlElement, stop: HtmlElement) -> bool:
    current: HtmlElement | None = node
    while current is not None and current is not stop:
        if is_hidden(current) or tag_of(current) in SKIP_TAGS:
            return False
        current = current.getparent()
    return True


def absolute_url(base_url: str, href: str) -> str | None:
    """The canonical absolute http(s) URL an href leads to; None for a script, fragment, mail
    or data link, or another scheme."""
    href = href.strip()
    if not href or href.startswith(("data:", "javascript:", "#", "mailto:")):
        return None
    url = urljoin(base_url, href)
    # Canonical like the record's own url: 广东 links images as `http://host:80/…` (2018).
    return canonical_url(url) if urlsplit(url).scheme in ("http", "https") else None


def element_images(root: HtmlElement, base_url: str) -> list[Image]:
    """Images in the content, absolute URLs, caption from alt/title."""
    images: list[Image] = []
    seen: set[str] = set()
    for img in root.iter("img"):
        if not _visible(img, root):
            continue
        src = img.get("src") or img.get("data-src") or img.get("oldsrc") or ""
        url = absolute_url(base_url, src)
        if url and url not in seen:
            seen.add(url)
            caption = normalize_space(img.get("alt") or img.get("title") or "") or None
            images.append(new_image(url, caption))
    return images


def element_attachments(root: HtmlElement, base_url: str) -> list[Attachment]:
    """Links to documents (附件) in the content: PDF, Word, WPS, Excel, archives, OFD."""
    found: list[Attachment] = []
    seen: set[str] = set()
    for link in root.iter("a"):
        href = link.get("href", "")
        bare = href.split("#", 1)[0].split("?", 1)[0].lower().rstrip()
        if not bare.endswith(_ATTACHMENT_SUFFIXES):
            continue  # cheap test first: most links are not documents
        url = absolute_url(base_url, href)
        if not url or url in seen or not _visible(link, root):
            continue
        path = urlsplit(url).path.lower()
        if path.endswith(_ATTACHMENT_SUFFIXES):
            seen.add(url)
            title = normalize_space(link.text_content()) or path.rsplit("/", 1)[-1]
            found.append(new_attachment(url, title))
    return found


def marked_attachments(
    root: HtmlElement, base_url: str, selectors: Iterable[CompiledSelector], known: list[Attachment]
) -> list[Attachment]:
    """`known` plus the links a profile's `[files] links` selectors mark anywhere on the page (an
    `<a>` element or its `@href`), whatever their suffix: a download script such as
    `downfile.jsp?…` serves a file without one."""
    found = list(known)
    seen = {a["url"] for a in found}
    for selector in selectors:
        for value in selector.select(root):
            if isinstance(value, HtmlElement):
                href, title = value.get("href", ""), normalize_space(value.text_content())
            elif isinstance(value, str):
                href, title = value, ""
            else:
                continue
            url = absolute_url(base_url, href)
            if url and url not in seen:
                seen.add(url)
                found.append(new_attachment(url, title or urlsplit(url).path.rsplit("/", 1)[-1]))
    return found
