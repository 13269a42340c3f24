"""A list page as the crawl reads it (issue 14): the profile's rules first, discovery beside them
where they find nothing, far fewer links than last run, or no next page, and a guessed next page
where a script draws the pager of a profile without pagination."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from govcrawler.archive.redesign import redesign_html
from govcrawler.extraction.decode import decode_html
from govcrawler.extraction.list_walk import needs_discovery, next_list_page, read_list
from govcrawler.extraction.paging_guess import guess_next_page
from govcrawler.sites import SiteProfile, get_profile
from govcrawler.sites.minimal import minimal_profile
from tests.conftest import FIXTURES, read_json


def fixture_page(site: str, name: str) -> tuple[str, str, list[str], str | None]:
    """(html, url, the labelled article links, the labelled next page) of a fixture list page."""
    capture = read_json(FIXTURES / site / f"{name}.capture.json")
    expected = read_json(FIXTURES / site / f"{name}.expected.json")
    body = (FIXTURES / site / f"{name}.html").read_bytes()
    html = decode_html(body, capture["headers"].get("Content-Type")).text
    return html, capture["url"], expected["article_urls"], expected["next_page"]


ANHUI = get_profile("anhui")  # [list] items + `next_link` pagination: both break in a redesign


def test_a_working_profile_is_read_alone() -> None:
    html, url, labelled, _ = fixture_page("anhui", "list_sggb_1")
    reading = read_list(html, url, ANHUI, last_count=len(labelled))
    assert [e.url for e in reading.entries] == labelled
    assert reading.drift is None and reading.discovered == 0


def test_a_selector_that_matches_nothing_is_drift_and_discovery_stands_in() -> None:
    html, url, labelled, _ = fixture_page("anhui", "list_sggb_1")
    reading = read_list(redesign_html(html), url, ANHUI, last_count=20)
    assert [e.url for e in reading.entries] == labelled
    assert reading.drift is not None and reading.drift.use == "discovery"
    assert reading.drift.reason == "list selector matched 0 of last run's 20; discovery found 3"
    assert reading.discovered == 3


def test_a_selector_matching_far_fewer_than_last_run_is_drift() -> None:
    """The old rule still matches one link where the page lists three, as last run saw."""
    html, url, labelled, _ = fixture_page("anhui", "list_sggb_1")
    narrow = replace(ANHUI, list=replace(ANHUI.list, article_url=re.compile(r"/61234\.html$")))
    assert len(read_list(html, url, narrow).entries) == 1  # no last count: discovery not asked
    reading = read_list(html, url, narrow, last_count=3)
    assert reading.drift is not None and reading.drift.use == "both"
    assert reading.drift.reason == "list selector matched 1 of last run's 3; discovery found 3"
    assert [e.url for e in reading.entries] == labelled and reading.discovered == 2


def test_a_minimal_profile_reads_by_discovery_without_drift() -> None:
    html, url, labelled, _ = fixture_page("anhui", "list_sggb_1")
    reading = read_list(redesign_html(html), url, minimal_profile(ANHUI), last_count=20)
    assert [e.url for e in reading.entries] == labelled
    assert reading.drift is None


@pytest.mark.parametrize(
    ("found", "last", "asked"),
    [(0, None, True), (0, 5, True), (3, None, False), (9, 20, True), (10, 20, False)],
)
def test_discovery_is_asked_only_when_it_can_change_the_answer(
    found: int, last: int | None, asked: bool
) -> None:
    assert needs_discovery(found, last) is asked


def test_a_paginator_that_finds_no_next_page_where_discovery_does_is_drift() -> None:
    html, url, _, labelled_next = fixture_page("anhui", "list_sggb_1")
    assert next_list_page(html, url, ANHUI, 1).drift is None
    after = next_list_page(redesign_html(html), url, ANHUI, 1)
    assert after.url == labelled_next and not after.guessed
    assert after.drift == (
        f"pagination (next_link) found no next page; discovery found {labelled_next}"
    )


def test_a_known_page_count_is_trusted_on_the_last_page() -> None:
    """河南 (template + `total`): on its last page the profile knows the count; discovery is not
    asked, so a pager a script draws cannot send the walk past it."""
    html, url, _, _ = fixture_page("henan", "list_zggb_zjsc_2")
    after = next_list_page(html, url, get_profile("henan"), 2)
    assert after.url is None and after.drift is None


def minimal(site: str) -> SiteProfile:
    return minimal_profile(get_profile(site))


@pytest.mark.parametrize(
    ("site", "page", "number"),
    [("henan", "list_zggb_zjsc_1", 1), ("xizang", "list_97_1", 1)],
)
def test_a_minimal_profile_guesses_where_a_script_draws_the_pager(
    site: str, page: str, number: int
) -> None:
    """河南's `#pageDiv` + page.js and 西藏's `page.pageCount = 2`: no link names page 2, and
    discovery finds none; a profile without pagination guesses it, even after a redesign."""
    html, url, _, labelled_next = fixture_page(site, page)
    for shown in (html, redesign_html(html)):
        after = next_list_page(shown, url, minimal(site), number)
        assert (after.url, after.guessed, after.drift) == (labelled_next, True, None)


def test_the_guess_stops_where_the_script_counts_no_more_pages() -> None:
    html, url, _, _ = fixture_page("xizang", "list_97_2")
    assert guess_next_page(html, url, 2).url is None


def page(body: str) -> str:
    return f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("body", "url", "number", "expected"),
    [
        ("<div id='pages'></div>", "http://a.cn/xw/list1.html", 1, "http://a.cn/xw/list2.html"),
        ("<script src='/js/fenye.js'></script>", "http://a.cn/xw/index_02.htm", 2, "http://a.cn/xw/index_03.htm"),
        ("<script>var totalPage = 4;</script>", "http://a.cn/l.php?c=7", 1, "http://a.cn/l.php?c=7&page=2"),
        ("<script>var totalPage = 4;</script>", "http://a.cn/l.php?c=7&pageNo=2", 2, "http://a.cn/l.php?c=7&pageNo=3"),
        ("<script>pageCount: 1</script>", "http://a.cn/xw/list1.html", 1, None),  # one page
        ("<div class='pagebar'><a href='#'>1</a></div>", "http://a.cn/xw/list1.html", 1, None),
        ("<div id='pages'></div>", "http://a.cn/xw/index.html", 1, None),  # nowhere to count
        ("<div id='pages'></div>", "http://a.cn/l.php?c=7", 1, None),  # no count: no param guess
        ("<div id='pages'></div>", "http://a.cn/xw/list3.html", 1, None),  # not this page's number
    ],
)  # fmt: skip
def test_guessing_the_next_page(body: str, url: str, number: int, expected: str | None) -> None:
    assert guess_next_page(page(body), url, number).url == expected
