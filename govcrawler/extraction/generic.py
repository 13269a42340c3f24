"""Generic main-content finder for Chinese news/government pages no profile covers.

Scores paragraph-like elements by Chinese text and punctuation, credits their parent (and half to
the grandparent), discounts link-heavy candidates, and returns the best element with the evidence.
Boilerplate containers (nav, footer, share, breadcrumb, related lists) are dropped first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

from govcrawler.extraction.blocks import SKIP_TAGS, is_hidden, tag_of

_NEGATIVE_RE = re.compile(
    r"(^|[-_\s])(nav|navbar|menu|footer|foot|header|top|share|bdshare|breadcrumb|crumb|location|"
    r"sidebar|side|comment|related|relate|xgxw|xgwz|pager|pagination|fanye|copyright|banner|toolbar|"
    r"qrcode|ewm|fenxiang|dibu|tool|print|search|login|link|links)([-_\s\d]|$)",
    re.I,
)
_BOILERPLATE_TAGS = frozenset(("nav", "footer", "header", "aside", "form"))
_PARAGRAPH_TAGS = frozenset(("p", "td", "pre", "li", "dd", "blockquote", "section", "font", "span"))
_PUNCT_RE = re.compile(r"[，。；！？、：]")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Candidate:
    element: HtmlElement
    score: float
    evidence: str


def _own_text(el: HtmlElement) -> str:
    return "".join(t for t in el.itertext() if t)


def _link_density(el: HtmlElement) -> float:
    total = len(_own_text(el)) or 1
    linked = sum(len(a.text_content()) for a in el.iter("a"))
    return min(1.0, linked / total)


def prune(root: HtmlElement) -> None:
    """Drop scripts, hidden blocks and boilerplate containers in place."""
    doomed = []
    for el in root.iter():
        tag = tag_of(el)
        if not tag:
            if el.getparent() is not None:
                doomed.append(el)  # comments and processing instructions
            continue
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        if (
            tag in SKIP_TAGS
            or is_hidden(el)
            or tag in _BOILERPLATE_TAGS
            or (
                tag in ("div", "ul", "ol", "table", "section", "span", "p", "dl")
                and _NEGATIVE_RE.search(marker)
            )
        ):
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()


def find_main_content(root: HtmlElement) -> Candidate | None:
    """The element most likely to hold the article text (after `prune`)."""
    scores: dict[HtmlElement, float] = {}
    for el in root.iter():
        tag = tag_of(el)
        if tag not in _PARAGRAPH_TAGS and not (
            tag == "div" and not any(tag_of(c) in ("div", "p", "table") for c in el)
        ):
            continue
        text = _own_text(el)
        cjk = len(_CJK_RE.findall(text))
        if cjk < 10:
            continue
        score = 1 + len(_PUNCT_RE.findall(text)) + min(cjk / 50, 6)
        parent = el.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + score
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + score / 2
    if not scores:
        return None
    best = max(scores, key=lambda el: scores[el] * (1 - _link_density(el)))
    final = scores[best] * (1 - _link_density(best))
    return Candidate(
        best, final, f"density:{tag_of(best)}.{best.get('class', '')}#{best.get('id', '')}"
    )
