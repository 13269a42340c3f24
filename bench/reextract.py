"""`govcrawler reextract` at archive scale: time and peak memory over generated WARC archives.

    .venv/bin/python bench/reextract.py [--sizes 1000,10000,100000]

For each size N it writes a WARC archive of N article captures (CCDI-like pages from the kill
test's generated column, text varied per page) as a crawl writes them — request, response and
metadata records — where every tenth capture is a re-check of an earlier article (half of them
an unchanged payload stored as a revisit, half a changed body) and every hundredth answers 404
after an earlier capture (a tombstone). It then runs `govcrawler reextract` over the folder in a
fresh process and prints records written, seconds, captures/s and the process's peak RSS.
Memory must not grow with the archive's records (only with its index of ids and digests).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tests.test_crash_kill as mirror  # noqa: E402  (the generated CCDI column's templates)
from govcrawler.archive.warc_writer import (  # noqa: E402
    CALLBACK_FIELD,
    Exchange,
    RollingWarcWriter,
    WarcLocation,
)

HEADERS = [("Content-Type", "text/html; charset=utf-8")]


class BenchWriter(RollingWarcWriter):
    """The crawl's WARC writer without its fsync per fetch (generation speed only)."""

    def _sync(self) -> None:
        assert self._file is not None
        self._file.flush()
        self.bytes_written = self._file.tell()


def article(n: int, variant: int = 0) -> bytes:
    day = 28 - (n // 12) % 28
    title = f"某市纪委监委开展第{n}轮专项监督检查"
    html = mirror.ARTICLE.format(
        n=n,
        title=title,
        day=day,
        hour=8 + n % 10,
        minute=n % 60,
        counties=n % 7 + 2 + variant,
        found=n % 11 + 3,
        money=n % 13 + 1,
    )
    return html.encode("utf-8")


def generate(folder: Path, size: int) -> int:
    """Write `size` captures; returns how many records a correct reextract yields."""
    writer = BenchWriter(folder, "ccdi", "20261206T000000Z", max_size=256 << 20, info={})
    last: dict[int, tuple[WarcLocation, str]] = {}
    expected, fresh = 0, 0
    for i in range(size):
        n, status, variant = fresh, 200, 0
        if i % 10 == 9 and fresh > 20:  # a re-check of an earlier article
            n = fresh - 20
            variant = (i // 10) % 2  # 0: the same payload (revisit), 1: a changed body
        elif i % 100 == 49 and fresh > 30:
            n, status = fresh - 30, 404
        else:
            fresh += 1
        url = f"{mirror.BASE}202603/t20260301_{1_000_000 + n}.html"
        body = article(n, variant) if status == 200 else b"<html><body>404</body></html>"
        previous = last.get(n)
        written = writer.write(
            Exchange(url, "GET", [], b"", status, HEADERS, body, "2026-12-06T00:00:00Z"),
            previous=previous[0] if previous and status == 200 else None,
            previous_digest=previous[1] if previous and status == 200 else None,
            metadata={CALLBACK_FIELD: "parse_article"},
        )
        if status == 200:
            if not written.revisit:
                last[n] = (written.payload, written.payload_digest)
            expected += 0 if written.revisit else 1
        else:
            expected += 1 if n in last else 0
            last.pop(n, None)
    writer.close()
    return expected


RUN = (
    "import resource, sys; from govcrawler.cli.main import main; rc = main(sys.argv[1:]); "
    "print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); "
    "sys.exit(rc)"
)


def measure(size: int, root: Path) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory(prefix="bench-reextract-") as tmp:
        folder, out = Path(tmp) / "warc", Path(tmp) / "out.jsonl"
        expected = generate(folder, size)
        warc_bytes = sum(p.stat().st_size for p in folder.iterdir())
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", RUN, "reextract", str(folder), "-o", str(out)],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(result.stderr[-3000:])
        peak_kb = int(result.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
        records = sum(1 for _ in out.open("rb"))
        versions = sum(1 for line in out.open("rb") if json.loads(line).get("version", 1) > 1)
    if records != expected:
        raise SystemExit(f"{size} captures: {records} records, expected {expected}")
    return {
        "captures": size,
        "records": records,
        "later_versions": versions,
        "warc_mb": warc_bytes / 1e6,
        "seconds": seconds,
        "per_second": size / seconds,
        "peak_mb": peak_kb / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="run the reextract of this checkout (e.g. an older commit's worktree)",
    )
    args = parser.parse_args()
    print(
        "| captures | records | of them later versions | WARC MB | seconds | captures/s | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        m = measure(size, args.root.resolve())
        print(
            f"| {m['captures']:,} | {m['records']:,} | {m['later_versions']:,} | "
            f"{m['warc_mb']:.1f} | {m['seconds']:.1f} | {m['per_second']:.0f} | "
            f"{m['peak_mb']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
