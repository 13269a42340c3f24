"""From one archived article to its case rows: who, which position, which measures.

The article's title and body are read as one text. Pass 1 finds every person written after a
position (…副厅长周纯良); pass 2 finds bare names that are the subject of a measure
(…，姚伟国被“双开”). Pass 3 reads each sentence's measures and gives each to its person: the
name written before a subject-first phrase (with the names listed with it), the names inside an
object-first phrase (给予…, 对…, 查处了…), else the person a 其 refers to. People with no measure
(speakers, authors, quoted leaders, people merely named) give no row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from govcrawler.cleaning.script import to_simplified
from govcrawler.extraction.cases.actions import (
    GOVERNORS,
    Found,
    find_actions,
    needs_governor,
    normalised,
    stated_date,
    who_span,
)
from govcrawler.extraction.cases.model import CaseRow, Stage
from govcrawler.extraction.cases.names import plausible_subject, read_name
from govcrawler.extraction.cases.positions import TITLES, position_before
from govcrawler.extraction.cases.regions import (
    PROVINCES,
    explicit_region,
    region_of_position,
)

#: Column (or title) words that state a cadre level, and the level they mean.
LEVELS = (
    ("中管干部", "中管干部"),
    ("省管干部", "省管干部"),
    ("市管干部", "市管干部"),
    ("县管干部", "县管干部"),
    ("区管干部", "区管干部"),
    ("省部级", "省部级"),
    ("厅局级", "厅局级"),
    ("地厅级", "厅局级"),
    ("县处级及以下", "县处级及以下"),
    ("县处级", "县处级"),
    ("乡科级", "乡科级"),
)

_TITLE_ENDS = re.compile("(?=(" + "|".join(map(re.escape, TITLES)) + "))")
_SENTENCE = re.compile(r"[^。！？；\n]+(?:[。！？；]+”?)?")
#: Another subject between a name and a measure: the measure is not that name's.
_BLOCKERS = re.compile(
    r"其他(?:责任)?人员|其他责任人|相关(?:责任)?人员?|有关(?:责任)?人员|负责人"
    r"|[\u4e00-\u9fff]某某|[\u4e00-\u9fff]某(?=[，、。；受被等])"
    # what someone says about a case is no measure taken against the speaker
    r"|说|表示|介绍|坦言|指出|分析|认为|强调|谈到|告诉"
)
#: What may stand between a measure and the person it precedes (被开除党籍和公职的<position>…,
#: 接受审查调查期间，<name>…).
_LEADS_TO = re.compile(r"的|(?:期间|之后|后|时|以来)，")
_JOINERS = re.compile(r"(?:、|，|和|及|以及|与)?")
_ADVERBS = re.compile(
    r"(?:因[^，。；]*)?(?:也|还|均|已|亦|先后|已经|随后|并|又|后|再)?(?:被|受到|遭到|接受|依法)?$"
)
_OFFENCE = re.compile(r"(?:涉嫌)?(?P<o>[^。；]{2,60}?)(?:问题|一案|案)(?:[。，；]|$)")
_SUSPECTED = re.compile(r"涉嫌(?P<o>严重违纪违法|违纪违法|严重违纪|严重违法|严重职务违法|职务违法)")


@dataclass
class Mention:
    """A person's name at `start` in the article text, with the position written before it."""

    name: str
    start: int
    position: str | None = None
    position_start: int | None = None

    @property
    def end(self) -> int:
        return self.start + len(self.name)

    @property
    def head(self) -> int:
        return self.position_start if self.position_start is not None else self.start


@dataclass
class PersonFacts:
    """What the article says about one name."""

    name: str
    actions: set[str] = field(default_factory=set)
    vague: bool = False
    texts: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)


def article_text(record: Mapping[str, Any]) -> tuple[str, int]:
    """Title and body as one text (title first, on its own line) and where the body starts."""
    title = str(record.get("title") or "")
    return f"{title}\n{record.get('body') or ''}", len(title) + 1


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split at 。！？； and line ends, the mark kept."""
    spans = []
    for match in _SENTENCE.finditer(text):
        if match.end() > match.start() and text[match.start() : match.end()].strip():
            spans.append((match.start(), match.end()))
    return spans


def find_positioned(text: str) -> list[Mention]:
    """Every name written right after a title word, with its position (pass 1)."""
    mentions: list[Mention] = []
    for match in _TITLE_ENDS.finditer(text):
        at = match.start() + len(match.group(1))
        if mentions and at < mentions[-1].end:
            continue
        name = read_name(text, at)
        if name is None:
            continue
        line_start = text.rfind("\n", 0, at) + 1
        floor = max(line_start, mentions[-1].end if mentions else 0)
        position = position_before(text, at, floor)
        if position is None:
            continue
        mentions.append(Mention(name, at, position, at - len(position)))
    return mentions


def bare_subject(text: str, sentence_start: int, found: Found) -> Mention | None:
    """A name with no position right before a subject-first measure, at a clause start
    (…；王东锋被开除党籍, 今年1月，姚伟国被“双开”) — pass 2. The name must recur."""
    before = text[sentence_start : sentence_start + found.start]
    trimmed = _ADVERBS.sub("", before)
    for length in (3, 2, 4):
        at = len(trimmed) - length
        if at < 0:
            continue
        if at > 0 and trimmed[at - 1] not in "，。；：、 \n”":
            continue
        absolute = sentence_start + at
        name = read_name(text, absolute, minority=False)
        if name and len(name) == length and plausible_subject(name) and text.count(name) >= 2:
            return Mention(name, absolute)
    return None


def names_pattern(names: set[str]) -> re.Pattern[str] | None:
    """One pattern for the known names, longest first (张智 never hides 张智勇)."""
    if not names:
        return None
    return re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))))


def occurrences(text: str, start: int, end: int, pattern: re.Pattern[str] | None) -> list[Mention]:
    """Where known names occur in `text[start:end]`, none overlapping."""
    if pattern is None:
        return []
    return [Mention(m.group(0), m.start()) for m in pattern.finditer(text, start, end)]


def _with_listed(text: str, people: list[Mention], index: int) -> list[Mention]:
    """The person at `index` and those listed right before it (A、B, A，<position>B, A和B)."""
    group = [people[index]]
    while index > 0:
        previous, current = people[index - 1], people[index]
        between = text[previous.end : current.head]
        if _JOINERS.fullmatch(between) is None:
            break
        group.insert(0, previous)
        index -= 1
    return group


def _blocked(text: str) -> bool:
    return _BLOCKERS.search(text) is not None


def subjects(
    text: str, span: tuple[int, int], found: Found, people: list[Mention]
) -> list[Mention]:
    """Whose measure `found` is, among the people written in this sentence."""
    start = span[0]
    if found.side == "after":
        who = who_span(text[span[0] : span[1]], found)
        if who is None:
            return []
        return [p for p in people if start + who[0] <= p.start < start + who[1]]
    at = start + found.start
    before = [i for i, p in enumerate(people) if p.end <= at]
    if before:
        index = before[-1]
        between = text[people[index].end : at]
        if _blocked(between):
            return []
        if needs_governor(found) and not GOVERNORS.search(between + found.text[:1]):
            return []
        return _with_listed(text, people, index)
    end = start + found.end
    after = [p for p in people if p.head >= end and _LEADS_TO.fullmatch(text[end : p.head])]
    if after:
        return after[:1]
    lead = _LEADS_TO.match(text, end)
    if lead and lead.group(0) != "的":
        name = read_name(text, lead.end(), minority=False)
        if name and plausible_subject(name) and text.count(name) >= 2:
            return [Mention(name, lead.end())]
    return []


def level_of(record: Mapping[str, Any]) -> str | None:
    """The cadre level the column states (中管干部 …), else the title if it states one."""
    for source in (record.get("column"), record.get("title")):
        for word, level in LEVELS:
            if source and word in str(source):
                return level
    return None


def site_region(record: Mapping[str, Any]) -> str | None:
    """The region of a provincial site, from its name (安徽省纪委监委 → 安徽); None for a
    national site."""
    site_name = str(record.get("site_name") or "")
    region = explicit_region(site_name)
    return region if region in PROVINCES else None


def extract_cases(record: Mapping[str, Any]) -> list[CaseRow]:
    """The case rows of one archived article record (an Article's dict); [] for a tombstone.

    Traditional-script text is read in simplified script (OpenCC t2s, character for
    character) and every span of a row is taken back from the original text, so names and
    positions stay as written (陸承澤, …黨組成員、副主席)."""
    if record.get("removed") is True:
        return []
    original, _ = article_text(record)
    folded = to_simplified(original)
    if folded == original:
        return _extract(record)
    simplified = dict(record)
    simplified["title"] = to_simplified(str(record.get("title") or ""))
    simplified["body"] = to_simplified(str(record.get("body") or ""))
    simplified["column"] = to_simplified(str(record.get("column") or "")) or None
    rows = _extract(simplified)
    if len(folded) == len(original):
        for row in rows:
            _unfold(row, folded, original)
    return rows


def _unfold(row: CaseRow, folded: str, original: str) -> None:
    """Put back the original script of each span of `row` (the texts align char for char)."""

    def back(span: str) -> str:
        at = folded.find(span)
        return original[at : at + len(span)] if at >= 0 else span

    row.name = back(row.name)
    row.id = f"{row.article_id}#{row.name}"
    row.position = back(row.position) if row.position else None
    row.offence = back(row.offence) if row.offence else None
    row.actions_text = [back(t) for t in row.actions_text]
    row.evidence = [back(t) for t in row.evidence]
    row.title = back(row.title) if row.title else row.title
    for stage in row.stages:
        stage.text = back(stage.text)


def _extract(record: Mapping[str, Any]) -> list[CaseRow]:
    text, body_start = article_text(record)
    positioned = find_positioned(text)
    known = {m.name for m in positioned}
    spans = sentences(text)
    finds = [(span, find_actions(text[span[0] : span[1]])) for span in spans]
    # pass 2: bare names that are the subject of a measure
    for span, found_list in finds:
        for found in found_list:
            if found.side == "before":
                bare = bare_subject(text, span[0], found)
                if bare is not None:
                    known.add(bare.name)
    facts: dict[str, PersonFacts] = {}
    last: dict[int, str] = {}  # paragraph start → the last person written there so far
    pattern = names_pattern(known)
    published = record.get("published_at")
    for span, found_list in finds:
        sentence = text[span[0] : span[1]]
        people = _merge(positioned, occurrences(text, span[0], span[1], pattern), span)
        paragraph = text.rfind("\n", 0, span[0]) + 1
        if not found_list:
            if people:
                last[paragraph] = people[-1].name
            continue
        for found in found_list:
            who = subjects(text, span, found, people)
            if not who and not people and paragraph in last and _refers_back(sentence):
                who = [Mention(last[paragraph], span[0])]
            for person in who:
                item = facts.setdefault(person.name, PersonFacts(person.name))
                _record(item, found, sentence, published)
                last[paragraph] = person.name
        if people:
            last[paragraph] = people[-1].name
    rows = []
    for item in facts.values():
        actions = normalised(item.actions, vague_only=item.vague)
        if not actions:
            continue
        rows.append(
            _row(
                record=record,
                text=text,
                body_start=body_start,
                positioned=positioned,
                item=item,
                actions=actions,
            )
        )
    return rows


def _merge(positioned: list[Mention], found: list[Mention], span: tuple[int, int]) -> list[Mention]:
    """People in a sentence: positioned mentions there, plus other occurrences of known names."""
    inside = [m for m in positioned if span[0] <= m.start < span[1]]
    starts = {m.start for m in inside}
    extra = [m for m in found if m.start not in starts and not _overlaps(m, inside)]
    return sorted([*inside, *extra], key=lambda m: m.start)


def _overlaps(mention: Mention, others: list[Mention]) -> bool:
    return any(mention.start < o.end and o.start < mention.end for o in others)


def _refers_back(sentence: str) -> bool:
    """A sentence about the person of the previous one (…给予其…, 将其…, 被开除党籍)."""
    return "其" in sentence or sentence.lstrip().startswith(("被", "受到", "给予"))


def _record(item: PersonFacts, found: Found, sentence: str, published: Any) -> None:
    if found.vague:
        item.vague = True
    else:
        item.actions.update(found.actions)
    if found.text not in item.texts:
        item.texts.append(found.text)
    evidence = sentence.strip()
    if evidence not in item.evidence:
        item.evidence.append(evidence)
    date = stated_date(
        sentence[: found.start + 1], published if isinstance(published, str) else None
    )
    for action in found.actions:
        item.stages.append(Stage(action, date, found.text))


def _row(
    *,
    record: Mapping[str, Any],
    text: str,
    body_start: int,
    positioned: list[Mention],
    item: PersonFacts,
    actions: list[str],
) -> CaseRow:
    own = [m for m in positioned if m.name == item.name]
    # the first position written in the body, else the headline's
    chosen = next((m for m in own if m.start >= body_start), own[0] if own else None)
    position = chosen.position if chosen else None
    region = _region(text, body_start, positioned, chosen, site_region(record))
    stages = _stages(item.stages, actions)
    article_id = str(record.get("id") or "")
    return CaseRow(
        id=f"{article_id}#{item.name}",
        article_id=article_id,
        url=str(record.get("url") or ""),
        published_at=record.get("published_at"),
        site=str(record.get("site") or ""),
        name=item.name,
        position=position,
        region=region,
        level=level_of(record),
        actions=actions,
        actions_text=item.texts,
        offence=_offence(text, item.name, own),
        evidence=item.evidence,
        stages=stages,
        title=record.get("title"),
    )


def _stages(stages: list[Stage], actions: list[str]) -> list[Stage]:
    """One stage per action and written date; an undated mention of an action (the headline's)
    only when the article gives it no date."""
    kept: list[Stage] = []
    for action in actions:
        mine = [s for s in stages if s.action == action]
        dated = [s for s in mine if s.date]
        for stage in dated or mine[:1]:
            if not any(k.action == stage.action and k.date == stage.date for k in kept):
                kept.append(stage)
    return kept


def _region(
    text: str,
    body_start: int,
    positioned: list[Mention],
    chosen: Mention | None,
    default: str | None,
) -> str | None:
    """The region of the chosen mention's position. A position that names no region of its own
    and is no central body takes the region of the person listed before it in the same
    paragraph (…信阳市副市长…汪明君…；息县县委书记管保臣); one opening with 省/市/县 takes the last
    region named before it in the paragraph (or the headline)."""
    if chosen is None or chosen.position is None:
        return None
    line_start = text.rfind("\n", 0, chosen.head) + 1
    context = text[line_start : chosen.head] or text[: body_start - 1]
    region = region_of_position(chosen.position, context, None)
    if region is not None:
        return region
    earlier = [m for m in positioned if line_start <= m.start < chosen.start]
    if earlier:
        return _region(text, body_start, positioned, earlier[-1], default)
    return default


def _offence(text: str, name: str, own: list[Mention]) -> str | None:
    """What the person is said to have done, as a short span: 违规收受礼金 (…问题。), 受贿
    (…案。), 严重违纪违法 (涉嫌…), from the first mention that says it."""
    starts = [m.end for m in own] or [m.end() for m in re.finditer(re.escape(name), text)]
    for end in starts:
        after = text[end : end + 90]
        if not after[:1] or after[:1] in "（(、，等":
            continue
        suspected = _SUSPECTED.match(after)
        if suspected:
            return suspected.group("o")
        match = _OFFENCE.match(after)
        if match and not find_actions(match.group(0)):
            return match.group("o").strip("，、 ")
    return None
