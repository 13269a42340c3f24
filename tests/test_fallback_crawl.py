"""A redesigned site in a real crawl: every fallback counted, one warning per site and run, and
reported as drift (exit 4) in the column's report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from govcrawler.archive.capture_files import load_captures
from govcrawler.cli import exit_codes
from tests.conftest import FIXTURES, read_json
from tests.test_crawl_e2e import read_jsonl, scrapy
from tests.test_generic_extraction import redesigned


def test_fallbacks_are_counted_and_logged_once(tmp_path: Path) -> None:
    replay = tmp_path / "captures" / "ccdi"
    replay.mkdir(parents=True)
    linked = read_json(FIXTURES / "ccdi" / "list_yaowen_1.expected.json")["article_urls"]
    for capture in load_captures(FIXTURES / "ccdi"):
        if capture.url in linked or capture.name in ("robots", "list_yaowen_1"):
            shutil.copy(capture.body_path.with_name(f"{capture.name}.capture.json"), replay)
            body = capture.body
            if capture.url in linked:
                body = redesigned(body.decode("utf-8")).encode("utf-8")
            (replay / capture.body_path.name).write_bytes(body)
    out = tmp_path / "out.jsonl"
    result = scrapy(
        "crawl", "ccdi", "-a", "columns=要闻", "-a", "max_pages=1",
        "-s", f"GOVCRAWLER_REPLAY={replay.parent}", "-O", str(out),
    )  # fmt: skip
    # Every record archived, the profile's body selectors drifted: exit 4 (drift), not 0 or 1.
    assert result.returncode == exit_codes.DRIFT, result.stderr[-3000:]
    records = read_jsonl(out)
    assert len(records) == len(linked)
    assert (
        f"column 要闻 (https://www.ccdi.gov.cn/yaowenn/index.html): drift, survived: article"
        f" body: the generic extractor made {len(linked)} record(s)"
    ) in result.stderr
    assert all(r["extractor"] == "generic" for r in records)
    assert f"'extract/fallback/ccdi': {len(linked)}" in result.stderr
    assert result.stderr.count("Was the site redesigned?") == 1
    assert json.dumps(records, ensure_ascii=False).count("分享") == 0
