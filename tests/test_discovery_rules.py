"""What URL shapes say (document ids, id patterns, article_url regexes), list drift verdicts and
the profile proposer (issue 14)."""

from __future__ import annotations

import re

import pytest

from govcrawler.archive.capture_files import load_captures
from govcrawler.archive.labelled_lists import fixture_list_pages
from govcrawler.extraction.decode import decode_html
from govcrawler.extraction.drift import list_drift
from govcrawler.extraction.proposal import ColumnPage, propose
from govcrawler.extraction.url_shapes import (
    article_url_regex,
    document_id,
    infer_id_pattern,
    looks_like_article_url,
    looks_like_list_url,
    url_shape,
)
from govcrawler.sites import all_profiles, get_profile
from tests.conftest import FIXTURES

FAMILY_KINDS = ("trs", "founder", "hanweb", "jeecms", "vsb")


@pytest.mark.parametrize(
    ("url", "doc"),
    [
        ("https://www.ccdi.gov.cn/scdcn/zggb/zjsc/202203/t20220301_174980.html", "174980"),
        ("http://www.hebcdi.gov.cn/2017-11/23/content_6690471.htm", "6690471"),
        ("https://www.jssjw.gov.cn/art/2018/5/25/art_17_123135.html", "123135"),
        ("https://www.qinfeng.gov.cn/info/1896/76730.htm", "76730"),
        ("http://www.hnlzw.net/page.php?xuh=48306", "48306"),
        ("http://www.hljjjjc.gov.cn/news_show.php?cid=15&id=2301", "2301"),
        (
            "http://www.scjc.gov.cn/scjc/scdc/2022/2/21/150152b33f374c29a053094a5de9d674.shtml",
            "150152b33f374c29a053094a5de9d674",
        ),
        (
            "http://www.hnsjct.gov.cn/x/zjsc/article63005d65ce7b4aae9acafe1d7e13a48e.html",
            "63005d65ce7b4aae9acafe1d7e13a48e",
        ),
        ("http://www.lnsjjjc.gov.cn/gktb/system/2017/10/30/010021237.shtml", "010021237"),
        ("http://www.zjsjw.gov.cn/yixiankuaixun/201705/t20170505_2604502_ext.html", "2604502"),
        ("http://www.jjjc.yn.gov.cn/info-124-48999.html", "48999"),
        # List pages, folders and sections carry no document id.
        ("http://www.gzdis.gov.cn/gzdt/jlsc/", None),
        ("http://www.gzdis.gov.cn/gzdt/jlsc/index_1.html", None),
        ("http://www.hebcdi.gov.cn/node_122866_2.htm", None),
        ("http://www.hljjjjc.gov.cn/news.php?cid=15&page=2", None),
        ("http://www.hbjwjc.gov.cn/info/iList.jsp?site_id=CMShbjct&cat_id=10007", None),
        ("http://www.jjjc.yn.gov.cn/list-5.html?page=2", None),
    ],
)
def test_document_id(url: str, doc: str | None) -> None:
    assert document_id(url) == doc
    assert looks_like_article_url(url) == (doc is not None)


def test_list_urls_and_shapes() -> None:
    assert looks_like_list_url("https://www.jssjw.gov.cn/col/col232/index.html")
    assert not looks_like_list_url("https://www.jssjw.gov.cn/art/2018/5/25/art_17_123135.html")
    assert url_shape("https://www.ccdi.gov.cn/scdcn/zjsc/202603/t20260312_470231.html") == (
        "/scdcn/zjsc/#/t#_#.html"
    )
    assert url_shape("http://www.hnlzw.net/page.php?xuh=48306") == "/page.php?xuh=#"


def _fixture_article_urls(site: str) -> list[str]:
    return [u for p in fixture_list_pages(FIXTURES / site) for u in p.article_urls]


@pytest.mark.parametrize("site", [k for k, p in all_profiles().items() if p.id_pattern is not None])
def test_inferred_id_pattern_gives_the_profiles_ids(site: str) -> None:
    """From the fixture list pages' article URLs alone, the same ids the profile's pattern gives."""
    urls = _fixture_article_urls(site)
    profile = get_profile(site)
    assert profile.id_pattern is not None
    pattern = infer_id_pattern(urls)
    assert pattern is not None
    for url in urls:
        mine, theirs = re.search(pattern, url), profile.id_pattern.search(url)
        assert mine and theirs and mine[1] == theirs[1], url


def test_id_pattern_refuses_urls_that_disagree() -> None:
    assert infer_id_pattern(["http://a.cn/p/101.html", "http://a.cn/p/102.html"]) == (
        r"/(\d+)\.html$"
    )
    assert infer_id_pattern(["http://a.cn/p/101.html", "http://a.cn/list/"]) is None
    assert infer_id_pattern(["http://a.cn/list/", "http://a.cn/about/"]) is None


def test_article_url_regex_drops_the_column_and_keeps_the_shape() -> None:
    urls = [
        "https://www.ccdi.gov.cn/scdcn/zggb/zjsc/202603/t20260312_470231.html",
        "https://www.ccdi.gov.cn/scdcn/zggb/zjsc/202602/t20260227_469001.html",
    ]
    regex = article_url_regex(urls, ["https://www.ccdi.gov.cn/scdcn/zggb/zjsc/"])
    assert regex == r"/\d+/t\d+_\d+\.html$"
    assert re.search(regex, "https://www.ccdi.gov.cn/yaowenn/202601/t20260105_460000.html")
    assert not re.search(regex, "https://www.ccdi.gov.cn/yaowenn/index_1.html")
    assert article_url_regex(["http://www.hnlzw.net/page.php?xuh=1"]) == r"/page\.php\?xuh=\d+$"


@pytest.mark.parametrize(
    ("profile", "discovered", "last", "drifted", "use", "reason"),
    [
        (
            [],
            list("abcdefghij"),
            20,
            True,
            "discovery",
            "matched 0 of last run's 20; discovery found 10",
        ),
        ([], [], 12, True, "none", "matched 0 of last run's 12; discovery found none"),
        ([], [], None, False, "none", "no article links"),
        (list("ab"), list("abcdefghij"), None, True, "both", "matched 2; discovery found 10"),
        (list("abc"), list("abcdefgh"), 20, True, "both", "matched 3 of last run's 20"),
        (list("abc"), list("abc"), 20, False, "profile", "matched 3"),  # a short last page
        (list("abcd"), list("wxyz"), None, True, "both", "only 0 in common"),
        (list("abcdefghij"), list("abcdefghi"), 10, False, "profile", "matched 10"),
    ],
)
def test_list_drift(
    *,
    profile: list[str],
    discovered: list[str],
    last: int | None,
    drifted: bool,
    use: str,
    reason: str,
) -> None:
    verdict = list_drift(profile, discovered, last)
    assert (verdict.drifted, verdict.use) == (drifted, use)
    assert reason in verdict.reason


def _column_pages(site: str) -> list[ColumnPage]:
    profile = get_profile(site)
    by_url = {c.url: c for c in load_captures(FIXTURES / site)}
    pages = []
    for column in profile.columns:
        capture = by_url.get(column.url)
        if capture is not None:
            html = decode_html(capture.body, capture.content_type).text
            pages.append(ColumnPage(column.name, capture.url, html))
    return pages


@pytest.mark.parametrize("site", sorted(all_profiles()))
def test_proposal_from_the_column_pages(site: str) -> None:
    """The proposed rules reproduce what the site's list fixtures expect."""
    pages = _column_pages(site)
    if not pages:
        pytest.skip(f"no capture of a {site} column's first page")
    proposal = propose(pages, site)
    profile = get_profile(site)
    assert set(proposal.domains) <= {d for d in profile.domains} | {"localhost"}
    expected = _fixture_article_urls(site)
    if proposal.article_url is not None:
        assert all(re.search(proposal.article_url, u) for u in expected)
        assert not any(re.search(proposal.article_url, c.url) for c in profile.columns)
    if proposal.id_pattern is not None:
        ids = [re.search(proposal.id_pattern, u) for u in dict.fromkeys(expected)]
        assert all(ids) and len({m[1] for m in ids if m}) == len(ids)
    if profile.pagination.kind in FAMILY_KINDS:
        assert proposal.pagination.kind == profile.pagination.kind
    assert len(proposal.found) == len(pages) and any(proposal.found)
