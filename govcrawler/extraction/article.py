"""One page → article fields, by the order of evidence: profile selectors, page meta, generic.

`extract_article` is pure: HTML text + URL (+ optional profile) in, `Extraction` or `Rejection`
out. It records which evidence produced each field, so users can see why a value is what it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from govcrawler.cleaning.boilerplate import strip_boilerplate_lines
from govcrawler.cleaning.learned import strip_learned
from govcrawler.cleaning.text import normalize_space
from govcrawler.extraction import page_kind
from govcrawler.extraction.blocks import (
    element_attachments,
    element_images,
    element_lines,
    is_hidden,
    linked_lines,
    marked_attachments,
    tag_of,
)
from govcrawler.extraction.body import Body, choose_body, drop_link_lists
from govcrawler.extraction.dates import parse_datetime
from govcrawler.extraction.fields import (
    byline_names,
    labelled_line,
    meta_content,
    meta_line,
    parse_labelled,
    title_from_head,
    trailing_credit,
)
from govcrawler.extraction.generic import reveal_hidden_article, title_element
from govcrawler.extraction.headline import drop_headline_block, drop_restated_title
from govcrawler.extraction.not_article import (
    LIST_PAGE,
    NAVIGATION_ONLY,
    NOT_HTML,
    is_list_page,
    links_only,
    navigation_only,
    not_html,
)
from govcrawler.item import Attachment, Image
from govcrawler.sites import ArticleRules, SiteProfile
from govcrawler.sites.selectors import CompiledSelector

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
    fallback: str | None = None  # why the generic finder overruled the profile, if it did
    observed_lines: list[str] = field(default_factory=list)  # for cross-page learning


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
_NOT_WORD_RE = re.compile(r"[\W_]+")


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


NOT_CLASSIFIED = "not classified"  # `kind` when the caller has not run the page rules


def extract_article(
    html: str,
    url: str,
    profile: SiteProfile | None = None,
    column_hint: str | None = None,
    *,
    learned: frozenset[str] = frozenset(),
    kind: str | None = NOT_CLASSIFIED,
) -> Extraction | Rejection:
    """Extract a clean article from one page, or say why the page is not one.

    `learned` is the site's learned boilerplate (cleaning.learned); lines it names are dropped.
    `kind`: what the page rules found (extraction/page.py), when the caller ran them already.
    """
    reason = page_kind.rejection_reason(html) if kind == NOT_CLASSIFIED else kind
    if reason:
        return Rejection(reason, "page markers")
    document = not_html(html)
    if document:
        return Rejection(NOT_HTML, document)
    root = parse_html(html)
    if root is None:
        return Rejection(page_kind.EMPTY, "no parsable HTML")
    reveal_hidden_article(root)
    rules = profile.article if profile else None
    prefixes = rules.byline_prefixes if rules else ()
    fields = _Fields()
    if rules:
        _profile_fields(root, rules, prefixes, fields)
    # Page meta tags (TRS: ArticleTitle/ContentSource/ColumnName; PubDate is unreliable on CCDI,
    # where the displayed time wins, so it is used only when nothing else gave a time).
    fields.offer("title", meta_content(root, "ArticleTitle", "og:title"), "meta")
    fields.offer("source", meta_content(root, "ContentSource", "source"), "meta")
    fields.offer("column", meta_content(root, "ColumnName"), "meta")

    body = choose_body(root, rules)
    if body is None:
        return Rejection(page_kind.EMPTY, "no main content found")
    if body.generic and is_list_page(body.element):
        return Rejection(LIST_PAGE, "a column of dated links, no article")
    if body.low_prose and links_only(body.element):
        return Rejection(NAVIGATION_ONLY, "no prose on the page, its biggest block is links")
    fields.evidence["body"] = body.evidence
    title = _title(root, body, prefixes, fields)

    lines = _body_lines(body, title, prefixes, fields)
    observed = strip_boilerplate_lines(lines, profile.boilerplate if profile else ())
    lines = strip_learned(observed, learned)

    _page_fields(root, rules, fields)
    if profile:
        fields.offer("column", profile.column_for(url), "profile:column_url")
    fields.offer("column", column_hint, "list")
    if not lines:
        return Rejection(page_kind.EMPTY, "no body text")
    images = element_images(body.element, url)
    if navigation_only(lines) and not images:
        return Rejection(NAVIGATION_ONLY, "only navigation text: " + " ".join(lines)[:60])
    title = title or _first_short_line(lines, fields) or ""
    if not title:
        return Rejection("no_title", "no title found")
    return Extraction(
        title=title,
        body="\n".join(lines),
        published_at=fields.get("published_at"),
        source=fields.get("source"),
        author=fields.get("author"),
        editor=fields.get("editor"),
        column=fields.get("column"),
        images=images,
        attachments=marked_attachments(
            root,
            url,
            profile.files.links if profile else (),
            element_attachments(body.element, url),
        ),
        extractor="generic" if body.generic else "profile",
        evidence=fields.evidence,
        fallback=body.fallback,
        observed_lines=observed,
    )


def _profile_fields(
    root: HtmlElement, rules: ArticleRules, prefixes: tuple[str, ...], fields: _Fields
) -> None:
    """Fields the profile's selectors name."""
    fields.offer("title", _first_text(root, rules.title), "profile")
    for name in ("source", "editor", "column"):
        raw = _first_text(root, getattr(rules, name))
        if raw:
            fields.offer(name, parse_labelled(raw).get(name, raw), "profile")
    raw_time = _first_text(root, rules.published_at)
    fields.offer("published_at", parse_datetime(raw_time), "profile")
    if raw_time and not fields.get("published_at"):
        # The page shows a time we cannot read: null, never a guess; the reason is kept.
        fields.evidence["published_at"] = f"unparsable: {raw_time[:60]}"
    raw_author = _first_text(root, rules.author)
    names = byline_names(raw_author, prefixes, bare=True) if raw_author else None
    fields.offer("author", names, "profile")
    for name, value in parse_labelled(_first_text(root, rules.meta_line) or "").items():
        fields.offer(name, value, "profile:meta_line")


def _heading_title(el: HtmlElement, prefixes: tuple[str, ...], fields: _Fields) -> str | None:
    """A heading block's lines joined (kicker + headline); a closing byline line becomes the author."""
    lines = element_lines(el)
    if len(lines) > 1:
        names = byline_names(lines[-1], prefixes, bare=True)
        if names:
            fields.offer("author", names, "heading_byline")
            lines = lines[:-1]
    return "".join(lines) or None


def _title(root: HtmlElement, body: Body, prefixes: tuple[str, ...], fields: _Fields) -> str:
    """Profile/meta title; else, for a generic body, the headline before it; else <title> minus
    its suffix, else the first h1/h2."""
    head = root.find(".//title")
    head_title = title_from_head(head.text_content()) if head is not None else ""
    if body.generic and fields.evidence.get("title", "meta") == "meta":
        page = body.element.getroottree().getroot()
        el = title_element(page, body.element, head.text_content() if head is not None else "")
        heading = _heading_title(el, prefixes, fields) if el is not None else None
        if heading and _displayed_wins(heading, fields.get("title")):
            fields.values["title"], fields.evidence["title"] = heading, "generic:heading"
    fields.offer("title", head_title, "title_tag")
    for h in root.iter("h1", "h2"):
        if not is_hidden(h):
            fields.offer("title", normalize_space(h.text_content()), "heading")
            break
    return normalize_space(_TAG_RE.sub("", fields.get("title") or ""))


def _displayed_wins(heading: str, meta: str | None) -> bool:
    """The headline the page shows is the title. The meta title stays only when no headline was
    shown, when the shown one is unrelated to it (another heading was found), or when the shown
    one is just a fragment of it (the first line of two)."""
    if not meta:
        return True
    shown, declared = (_NOT_WORD_RE.sub("", t) for t in (heading, meta))
    if shown in declared and len(shown) < len(declared):
        return False
    pairs = len(declared) - 1
    shared = sum(declared[i : i + 2] in shown for i in range(pairs))
    return pairs > 0 and shared >= 0.6 * pairs


def _first_short_line(lines: list[str], fields: _Fields) -> str | None:
    """Last resort for a page with no title anywhere: its first line, when it is short."""
    if lines and len(lines[0]) <= 50:
        fields.offer("title", lines[0], "first_line")
    return fields.get("title")


def _body_lines(body: Body, title: str, prefixes: tuple[str, ...], fields: _Fields) -> list[str]:
    """Text lines of the body with headline, meta line, labels and bylines moved into fields."""
    drop_headline_block(body.element, title)
    if body.generic and not body.low_prose:
        raw = drop_link_lists(linked_lines(body.element))
    else:
        raw = element_lines(body.element)
    lines = drop_restated_title(raw, title)

    kept: list[str] = []
    for i, line in enumerate(lines):
        edge = i < 3 or i >= len(lines) - 3
        labelled = labelled_line(line) if edge else None
        if labelled is None and i < 3:
            labelled = meta_line(line)
        if labelled is not None:  # a label with an empty value (`责任编辑：`) goes too
            for name, value in labelled.items():
                fields.offer(name, value, "body_label")
            continue
        kept.append(line)
    lines = kept

    # Bylines: a names line at the top, or a closing `（… X整理）` line.
    for i in [*range(min(3, len(lines))), len(lines) - 1]:
        if 0 <= i < len(lines) and len(lines[i]) <= 40:
            names = byline_names(lines[i], prefixes)
            closing = lines[i].startswith(("（", "(")) and lines[i].rstrip("）)").endswith("整理")
            if names and (i < 3 or closing):
                fields.offer("author", names, "byline")
                lines = lines[:i] + lines[i + 1 :]
                break
    if lines:
        fields.offer("author", trailing_credit(lines[-1]), "trailing_credit")
    return lines


def _page_fields(root: HtmlElement, rules: ArticleRules | None, fields: _Fields) -> None:
    """The displayed 发布时间/来源 line anywhere on the page, then the PubDate meta tag."""
    if not (fields.get("published_at") and fields.get("source")):
        for line in element_lines(root, limit=300):
            if len(line) <= 160:
                found = {**parse_labelled(line), **(meta_line(line, max_len=160) or {})}
                for name, value in found.items():
                    if name in ("published_at", "source"):
                        fields.offer(name, value, "page_label")
    if fields.get("published_at") is None and not (rules and rules.published_at):
        fields.offer("published_at", parse_datetime(meta_content(root, "PubDate")), "meta")


__all__ = ["Extraction", "Rejection", "extract_article", "parse_html", "tag_of"]
