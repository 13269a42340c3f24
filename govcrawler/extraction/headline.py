"""Headline blocks: the centred bold paragraphs or lines at the top of a body that restate the title."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from govcrawler.cleaning.boilerplate import is_boilerplate_line
from govcrawler.extraction.blocks import tag_of


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


_CENTRED_RE = re.compile(r"text-align\s*:\s*center", re.I)


def is_centred_bold(el: HtmlElement) -> bool:
    """A paragraph that is centred and entirely bold (an editor's headline block)."""
    centred = (
        bool(_CENTRED_RE.search(el.get("style", ""))) or el.get("align", "").lower() == "center"
    )
    bold = "".join("".join(b.itertext()) for b in el.iter("strong", "b"))
    return centred and bool(bold) and squash(bold) == squash(el.text_content())


def drop_headline_block(body_el: HtmlElement, title: str) -> None:
    """Remove the centred bold paragraphs opening the body when one of them restates the title
    (CCDI 2022–2025: subtitle + title repeated above the byline)."""
    block: list[HtmlElement] = []
    for child in body_el:
        if not tag_of(child) or not squash(child.text_content()):
            continue
        if not is_centred_bold(child):
            break
        block.append(child)
    flat_title = squash(title)
    if any(squash(el.text_content()) in flat_title for el in block):
        for el in block:
            el.drop_tree()


def drop_restated_title(lines: list[str], title: str) -> list[str]:
    """Drop a headline block at the top of the body that repeats the title, also when a
    breadcrumb or another boilerplate line (removed later by the cleaning) sits above it: a
    generic body often starts at the box holding 当前位置, the headline and the text."""
    flat_title = squash(title)
    start = 0
    while start < len(lines) and is_boilerplate_line(lines[start]):
        start += 1
    end = start
    while end < len(lines) and len(squash(lines[end])) >= 4 and squash(lines[end]) in flat_title:
        end += 1
    return lines[:start] + lines[end:]
