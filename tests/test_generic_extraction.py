"""The generic extractor on hand-written pages, one per heuristic (each case's `why` says which),
and the profile/generic disagreement fallback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govcrawler.evaluation import Case, body_score, leaked_phrases, load_cases
from govcrawler.extraction.article import Extraction, extract_article
from govcrawler.extraction.decode import decode_html
from govcrawler.sites import get_profile
from tests.conftest import DATA, FIXTURES, read_json

CASES = load_cases(DATA / "generic")


def test_every_case_says_why_it_exists() -> None:
    assert len(CASES) >= 6
    for path in (DATA / "generic").glob("*.json"):
        assert read_json(path)["why"], path.name


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_generic_case(case: Case) -> None:
    result = extract_article(decode_html(case.html).text, case.url or "", None)
    assert isinstance(result, Extraction)
    assert result.extractor == "generic"
    assert case.body is not None
    assert result.body == case.body, body_score(result.body, case.body)
    assert leaked_phrases(result.body, case.body, case.without_snippets) == []
    for field, value in case.fields.items():
        assert getattr(result, field) == value, field


def redesigned(html: str) -> str:
    """A CCDI page after an (invented) redesign: the body container is renamed."""
    return html.replace('class="content"', 'class="article-text"').replace(
        "Article_61", "article-main"
    )


def test_profile_that_finds_nothing_falls_back_to_generic_with_a_reason() -> None:
    capture = read_json(FIXTURES / "ccdi" / "article_standard_1.capture.json")
    expected = read_json(FIXTURES / "ccdi" / "article_standard_1.expected.json")["record"]
    html = redesigned((FIXTURES / "ccdi" / "article_standard_1.html").read_text("utf-8"))
    result = extract_article(html, capture["url"], get_profile("ccdi"))
    assert isinstance(result, Extraction)
    assert result.extractor == "generic"
    assert result.fallback == "profile body selectors matched nothing"
    assert result.body == expected["body"]
    assert (result.title, result.published_at, result.source) == (
        expected["title"],
        expected["published_at"],
        expected["source"],
    )


def test_profile_that_finds_far_less_text_falls_back() -> None:
    paragraphs = "".join(
        f"<p>第{i}段：某某县纪委监委聚焦群众身边的不正之风和腐败问题，持续开展专项整治，推动解决了一批急难愁盼问题。</p>"
        for i in range(6)
    )
    html = (
        "<html><head><title>某县推进专项整治</title></head><body>"
        "<div class='content'>分享到：</div>"  # what the old selector now finds: a share widget
        f"<div class='news-body'><h1>某县推进专项整治</h1>{paragraphs}</div></body></html>"
    )
    result = extract_article(
        html, "https://www.ccdi.gov.cn/yaowenn/202603/t20260301_480001.html", get_profile("ccdi")
    )
    assert isinstance(result, Extraction)
    assert result.extractor == "generic" and result.fallback and "generic found" in result.fallback
    assert result.body.count("\n") == 5


def test_short_profile_body_that_agrees_with_generic_is_kept() -> None:
    capture = read_json(FIXTURES / "ccdi" / "article_case_1.capture.json")
    html = (FIXTURES / "ccdi" / "article_case_1.html").read_text("utf-8")
    result = extract_article(html, capture["url"], get_profile("ccdi"))
    assert isinstance(result, Extraction)
    assert result.extractor == "profile" and result.fallback is None


def test_benchmark_folder_format_is_shared_with_realpages(tmp_path: Path) -> None:
    """tests/data/generic uses the `<id>.html` + `<id>.json` layout of ../shared/realpages/generic."""
    (tmp_path / "x.html").write_text("<p>正文。</p>", "utf-8")
    (tmp_path / "x.json").write_text(
        json.dumps({"url": "http://a.example/", "with": ["正文"]}), "utf-8"
    )
    (case,) = load_cases(tmp_path)
    assert case.with_snippets == ("正文",) and case.body is None and case.fields == {}
