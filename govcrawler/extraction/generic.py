"""Generic main-content finder for Chinese news and government pages no profile covers.

Design (ours): every block element's *own* inline text is a paragraph candidate, scored by its
length, its Chinese punctuation (sentences) and its link density. A paragraph credits its container
fully, the container's parent half and the grandparent a quarter; the best container, discounted
for link density and for class/id names that mean navigation, sharing or comments, is the article.
Inside it, link lists and widget blocks are dropped before the text is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

from govcrawler.cleaning.boilerplate import is_boilerplate_line
from govcrawler.cleaning.text import normalize_space
from govcrawler.extraction.blocks import (
    BLOCK_TAGS,
    CELL_TAGS,
    HIDDEN_STYLE_RE,
    SKIP_TAGS,
    is_hidden,
    linked_lines,
    names_document,
    tag_of,
)

# Class/id words of navigation, sharing, comments, related lists, pagers and footers.
_NEGATIVE_RE = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|footer|foot|share|bdshare|breadcrumb|crumb|location|sidebar|"
    r"side|comment|comments|reply|related|relate|xgxw|xgwz|recommend|tuijian|hot|rank|pager|"
    r"pagination|fanye|copyright|banner|toolbar|qrcode|ewm|fenxiang|dibu|print|search|login|"
    r"links?|ad|ads|advert|gg)(?:[-_\s\d]|$)",
    re.I,
)
# Class/id words of article containers (content, 正文 zw, TRS_Editor, detail …).
_POSITIVE_RE = re.compile(
    r"(?:^|[-_\s])(?:content|article|text|main|body|zw|zhengwen|detail|con|news|txt|"
    r"editor|neirong|post|entry|story|read)(?:[-_\s\d]|$)",
    re.I,
)
_DROP_TAGS = frozenset(("nav", "aside", "footer", "dialog"))
# Class/id words of dialogs a script opens (report-abuse 举报 forms, modals, overlays, pop-ups):
# hidden by a stylesheet we do not read, never the article.
_DIALOG_RE = re.compile(
    r"(?:^|[-_\s])(?:dialog|modal|popup|popover|overlay|lightbox|tooltip|toast|jubao|report)"
    r"(?:[-_\s\d]|$)",
    re.I,
)
_CONTAINER_TAGS = frozenset(
    ("div", "td", "section", "article", "main", "body", "blockquote", "center", "form")
)
_PUNCT_RE = re.compile(r"[，。；！？、：“”「」]")
_SENTENCE_RE = re.compile(r"[。！？]")


@dataclass(frozen=True)
class Candidate:
    element: HtmlElement
    score: float
    evidence: str


def _marker(el: HtmlElement) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}"


def _is_dialog(el: HtmlElement) -> bool:
    marker = _marker(el)
    return bool(_DIALOG_RE.search(marker)) and not _POSITIVE_RE.search(marker)


# A block around a text area holding at most this many sentences is a comment or feedback box.
MAX_FORM_SENTENCES = 2


def _input_boxes(root: HtmlElement) -> list[HtmlElement]:
    """The box around each <textarea>, where a reader writes (a comment or feedback form, its
    发表评论 heading and 网友评论仅供… notice), when it carries no prose of its own."""
    boxes = []
    for area in root.iter("textarea"):
        box = area.getparent()
        while box is not None and tag_of(box) not in _CONTAINER_TAGS and tag_of(box) != "p":
            box = box.getparent()
        if (
            box is not None
            and tag_of(box) not in ("body", "html")
            and len(_SENTENCE_RE.findall(box.text_content())) <= MAX_FORM_SENTENCES
        ):
            boxes.append(box)
    return boxes


def prune(root: HtmlElement) -> None:
    """Drop scripts, comments, hidden elements, dialogs, comment forms and nav/aside/footer in
    place."""
    doomed = _input_boxes(root) + [
        el
        for el in root.iter()
        if el.getparent() is not None
        and (
            not tag_of(el)
            or tag_of(el) in SKIP_TAGS
            or tag_of(el) in _DROP_TAGS
            or is_hidden(el)
            or _is_dialog(el)
        )
    ]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


MIN_REVEALED_SENTENCES = 3


def _sentences(el: HtmlElement) -> int:
    return len(_SENTENCE_RE.findall("".join(text for text, _ in linked_lines(el))))


def reveal_hidden_article(root: HtmlElement) -> HtmlElement | None:
    """Un-hide the article a script reveals: an element hidden by its inline style (WeChat's
    `#js_content` has `visibility: hidden` until its script runs, seen 2021) that holds more
    sentences than all the page's visible text. Returns the element revealed, if any."""
    hidden = [
        el
        for el in root.iter()
        if tag_of(el) in _CONTAINER_TAGS and HIDDEN_STYLE_RE.search(el.get("style", ""))
    ]
    if not hidden:
        return None
    counts = {el: len(_SENTENCE_RE.findall(el.text_content())) for el in hidden}
    best = max(hidden, key=counts.__getitem__)
    if counts[best] < MIN_REVEALED_SENTENCES:
        return None
    style = best.get("style", "")
    best.set("style", HIDDEN_STYLE_RE.sub("", style))
    if _sentences(root) - _sentences(best) >= _sentences(best):
        best.set("style", style)  # the visible page has more prose: it stays hidden
        return None
    return best


def own_text(el: HtmlElement) -> tuple[str, int]:
    """The element's inline text (nested blocks excluded) and how much of it is link text."""
    parts = [el.text or ""]
    linked = 0
    for child in el:
        tag = tag_of(child)
        if tag and tag not in BLOCK_TAGS and tag not in CELL_TAGS and tag not in ("table", "tr"):
            text = child.text_content()
            parts.append(text)
            if tag == "a":
                linked += len(text.strip())
            else:
                linked += sum(len(a.text_content().strip()) for a in child.iter("a"))
        parts.append(child.tail or "")
    return "".join(parts).strip(), linked


Sizes = dict[HtmlElement, tuple[int, int]]


def _chars(text: str | None) -> int:
    return len("".join(text.split())) if text else 0


def text_sizes(root: HtmlElement) -> Sizes:
    """Non-space characters under each element, and how many of them sit inside links: one
    bottom-up pass, so densities are lookups instead of a re-walk per element."""
    sizes: Sizes = {}
    for el in reversed(list(root.iter())):
        if not tag_of(el):
            continue  # comments: their tails are counted by the parent
        total, linked = _chars(el.text), 0
        for child in el:
            child_total, child_linked = sizes.get(child, (0, 0))
            total += child_total + _chars(child.tail)
            linked += child_linked
        sizes[el] = (total, total if tag_of(el) == "a" else linked)
    return sizes


def link_density(el: HtmlElement, sizes: Sizes | None = None) -> float:
    total, linked = (sizes or text_sizes(el)).get(el, (0, 0))
    return min(1.0, linked / (total or 1))


# Contact lines (phone numbers, e-mail addresses, ICP numbers) and notices that open with a
# 声明 label are a site's footer or disclaimer, however sentence-like they read.
_CONTACT_RE = re.compile(r"\d{3,4}-\d{7,8}|[\w.-]+@[\w-]+\.[a-z]{2,}|icp\s*[备證证]|公网安备", re.I)
_NOTICE_RE = re.compile(r"^[【\[（(]?\s*(?:免责|版权|郑重|特别)?声明\s*[】\]）)：:]")


def _paragraph_score(text: str, linked: int) -> float:
    """How much a block's own text reads like article prose. Footer and widget lines (contact
    lines, 声明 notices, and whatever the boilerplate cleaning will strip: 版权所有, ICP备, 主办：,
    地址：…邮编) score nothing: without class names to tell them apart, a site footer of three
    such lines would otherwise outweigh a one-paragraph notice, and then vanish from the body."""
    size = len(text.replace(" ", ""))
    if (
        size < 10
        or len(_CONTACT_RE.findall(text)) >= 2
        or _NOTICE_RE.match(text)
        or is_boilerplate_line(normalize_space(text))
    ):
        return 0.0
    density = linked / size
    if density > 0.5:
        return 0.0
    return (1 + len(_PUNCT_RE.findall(text)) + min(size / 30, 10)) * (1 - density)


def _class_factor(el: HtmlElement) -> float:
    marker = _marker(el)
    if _NEGATIVE_RE.search(marker) and not _POSITIVE_RE.search(marker):
        return 0.3
    return 1.3 if _POSITIVE_RE.search(marker) else 1.0


_TEASER_ITEM_TAGS = frozenset(("div", "li", "dl", "section", "article", "p"))
MIN_TEASERS = 3


def _link_first(el: HtmlElement) -> bool:
    """The block's first text sits in a link of 4+ characters (a headline linking elsewhere)."""
    for node in el.iter():
        if tag_of(node) in SKIP_TAGS:
            continue
        if (node.text or "").strip():
            anchor = node if tag_of(node) == "a" else next(node.iterancestors("a"), None)
            return anchor is not None and len("".join(anchor.text_content().split())) >= 4
        if node is not el and (node.tail or "").strip():
            return False
    return False


def is_teaser_list(el: HtmlElement, sizes: Sizes) -> bool:
    """Alike sibling blocks (same tag and class), at least MIN_TEASERS, each opening with a title
    link and adding a summary of its own: recommendations and teasers of other pages."""
    groups: dict[tuple[str, str], int] = {}
    blocks = 0
    for child in el:
        tag = tag_of(child)
        if tag not in _TEASER_ITEM_TAGS or not sizes.get(child, (0, 0))[0]:
            continue
        blocks += 1
        total, linked = sizes[child]
        if linked and total > linked and _link_first(child):
            key = (tag, child.get("class", ""))
            groups[key] = groups.get(key, 0) + 1
    alike = max(groups.values(), default=0)
    return alike >= MIN_TEASERS and alike >= 0.6 * blocks


def find_main_content(root: HtmlElement) -> Candidate | None:
    """The element most likely to hold the article text (call `prune` first)."""
    scores: dict[HtmlElement, float] = {}
    for el in root.iter():
        tag = tag_of(el)
        if tag not in BLOCK_TAGS and tag not in CELL_TAGS and tag not in _CONTAINER_TAGS:
            continue
        text, linked = own_text(el)
        score = _paragraph_score(text, linked)
        if not score:
            continue
        container = el if tag in _CONTAINER_TAGS else el.getparent()
        for weight in (1.0, 0.5, 0.25):
            if container is None:
                break
            scores[container] = scores.get(container, 0.0) + score * weight
            container = container.getparent()
    if not scores:
        return None
    sizes = text_sizes(root)
    # Link density discounts softly: real articles (encyclopaedias, news) link inside sentences.
    ranked = {
        el: s
        * _class_factor(el)
        * (1 - link_density(el, sizes)) ** 0.5
        * (0.2 if is_teaser_list(el, sizes) else 1.0)
        for el, s in scores.items()
    }
    best = max(ranked, key=ranked.__getitem__)
    evidence = f"density:{tag_of(best)}.{best.get('class', '')}#{best.get('id', '')}"
    return Candidate(best, ranked[best], evidence)


_WIDGET_TAGS = frozenset(("div", "ul", "ol", "dl", "table", "section", "p", "span"))


def drop_widgets(container: HtmlElement) -> None:
    """Inside the chosen container, drop link lists and named widget blocks (related news,
    share bars, pagers, comment boxes) that carry no sentences of their own."""
    sizes = text_sizes(container)
    doomed = []
    for el in container.iter():
        if el is container or tag_of(el) not in _WIDGET_TAGS or not sizes.get(el, (0, 0))[0]:
            continue
        text = "".join(el.itertext())
        sentences = len(_SENTENCE_RE.findall(text))
        named = bool(_NEGATIVE_RE.search(_marker(el))) and not _POSITIVE_RE.search(_marker(el))
        if (
            (link_density(el, sizes) > 0.5 and sentences <= 1 and not names_document(text))
            or (named and sentences <= 2)
            or is_teaser_list(el, sizes)
        ):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


# A page whose best block carries less than this much prose is an index (a chapter list, an
# attachment catalogue): its main block is then the largest one, links included.
LOW_PROSE_SCORE = 15.0
_TITLE_MARKER_RE = re.compile(r"title|heading|biaoti|(?:^|[-_\s])(?:tit|bt)(?:$|[-_\s\d])", re.I)


def _text_size(el: HtmlElement, sizes: Sizes | None = None) -> int:
    return (sizes or text_sizes(el)).get(el, (0, 0))[0]


def largest_block(root: HtmlElement) -> HtmlElement | None:
    """The innermost container holding most of the page's text (links included)."""
    body = root.find(".//body")
    node = body if body is not None else root
    sizes = text_sizes(node)
    total = _text_size(node, sizes)
    if not total:
        return None
    # The deepest container still holding 60 % of the text, not named like navigation.
    inner = [
        c
        for c in node.iter()
        if c is not node
        and tag_of(c) in _CONTAINER_TAGS
        and _class_factor(c) >= 1.0
        and _text_size(c, sizes) >= 0.6 * total
        and not is_teaser_list(c, sizes)
    ]
    return max(inner, key=lambda c: len(list(c.iterancestors())), default=node)


def _common_ancestor(a: HtmlElement, b: HtmlElement) -> HtmlElement:
    mine = {id(x) for x in (a, *a.iterancestors())}
    return next(x for x in (b, *b.iterancestors()) if id(x) in mine)


def main_content(root: HtmlElement) -> tuple[Candidate | None, bool]:
    """(candidate, low_prose): the article block; on an index page, whose little prose sits apart
    from a much bigger block (a list of links), the smallest block holding both."""
    candidate = find_main_content(root)
    if candidate is not None and candidate.score >= LOW_PROSE_SCORE:
        return candidate, False
    block = largest_block(root)
    if block is None:
        return candidate, False
    if candidate is not None:
        prose = candidate.element
        common = _common_ancestor(prose, block)
        if common is prose or common is block or _text_size(block) < 3 * _text_size(prose):
            return candidate, False  # a short article, not an index
        if tag_of(common) not in ("body", "html"):
            block = common
    evidence = f"largest:{tag_of(block)}.{block.get('class', '')}#{block.get('id', '')}"
    return Candidate(block, 0.0, evidence), True


_META_LINE_RE = re.compile(r"(来源|來源|发布|發布|时间|時間|日期|作者)\s*[:：]|\d{4}[-/年]\d{1,2}")
_TAG_WEIGHT = {"h1": 3.0, "h2": 2.0, "h3": 1.0}


def title_element(
    root: HtmlElement, content: HtmlElement, head_title: str = ""
) -> HtmlElement | None:
    """The headline element before the content: h1–h3 or a class/id naming a title, preferring
    h1, then title-named blocks; text the <title> repeats; and, on a tie, the nearest one.
    Meta lines (来源：/发布时间：, dates) are not headlines."""
    flat_head = "".join(head_title.split())
    candidates: list[tuple[float, int, HtmlElement]] = []
    for position, el in enumerate(root.iter()):
        if el is content:
            break
        tag = tag_of(el)
        named = bool(tag and _TITLE_MARKER_RE.search(_marker(el)))
        if tag not in _TAG_WEIGHT and not named:
            continue
        text = "".join("".join(el.itertext()).split())
        if not 4 <= len(text) <= 120 or _META_LINE_RE.search(text):
            continue
        weight = max(_TAG_WEIGHT.get(tag, 0.0), 2.5 if named else 0.0)
        if flat_head and text in flat_head:
            weight += 2
        candidates.append((weight, position, el))
    if candidates:
        return max(candidates, key=lambda c: (c[0], c[1]))[2]
    # An index page's headline sits inside its main block: its first h1/h2, if any.
    return next((h for h in content.iter("h1", "h2") if 4 <= _text_size(h) <= 120), None)
