"""One timeline per person across articles and sites.

Two rows are the same person when the names are equal and the positions agree
(positions.same_position: one's parts contain the other's, with 原/时任, the province prefix,
人民政府/政府 and title order tolerated). People with the same name whose positions do not agree
stay apart, and so does a row without a position (nothing vouches that it is the same person).
Agreement is transitive: A~B and B~C put A, B and C together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from govcrawler.extraction.cases.actions import ACTIONS
from govcrawler.extraction.cases.model import CaseRow, Person, Source, TimelineStage
from govcrawler.extraction.cases.positions import normalise, same_position


def merge_rows(rows: Iterable[CaseRow]) -> list[Person]:
    """The people in `rows`, each with every stage (dated) and every source article, in order
    of first appearance."""
    groups: dict[str, list[list[CaseRow]]] = {}
    for row in rows:
        people = groups.setdefault(row.name, [])
        joined = [g for g in people if any(same_position(row.position, r.position) for r in g)]
        if not joined:
            people.append([row])
            continue
        first = joined[0]
        first.append(row)
        for other in joined[1:]:
            first.extend(other)
            people.remove(other)
    persons = [_person(group) for group in (g for people in groups.values() for g in people)]
    return sorted(persons, key=lambda p: (p.first_seen or "", p.name, p.person_id))


def _day(published: str | None) -> str | None:
    return published[:10] if published else None


def _person(rows: list[CaseRow]) -> Person:
    rows = sorted(rows, key=lambda r: (r.published_at or "", r.article_id))
    positions = list(dict.fromkeys(r.position for r in rows if r.position))
    position = max(positions, key=len) if positions else None
    stages: dict[tuple[str, str | None, str], TimelineStage] = {}
    for row in rows:
        for stage in row.stages:
            date = stage.date or _day(row.published_at)
            key = (stage.action, date, row.article_id)
            stages.setdefault(
                key,
                TimelineStage(date, stage.action, stage.text, row.article_id, row.url, row.site),
            )
    order = {action: i for i, action in enumerate(ACTIONS)}
    timeline = sorted(stages.values(), key=lambda s: (s.date or "", order.get(s.action, 99)))
    sources = list(
        {
            r.article_id: Source(r.article_id, r.url, r.site, r.published_at, r.title) for r in rows
        }.values()
    )
    days = [d for d in (_day(r.published_at) for r in rows) if d]
    actions = {a for r in rows for a in r.actions}
    identity = rows[0].name + "|" + "、".join(sorted(normalise(position)))
    return Person(
        person_id=hashlib.sha1(identity.encode("utf-8")).hexdigest()[:16],
        name=rows[0].name,
        position=position,
        positions=positions,
        region=next((r.region for r in rows if r.region), None),
        level=next((r.level for r in rows if r.level), None),
        actions=[a for a in ACTIONS if a in actions],
        first_seen=min(days) if days else None,
        last_seen=max(days) if days else None,
        timeline=timeline,
        sources=sources,
    )
