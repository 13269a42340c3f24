"""A person's position: the title phrase written immediately before the name.

A position ends with a title word (书记, 副主任, 局长, 董事长 …) right before the name, and
starts after the last thing that is not part of it: punctuation, a lead-in (查处了, 对, 给予,
包括, …的, 时任 …) or the previous person of a list. Title groups joined by a comma belong to it
when the part before the comma is itself a title phrase (…原常委、统战部原部长，大厂回族自治县委
原书记). `normalise` makes two spellings of one position comparable for merging.
"""

from __future__ import annotations

import re

from govcrawler.extraction.cases.names import words
from govcrawler.extraction.cases.regions import PROVINCES

#: Words a position can end with (immediately before the name), longest first.
TITLES = tuple(
    sorted(
        words(
            "书记 副书记 常委 委员 成员 主任 副主任 主席 副主席 部长 副部长 厅长 副厅长 局长"
            " 副局长 处长 副处长 科长 副科长 司长 副司长 署长 省长 副省长 市长 副市长 县长 副县长"
            " 区长 副区长 镇长 乡长 州长 盟长 旗长 村长 社长 院长 副院长 校长 所长 站长 馆长 台长"
            " 行长 副行长 会长 队长 团长 组长 总队长 支队长 大队长 检察长 庭长 审判长 审判员"
            " 检察官 法官 秘书长 理事长 董事长 董事 执行董事 监事 监事长 总经理 副总经理 经理"
            " 总裁 副总裁 总监 总会计师 总经济师 总工程师 总编辑 主编 巡视员 调研员 督察员"
            " 专员 特派员 参事 顾问 助理 科员 办事员 民警 辅警 教师 医生 政委 负责人"
            " 总支书记 支部书记 常务副主任 主任科员 工作人员 职工 员工 会计 出纳 保管员 主管"
            " 学区主任 专职副主任 一级巡视员 二级巡视员 正厅级干部 副厅级干部 正处级干部 副处级干部"
            " 村干部 政治委员 书记员"
        ),
        key=len,
        reverse=True,
    )
)

#: Lead-ins: the position starts after the last of these in the span before the name.
LEAD_INS = (
    "时任",
    "查处了",
    "通报了",
    "发布了",
    "包括",
    "其中",
    "比如",
    "例如",
    "给予",
    "是继",
    "伙同",
    "勾结",
    "指使",
    "授意",
    "请托",
)
_LEAD_CHARS = "的了对讯"
_STOP = set('，。；：！？“”"‘’《》【】[]…\n\t 　')
_LIST_JOINERS = ("、", "，", "和", "及", "以及", "与")
MAX_POSITION = 80
#: A list number opening a numbered case (一、…, （二）…, 3. …) is no part of the position.
_ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．])"
)


def ends_with_title(text: str, end: int) -> str | None:
    """The title word that ends exactly at `text[end]` (exclusive), if any."""
    for title in TITLES:
        if text.startswith(title, end - len(title)) and end - len(title) >= 0:
            return title
    return None


def _span_start(text: str, end: int, floor: int) -> int:
    """Walk back from `end` over position characters; `floor` is where the previous person's
    name ended (a list: …原副司长彭付平、安全监察处原副处长陈佳元)."""
    i = end
    while i > floor:
        ch = text[i - 1]
        if ch in "）)":
            opening = max(text.rfind("（", floor, i - 1), text.rfind("(", floor, i - 1))
            if opening < 0:
                break
            i = opening
            continue
        if ch in "（(":
            break
        if ch in _STOP:
            if ch == "，" and _title_group_before(text, i - 1, floor):
                i -= 1
                continue
            break
        i -= 1
    return i


def _title_group_before(text: str, comma: int, floor: int) -> bool:
    """Whether the part before a comma is a title phrase of the same position (it ends with a
    title word and holds no lead-in), so the comma joins two title groups."""
    start = comma
    while start > floor and text[start - 1] not in _STOP and text[start - 1] not in "（）()":
        start -= 1
    part = text[start:comma]
    if not part or ends_with_title(text, comma) is None:
        return False
    return not any(lead in part for lead in LEAD_INS) and not any(c in part for c in _LEAD_CHARS)


def position_before(text: str, name_start: int, floor: int = 0) -> str | None:
    """The position written immediately before the name at `name_start`, or None when no
    title word ends there."""
    if ends_with_title(text, name_start) is None:
        return None
    start = _span_start(text, name_start, floor)
    span = text[start:name_start]
    for lead in LEAD_INS:
        cut = span.rfind(lead)
        if cut >= 0:
            span = span[cut + len(lead) :]
    cut = max(span.rfind(ch) for ch in _LEAD_CHARS)
    if cut >= 0 and not span.startswith("对外", cut):
        span = span[cut + 1 :]
    for joiner in _LIST_JOINERS:
        if span.startswith(joiner) and start == floor:
            span = span[len(joiner) :]
    span = _ENUMERATOR.sub("", span.strip(" ，、"))
    if not span or ends_with_title(span, len(span)) is None or len(span) > MAX_POSITION:
        return None
    return span


_PARTY_BODY = re.compile(r"(党委|党组|党工委|党支部|党总支|纪委|监委)+$")
_DROP = re.compile(r"原|时任|前任|中共|（[^）]*）|\([^)]*\)")


_LOCALITY = re.compile(r"^[\u4e00-\u9fff]{1,8}?[市县区州盟旗]")
_GOVERNMENT = re.compile(
    r"(?<=[市县区省州盟旗])政府(?=(?:常务)?副?(?:市长|县长|区长|省长|州长|盟长|旗长))"
)


def normalise(position: str | None) -> frozenset[str]:
    """Comparable parts of a position: without 原/时任/中共 and bracketed notes, 人民政府 as
    政府, the province prefix dropped, split at 、 and ， with the organisation of a bare title
    (…党委书记、董事长) carried over from the part before it and the city of a bare 市…/县…
    part from the first part; 市政府副市长 as 市副市长."""
    if not position:
        return frozenset()
    text = _DROP.sub("", position).replace("人民政府", "政府")
    for short, fulls in PROVINCES.items():
        for prefix in (*fulls, short + "省", short):
            if text.startswith(prefix):
                text = text[len(prefix) :]
                break
    parts: list[str] = []
    organisation = ""
    for raw in re.split(r"[、，,]", text):
        part = raw.strip()
        if not part:
            continue
        title = ends_with_title(part, len(part)) or ""
        head = part[: len(part) - len(title)] if title else part
        if head and title:
            organisation = _PARTY_BODY.sub("", head)
        parts.append(organisation + part if not head and organisation else part)
    locality = _LOCALITY.match(parts[0]) if parts else None
    if locality:
        city = locality.group(0)
        parts = [
            city[:-1] + p if p.startswith(city[-1]) and not p.startswith(city) else p for p in parts
        ]
    return frozenset(_GOVERNMENT.sub("", p) for p in parts)


def same_position(a: str | None, b: str | None) -> bool:
    """Two positions of one person: one's parts contain the other's (order and 原 tolerated)."""
    pa, pb = normalise(a), normalise(b)
    if not pa or not pb:
        return False
    return pa <= pb or pb <= pa
