"""The case row (one per article and named person who is the subject of a measure) and the
merged person (one timeline across articles and sites). Both are published as JSON Schema in
govcrawler/schema/case.schema.json; bump CASE_SCHEMA_VERSION when a field changes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CASE_SCHEMA_VERSION = 1


@dataclass
class Stage:
    """One measure in a person's case: the normalised action, the date written with it (YYYY,
    YYYY-MM or YYYY-MM-DD) or null, and the exact phrase."""

    action: str
    date: str | None
    text: str


@dataclass
class CaseRow:
    """A named person who is the subject of a measure in one archived article."""

    id: str  # `<article_id>#<name>`: one row per article and person
    article_id: str
    url: str
    published_at: str | None
    site: str
    name: str
    position: str | None
    region: str | None
    level: str | None
    actions: list[str]
    actions_text: list[str]
    offence: str | None
    evidence: list[str]
    stages: list[Stage] = field(default_factory=list)
    title: str | None = None
    removed: bool = False  # the article has since been removed from its site (a tombstone)
    schema_version: int = CASE_SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TimelineStage:
    """A stage of a merged person's case: when (written date, else the article's publication
    date), which action, the phrase, and the article it comes from."""

    date: str | None
    action: str
    text: str
    article_id: str
    url: str
    site: str


@dataclass
class Source:
    """An article a merged person is named in."""

    article_id: str
    url: str
    site: str
    published_at: str | None
    title: str | None


@dataclass
class Person:
    """One person across articles and sites: same name, positions that agree."""

    person_id: str
    name: str
    position: str | None
    positions: list[str]
    region: str | None
    level: str | None
    actions: list[str]
    first_seen: str | None
    last_seen: str | None
    timeline: list[TimelineStage]
    sources: list[Source]
    schema_version: int = CASE_SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
