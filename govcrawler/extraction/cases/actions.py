"""Measures taken against a person, found in a sentence and normalised.

Normalised actions (in this order): 审查调查, 开除党籍, 开除公职, 党纪处分, 政务处分, 移送检察,
组织处理, 其他. A phrase is kept exactly as written in `actions_text`. A vague word (查处, 严肃处理)
counts as 其他 only when nothing more specific is said about the person in the article.

Each pattern also says where its person is written: before the phrase (…张三被开除党籍,
…张三受到党内警告处分) or after it (给予张三…处分, 对…张三…进行立案审查调查, 查处了…张三).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ACTIONS = (
    "审查调查",
    "开除党籍",
    "开除公职",
    "党纪处分",
    "政务处分",
    "移送检察",
    "组织处理",
    "其他",
)

Side = Literal["before", "after"]


@dataclass(frozen=True)
class Found:
    """One measure phrase in a sentence: where it is, its text, what it means, whose it is."""

    start: int
    end: int
    text: str
    actions: tuple[str, ...]
    side: Side
    vague: bool = False


_N = r"[^，。；！？]"  # within one clause

# (pattern, actions, side, vague); the first pattern to claim a stretch of text wins.
_RULES: tuple[tuple[str, tuple[str, ...], Side, bool], ...] = (
    # object-first forms: the person follows
    (
        rf"给予(?P<who>{_N}{{2,40}}?)(?=开除|留党察看|撤销党内|党内|政务|撤职|降级|记过|记大过|警告|严重警告|诫勉|免职)",
        (),
        "after",
        False,
    ),
    (
        rf"对(?P<who>{_N}{{2,80}}?)(?:涉嫌)?(?:严重)?(?:违纪违法|违纪|违法|职务违法|职务犯罪){_N}{{0,12}}?(?:进行了?|予以)?(?:立案审查调查|立案审查|立案调查|审查调查|纪律审查和监察调查|纪律审查)",
        ("审查调查",),
        "after",
        False,
    ),
    (rf"对(?P<who>{_N}{{2,20}}?)(?:采取|进行)了?留置", ("审查调查",), "after", False),
    (r"(?:严肃)?查处了(?P<who>[^。；！？]{2,120})", ("其他",), "after", True),
    # subject-first forms: the person precedes
    (
        r"被?开除党籍和公职|被?开除党籍、开除公职|“双开”|双开",
        ("开除党籍", "开除公职"),
        "before",
        False,
    ),
    (r"开除党籍", ("开除党籍",), "before", False),
    (r"开除公职", ("开除公职",), "before", False),
    (
        rf"接受{_N}{{0,16}}?(?:纪律审查和监察调查|纪律审查|监察调查|审查调查|审查)",
        ("审查调查",),
        "before",
        False,
    ),
    (
        r"(?:被|已被)?立案(?:审查调查|审查|调查)?(?:并(?:被)?采取留置措施)?|(?:被|已被)?采取留置措施|被留置|主动投案|投案自首",
        ("审查调查",),
        "before",
        False,
    ),
    (
        r"(?:被|依法)?移送(?:检察机关|司法机关|检察院)|(?:依法)?追究(?:其)?刑事责任",
        ("移送检察",),
        "before",
        False,
    ),
    (r"党纪政务处分(?![法条])", ("党纪处分", "政务处分"), "before", False),
    (
        r"党内严重警告|党内警告|严重警告|撤销党内职务|留党察看(?:[一二]年)?|党纪处分(?![法条])",
        ("党纪处分",),
        "before",
        False,
    ),
    (
        r"政务(?:警告|记过|记大过|降级|撤职)|政务处分(?![法条])|(?<![党内])撤职处分|记大过处分|记过处分|降级处分",
        ("政务处分",),
        "before",
        False,
    ),
    (
        rf"组织处理|调整职务|免职|免去{_N}{{0,24}}?职务|责令辞职|降职|停职检查|诫勉|责令(?:书面)?检查",
        ("组织处理",),
        "before",
        False,
    ),
    (
        rf"判处{_N}{{0,30}}?(?:有期徒刑|无期徒刑|死刑|拘役|管制|罚金)|取消(?:其)?退休待遇|降低(?:其)?退休待遇|(?:被)?缉捕归案|提起公诉|获刑|被判刑|被(?:追责)?问责|受到问责|警告处分",
        ("其他",),
        "before",
        False,
    ),
    (
        r"(?:(?:被|受到|遭)(?:严肃|从严|依纪依法|依规依纪依法)?(?:查处|处理)|严肃处理)(?![的干人对])",
        ("其他",),
        "before",
        True,
    ),
)
_COMPILED = tuple((re.compile(p), a, s, v) for p, a, s, v in _RULES)


#: A sentence without any of these holds no measure (a quick test before the patterns).
_ANY = re.compile(
    "开除|接受|立案|留置|投案|移送|追究|处分|警告|撤销|撤职|记过|降级|免|诫勉|调整职务|辞职|降职"
    "|停职|责令|判|退休待遇|缉捕|公诉|获刑|问责|查处|处理|给予|双开|党纪|政务|留党"
)


def find_actions(sentence: str) -> list[Found]:
    """Every measure phrase in `sentence`, left to right, none overlapping."""
    found: list[Found] = []
    if _ANY.search(sentence) is None:
        return found
    taken: list[tuple[int, int]] = []
    for pattern, actions, side, vague in _COMPILED:
        for match in pattern.finditer(sentence):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            if side == "after" and not actions:  # 给予…: the measures follow the person
                tail = sentence[match.end() :]
                clause = re.split(r"[；。]|，?给予", tail, maxsplit=1)[0]
                inner = find_actions(clause)
                acts = tuple(a for f in inner for a in f.actions)
                if not acts:
                    continue
                text = clause[: inner[-1].end]
                end = match.end() + inner[-1].end
                found.append(Found(start, end, text, _ordered(acts), side))
            else:
                found.append(Found(start, end, match.group(0), actions, side, vague))
            taken.append((start, end))
    return sorted(found, key=lambda f: f.start)


#: Words that govern a measure (…被开除党籍, 受到…处分, 给予…, 依法…): a bare measure word with
#: none of these before it is a noun (党纪政务处分通报, 移送司法机关的8名…), not a measure.
GOVERNORS = re.compile(r"被|受到|给予|予以|作出|遭到|将其|决定|并处|获|判|依法|经|分别|先后")
#: Measures that need a governor; investigations (接受…审查, 立案, 留置, 投案) carry their own verb.
NEEDS_GOVERNOR = frozenset(("开除党籍", "开除公职", "党纪处分", "政务处分", "组织处理", "移送检察"))


def needs_governor(found: Found) -> bool:
    return found.side == "before" and bool(NEEDS_GOVERNOR & set(found.actions))


def who_span(sentence: str, found: Found) -> tuple[int, int] | None:
    """Where the person of an object-first phrase may be written (after 给予/对/查处了)."""
    if found.side != "after":
        return None
    for pattern, _, side, _ in _COMPILED:
        if side != "after":
            continue
        match = pattern.match(sentence, found.start)
        if match and "who" in pattern.groupindex:
            return match.span("who")
    return None


def _ordered(actions: tuple[str, ...] | list[str] | set[str]) -> tuple[str, ...]:
    return tuple(a for a in ACTIONS if a in set(actions))


def normalised(actions: list[str] | set[str] | tuple[str, ...], vague_only: bool) -> list[str]:
    """The action list of a person, in the standard order; 其他 from vague words is kept only
    when nothing specific is known (`vague_only`)."""
    if actions:
        return list(_ordered(actions))
    return ["其他"] if vague_only else []


_DATE = re.compile(
    r"(?:(?P<y>\d{4})年|(?P<rel>今年|去年|前年))?(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日)?"
    r"|(?P<y2>\d{4})年(?!\d)(?!至)"
)


def stated_date(text: str, published: str | None) -> str | None:
    """The last date written in `text` (YYYY, YYYY-MM or YYYY-MM-DD); a month without a year
    (今年5月, 5月12日) takes its year from the publication date."""
    year_now = int(published[:4]) if published and published[:4].isdigit() else None
    best = None
    for match in _DATE.finditer(text):
        if match.group("y2"):
            best = match.group("y2")
            continue
        month = int(match.group("m"))
        if not 1 <= month <= 12:
            continue
        if match.group("y"):
            year: int | None = int(match.group("y"))
        elif year_now is None:
            continue
        else:
            year = year_now - {"去年": 1, "前年": 2}.get(match.group("rel") or "", 0)
        day = match.group("d")
        best = f"{year:04d}-{month:02d}" + (f"-{int(day):02d}" if day else "")
    return best
