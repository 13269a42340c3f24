"""`govcrawler check-site`: its pure core in-process, the command against replay captures only."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from govcrawler.archive.capture_files import Capture, load_captures
from govcrawler.cli.check_site import (
    ArticleReport,
    ListReport,
    check_article,
    check_list,
    check_settings,
    rule_matches,
)
from govcrawler.cli.main import main
from govcrawler.sites import all_profiles, get_profile
from tests.conftest import FIXTURES, read_json


def capture_for(site: str, url: str) -> Capture:
    """The capture a replay answers `url` with."""
    return next(c for c in load_captures(FIXTURES / site) if c.url == url)


def test_list_report_matches_the_list_capture() -> None:
    profile = get_profile("anhui")
    column = profile.columns[0]
    capture = capture_for("anhui", column.url)
    report = ListReport(column.name, column.url)
    check_list(capture.body, capture.url, capture.content_type, profile, report)
    expected = read_json(capture.expected_path)
    assert report.links == expected["article_urls"]
    assert report.next_page == expected["next_page"]
    assert report.items == len(expected["article_urls"]) and report.encoding == "utf-8"
    assert report.pagination.startswith("next_link:")


def test_article_report_names_the_matching_selectors_and_the_extractor() -> None:
    profile = get_profile("anhui")
    capture = capture_for("anhui", "http://www.ahjjjc.gov.cn/sggb/p/61102.html")
    report = ArticleReport(capture.url, "厅局级干部")
    check_article(capture.body, capture.url, capture.content_type, profile, report)
    record = read_json(capture.expected_path)["record"]
    assert report.extractor == "profile" and report.error is None
    assert report.fields["title"] == record["title"]
    assert report.fields["published_at"] == record["published_at"]
    assert report.rules["body"].startswith("div.article_content#content")
    assert report.evidence["published_at"] == "profile:meta_line"


def test_a_redesigned_page_shows_the_fallback() -> None:
    profile = get_profile("anhui")
    html = (
        "<html><head><title>新版页面标题_安徽纪检监察网</title></head><body><div class='new-layout'>"
        "<h1>新版页面标题</h1>"
        + "<p>改版后的正文段落，内容足够长，以便通用抽取器能够找到正文区域并输出结果。</p>" * 5
        + "</div></body></html>"
    )
    report = ArticleReport("http://www.ahjjjc.gov.cn/sggb/p/1.html", "厅局级干部")
    check_article(html.encode(), report.url, "text/html; charset=utf-8", profile, report)
    assert report.extractor == "generic"
    assert report.rules["body"] == "no selector matched"
    assert rule_matches(html, profile.article)["title"] == "no selector matched"


def test_live_settings_stay_polite_and_replay_settings_replay() -> None:
    live = check_settings(True, FIXTURES)
    assert live.get("GOVCRAWLER_REPLAY") == "" and live.getbool("ROBOTSTXT_OBEY")
    assert "govcrawler" in live.get("USER_AGENT") and live.getfloat("DOWNLOAD_DELAY") >= 1
    assert live.getdict("FEEDS") == {}
    replay = check_settings(False, FIXTURES, Path("/tmp/scratch"))
    assert replay.get("GOVCRAWLER_REPLAY") == str(FIXTURES)
    assert replay.get("GOVCRAWLER_DATA") == "/tmp/scratch"  # the user's archive is left alone
    assert replay.get("GOVCRAWLER_BOILERPLATE_DIR") == ""


def check_site(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govcrawler.cli.main", "check-site", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.e2e
@pytest.mark.parametrize("site", sorted(all_profiles()))
def test_check_site_replays_one_list_page_per_column_and_one_article(site: str) -> None:
    result = check_site(site, "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    profile = get_profile(site)
    assert report["ok"] and [c["column"] for c in report["columns"]] == [
        c.name for c in profile.columns
    ]
    for column in report["columns"]:
        expected = read_json(capture_for(site, column["url"]).expected_path)
        assert column["links"] == expected["article_urls"]
        assert column["next_page"] == expected["next_page"]
    article = report["article"]
    assert article["url"] == report["columns"][0]["links"][0]
    expected = read_json(capture_for(site, article["url"]).expected_path)
    if expected["kind"] == "redirect":  # 辽宁's stub: the report follows it, like the crawl
        assert article["final_url"] == expected["location"]
        expected = read_json(capture_for(site, expected["location"]).expected_path)
    record = expected["record"]
    assert article["extractor"] == record["extractor"] == "profile"
    assert article["fields"]["title"] == record["title"]


@pytest.mark.e2e
def test_check_site_flags_a_column_without_links(tmp_path: Path) -> None:
    captures = tmp_path / "anhui"
    shutil.copytree(FIXTURES / "anhui", captures)
    page = captures / "list_sggb286_1.html"
    page.write_text(page.read_text("utf-8").replace("news_row", "news_grid"), "utf-8")
    result = check_site("anhui", "--fixtures", str(tmp_path))
    assert result.returncode == 1
    assert "column 县处级及以下" in result.stdout
    assert "article links: 0" in result.stdout and "WARNING: no article links" in result.stdout
    assert result.stdout.rstrip().endswith("verdict: NEEDS ATTENTION")


def test_unknown_site_or_missing_captures_is_a_clear_error(tmp_path: Path) -> None:
    assert main(["check-site", "atlantis"]) == 2
    assert main(["check-site", "anhui", "--fixtures", str(tmp_path)]) == 2
