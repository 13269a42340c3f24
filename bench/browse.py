"""Benchmark of `govcrawler serve`'s browsing database over a generated archive (a script, not a
test): how long building it takes on top of the search index (with the case rows and persons
of every article, as `serve` builds it), how large it is, how long adding
one new run file takes, and how fast Datasette answers the page a person opens (search, facets,
count) through the plugin — in process, through Datasette's own ASGI client, median of 5.

    .venv/bin/python bench/browse.py                    # 100,000 articles
    .venv/bin/python bench/browse.py --sizes 10000 100000
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import shutil
import sqlite3
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govcrawler.query import browse  # noqa: E402
from govcrawler.query.browse_metadata import DATABASE  # noqa: E402
from govcrawler.query.browse_server import make_datasette  # noqa: E402
from govcrawler.query.index import connect, refresh  # noqa: E402
from tests.archive_factory import generate  # noqa: E402

#: (label, path): pages a person opens; each with the default facets (site, column, month).
PAGES = [
    ("whole archive, first page", "/articles.json?_size=50"),
    ("a name, traditional (as bench/query.py)", "/articles.json?_search={name}&_size=50"),
    (
        "開除黨籍 (4 chars, traditional)",
        "/articles.json?_search=" + quote("開除黨籍") + "&_size=50",
    ),
    ("开除党籍 in anhui", "/articles.json?_search=" + quote("开除党籍") + "&site=anhui&_size=50"),
    ("1 char 瀆", "/articles.json?_search=" + quote("瀆") + "&_size=50"),
    (
        "CSV of 开除党籍 2024-06",
        "/articles.csv?_search=" + quote("开除党籍") + "&month=2024-06&_size=max",
    ),
]


def mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20


def run(size: int, work: Path) -> None:
    data = work / f"browse-{size}"
    shutil.rmtree(data, ignore_errors=True)
    probe: dict[str, str] = {}

    def remember(rec: dict[str, Any]) -> None:  # a person's name in traditional script
        if rec.get("script") == "zh-Hant" and "受到" in rec.get("title", "") and not probe:
            probe["name"] = rec["title"].split("受到")[0]

    archive = generate(data / "articles", size, keep=False, on_line=remember)
    name = probe.get("name", "開除黨籍")
    index_path, browse_path = data / "query-index.sqlite", data / "browse.sqlite"
    started = time.perf_counter()
    index = connect(index_path)
    refresh(index, data / "articles")
    index.close()
    index_s = time.perf_counter() - started
    started = time.perf_counter()
    _, result, _ = browse.update(data / "articles", index_path)  # as `serve` does: with cases
    browse_s = time.perf_counter() - started
    jsonl = archive.bytes / 2**20
    print(
        f"\n{size:,} articles ({archive.lines:,} lines, {jsonl:.0f} MiB JSONL, {result.files} files)"
    )
    print(f"  index build          {index_s:7.1f} s   {mib(index_path):7.0f} MiB")
    cases = browse_cases(browse_path)
    print(
        f"  browsing db build    {browse_s:7.1f} s   {mib(browse_path):7.0f} MiB"
        f"   (with {cases[0]:,} case rows, {cases[1]:,} persons)"
    )

    # One new run file of 1,000 lines, as a crawl adds it.
    extra = generate(data / "new", 1000, seed=99, start=datetime(2025, 1, 1))
    target = data / "articles" / "ccdi" / "29990101T000000Z.jsonl"
    with target.open("w", encoding="utf-8") as out:
        for path in extra.files:
            out.write(path.read_text("utf-8"))
    started = time.perf_counter()
    index = connect(index_path)
    refresh(index, data / "articles")
    index.close()
    _, added, _ = browse.update(data / "articles", index_path)
    print(
        f"  add one run file     {time.perf_counter() - started:7.1f} s   "
        f"({added.versions:,} lines; index + browsing db)"
    )

    ds = make_datasette(browse_path, index_path)
    print(f"  page (Datasette, in process; each with 3 facets)   first   median of 5  [{name}]")
    for label, path in PAGES:
        url = f"/{DATABASE}" + path.format(name=quote(name))
        times = []
        for _ in range(6):
            started = time.perf_counter()
            response = asyncio.run(ds.client.get(url))
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.text[:300])
        first, median = times[0] * 1000, statistics.median(times[1:]) * 1000
        if path.startswith("/articles.csv"):
            hits = len(list(csv.reader(io.StringIO(response.text)))) - 1
        else:
            hits = response.json()["filtered_table_rows_count"]
        print(f"    {label:44} {first:7.0f} ms {median:7.0f} ms  {hits:7,} rows")


def browse_cases(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("cases", "persons")
        )
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/govcrawler-bench"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        run(size, args.work)


if __name__ == "__main__":
    main()
