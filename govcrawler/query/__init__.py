"""Archivists' queries over the JSONL archive: a SQLite FTS5 index, search, stats and output.

`index` keeps a search index beside the archive up to date (new run files are added on every
query), `search` answers `govcrawler query`, `stats` answers `govcrawler stats`. The JSONL files
stay the archive of record: the index holds folded search text and offsets, never the records.
"""
