"""One page → article fields, by the order of evidence: profile selectors, page meta, generic.

`extract_article` is pure: HTML text + URL (+ optional profile) in, `Extraction` or `Rejection`
out. It records which evidence produced each field, so users can see why a value is what it is.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from govcrawler.cleaning.boilerplate import strip_boilerplate_lines
from govcrawler.cleaning.text import normalize_space
from govcrawler.extraction import page_kind
from govcrawler.extraction.blocks import (
    element_attachments,
    element_images,
    element_lines,
    is_hidden,
    tag_of,
)
from govcrawler.extraction.dates import parse_datetime
from govcrawler.extraction.fields import (
    byline_names,
    labelled_line,
    meta_content,
    parse_labelled,
    title_from_head,
    trailing_credit,
)
from govcrawler.extraction.generic import find_main_content, prune
from govcrawler.extraction.selectors import CompiledSelector
from govcrawler.item import Attachment, Image
from govcrawler.sites import SiteProfile

# Byline openers seen on CCDI and provincial pages (2018–2025); profiles may add their own.
DEFAULT_BYLINE_PREFIXES = (
    "中央纪委国家监委网站",
    "中国纪检监察报记者",
    "中国纪检监察报",
    "中国纪检监察杂志",
    "本刊特约记者",
    "本刊记者",
    "本报记者",
    "本网记者",
    "新华社记者",
    "人民日报记者",
    "通讯员",
    "记者",
    "文/",
    "作者：",
)
_PARSER = lxml_html.HTMLParser(no_network=True, huge_tree=False, remove_blank_text=False)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


@dataclass
class Extraction:
    title: str
    body: str
    published_at: str | None = None
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    column: str | None = None
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    extractor: str = "profile"
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    """Not an article: `reason` is a stats key (challenge, captcha, empty, no_title, unparsable)."""

    reason: str
    detail: str = ""


def parse_html(html: str) -> HtmlElement | None:
    """lxml document without network access or huge-tree expansion; None when unparsable."""
    try:
        root = lxml_html.document_fromstring(_XML_DECL_RE.sub("", html), parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return root


def _text_of(value: object) -> str:
    if isinstance(value, str):
        return normalize_space(value)
    if isinstance(value, lxml_html.HtmlElement):
        return "".join(element_lines(value))
    return ""


_TAG_RE = re.compile(r"<[^>]+>")


def _first_text(root: HtmlElement, selectors: tuple[CompiledSelector, ...]) -> str | None:
    """Text of the first selector that matches, its matches joined with no separator.

    Tags left as text are dropped: CCDI headlines sometimes hold escaped markup
    (`&lt;p&gt;…`, seen 2022–2023), and a two-line headline joins into one title.
    """
    for selector in selectors:
        parts = [_text_of(value) for value in selector.select(root)]
        text = normalize_space(_TAG_RE.sub("", "".join(parts)))
        if text:
            return text
    return None


def _first_element(
    root: HtmlElement, selectors: tuple[CompiledSelector, ...]
) -> HtmlElement | None:
    """First matched element with text; an empty match still counts (an empty article page must
    be rejected, not handed to the generic finder, which would pick up the page chrome)."""
    empty = None
    for selector in selectors:
        for value in selector.select(root):
            if isinstance(value, lxml_html.HtmlElement):
                if normalize_space(value.text_content()):
                    return value
                empty = empty if empty is not None else value
    return empty


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


_CENTRED_RE = re.compile(r"text-align\s*:\s*center", re.I)


def _is_centred_bold(el: HtmlElement) -> bool:
    """A paragraph that is centred and entirely bold (an editor's headline block)."""
    centred = (
        bool(_CENTRED_RE.search(el.get("style", ""))) or el.get("align", "").lower() == "center"
    )
    bold = "".join("".join(b.itertext()) for b in el.iter("strong", "b"))
    return centred and bool(bold) and _squash(bold) == _squash(el.text_content())


def _drop_headline_block(body_el: HtmlElement, title: str) -> None:
    """Remove the centred bold paragraphs opening the body when one of them restates the title
    (CCDI 2022–2025: subtitle + title repeated above the byline)."""
    block: list[HtmlElement] = []
    for child in body_el:
        if not tag_of(child) or not _squash(child.text_content()):
            continue
        if not _is_centred_bold(child):
            break
        block.append(child)
    flat_title = _squash(title)
    if any(_squash(el.text_content()) in flat_title for el in block):
        for el in block:
            el.drop_tree()


def _drop_restated_title(lines: list[str], title: str) -> list[str]:
    """Drop a headline block at the top of the body that repeats the title."""
    flat_title = _squash(title)
    while lines and len(_squash(lines[0])) >= 4 and _squash(lines[0]) in flat_title:
        lines = lines[1:]
    return lines


class _Fields:
    """Field values with the evidence that produced each; the first value set wins."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.evidence: dict[str, str] = {}

    def offer(self, name: str, value: str | None, evidence: str) -> None:
        if value and name not in self.values:
            self.values[name] = value
            self.evidence[name] = evidence

    def get(self, name: str) -> str | None:
        return self.values.get(name)


def _names(text: str, prefixes: tuple[str, ...]) -> str | None:
    """An author field from a byline text, with or without an organisation prefix."""
    return byline_names(text, (*prefixes, ""))


def extract_article(
    html: str, url: str, profile: SiteProfile | None = None, column_hint: str | None = None
) -> Extraction | Rejection:
    """Extract a clean article from one page, or say why the page is not one."""
    reason = page_kind.rejection_reason(html)
    if reason:
        return Rejection(reason, "page markers")
    root = parse_html(html)
    if root is None:
        return Rejection(page_kind.EMPTY, "no parsable HTML")
    rules = profile.article if profile else None
    prefixes = (*(rules.byline_prefixes if rules else ()), *DEFAULT_BYLINE_PREFIXES)
    fields = _Fields()

    # 1. Profile selectors.
    if rules:
        fields.offer("title", _first_text(root, rules.title), "profile")
        for name in ("source", "editor", "column"):
            raw = _first_text(root, getattr(rules, name))
            if raw:
                fields.offer(name, parse_labelled(raw).get(name, raw), "profile")
        raw_time = _first_text(root, rules.published_at)
        fields.offer("published_at", parse_datetime(raw_time), "profile")
        raw_author = _first_text(root, rules.author)
        fields.offer("author", _names(raw_author, prefixes) if raw_author else None, "profile")
        meta_line = _first_text(root, rules.meta_line)
        for name, value in parse_labelled(meta_line or "").items():
            fields.offer(name, value, "profile:meta_line")

    # 2. Page meta tags (TRS: ArticleTitle/ContentSource/ColumnName; PubDate is unreliable on
    #    CCDI, where the displayed time wins, so it is only used when nothing else gave a time).
    fields.offer("title", meta_content(root, "ArticleTitle", "og:title"), "meta")
    fields.offer("source", meta_content(root, "ContentSource", "source"), "meta")
    fields.offer("column", meta_content(root, "ColumnName"), "meta")

    # 3. Body: the profile's container, else the generic finder.
    body_el = _first_element(root, rules.body) if rules else None
    extractor = "profile"
    if body_el is not None:
        body_el = copy.deepcopy(body_el)
        for selector in rules.remove if rules else ():
            for doomed in selector.select(body_el):
                if isinstance(doomed, HtmlElement) and doomed.getparent() is not None:
                    doomed.drop_tree()
        fields.evidence["body"] = "profile"
    else:
        extractor = "generic"
        pruned = copy.deepcopy(root)
        prune(pruned)
        candidate = find_main_content(pruned)
        if candidate is None:
            return Rejection(page_kind.EMPTY, "no main content found")
        body_el = candidate.element
        fields.evidence["body"] = f"generic:{candidate.evidence}"

    # Title fallbacks: <title> minus its suffix, then the first heading.
    head_title = root.find(".//title")
    if head_title is not None:
        fields.offer("title", title_from_head(head_title.text_content()), "title_tag")
    for heading in root.iter("h1", "h2"):
        if not is_hidden(heading):
            fields.offer("title", normalize_space(heading.text_content()), "heading")
    title = normalize_space(_TAG_RE.sub("", fields.get("title") or ""))

    _drop_headline_block(body_el, title)
    lines = _drop_restated_title(element_lines(body_el), title)

    # Labelled lines (来源：/发布时间：/编辑：…) near the top or bottom leave the body as fields.
    kept: list[str] = []
    for i, line in enumerate(lines):
        labelled = labelled_line(line) if (i < 3 or i >= len(lines) - 3) else None
        if labelled:
            for name, value in labelled.items():
                fields.offer(name, value, "body_label")
            continue
        kept.append(line)
    lines = kept

    # Bylines: a names line at the top, or a closing `（… X整理）` line.
    for i in [*range(min(3, len(lines))), len(lines) - 1]:
        if 0 <= i < len(lines) and len(lines[i]) <= 40:
            names = byline_names(lines[i], prefixes)
            if names and (
                i < 3
                or (lines[i].startswith(("（", "(")) and lines[i].rstrip("）)").endswith("整理"))
            ):
                fields.offer("author", names, "byline")
                lines = lines[:i] + lines[i + 1 :]
                break
    if lines:
        fields.offer("author", trailing_credit(lines[-1]), "trailing_credit")

    lines = strip_boilerplate_lines(lines, profile.boilerplate if profile else ())

    # Displayed meta line anywhere on the page (generic 发布时间/来源 search), then PubDate meta.
    if not (fields.get("published_at") and fields.get("source")):
        for line in element_lines(root)[:300]:
            if len(line) <= 160:
                for name, value in parse_labelled(line).items():
                    if name in ("published_at", "source"):
                        fields.offer(name, value, "page_label")
    if fields.get("published_at") is None and not (rules and rules.published_at):
        fields.offer("published_at", parse_datetime(meta_content(root, "PubDate")), "meta")
    if profile:
        fields.offer("column", profile.column_for(url), "profile:column_url")
    fields.offer("column", column_hint, "list")

    body = "\n".join(lines)
    if not body:
        return Rejection(page_kind.EMPTY, "no body text")
    if not title:
        return Rejection("no_title", "no title found")
    return Extraction(
        title=title,
        body=body,
        published_at=fields.get("published_at"),
        source=fields.get("source"),
        author=fields.get("author"),
        editor=fields.get("editor"),
        column=fields.get("column"),
        images=element_images(body_el, url),
        attachments=element_attachments(body_el, url),
        extractor=extractor,
        evidence=fields.evidence,
    )


__all__ = ["Extraction", "Rejection", "extract_article", "parse_html", "tag_of"]
