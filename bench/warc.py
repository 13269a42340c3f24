"""Archive overhead of WARC capture: a replayed crawl of a generated CCDI-like mirror, with and
without GOVCRAWLER_WARC, timed end to end (subprocess), with the bytes each run wrote.

    .venv/bin/python bench/warc.py [--pages 5000]

Prints one line per mode: seconds, pages/s, JSONL bytes, WARC bytes (and per page).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tests.test_crash_kill as mirror  # noqa: E402  (the kill test's generated CCDI column)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def crawl(replay: Path, data: Path, warc: bool) -> tuple[float, int]:
    command = mirror.crawl_command(replay, data)
    if not warc:
        command += ["-s", "GOVCRAWLER_WARC="]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    records = sum(p.read_bytes().count(b"\n") for p in (data / "articles" / "ccdi").glob("*.jsonl"))
    return seconds, records


def generate(root: Path, pages: int) -> int:
    """The kill test's CCDI 要闻 column (its markup, our invented text), `pages` list pages of 15
    articles; dates cycle through March so any size stays valid. Returns the article count."""
    folder = root / "ccdi"
    folder.mkdir(parents=True)
    html = "text/html; charset=utf-8"
    mirror.write_capture(folder, "robots", "https://www.ccdi.gov.cn/robots.txt", "", "text/plain")
    for page in range(pages):
        items = []
        for k in range(mirror.PER_PAGE):
            n = page * mirror.PER_PAGE + k
            doc, day = 900_000 - n, 28 - (n // 200) % 28
            title = f"某市纪委监委开展第{n}轮专项监督检查"
            items.append(mirror.LIST_ITEM.format(day=day, doc=doc, title=title))
            article = mirror.ARTICLE.format(
                n=n,
                title=title,
                day=day,
                hour=8 + n % 10,
                minute=n % 60,
                counties=n % 7 + 2,
                found=n % 11 + 3,
                money=n % 13 + 1,
            )
            url = f"{mirror.BASE}202603/t202603{day:02d}_{doc}.html"
            mirror.write_capture(folder, f"article_{doc}", url, article, html)
        listing = mirror.LIST_PAGE.format(items="\n".join(items), total=pages, current=page)
        list_url = f"{mirror.BASE}index.html" if page == 0 else f"{mirror.BASE}index_{page}.html"
        mirror.write_capture(folder, f"list_{page}", list_url, listing, html)
    return pages * mirror.PER_PAGE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=5000, help="articles in the mirror")
    args = parser.parse_args()
    pages = -(-args.pages // mirror.PER_PAGE)
    with tempfile.TemporaryDirectory() as tmp:
        replay = Path(tmp) / "captures"
        articles = generate(replay, pages)
        responses = articles + pages + 1  # articles, list pages, robots.txt
        print(f"mirror: {articles} articles, {pages} list pages, {responses} responses")
        for warc in (False, True):
            data = Path(tmp) / ("with" if warc else "without")
            seconds, records = crawl(replay, data, warc)
            jsonl = folder_bytes(data / "articles")
            warcs = folder_bytes(data / "warc")
            print(
                f"{'with WARC   ' if warc else 'without WARC'}: {seconds:6.1f} s,"
                f" {responses / seconds:6.1f} responses/s, {records} records,"
                f" JSONL {jsonl / 1e6:.1f} MB, WARC {warcs / 1e6:.1f} MB"
                f" ({warcs / responses / 1e3:.2f} kB per response)"
            )


if __name__ == "__main__":
    main()
