"""Live case rows: a replay crawl of the bundled captures with -s GOVCRAWLER_CASES=1 writes
data/cases/<site>/<run>.jsonl beside the run's articles; without it, nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from govcrawler.extraction.cases import extract_cases

from .conftest import FIXTURES, ROOT


def crawl(data: Path, *settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "ccdi",
            "-s",
            f"GOVCRAWLER_REPLAY={FIXTURES}",
            "-s",
            f"GOVCRAWLER_DATA={data}",
            "-s",
            "GOVCRAWLER_BOILERPLATE_DIR=",
            *settings,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# CCDI's captures plant a challenge and a captcha page: they stay pending, so the run exits 1.
PLANTED_BLOCKED = 1


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_crawl_writes_case_rows_beside_the_articles(tmp_path: Path) -> None:
    result = crawl(tmp_path, "-s", "GOVCRAWLER_CASES=1")
    assert result.returncode == PLANTED_BLOCKED, result.stderr[-3000:]
    [articles] = (tmp_path / "articles" / "ccdi").glob("*.jsonl")
    [cases] = (tmp_path / "cases" / "ccdi").iterdir()
    assert cases.name == articles.name  # same run, no .part left
    expected = [row.to_dict() for record in lines(articles) for row in extract_cases(record)]
    rows = lines(cases)
    assert rows == expected and len(rows) >= 4
    assert {"韦长涛", "欧阳明澈", "冯景岚", "钟立衡"} <= {r["name"] for r in rows}
    assert f"'govcrawler/cases/rows': {len(rows)}" in result.stderr


def test_no_case_rows_unless_asked(tmp_path: Path) -> None:
    result = crawl(tmp_path)
    assert result.returncode == PLANTED_BLOCKED, result.stderr[-3000:]
    assert list((tmp_path / "articles" / "ccdi").glob("*.jsonl"))
    assert not (tmp_path / "cases").exists()


def test_a_killed_runs_case_file_is_completed_at_the_next_start(tmp_path: Path) -> None:
    folder = tmp_path / "cases" / "ccdi"
    folder.mkdir(parents=True)
    kept = {"id": "ccdi:x#温一舟", "article_id": "ccdi:x", "name": "温一舟"}
    (folder / "20261101T000000Z.jsonl.part").write_text(
        json.dumps(kept, ensure_ascii=False) + '\n{"id": "ccdi:y#torn', "utf-8"
    )
    result = crawl(tmp_path, "-s", "GOVCRAWLER_CASES=1")
    assert result.returncode == PLANTED_BLOCKED, result.stderr[-3000:]
    assert lines(folder / "20261101T000000Z.jsonl") == [kept]  # the torn line cut
    assert not list(folder.glob("*.part"))
