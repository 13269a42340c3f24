"""Benchmark of the crawl ledger at scale (a script, not a test): time and peak memory.

Fills a fresh ledger with N articles (default 1,000,000) through the Ledger API in batches, then
times what a crawl does with it:
- lookups by id, half of them hits and half misses (what `plan()` asks for every linked article);
- `first_seen` (the pagination-stop check) and the due-for-recheck query;
- `SiteState.plan` end to end (URL → id → ledger → decision) for known, not-due articles;
- single durable commits (synchronous=FULL, one per archived record, as in a crawl).
Peak memory is the process's maximum RSS (the SQLite page cache included) after each phase; the
inputs are generated lazily, so its growth is the ledger's own.

    .venv/bin/python bench/ledger.py                 # 1M articles in /tmp
    .venv/bin/python bench/ledger.py --articles 100000 --folder /srv/tmp
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govcrawler.sites import get_profile  # noqa: E402
from govcrawler.state.ledger import ArticleState, Ledger  # noqa: E402
from govcrawler.state.site_state import SiteState  # noqa: E402

SITES = ("ccdi", "anhui", "hebei", "jilin")
BATCH = 10_000
NOW = 1_800_000_000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def article(n: int) -> ArticleState:
    site = SITES[n % len(SITES)]
    return ArticleState(
        id=f"ccdi:{n}" if site == "ccdi" else f"{site}:{n}",
        site=site,
        url=f"https://www.ccdi.gov.cn/yaowenn/202603/t20260301_{n}.html",
        column="要闻",
        title=f"某市纪委监委通报第{n}起违反中央八项规定精神问题",
        published_at="2026-03-01T09:00:00+08:00",
        first_seen=NOW - n,
        last_fetched=NOW - (n * 7919) % (60 * 86_400),  # spread over 60 days
        last_status=200,
        etag=None,
        last_modified=None,
        content_sha256=f"{n:064x}",
        version=1,
        removed=False,
        file="articles/ccdi/20261128T000000Z.jsonl",
    )


def timed(label: str, count: int, seconds: float) -> None:
    print(
        f"{label:<44} {count:>9,}  {seconds:8.2f} s  {seconds / count * 1e6:9.1f} µs each"
        f"   peak RSS {peak_rss_mb():7.1f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=200_000)
    parser.add_argument("--commits", type=int, default=2_000)
    parser.add_argument("--folder", type=Path, default=None, help="where the ledger file goes")
    parser.add_argument("--keep", action="store_true", help="keep the ledger file afterwards")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ledger-bench-", dir=args.folder))
    path = folder / "state.sqlite"
    print(
        f"ledger: {path}   articles: {args.articles:,}   start RSS {peak_rss_mb():.1f} MB",
        flush=True,
    )

    ledger = Ledger(path)
    start = time.perf_counter()
    for first in range(0, args.articles, BATCH):
        with ledger.transaction():
            for n in range(first, min(first + BATCH, args.articles)):
                ledger.save_article(article(n))
    timed(f"insert (transactions of {BATCH:,})", args.articles, time.perf_counter() - start)
    size = sum(p.stat().st_size for p in folder.iterdir())
    print(
        f"{'ledger size on disk':<44} {size / 1e6:9.1f} MB ({size / args.articles:.0f} B/article)",
        flush=True,
    )

    def ids() -> Iterator[str]:
        """Random ccdi ids (multiples of 4); half lie beyond the filled range: misses."""
        rng = random.Random(4)
        for _ in range(args.lookups):
            yield f"ccdi:{rng.randrange(0, args.articles * 2) // 4 * 4}"

    start = time.perf_counter()
    hits = sum(ledger.article(i) is not None for i in ids())
    label = f"article(id) lookups ({hits / args.lookups:.0%} hits)"
    timed(label, args.lookups, time.perf_counter() - start)

    start = time.perf_counter()
    for i in ids():
        ledger.first_seen(i)
    timed("first_seen(id) (pagination stop check)", args.lookups, time.perf_counter() - start)

    start = time.perf_counter()
    due = ledger.due("ccdi", fetched_before=NOW - 30 * 86_400, limit=100)
    timed("due(site, limit=100) (re-check query)", 1, time.perf_counter() - start)
    assert len(due) == 100

    state = SiteState(get_profile("ccdi"), ledger, clock=lambda: NOW, recheck_days=90)
    rng = random.Random(5)
    start = time.perf_counter()
    planned = 0
    for _ in range(args.lookups):
        n = rng.randrange(0, args.articles) // 4 * 4
        url = f"https://www.ccdi.gov.cn/yaowenn/202603/t20260301_{n}.html"
        planned += state.plan(url) is not None
    timed("SiteState.plan(url), archived, not due", args.lookups, time.perf_counter() - start)
    assert planned == 0

    start = time.perf_counter()
    for n in range(args.articles, args.articles + args.commits):
        ledger.save_article(article(n))
    timed("single durable commits (one per record)", args.commits, time.perf_counter() - start)
    ledger.close()
    if args.keep:
        print(f"\nledger kept for inspection: {folder}", flush=True)
    else:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
