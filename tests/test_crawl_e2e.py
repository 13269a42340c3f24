"""End to end: the real Scrapy engine crawls the bundled captures in replay mode (subprocesses)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from govcrawler.archive.capture_files import load_captures
from govcrawler.archive.replay_scores import linked_articles
from govcrawler.export.pipelines import schema_errors
from govcrawler.sites import all_profiles
from tests.conftest import FIXTURES, ROOT, read_json

pytestmark = pytest.mark.e2e

WARC_EVIDENCE = ("warc_file", "warc_record_id", "warc_offset", "payload_digest")
FILE_EVIDENCE = ("warc_file", "warc_record_id", "warc_offset")


def without_evidence(record: dict[str, Any]) -> dict[str, Any]:
    """The record without its per-run WARC evidence (its own, and its files')."""
    out = {k: v for k, v in record.items() if k not in WARC_EVIDENCE}
    for key in ("images", "attachments"):
        out[key] = [
            {k: v for k, v in e.items() if k not in FILE_EVIDENCE} for e in record.get(key, [])
        ]
    return out


# Boilerplate that must never reach the archive, in both scripts.
BOILERPLATE = [
    "版权所有",
    "版權所有",
    "ICP备",
    "ICP備",
    "公网安备",
    "技术支持",
    "技術支持",
    "请输入验证码",
    "請輸入驗證碼",
    "手机站",
    "手機站",
    "客户端",
    "客戶端",
    "分享到",
    "微信扫一扫",
    "上一篇",
    "下一篇",
    "返回首页",
    "打印本页",
    "关闭窗口",
    "邮政编码",
    "郵政編碼",
    "往期回顾",
]


def expected_crawl(site: str) -> dict[str, dict[str, Any]]:
    """Expected records of the articles the site's list pages link to, by id."""
    return {r["id"]: r for r in linked_articles(FIXTURES / site)[0].values()}


def planted_misses(site: str) -> int:
    """How many linked captures are planted non-articles (challenge, captcha, empty page …)."""
    return linked_articles(FIXTURES / site)[1]


def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    """`scrapy <args>` from the project folder; learned boilerplate stays in memory, and each
    crawl gets a fresh archive and ledger in a temporary folder (nothing written into the
    checkout, no run sees another's state)."""
    with tempfile.TemporaryDirectory() as data:
        crawl_args = (
            ["-s", "GOVCRAWLER_BOILERPLATE_DIR=", "-s", f"GOVCRAWLER_DATA={data}"]
            if args and args[0] == "crawl"
            else []
        )
        return subprocess.run(
            [sys.executable, "-m", "scrapy", *args, *crawl_args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_scrapy_list_shows_every_site() -> None:
    result = scrapy("list")
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == set(all_profiles())


@pytest.mark.parametrize("site", sorted(all_profiles()))
def test_replay_crawl_exports_exactly_the_expected_records(site: str, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = scrapy("crawl", site, "-s", f"GOVCRAWLER_REPLAY={FIXTURES}", "-O", str(out))
    # Exit 1 when the captures plant pages that are no article (they stay pending), else 0.
    assert result.returncode == (1 if planted_misses(site) else 0), result.stderr[-3000:]
    raw = out.read_text("utf-8")
    assert "\\u" not in raw  # UTF-8, not escapes
    records = read_jsonl(out)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    expected = expected_crawl(site)
    assert sorted(ids) == sorted(expected)
    for record in records:
        assert schema_errors(record) == []
        # The WARC evidence differs per run (record ids, file names); test_warc_e2e.py follows it.
        assert without_evidence(record) == without_evidence(expected[record["id"]])
        assert all(record[k] is not None for k in WARC_EVIDENCE)
        for entry in [*record["images"], *record["attachments"]]:  # every file linked is kept
            assert entry["reason"] is None, entry
            assert all(entry[k] is not None for k in FILE_EVIDENCE), entry
        text = record["title"] + record["body"]
        assert not [p for p in BOILERPLATE if p in text], record["id"]
    assert "replay/miss" not in result.stderr


def test_blocked_pages_are_counted_and_logged_not_exported(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = scrapy("crawl", "ccdi", "-s", f"GOVCRAWLER_REPLAY={FIXTURES}", "-O", str(out))
    assert "'govcrawler/blocked/captcha': 1" in result.stderr
    assert "'govcrawler/blocked/challenge': 1" in result.stderr
    assert (
        "Blocked (captcha page) at https://www.ccdi.gov.cn/scdcn/zggb/zjsc/202602/t20260209_470003.html"
        in result.stderr
    )
    assert all(r["id"] not in ("ccdi:470003", "ccdi:470188") for r in read_jsonl(out))


def test_spider_arguments_limit_the_crawl(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    args = [
        "-a",
        "columns=要闻",
        "-a",
        "max_pages=1",
        "-s",
        f"GOVCRAWLER_REPLAY={FIXTURES}",
        "-O",
        str(out),
    ]
    result = scrapy("crawl", "ccdi", *args)
    assert result.returncode == 0, result.stderr[-3000:]
    list_1 = read_json(FIXTURES / "ccdi" / "list_yaowen_1.expected.json")["article_urls"]
    assert sorted(r["url"] for r in read_jsonl(out)) == sorted(list_1)

    since = tmp_path / "since.jsonl"
    result = scrapy(
        "crawl",
        "ccdi",
        "-a",
        "since=2026-03-10",
        "-s",
        f"GOVCRAWLER_REPLAY={FIXTURES}",
        "-O",
        str(since),
    )
    assert result.returncode == 0
    dates = [r["published_at"][:10] for r in read_jsonl(since)]
    assert dates and min(dates) >= "2026-03-10"
    assert "entirely older than 2026-03-10" in result.stderr


def test_demo_writes_dated_jsonl_per_site_and_a_summary(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "govcrawler.cli.main", "demo", "--data", str(data)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for site in ("ccdi", "anhui"):
        files = list((data / "articles" / site).iterdir())
        assert len(files) == 1 and files[0].suffix == ".jsonl", files  # no .part left behind
        assert len(read_jsonl(files[0])) == len(expected_crawl(site))
        assert f"output: {files[0]}" in result.stdout
    assert (
        "captcha=1" in result.stdout
        and "challenge=1" in result.stdout
        and "empty=1" in result.stdout
    )


def test_missing_capture_is_a_counted_miss_not_a_crash(tmp_path: Path) -> None:
    replay = tmp_path / "captures" / "anhui"
    replay.mkdir(parents=True)
    for name in ("list_sggb286_1", "robots"):
        for path in (FIXTURES / "anhui").glob(f"{name}.*"):
            if not path.name.endswith(".expected.json"):
                shutil.copy(path, replay / path.name)
    out = tmp_path / "out.jsonl"
    result = scrapy(
        "crawl",
        "anhui",
        "-a",
        "columns=县处级及以下",
        "-s",
        f"GOVCRAWLER_REPLAY={replay.parent}",
        "-O",
        str(out),
    )
    # Not a crash: the three missed articles are pending (HTTP 404), so the run says so (exit 1).
    assert result.returncode == 1, result.stderr[-3000:]
    assert "3 articles not archived, asked for again next run (http_404 3)" in result.stderr
    assert "'replay/miss': 3" in result.stderr  # the three article links of the list page
    assert (
        "Replay miss (no capture): http://www.ahjjjc.gov.cn/sggb286/p/61241.html" in result.stderr
    )
    assert out.read_text("utf-8") == ""


@pytest.mark.parametrize(
    ("site", "stats"),
    [
        # 辽宁: one list link is a meta-refresh stub (Scrapy follows it, we count it).
        ("liaoning", ["'govcrawler/followed/meta_refresh': 1"]),
        # 山西: two JS shield stubs are followed once each; one answers with a stub again.
        ("shanxi", ["'govcrawler/followed/js_redirect': 2", "'govcrawler/blocked/challenge': 1"]),
    ],
)
def test_redirect_stubs_are_followed_once_and_counted(
    site: str, stats: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    result = scrapy("crawl", site, "-s", f"GOVCRAWLER_REPLAY={FIXTURES}", "-O", str(out))
    assert result.returncode == (1 if planted_misses(site) else 0), result.stderr[-3000:]
    assert [s for s in stats if s not in result.stderr] == []
    followed = {r["url"] for r in read_jsonl(out)}
    stubs = {
        read_json(c.expected_path)["location"]
        for c in load_captures(FIXTURES / site)
        if c.expected_path and read_json(c.expected_path)["kind"] == "redirect"
    }
    # Every stub's target that is an article was exported under the target's URL.
    articles = {
        c.url
        for c in load_captures(FIXTURES / site)
        if c.expected_path and read_json(c.expected_path)["kind"] == "article"
    }
    assert stubs & articles and stubs & articles <= followed
