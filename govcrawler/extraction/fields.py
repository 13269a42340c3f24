"""Article fields from page text: meta tags, titles, labelled lines (来源：/发布时间：/编辑：), bylines."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from govcrawler.cleaning.text import normalize_space
from govcrawler.extraction.dates import parse_datetime

# Labels in both scripts; the value runs to the next label or the end of the line.
_LABELS: dict[str, str] = {
    "published_at": r"(?:发布|發布|發佈|发表|發表|更新)?(?:时间|時間|日期)",
    "source": r"(?:信息|稿件|文章|新闻|新聞|本文|本稿)?(?:来源|來源)",
    "editor": r"(?:责任编辑|責任編輯|责编|責編|编辑|編輯)",
    "author": r"(?:作者|撰稿|撰文)",
    "other": r"(?:浏览次数|瀏覽次數|点击数|點擊數|阅读|閱讀|字号|字號|字体大小|字體大小|字体|字體|分享到|分享至|分享|打印|关闭|關閉)",
}
_LABEL_RE = re.compile(
    "(?:" + "|".join(f"(?P<{name}>{pattern})" for name, pattern in _LABELS.items()) + r")\s*[:：]"
)
_PAREN_STRIP = "（）()【】[] "


def meta_content(root: lxml_html.HtmlElement, *names: str) -> str | None:
    """The first non-empty <meta name|property=…> content among `names` (case-insensitive)."""
    wanted = {n.lower() for n in names}
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or "").lower()
        if key in wanted:
            value = normalize_space(meta.get("content") or "")
            if value:
                return value
    return None


# Widget words that follow a value on the same line (`来源：某某网 发表评论 打印`).
_WIDGET_TAIL_RE = re.compile(
    r"\s+(发表评论|我要评论|评论\s*\(\d+\)|打印|关闭|收藏|分享|【|\[)\S*.*$"
)


def parse_labelled(text: str) -> dict[str, str]:
    """`时间：2026-11-18 09:30 来源：安徽纪检监察网` → {'published_at': ISO, 'source': '安徽纪检监察网'}."""
    found: dict[str, str] = {}
    matches = list(_LABEL_RE.finditer(text))
    for i, match in enumerate(matches):
        field = match.lastgroup or "other"
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = _WIDGET_TAIL_RE.sub("", normalize_space(text[match.end() : end]))
        value = value.strip(_PAREN_STRIP + "|｜")
        if field == "other" or not value or field in found:
            continue
        if field == "published_at":
            parsed = parse_datetime(value)
            if parsed:
                found[field] = parsed
        else:
            found[field] = value
    return found


def labelled_line(line: str, max_len: int = 60) -> dict[str, str] | None:
    """A short body line that is only labels and values (`编辑：林小英`, `（编辑：张颖）`), parsed."""
    inner = line.strip(_PAREN_STRIP)
    if len(inner) > max_len:
        return None
    if not _LABEL_RE.match(inner):
        return spaced_credit(inner)
    return parse_labelled(inner)


def meta_line(line: str, max_len: int = 80) -> dict[str, str] | None:
    """A short non-sentence line carrying a date and a label, e.g. `2005-04-27 14:32更新 来源：X
    发表评论` at the top of a body: parsed (time taken from anywhere in it), else None."""
    if len(line) > max_len or re.search(r"[。！？]", line) or not _LABEL_RE.search(line):
        return None
    when = parse_datetime(line)
    if when is None:
        return None
    return {
        "published_at": when,
        **{k: v for k, v in parse_labelled(line).items() if k != "published_at"},
    }


# A person's name: 2–5 Han characters (or with the middle dot of minority names), not an
# organisation such as 宣城市纪委 (closing attributions like （宣城市纪委） are content, SITES.md §5).
_NAME = r"[\u4e00-\u9fff·]{2,5}"
# Role and label words around names; alone they are no name (an empty `作者：` label is no author).
_ROLE_WORDS = (
    "通讯员",
    "记者",
    "特约记者",
    "实习生",
    "摄影",
    "摄",
    "作者",
    "编辑",
    "责任编辑",
    "供稿",
    "来源",
)
_SEPARATORS = r"[ 、，,和]+"
_NAMES_RE = re.compile(rf"^{_NAME}(?:{_SEPARATORS}{_NAME})*$")
_ORG_SUFFIX = tuple("委局院厅部办社报网室组会处科所站队校馆中心区县市省")
_ORG_MARKERS = (
    "纪委",
    "监委",
    "纪宣",
    "纪检",
    "监察",
)  # （粤纪宣） is an attribution, not a person
_REPORTING_FROM_RE = re.compile(r"\s*(?:发?自).{1,12}报道$")


# Closing notes and picture credits that look like 2–5 Han characters but name no one:
# `（待续）`, `（全文完）`, `（未完待续）`, `（本版供图）`.
_CLOSING_NOTES = frozenset(
    ("待续", "未完", "未完待续", "全文完", "本文完", "完", "续完", "完结", "全文")
)
_CLOSING_ENDINGS = ("待续", "供图", "供稿", "完")


def _not_a_name(word: str) -> bool:
    return (
        word in _CLOSING_NOTES
        or word.endswith(_CLOSING_ENDINGS)
        or word.endswith(_ORG_SUFFIX)
        or any(m in word for m in _ORG_MARKERS)
    )


def _split_names(text: str) -> str | None:
    names = [n for n in re.split(_SEPARATORS, text) if n and n not in _ROLE_WORDS]
    if not names or any(_not_a_name(n) for n in names):
        return None
    return " ".join(names)


# 甘肃 2018 closes articles with `（供稿 陈剑峰&nbsp; 编辑&nbsp; 马翔）`: labels and names separated by
# spaces only, no colon. Such a line is a credit when it is nothing but label–name pairs.
_CREDIT_FIELDS = {
    "供稿": "author",
    "撰稿": "author",
    "作者": "author",
    "责任编辑": "editor",
    "責任編輯": "editor",
    "责编": "editor",
    "責編": "editor",
    "编辑": "editor",
    "編輯": "editor",
    "审核": "",
    "審核": "",
    "校对": "",
    "校對": "",
}
_CREDIT_LABEL = "|".join(sorted(_CREDIT_FIELDS, key=len, reverse=True))
_CREDIT_PAIR_RE = re.compile(rf"(?P<label>{_CREDIT_LABEL})\s+(?P<name>{_NAME})")
_SPACED_CREDIT_RE = re.compile(rf"^(?:(?:{_CREDIT_LABEL})\s+{_NAME}\s*)+$")


def spaced_credit(text: str) -> dict[str, str] | None:
    """`供稿 陈剑峰 编辑 马翔` → {'author': '陈剑峰', 'editor': '马翔'}; None unless the whole text is
    label–name pairs. A supplier that is an organisation (供稿 某市纪委) becomes the source."""
    text = normalize_space(text)
    if not _SPACED_CREDIT_RE.match(text):
        return None
    found: dict[str, str] = {}
    for match in _CREDIT_PAIR_RE.finditer(text):
        field = _CREDIT_FIELDS[match["label"]]
        person = _split_names(match["name"])
        if field == "author" and person is None:
            field, person = "source", match["name"]
        if field and person and field not in found:
            found[field] = person
    return found


# General byline shapes (no outlet named): a role word after an optional organisation
# (`本报记者 X`, `XX日报记者 X`, `通讯员 X`), a `文/`·`作者：` label, or an outlet ending in
# 网站/网/报/杂志/社 and a space before the names (`某某网站 X`, `某某报 X Y`).
_ROLE_BYLINE_RE = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,12}?(?:特约记者|记者|通讯员|实习生)|(?:文|作者|撰文|撰稿)\s*[/:：])\s*"
)
_OUTLET_BYLINE_RE = re.compile(r"^[\u4e00-\u9fff]{2,14}(?:网站|网|报|杂志|社)\s+")


def byline_names(line: str, prefixes: tuple[str, ...] = (), bare: bool = False) -> str | None:
    """`本刊记者 王五 赵六` / `某某网站 李鹃` → names space-separated, else None.

    `prefixes` are a profile's own byline openers, tried first; `bare` also accepts a line of
    names alone (a field the profile's selector names as the author)."""
    text = _REPORTING_FROM_RE.sub("", line.strip(_PAREN_STRIP).removesuffix("整理").strip())
    rests = [text[len(p) :] for p in prefixes if p and text.startswith(p)]
    for pattern in (_ROLE_BYLINE_RE, _OUTLET_BYLINE_RE):
        match = pattern.match(text)
        if match:
            rests.append(text[match.end() :])
    if bare:
        rests.append(text)
    for rest in (r.strip(" ：:　/") for r in rests):
        if rest and _NAMES_RE.match(rest):
            return _split_names(rest)
    return None


_TRAILING_CREDIT_RE = re.compile(
    rf"[（(](?:(?:记者|通讯员|本报记者|本刊记者|文/)\s*)?"
    rf"(?P<names>{_NAME}(?:{_SEPARATORS}{_NAME})*)[）)]\s*$"
)


def trailing_credit(line: str) -> str | None:
    """`…。（记者 张三、李四）` / `…。（张杨）` ending the last paragraph → names (the text stays)."""
    match = _TRAILING_CREDIT_RE.search(line)
    return _split_names(match["names"]) if match else None


_TITLE_SPLIT_RE = re.compile(r"\s*(?:—{2,}|-{2,}|_|\s\|\s|\s-\s|｜)\s*")


def title_from_head(title_text: str) -> str:
    """`标题————栏目——中央纪委国家监委网站` → `标题`: the <title> minus the site/column suffix."""
    parts = [p for p in _TITLE_SPLIT_RE.split(normalize_space(title_text)) if p]
    return parts[0] if parts else ""
