"""Real CCDI pages (third-party captures in ../shared, never copied here) against their ground truth.

`govcrawler extract --site ccdi` runs over every page as a user would; title, published_at,
source and author must be exact, and the body's character-bigram F1 at least 0.99 on every page.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from govcrawler.evaluation import body_score
from tests.conftest import ROOT, read_json, shared_path

pytestmark = pytest.mark.realpages
MIN_F1 = 0.99


def test_ccdi_real_pages_match_ground_truth() -> None:
    articles = shared_path("realpages", "ccdi", "articles")
    truth_dir = shared_path("realpages", "ccdi", "groundtruth")
    pages = sorted(articles.glob("*.html"))
    assert len(pages) >= 70
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "govcrawler.cli.main",
            "extract",
            "--site",
            "ccdi",
            *map(str, pages),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(pages)  # one line per file, in the order given
    scores, problems = [], []
    for page, got in zip(pages, lines, strict=True):
        truth = read_json(truth_dir / f"{page.stem}.json")
        if "error" in got:
            problems.append(f"{page.stem}: rejected ({got['error']})")
            continue
        for field in ("title", "published_at", "source", "author"):
            if got[field] != truth[field]:
                problems.append(f"{page.stem}: {field} {got[field]!r} != {truth[field]!r}")
        score = body_score(got["body"], truth["body"]).f1
        scores.append(score)
        if score < MIN_F1:
            problems.append(f"{page.stem}: body F1 {score:.4f}")
    print(
        f"ccdi real pages: {len(scores)} scored, mean body F1 {sum(scores) / len(scores):.4f}, min {min(scores):.4f}"
    )
    assert problems == []


def test_real_challenge_and_captcha_pages_print_an_error_line() -> None:
    other = shared_path("realpages", "ccdi", "other")
    files = [other / "antibot_challenge.html", other / "captcha_slider_seccaptcha.html"]
    result = subprocess.run(
        [sys.executable, "-m", "govcrawler.cli.main", "extract", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["error"], line["file"]) for line in lines] == [
        ("challenge", str(files[0])),
        ("captcha", str(files[1])),
    ]
