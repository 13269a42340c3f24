"""Case rows from the JSONL archive: the latest text version of each article, read once.

`case_rows(source)` yields the case rows of an archive folder (a crawl's data folder or any
folder of JSONL files) or of JSONL files; `merged_persons(source)` joins them into one timeline
per person. Both are the public way in for other commands (e.g. a Datasette `cases` table).

Which record of an article counts: its newest text version, by the rule of the search index
(query/index.py RANK_ORDER: highest `version`, records without one below any versioned record
and among themselves by `fetched_at`, then the later line). When the article's newest record
is a tombstone, its rows come from the last archived text with `removed: true`. Malformed lines
are skipped and kept in `bad_lines`; `.jsonl.part` files (runs still writing, or killed) are
not read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcrawler.extraction.cases import CaseRow, extract_cases
from govcrawler.extraction.cases.merge import merge_rows
from govcrawler.extraction.cases.model import Person
from govcrawler.query.records import archive_files, locate, read_lines, unfinished_files

Source = Path | Sequence[Path]


@dataclass(frozen=True)
class _Pick:
    rank: tuple[int, str, int]
    path: Path
    offset: int
    length: int


def _version(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _rank(record: dict[str, Any], order: int) -> tuple[int, str, int]:
    fetched = record.get("fetched_at")
    return (_version(record.get("version")), fetched if isinstance(fetched, str) else "", order)


def source_files(source: Source) -> list[Path]:
    """The JSONL files of `source`: a data folder (its articles/), a folder of JSONL files
    (recursively, sorted), or the files themselves in the order given."""
    if isinstance(source, Path):
        folder = locate(source)[0]
        return [folder / f.relpath for f in archive_files(folder)]
    return list(source)


@dataclass
class ArchiveCases:
    """The cases of one archive source; `bad_lines` and `unfinished` fill in as it is read."""

    source: Source
    bad_lines: list[str] = field(default_factory=list)
    unfinished: list[Path] = field(default_factory=list)
    articles: int = 0

    def latest(self) -> Iterator[tuple[dict[str, Any], bool]]:
        """(newest text version, whether the article has since been removed) per article id."""
        files = source_files(self.source)
        if isinstance(self.source, Path):
            self.unfinished = unfinished_files(locate(self.source)[0])
        text: dict[str, _Pick] = {}
        newest: dict[str, tuple[tuple[int, str, int], bool]] = {}
        order = 0
        for path in files:
            for line in read_lines(path):
                order += 1
                if line.record is None:
                    self.bad_lines.append(f"{path}:{line.number}: {line.error}")
                    continue
                record, rank = line.record, _rank(line.record, order)
                removed = record.get("removed") is True
                key = str(record["id"])
                if key not in newest or rank > newest[key][0]:
                    newest[key] = (rank, removed)
                if not removed and (key not in text or rank > text[key].rank):
                    text[key] = _Pick(rank, path, line.offset, line.length)
        picks = sorted(text.items(), key=lambda item: (str(item[1].path), item[1].offset))
        handles: dict[Path, Any] = {}
        try:
            for key, pick in picks:
                handle = handles.get(pick.path) or handles.setdefault(
                    pick.path, pick.path.open("rb")
                )
                handle.seek(pick.offset)
                record = json.loads(handle.read(pick.length))
                self.articles += 1
                yield record, newest[key][1]
        finally:
            for handle in handles.values():
                handle.close()

    def rows(self) -> list[CaseRow]:
        """Every case row, oldest article first."""
        rows = []
        for record, gone in self.latest():
            for row in extract_cases(record):
                row.removed = gone
                rows.append(row)
        return sorted(rows, key=lambda r: (r.published_at or "", r.article_id))

    def persons(self) -> list[Person]:
        return merge_rows(self.rows())


def case_rows(source: Source) -> Iterable[CaseRow]:
    """The case rows of an archive: `source` is a crawl's data folder (its articles/ are read),
    any folder of JSONL files, or a list of JSONL files. One row per (article, named person who
    is the subject of a measure), from the latest text version of each article, oldest article
    first; see govcrawler/schema/case.schema.json. Malformed lines are skipped (use
    ArchiveCases to see them)."""
    return ArchiveCases(source).rows()


def merged_persons(source: Source) -> list[Person]:
    """One timeline per person across the articles and sites of `source` (as for case_rows):
    same name and agreeing positions; see `$defs/person` in the case schema."""
    return ArchiveCases(source).persons()
