"""Benchmark of `govcrawler query`/`stats` over a generated archive (a script, not a test).

For each size (default 100,000 and 1,000,000 articles) it generates an archive under /tmp with
tests/archive_factory.py (invented text, 30 % traditional script, 4 sites, ~6 % changed versions,
~2 % removals), builds the SQLite index (`govcrawler index`), then times the same questions:
- cold: a fresh `govcrawler` process with the OS page cache dropped first (when allowed: root),
  so interpreter start, imports, the index freshness check and disk reads are all counted;
- warm: the same search repeated in one process with the index open (median of 5);
and the peak RSS of each process. With --engines duckdb it asks the same questions of DuckDB
reading the JSONL directly (`read_json`, both script variants of the term), for comparison.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/query.py                       # 100k and 1M, both engines
    .venv/bin/python bench/query.py --sizes 100000 --engines sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govcrawler.cleaning.script import _converter  # noqa: E402
from govcrawler.query.index import connect, default_index, file_paths  # noqa: E402
from govcrawler.query.output import LineReader, write_csv, write_jsonl, write_table  # noqa: E402
from govcrawler.query.search import Query, period_end, period_start, search  # noqa: E402
from tests.archive_factory import generate  # noqa: E402

GOVCRAWLER = [sys.executable, "-m", "govcrawler.cli.main"]
RSS_WRAPPER = (
    "import resource, runpy, sys; sys.argv = sys.argv[1:]\n"
    "try:\n"
    "    if sys.argv[0] == '-c':\n        sys.argv = sys.argv[1:]; exec(sys.argv[0])\n"
    "    else:\n        runpy.run_module(sys.argv[0], run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
)

# (label, query args, --format): the archivists' questions, from selective to broad.
QUESTIONS: list[tuple[str, dict[str, Any], str]] = [
    ("name, 3 chars, traditional query", {"text": "{name_hant}"}, "table"),
    (
        "开除党籍 in anhui, 2024",
        {"text": "开除党籍", "sites": ["anhui"], "since": "2024", "until": "2024"},
        "table",
    ),
    (
        "1 char 渎, one month, all → jsonl",
        {"text": "渎", "since": "2024-06", "until": "2024-06"},
        "jsonl",
    ),
    ("2 chars 诫勉 in titles+bodies, newest 20", {"text": "诫勉"}, "table"),
    (
        "filters only: site+column+year → csv",
        {"sites": ["ccdi"], "columns": ["执纪审查"], "since": "2024", "until": "2024"},
        "csv",
    ),
]


def drop_caches() -> bool:
    """Empty the OS page cache (root only) so 'cold' really reads from disk."""
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def run_measured(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """(wall seconds, peak RSS MiB, stdout) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", RSS_WRAPPER, *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed:\n{proc.stderr}")
    rss = next(
        int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("MAXRSS_KB")
    )
    return wall, rss // 1024, proc.stdout


def cli_args(q: dict[str, Any], fmt: str, data: Path) -> list[str]:
    args = ["govcrawler.cli.main", "query"]
    if q.get("text"):
        args.append(q["text"])
    for site in q.get("sites", []):
        args += ["--site", site]
    for column in q.get("columns", []):
        args += ["--column", column]
    for key in ("since", "until"):
        if q.get(key):
            args += [f"--{key}", q[key]]
    return [*args, "--data", str(data), "--format", fmt, "--limit", "20" if fmt == "table" else "0"]


def warm_sqlite(q: dict[str, Any], fmt: str, data: Path) -> tuple[float, int]:
    """Median seconds of 5 searches + output in this process, index already open; hit count."""
    conn = connect(default_index(data))
    reader = LineReader(data, file_paths(conn))
    query = Query(**q, limit=20 if fmt == "table" else None)
    times, n = [], 0
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for _ in range(5):
            start = time.perf_counter()
            hits, n = search(conn, query)
            if fmt == "jsonl":
                write_jsonl(hits, reader, sink)
            elif fmt == "csv":
                write_csv(hits, reader, sink)
            else:
                write_table(hits, reader, query.terms, sink, color=False)
            times.append(time.perf_counter() - start)
    reader.close()
    conn.close()
    return statistics.median(times), n


DUCKDB_SQL = """
WITH v AS (
  SELECT * FROM read_json('{glob}', format='newline_delimited', union_by_name=true,
                          filename=true, ignore_errors=true)
  QUALIFY row_number() OVER (PARTITION BY id ORDER BY COALESCE(version, 0) DESC,
                                                      fetched_at DESC) = 1)
SELECT * FROM v WHERE removed IS DISTINCT FROM true AND {where}
ORDER BY published_at DESC NULLS LAST {limit}
"""


def duckdb_sql(q: dict[str, Any], fmt: str, data: Path) -> str:
    conds = ["true"]
    if q.get("text"):
        # DuckDB cannot fold script: ask for the simplified and traditional spellings both.
        variants = {
            q["text"],
            str(_converter("s2t").convert(q["text"])),
            str(_converter("t2s").convert(q["text"])),
        }
        ors = [f"contains({f}, '{v}')" for v in sorted(variants) for f in ("title", "body")]
        conds.append("(" + " OR ".join(ors) + ")")
    if q.get("sites"):
        conds.append("site IN (" + ", ".join(f"'{s}'" for s in q["sites"]) + ")")
    if q.get("columns"):
        names = {c for col in q["columns"] for c in (col, str(_converter("s2t").convert(col)))}
        conds.append('"column" IN (' + ", ".join(f"'{c}'" for c in sorted(names)) + ")")
    # DuckDB reads published_at as TIMESTAMPTZ: compare with China-time instants.
    if q.get("since"):
        conds.append(f"published_at >= '{period_start(q['since'])} 00:00:00+08'")
    if q.get("until"):
        conds.append(f"published_at < '{period_end(q['until'])} 00:00:00+08'")
    return DUCKDB_SQL.format(
        glob=f"{data}/**/*.jsonl",
        where=" AND ".join(conds),
        limit="LIMIT 20" if fmt == "table" else "",
    )


DUCKDB_RUNNER = (
    "import duckdb, sys, time\n"
    "conn = duckdb.connect(); conn.execute('SET enable_progress_bar = false')\n"
    "sql = sys.argv[1]; times = []\n"
    "for _ in range(int(sys.argv[2])):\n"
    "    t = time.perf_counter(); n = len(conn.execute(sql).fetchall()); times.append(time.perf_counter() - t)\n"
    "print(n, *times)\n"
)


def measure_duckdb(
    q: dict[str, Any], fmt: str, data: Path, repeats: int
) -> tuple[float, float, int, int]:
    """(first query s, median later query s, peak RSS MiB, rows) in one fresh DuckDB process."""
    drop_caches()
    _, rss, out = run_measured(["-c", DUCKDB_RUNNER, duckdb_sql(q, fmt, data), str(repeats)])
    fields = out.split()
    times = [float(t) for t in fields[1:]]
    return times[0], statistics.median(times[1:] or times), rss, int(fields[0])


def ensure_archive(base: Path, size: int) -> tuple[Path, dict[str, Any]]:
    data = base / f"{size}" / "articles"
    marker = base / f"{size}" / "archive.json"
    if marker.is_file():
        return data, json.loads(marker.read_text())
    shutil.rmtree(data, ignore_errors=True)
    probe: dict[str, Any] = {}

    def remember(rec: dict[str, Any]) -> None:  # a person's name in traditional script
        if (
            rec.get("script") == "zh-Hant"
            and "name_hant" not in probe
            and "受到" in rec.get("title", "")
        ):
            probe["name_hant"] = rec["title"].split("受到")[0]

    start = time.perf_counter()
    archive = generate(data, size, keep=False, on_line=remember)
    info = {
        "articles": size,
        "lines": archive.lines,
        "files": len(archive.files),
        "mib": round(archive.bytes / 2**20),
        "generate_s": round(time.perf_counter() - start, 1),
        **probe,
    }
    marker.write_text(json.dumps(info, ensure_ascii=False))
    return data, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--engines", nargs="+", default=["sqlite", "duckdb"], choices=("sqlite", "duckdb")
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/govcrawler-bench"))
    args = parser.parse_args()
    cold_ok = drop_caches()
    print(
        f"cold = fresh process{' after dropping the page cache' if cold_ok else ' (page cache NOT dropped: not root)'}"
    )
    for size in args.sizes:
        data, info = ensure_archive(args.workdir, size)
        print(
            f"\n== {size:,} articles: {info['lines']:,} lines in {info['files']} files, "
            f"{info['mib']:,} MiB JSONL (generated in {info['generate_s']} s)"
        )
        questions = [
            (label, {k: (v.format(**info) if isinstance(v, str) else v) for k, v in q.items()}, fmt)
            for label, q, fmt in QUESTIONS
        ]
        if "sqlite" in args.engines:
            index = default_index(data)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{index}{suffix}").unlink(missing_ok=True)
            drop_caches()
            wall, rss, _ = run_measured(["govcrawler.cli.main", "index", "--data", str(data)])
            print(
                f"sqlite index build: {wall:.1f} s, peak RSS {rss} MiB, "
                f"index {index.stat().st_size / 2**20:,.0f} MiB"
            )
            wall, rss, _ = run_measured(["govcrawler.cli.main", "index", "--data", str(data)])
            print(f"sqlite index up-to-date check (no new files): {wall:.2f} s, peak RSS {rss} MiB")
            for label, q, fmt in questions:
                drop_caches()
                cold, rss, _ = run_measured(cli_args(q, fmt, data))
                warm, hits = warm_sqlite(q, fmt, data)
                print(
                    f"  sqlite  {label:<42} {hits:>7,} hits  cold {cold * 1000:7.0f} ms  "
                    f"warm {warm * 1000:7.1f} ms  peak RSS {rss} MiB"
                )
            for by in (["site"], ["site", "month"]):
                drop_caches()
                cold, rss, _ = run_measured(
                    ["govcrawler.cli.main", "stats", "--data", str(data), "--by", *by]
                )
                print(
                    f"  sqlite  stats --by {' '.join(by):<32} cold {cold * 1000:7.0f} ms  peak RSS {rss} MiB"
                )
            # A new run file arrives (a copy of the largest, as big as a real week's run).
            largest = max(data.rglob("*.jsonl"), key=lambda p: p.stat().st_size)
            extra = largest.with_name("29990101T000000Z.jsonl")
            shutil.copyfile(largest, extra)
            lines = sum(1 for _ in extra.open("rb"))
            wall, rss, _ = run_measured(cli_args({"text": "开除党籍"}, "table", data))
            print(
                f"  sqlite  a query that first indexes a new run file of {lines:,} lines: "
                f"{wall * 1000:.0f} ms, peak RSS {rss} MiB"
            )
            extra.unlink()
            for suffix in ("", "-wal", "-shm"):  # the index now names a vanished file
                Path(f"{index}{suffix}").unlink(missing_ok=True)
        if "duckdb" in args.engines:
            repeats = 2 if size >= 1_000_000 else 3
            for label, q, fmt in questions:
                first, later, rss, rows = measure_duckdb(q, fmt, data, repeats)
                print(
                    f"  duckdb  {label:<42} {rows:>7,} rows  cold {first * 1000:7.0f} ms  "
                    f"warm {later * 1000:7.0f} ms  peak RSS {rss} MiB"
                )


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    main()
