"""Real CCDI pages (third-party captures in ../shared, never copied here) against their ground truth.

`govcrawler extract --site ccdi` runs over every page as a user would; title, published_at,
source and author must be exact, and the body's character-bigram F1 at least 0.99 on every page.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from govcrawler.evaluation import (
    body_score,
    leaked_phrases,
    load_cases,
    read_split,
    split_by_host,
)
from govcrawler.extraction.article import Extraction, Rejection, extract_article
from govcrawler.extraction.decode import decode_html
from govcrawler.sites import profile_for_url
from tests.conftest import DATA, ROOT, read_json, shared_path

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


def _measure(
    folder: str, use_profile: bool, half: str | None = None
) -> tuple[list[float], int, int, int]:
    """(body F1 per page, pages with a leak, pages with every field exact, pages with fields);
    `half` keeps only the pages of that half of the committed host split."""
    cases = load_cases(shared_path("realpages", folder))
    if half is not None:
        split = read_split(DATA / "realpages_split.tsv")
        cases = [c for c in cases if split[c.host] == half]
    scores, leaks, exact, with_fields = [], 0, 0, 0
    for case in cases:
        profile = profile_for_url(case.url) if (use_profile and case.url) else None
        result = extract_article(decode_html(case.html).text, case.url or "", profile)
        body = result.body if isinstance(result, Extraction) else ""
        if case.body is not None:
            scores.append(body_score(body, case.body).f1)
        leaks += bool(leaked_phrases(body, case.body or "", case.without_snippets))
        if case.fields:
            with_fields += 1
            exact += isinstance(result, Extraction) and all(
                getattr(result, k) == v for k, v in case.fields.items()
            )
    return scores, leaks, exact, with_fields


def test_quality_floors_generic_pages_without_profile() -> None:
    """Floor from the measured 0.9859 (BENCHMARKS.md, 2026-12-06), zero leaks."""
    scores, leaks, _, _ = _measure("generic", use_profile=False)
    mean = sum(scores) / len(scores)
    print(
        f"generic real pages: mean body F1 {mean:.4f} over {len(scores)} pages, {leaks} with leaks"
    )
    assert mean >= 0.98 and leaks == 0


def test_corpus_split_is_the_committed_one() -> None:
    """The host list in tests/data is what split_by_host gives on the corpus: nobody moved a host."""
    cases = load_cases(shared_path("realpages", "corpus"))
    assert split_by_host(cases) == read_split(DATA / "realpages_split.tsv")


@pytest.mark.parametrize(("half", "floor"), [("tuning", 0.995), ("checking", 0.985)])
def test_quality_floors_corpus_halves_without_profile(half: str, floor: float) -> None:
    """Floors from the measured means (tuning 0.9987, checking 0.9881; BENCHMARKS.md,
    2026-12-06); no page leaks boilerplate and none is refused."""
    scores, leaks, _, _ = _measure("corpus", use_profile=False, half=half)
    mean = sum(scores) / len(scores)
    print(f"corpus {half}: mean body F1 {mean:.4f} over {len(scores)} pages, {leaks} with leaks")
    assert mean >= floor and leaks == 0 and min(scores) > 0


def test_real_government_pages_are_records_unless_the_html_holds_no_article() -> None:
    """Every real article page whose text is in its HTML becomes a record; the one whose article
    a script loads (only `|简|繁|EN|邮箱|` in the HTML), the list pages and search result pages
    are rejections with a reason, never records."""
    folder = shared_path("realpages", "gov")
    reasons = {}
    for page in sorted(folder.glob("*/*.html")) + sorted(
        shared_path("realpages", "ccdi", "search").glob("*.html")
    ):
        result = extract_article(decode_html(page.read_bytes()).text, "", None)
        reasons[page.name] = result.reason if isinstance(result, Rejection) else "record"
    articles = {p.name for p in (folder / "articles").glob("*.html")}
    assert reasons.pop("www.gov.cn__gne_other_1.html") == "navigation_only"
    assert all(reasons[name] == "record" for name in articles - {"www.gov.cn__gne_other_1.html"})
    assert all(reason != "record" for name, reason in reasons.items() if name not in articles)


def test_quality_floors_ccdi_with_profile_and_generic_alone() -> None:
    """Issue 3 bars on CCDI: mean F1 ≥ 0.998, none below 0.99, fields exact on ≥ 98 %, no leaks;
    the generic extractor alone, which knows no CCDI byline opener, measured 0.9996 and 280/280
    fields (2026-12-06): held to 0.998 and 98 %."""
    for use_profile, mean_floor, fields_floor in ((True, 0.998, 0.98), (False, 0.998, 0.98)):
        scores, leaks, exact, total = _measure("ccdi", use_profile)
        mean = sum(scores) / len(scores)
        label = "profile" if use_profile else "generic"
        print(
            f"ccdi ({label}): mean F1 {mean:.4f}, min {min(scores):.4f}, fields exact {exact}/{total}, leaks {leaks}"
        )
        assert mean >= mean_floor and leaks == 0 and exact >= fields_floor * total
        if use_profile:
            assert min(scores) >= 0.99
