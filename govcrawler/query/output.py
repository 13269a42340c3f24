"""Writing hits: a readable table (time, site, title, highlighted snippet), or whole records as
JSONL (the archived line, byte for byte) or CSV (one column per schema field)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import IO, Any

from govcrawler.query.search import Hit
from govcrawler.query.text import Terms, mark, snippet

#: Fields the versioning work adds to records (and tombstones), kept in CSV even before the
#: published schema lists them.
VERSION_FIELDS = ("version", "supersedes", "removed")
PROVENANCE_FIELDS = ("archive_file", "archive_line")


class LineReader:
    """Reads indexed lines back from the archive, keeping each file open once."""

    def __init__(self, data: Path, paths: dict[int, str]) -> None:
        self.data, self.paths = data, paths
        self._open: dict[int, IO[bytes]] = {}

    def raw(self, hit: Hit) -> bytes:
        fh = self._open.get(hit.file_id)
        if fh is None:
            fh = self._open[hit.file_id] = (self.data / self.paths[hit.file_id]).open("rb")
        fh.seek(hit.offset)
        return fh.read(hit.length)

    def record(self, hit: Hit) -> dict[str, Any]:
        value = json.loads(self.raw(hit))
        assert isinstance(value, dict)
        return value

    def path(self, hit: Hit) -> str:
        return self.paths[hit.file_id]

    def close(self) -> None:
        for fh in self._open.values():
            fh.close()
        self._open.clear()


@lru_cache(maxsize=1)
def csv_fields() -> tuple[str, ...]:
    """CSV columns: the published schema's record fields in order (article, then what only a
    tombstone has), the version fields if the schema lacks them, then provenance."""
    schema = json.loads(
        resources.files("govcrawler").joinpath("schema/article.schema.json").read_text("utf-8")
    )
    shapes = [schema, *schema.get("$defs", {}).values()]
    fields: list[str] = []
    for shape in shapes:
        properties = shape.get("properties", {}) if isinstance(shape, dict) else {}
        if "id" in properties:
            fields += [f for f in properties if f not in fields]
    fields += [f for f in VERSION_FIELDS if f not in fields]
    return (*fields, *PROVENANCE_FIELDS)


def csv_cell(value: Any) -> Any:
    """A CSV cell: lists and objects (images, attachments, stages …) as JSON text."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def write_jsonl(hits: Iterable[Hit], reader: LineReader, out: IO[str]) -> None:
    for hit in hits:
        out.write(reader.raw(hit).decode("utf-8") + "\n")


def write_csv(hits: Iterable[Hit], reader: LineReader, out: IO[str]) -> None:
    """Lists and objects (images, attachments) are written as JSON text in their cell."""
    fields = csv_fields()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for hit in hits:
        record = reader.record(hit)
        row: dict[str, Any] = {k: csv_cell(v) for k, v in record.items()}
        row["archive_file"], row["archive_line"] = reader.path(hit), hit.line
        writer.writerow(row)


def write_table(
    hits: Iterable[Hit], reader: LineReader, terms: Terms, out: IO[str], color: bool
) -> None:
    """Two lines per hit: `time  site  title`, then the snippet with every match marked."""
    before, after = ("\x1b[1;31m", "\x1b[0m") if color else ("[", "]")
    for hit in hits:
        record = reader.record(hit)
        when = (hit.published_at or "(no date)        ")[:16].replace("T", " ")
        title = str(record.get("title") or "")
        tags = []
        if hit.version is not None and hit.version > 1:
            tags.append(f"version {hit.version}")
        if hit.removed:
            tags.append("REMOVAL RECORD")
        elif hit.gone:
            tags.append("since removed from the site")
        head = f"{when}  {hit.site:<10} {title}" + (f"  ({', '.join(tags)})" if tags else "")
        if terms.folded:
            title_text, title_spans = snippet(title, terms, width=200)
            if title_spans:
                head = head.replace(title, mark(title_text, title_spans, before, after), 1)
        text, spans = snippet(str(record.get("body") or record.get("url") or ""), terms)
        if terms.folded and not spans:  # the match is in an attachment's text: show it there
            for attachment in record.get("attachments") or []:
                inner = attachment.get("text") if isinstance(attachment, dict) else None
                if isinstance(inner, str) and (found := snippet(inner, terms))[1]:
                    text, spans = found
                    label = f"[附件 {attachment.get('title') or attachment.get('url')}] "
                    spans = [(a + len(label), b + len(label)) for a, b in spans]
                    text = label + text
                    break
        out.write(head + "\n    " + mark(text, spans, before, after) + "\n")
