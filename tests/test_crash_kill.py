"""Kill -9 at any moment, then rerun: every article exactly once in the completed run files.

A few hundred generated captures (CCDI's list/article markup around our own invented text) are
crawled by a subprocess that is SIGKILLed at several points, one kill also leaving a torn last
line; reruns then finish the job. The union of the completed JSONL files must equal one clean
full run: the same records, each id once, no truncated line, no `.part` file left.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from govcrawler.archive.warc_writer import payload_digest
from govcrawler.state.ledger import Ledger
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

BASE = "https://www.ccdi.gov.cn/yaowenn/"
PAGES, PER_PAGE = 20, 15  # 300 articles behind 20 list pages

LIST_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>要闻_中央纪委国家监委网站</title></head>
<body><div class="other_center fr"><div class="list_box fixed">
<ul class="list_news_dl2 fixed">
{items}
</ul></div>
<div class="page"><script type="text/javascript">createPageHTML({total}, {current}, "index", "html");</script></div>
</div></body></html>
"""
LIST_ITEM = """<li><div class="title"><a href="./202603/t202603{day:02d}_{doc}.html" target="_blank" title="{title}">{title}</a></div><div class="more">2026-03-{day:02d}</div></li>"""
ARTICLE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}"><meta name="ColumnName" content="要闻">
<title>{title}_中央纪委国家监委网站</title></head>
<body><section class="main fixed"><div class="Article_61">
<h2 class="tit">{title}</h2>
<h3 class="daty"><div class="daty_con"><em class="e e1">来源：中央纪委国家监委网站</em><em class="e e2">发布时间：2026-03-{day:02d} {hour:02d}:{minute:02d}</em></div></h3>
<div class="content">
<p>　　第{n}号通报显示，某市纪委监委围绕第{n}项专项监督任务，对{counties}个县区开展实地检查，发现并督促整改问题{found}个，追回资金{money}万元。</p>
<p>　　检查组在第{n}轮走访中逐项核对补贴台账与发放记录，对群众反映集中的第{n}类问题建立清单，明确整改时限和责任人，推动问题真改实改。</p>
<p>　　该市纪委监委有关负责同志表示，将把第{n}批问题线索纳入重点督办范围，对敷衍整改、虚假整改的严肃追责问责。</p>
</div></div></section>
<div class="footer">中央纪委国家监委网站 版权所有 京ICP备 15039510号</div></body></html>
"""


def write_capture(folder: Path, name: str, url: str, body: str, content_type: str) -> None:
    (folder / f"{name}.html").write_text(body, "utf-8")
    meta = {
        "url": url,
        "status": 200,
        "headers": {"Content-Type": content_type},
        "fetched_at": "2026-11-20T08:00:00Z",
    }
    (folder / f"{name}.capture.json").write_text(json.dumps(meta), "utf-8")


def generate_site(root: Path) -> set[str]:
    """Captures of a 要闻 column with PAGES list pages (TRS pagination) of PER_PAGE articles."""
    folder = root / "ccdi"
    folder.mkdir(parents=True)
    html = "text/html; charset=utf-8"
    write_capture(folder, "robots", "https://www.ccdi.gov.cn/robots.txt", "", "text/plain")
    ids = set()
    for page in range(PAGES):
        items = []
        for k in range(PER_PAGE):
            n = page * PER_PAGE + k
            doc, day = 600_000 - n, 28 - n // 12
            title = f"某市纪委监委开展第{n}轮专项监督检查"
            items.append(LIST_ITEM.format(day=day, doc=doc, title=title))
            article = ARTICLE.format(
                n=n,
                title=title,
                day=day,
                hour=8 + n % 10,
                minute=n % 60,
                counties=n % 7 + 2,
                found=n % 11 + 3,
                money=n % 13 + 1,
            )
            url = f"{BASE}202603/t202603{day:02d}_{doc}.html"
            write_capture(folder, f"article_{doc}", url, article, html)
            ids.add(f"ccdi:{doc}")
        listing = LIST_PAGE.format(items="\n".join(items), total=PAGES, current=page)
        list_url = f"{BASE}index.html" if page == 0 else f"{BASE}index_{page}.html"
        write_capture(folder, f"list_{page}", list_url, listing, html)
    return ids


def crawl_command(replay: Path, data: Path) -> list[str]:
    return [
        *(sys.executable, "-m", "scrapy", "crawl", "ccdi", "-a", "columns=要闻"),
        *("-s", f"GOVCRAWLER_REPLAY={replay}", "-s", f"GOVCRAWLER_DATA={data}"),
        *("-s", "GOVCRAWLER_BOILERPLATE_DIR=", "-s", "LOG_LEVEL=WARNING"),
    ]


def part_files(data: Path) -> set[Path]:
    folder = data / "articles" / "ccdi"
    return set(folder.glob("*.part")) if folder.exists() else set()


def crawl_and_kill(
    replay: Path, data: Path, log: Path, until: Callable[[float, int], bool]
) -> bool:
    """Start a crawl and SIGKILL it as soon as `until(seconds since start, lines this run has
    written)` holds; False if it finished first."""
    earlier = part_files(data)  # a killed run's file, recovered by this run
    started = time.monotonic()
    with log.open("wb") as err:
        process = subprocess.Popen(
            crawl_command(replay, data), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err
        )
        while process.poll() is None and time.monotonic() - started < 120:
            lines = sum(p.read_bytes().count(b"\n") for p in part_files(data) - earlier)
            if until(time.monotonic() - started, lines):
                process.send_signal(signal.SIGKILL)
                process.wait()
                return True
            time.sleep(0.005)
        process.wait(timeout=60)
    return False


def completed_records(data: Path) -> list[dict[str, Any]]:
    records = []
    for path in sorted((data / "articles" / "ccdi").glob("*.jsonl")):
        raw = path.read_bytes()
        assert raw.endswith(b"\n"), f"{path} ends in a truncated line"
        records += [json.loads(line) for line in raw.splitlines()]
    return records


def test_sigkill_at_any_point_then_rerun_archives_each_article_exactly_once(
    tmp_path: Path,
) -> None:
    replay = tmp_path / "captures"
    ids = generate_site(replay)
    assert len(ids) == PAGES * PER_PAGE

    clean_data = tmp_path / "clean"
    clean = subprocess.run(
        crawl_command(replay, clean_data), cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert clean.returncode == 0, clean.stderr[-3000:]
    expected = {r["id"]: r for r in completed_records(clean_data)}
    assert set(expected) == ids

    data = tmp_path / "killed"
    kills: list[Callable[[float, int], bool]] = [
        lambda seconds, lines: seconds > 0.3,  # while Scrapy is still starting up
        lambda seconds, lines: lines >= 40,
        lambda seconds, lines: lines >= 70,
        lambda seconds, lines: lines >= 5,
        lambda seconds, lines: lines >= 90,
    ]
    for number, until in enumerate(kills):
        log = tmp_path / f"run{number}.log"
        assert crawl_and_kill(replay, data, log, until), f"crawl {number} finished before its kill"
        if number in (2, 4):
            (part,) = part_files(data)
            archived = {r["id"] for r in completed_records(data)}
            archived |= {json.loads(line)["id"] for line in part.read_bytes().splitlines()}
            line = json.dumps(expected[min(ids - archived)], ensure_ascii=False).encode() + b"\n"
            with part.open("ab") as fh:
                if number == 2:  # as if killed in the middle of writing a line
                    torn_id = min(ids - archived)
                    fh.write(line[:77])
                else:  # as if killed after the line was on disk, before the ledger knew
                    unrecorded_id = min(ids - archived)
                    fh.write(line)
    assert "Cut a torn last line (77 bytes)" in (tmp_path / "run3.log").read_text("utf-8")

    last = subprocess.run(
        crawl_command(replay, data), cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert last.returncode == 0, last.stderr[-3000:]

    assert list((data / "articles" / "ccdi").glob("*.part")) == []
    got = completed_records(data)
    got_ids = [r["id"] for r in got]
    assert len(got_ids) == len(set(got_ids)), "an article was archived twice"
    assert set(got_ids) == ids
    # Same records; their WARC evidence names this archive's own captures, each readable.
    location = ("warc_file", "warc_record_id", "warc_offset")
    assert {r["id"]: {k: v for k, v in r.items() if k not in location} for r in got} == {
        i: {k: v for k, v in r.items() if k not in location} for i, r in expected.items()
    }
    assert list((data / "warc").glob("*.part")) == []
    for record in got:
        if record["id"] == unrecorded_id:
            continue  # written into the .part by the test, naming the clean run's capture
        with (data / "warc" / record["warc_file"]).open("rb") as fh:
            fh.seek(record["warc_offset"])
            warc = next(iter(ArchiveIterator(fh)))
            assert warc.rec_headers.get_header("WARC-Record-ID") == record["warc_record_id"]
            assert payload_digest(warc.raw_stream.read()) == record["payload_digest"]
    for path in (data / "warc").glob("*.warc.gz"):
        with path.open("rb") as fh:
            assert sum(1 for _ in ArchiveIterator(fh)) > 1
    ledger = Ledger(data / "state.sqlite")
    assert ledger.counts()["articles"] == len(ids)
    assert ledger.pending("ccdi") == []
    assert torn_id in got_ids  # the torn article was fetched again …
    assert (
        got_ids.count(unrecorded_id) == 1
    )  # … the unrecorded one was not (recovery told the ledger)
