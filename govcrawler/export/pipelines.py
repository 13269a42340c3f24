"""Item pipelines: only new or changed, schema-valid, not-yet-exported records reach the archive."""

from __future__ import annotations

import json
import logging
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from govcrawler.item import Article
from govcrawler.state.crawl_state import crawl_state
from govcrawler.state.site_state import SiteState

logger = logging.getLogger(__name__)


class InvalidRecord(DropItem):
    """A record that fails the schema: dropped, counted, and its page retried next run."""


class DuplicateRecord(DropItem):
    """An id already exported in this run."""


class UnchangedRecord(DropItem):
    """The same clean body as the archived version: nothing to write (logged at DEBUG)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="DEBUG")


@cache
def article_schema() -> dict[str, Any]:
    """The published JSON Schema of an exported record (govcrawler/schema/article.schema.json)."""
    text = resources.files("govcrawler").joinpath("schema/article.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(article_schema())


def schema_errors(record: dict[str, Any]) -> list[str]:
    """Every way `record` breaks the schema, as `path: message` strings."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<record>'}: {e.message}"
        for e in _validator().iter_errors(record)
    ]


class SchemaValidationPipeline:
    """Drops (and counts) any record that does not validate: no junk line reaches the archive."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> SchemaValidationPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        errors = schema_errors(ItemAdapter(item).asdict())
        if errors:
            self.stats.inc_value("govcrawler/dropped/invalid_record")
            raise InvalidRecord(f"record fails the schema: {'; '.join(errors[:3])}")
        return item


class DuplicateArticlePipeline:
    """One record per article id per run (an article reachable under two URLs is kept once)."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> DuplicateArticlePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        article_id = ItemAdapter(item)["id"]
        if article_id in self.seen:
            self.stats.inc_value("govcrawler/dropped/duplicate")
            raise DuplicateRecord(f"duplicate article {article_id}")
        self.seen.add(article_id)
        return item


class VersioningPipeline:
    """Numbers each record against the crawl ledger (state/site_state.py): version 1 for a new
    article, the next version (superseding the archived body) for a changed one; an unchanged
    body is dropped quietly. Tombstones are numbered by the spider already."""

    def __init__(self, state: SiteState) -> None:
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Any) -> VersioningPipeline:
        return cls(crawl_state(crawler).site)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article) and not self.state.assign_version(item):
            raise UnchangedRecord(f"unchanged since the archived version: {item.id}")
        return item
