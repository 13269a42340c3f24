"""The records govcrawler exports (see schema/article.schema.json): an article, or a tombstone."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any, Literal, TypedDict

# 2: version/supersedes on every record, tombstones; 3: warc_file/warc_record_id/warc_offset/
# payload_digest, the WARC capture each record was made from; 4: images[] and attachments[]
# entries say where the file itself is archived (or why it is not), attachments their text
SCHEMA_VERSION = 4

#: `reason` of a file entry made by extraction alone (`govcrawler extract`): nobody fetched it.
NOT_FETCHED = "not_fetched"


class Image(TypedDict):
    """An image inside the article body; `caption` is the text shown with it, if any. The other
    fields say where the image is archived (spiders/files.py), or `reason` why it is not."""

    url: str
    caption: str | None
    content_type: str | None
    size: int | None
    sha256: str | None
    warc_file: str | None
    warc_record_id: str | None
    warc_offset: int | None
    reason: str | None


class Attachment(TypedDict):
    """A file linked from the article (附件): absolute URL and its link text, where the file is
    archived (or `reason` why not), and the text of a PDF or Word file."""

    url: str
    title: str
    content_type: str | None
    size: int | None
    sha256: str | None
    warc_file: str | None
    warc_record_id: str | None
    warc_offset: int | None
    reason: str | None
    text: str | None


def new_image(url: str, caption: str | None) -> Image:
    """An image as extraction finds it: not fetched yet."""
    return Image(
        url=url,
        caption=caption,
        content_type=None,
        size=None,
        sha256=None,
        warc_file=None,
        warc_record_id=None,
        warc_offset=None,
        reason=NOT_FETCHED,
    )


def new_attachment(url: str, title: str) -> Attachment:
    """An attachment as extraction finds it: not fetched yet."""
    return Attachment(
        url=url,
        title=title,
        content_type=None,
        size=None,
        sha256=None,
        warc_file=None,
        warc_record_id=None,
        warc_offset=None,
        reason=NOT_FETCHED,
        text=None,
    )


@dataclass
class Article:
    """One article as archived: every field is in the published JSON Schema."""

    id: str
    site: str
    site_name: str
    url: str
    column: str | None
    title: str
    published_at: str | None
    source: str | None
    author: str | None
    editor: str | None
    body: str
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    script: Literal["zh-Hans", "zh-Hant"] = "zh-Hans"
    fetched_at: str = ""
    http_status: int = 200
    content_sha256: str = ""
    extractor: Literal["profile", "generic"] = "profile"
    version: int = 1  # set from the crawl ledger (export/pipelines.py:VersioningPipeline)
    supersedes: str | None = None  # content_sha256 of the version this one replaces
    # The evidence (archive/warc_middleware.py): the WARC response record holding the page as
    # received; all None when no WARC was written (`govcrawler extract`, GOVCRAWLER_WARC="").
    warc_file: str | None = None
    warc_record_id: str | None = None
    warc_offset: int | None = None
    payload_digest: str | None = None
    schema_version: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        if not self.content_sha256:
            self.content_sha256 = body_sha256(self.body)

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self)


@dataclass
class Tombstone:
    """An archived article that now answers 404/410, written once as the next version of its id.

    It keeps the last known url, column, title and published_at; the last archived body stays in
    the record it supersedes.
    """

    id: str
    site: str
    site_name: str
    url: str
    column: str | None
    title: str | None
    published_at: str | None
    fetched_at: str
    http_status: int
    version: int
    supersedes: str
    warc_file: str | None = None  # the capture of the 404/410 answer, as for an Article
    warc_record_id: str | None = None
    warc_offset: int | None = None
    payload_digest: str | None = None
    removed: Literal[True] = True
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self)


def record_dict(record: Article | Tombstone) -> dict[str, Any]:
    """The record as the JSON object the schema describes, in field order: what
    `dataclasses.asdict` gives, without its recursive deep copy (every field is a str, int, bool
    or None, or a list of flat dicts, which are copied), which cost ~0.3 ms per article in a crawl."""
    out = {}
    for f in fields(record):
        value = getattr(record, f.name)
        out[f.name] = [dict(entry) for entry in value] if isinstance(value, list) else value
    return out


def body_sha256(body: str) -> str:
    """Fixity of the clean text: sha256 of the UTF-8 body."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
