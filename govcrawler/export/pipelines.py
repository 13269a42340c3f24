"""Item pipelines: only new or changed, schema-valid, not-yet-exported records reach the archive."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
import jsonschema
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from govcrawler.item import Article, Tombstone
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


def inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with every `{"$ref": "#/$defs/x", …}` replaced by the definition it names
    (merged with the keywords beside the ref, or under `allOf` where they share a keyword):
    the same constraints with no reference left to resolve."""
    if isinstance(node, list):
        return [inline_refs(v, defs) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    rest = {k: inline_refs(v, defs) for k, v in node.items() if k not in ("$ref", "$defs")}
    if not isinstance(ref, str):
        return rest
    if not ref.startswith("#/$defs/"):
        raise ValueError(f"unsupported $ref {ref!r}")
    target = inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
    return {"allOf": [target], **rest} if set(rest) & set(target) else {**target, **rest}


@cache
def _fast_check() -> Callable[[dict[str, Any]], Any]:
    """The schema compiled to Python by fastjsonschema (about 30× faster than jsonschema on a
    record: BENCHMARKS.md). Its keywords mean the same in draft 7, which fastjsonschema
    implements; formats are not checked, as jsonschema does not check them either."""
    schema = article_schema()
    flat = inline_refs(schema, schema["$defs"])
    flat["$schema"] = "http://json-schema.org/draft-07/schema#"
    flat.pop("$id", None)
    check: Callable[[dict[str, Any]], Any] = fastjsonschema.compile(flat, use_formats=False)
    return check


def schema_errors(record: dict[str, Any]) -> list[str]:
    """Every way `record` breaks the schema, as `path: message` strings. A record the compiled
    check passes is valid; any other is judged, and its errors worded, by jsonschema (the
    reference implementation of the published draft 2020-12 schema)."""
    try:
        _fast_check()(record)
    except fastjsonschema.JsonSchemaException:
        pass
    else:
        return []
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
        record = (
            item.to_dict() if isinstance(item, Article | Tombstone) else ItemAdapter(item).asdict()
        )
        errors = schema_errors(record)
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
