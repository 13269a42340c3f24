"""Which element holds the article: the profile's container, or the generic finder's when the
profile finds nothing or far less text (a redesign, usually); and link lists in a generic body."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml.html import HtmlElement

from govcrawler.cleaning.text import normalize_space
from govcrawler.extraction.blocks import names_document
from govcrawler.extraction.generic import drop_widgets, main_content, prune
from govcrawler.sites import ArticleRules
from govcrawler.sites.selectors import CompiledSelector

# A profile body this short is compared with the generic finder's (a redesign shows up here).
SHORT_PROFILE_BODY = 200
# Generic must find this many times more text, outside the profile's block, to overrule it.
FALLBACK_RATIO = 3


def first_element(root: HtmlElement, selectors: tuple[CompiledSelector, ...]) -> HtmlElement | None:
    """First matched element with text; an empty match still counts (an empty article page must
    be rejected, not handed to the generic finder, which would pick up the page chrome)."""
    empty = None
    for selector in selectors:
        for value in selector.select(root):
            if isinstance(value, HtmlElement):
                if normalize_space(value.text_content()):
                    return value
                empty = empty if empty is not None else value
    return empty


@dataclass
class Body:
    """The element holding the article, and how it was chosen."""

    element: HtmlElement
    evidence: str
    generic: bool
    low_prose: bool = False
    fallback: str | None = None


def generic_body(root: HtmlElement) -> Body | None:
    """The generic finder's block, on a pruned copy of the page (link lists kept on index pages)."""
    pruned = copy.deepcopy(root)
    prune(pruned)
    candidate, low_prose = main_content(pruned)
    if candidate is None:
        return None
    if not low_prose:
        drop_widgets(candidate.element)
    return Body(
        candidate.element, f"generic:{candidate.evidence}", generic=True, low_prose=low_prose
    )


def text_len(el: HtmlElement) -> int:
    return len("".join("".join(el.itertext()).split()))


def choose_body(root: HtmlElement, rules: ArticleRules | None) -> Body | None:
    """The profile's container; the generic finder when the profile finds nothing, or finds far
    less text than the generic finder does elsewhere on the page (a redesign, usually)."""
    if rules is None or not rules.body:
        return generic_body(root)
    matched = first_element(root, rules.body)
    if matched is None:
        generic = generic_body(root)
        if generic is not None:
            generic.fallback = "profile body selectors matched nothing"
        return generic
    element = copy.deepcopy(matched)
    for selector in rules.remove:
        for doomed in selector.select(element):
            if isinstance(doomed, HtmlElement) and doomed.getparent() is not None:
                doomed.drop_tree()
    body = Body(element, "profile", generic=False)
    size = text_len(element)
    if 0 < size < SHORT_PROFILE_BODY:
        generic = generic_body(root)
        if generic is not None and text_len(generic.element) >= FALLBACK_RATIO * max(size, 50):
            overlap = set("".join(element.itertext()).split()) & set(
                "".join(generic.element.itertext()).split()
            )
            if not overlap:  # generic found other text, not a wrapper around the profile's block
                generic.fallback = (
                    f"profile body has {size} characters, generic found {text_len(generic.element)}"
                )
                return generic
    return body


_SENTENCE_END = tuple("。！？”")


def drop_link_lists(pairs: list[tuple[str, float]]) -> list[str]:
    """Lines of a generic body minus link lists: a line that is mostly link text, or a run of 3+
    link-bearing lines with no sentence end (related news, `·标题 (日期)` lists, pagers). A line
    naming an attached document stays (the profile's body keeps it too)."""
    linky = [
        not names_document(text)
        and (share >= 0.6 or (share >= 0.3 and not text.endswith(_SENTENCE_END)))
        for text, share in pairs
    ]
    keep = [True] * len(pairs)
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and linky[j]:
            j += 1
        if j - i >= 3:
            keep[i:j] = [False] * (j - i)
        i = max(j, i + 1)
    return [
        text
        for (text, share), kept in zip(pairs, keep, strict=True)
        if kept and (share < 0.6 or text.endswith(_SENTENCE_END) or names_document(text))
    ]
