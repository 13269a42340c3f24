"""List discovery (issue 14): a column page's article links and next page from the page alone.

Measured on every fixture list page (ours), on a redesigned copy of them, on hand-written pages of
each CMS family with traps (sidebars of other columns, article-shaped footer links, script- and
comment-held lists, overview pages) and, when ../shared is present, on real list pages.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from lxml.html import HtmlElement

from govcrawler.archive.capture_files import load_captures
from govcrawler.archive.labelled_lists import (
    UNKNOWN,
    LabelledPage,
    LinkScore,
    fixture_list_pages,
    hand_written_pages,
    real_pages,
)
from govcrawler.archive.redesign import redesign_body, redesign_captures, redesign_html
from govcrawler.cleaning.text import normalize_space
from govcrawler.extraction.article import parse_html
from govcrawler.extraction.decode import decode_html
from govcrawler.extraction.discovery import discover, discover_links, expand_hidden_links
from govcrawler.extraction.discovery_paging import discover_pagination
from govcrawler.extraction.listing import article_links
from govcrawler.extraction.pagination import explain_next_page
from govcrawler.sites import ListRules, get_profile
from tests.conftest import DATA, FIXTURES, shared_path

PAGES = DATA / "discovery" / "pages"
REAL_LABELS = DATA / "discovery" / "realpages"
FIXTURE_LISTS = list(fixture_list_pages(FIXTURES))
HAND_WRITTEN = list(hand_written_pages(PAGES))
# Fixture list pages whose pager is drawn by a script from a count the page does not link
# (河南 `#articleListTable`, 西藏 `page.pageCount`, 浙江's count file): discovery finds no next
# page there, and must not invent one.
SCRIPT_ONLY_PAGERS = {
    "henan/list_zggb_zjsc_1",
    "xizang/list_97_1",
    "zhejiang/list_jlsc_1",
    "zhejiang/list_jlsc_count_1",
}


def name_of(page: LabelledPage) -> str:
    return page.name


@pytest.mark.parametrize("page", FIXTURE_LISTS, ids=name_of)
def test_discovery_finds_the_fixture_list_links(page: LabelledPage) -> None:
    found = discover_links(page.html, page.url)
    assert [e.url for e in found] == list(page.article_urls)


@pytest.mark.parametrize("page", FIXTURE_LISTS, ids=name_of)
def test_discovered_next_page_is_right_or_absent(page: LabelledPage) -> None:
    guess = discover_pagination(page.html, page.url, page.page)
    if page.name in SCRIPT_ONLY_PAGERS:
        assert guess.next.url is None, guess.next.how
        return
    assert guess.next.url == page.next_page, guess.next.how
    # The [pagination] discovery proposes gives the same next page through the family code.
    again = explain_next_page(page.html, page.url, guess.pagination, page.page)
    assert again.url == guess.next.url, (guess.pagination, again.how)


@pytest.fixture(scope="module")
def redesigned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("redesigned")
    for site in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        redesign_captures(site, target / site.name)
    return target


def test_discovery_survives_a_redesign_of_every_fixture_list(redesigned: Path) -> None:
    score = LinkScore()
    pages = list(fixture_list_pages(redesigned))
    assert len(pages) == len(FIXTURE_LISTS)
    for page in pages:
        score.add(page.name, discover(page.html, page.url).urls, page.article_urls)
    assert score.wrong == []
    assert score.precision == 1.0 and score.recall == 1.0


def test_the_unchanged_profiles_lose_their_lists_after_the_redesign(redesigned: Path) -> None:
    """The premise of issue 14: class-based [list] rules miss the redesigned pages."""
    lost = 0
    for page in fixture_list_pages(redesigned):
        profile = get_profile(page.site)
        if profile.list.items is not None and page.article_urls:
            lost += not article_links(page.html, page.url, profile)
    assert lost >= 20


@pytest.mark.parametrize("page", HAND_WRITTEN, ids=name_of)
def test_hand_written_family_pages(page: LabelledPage) -> None:
    result = discover(page.html, page.url)
    assert result.urls == list(page.article_urls), result.how
    guess = discover_pagination(page.html, page.url, page.page)
    assert page.next_page != UNKNOWN
    assert guess.next.url == page.next_page, guess.next.how


def test_every_family_of_sites_md_has_a_hand_written_page() -> None:
    families = " ".join(p.name for p in HAND_WRITTEN)
    for family in ("trs", "founder", "hanweb", "jeecms", "vsb", "php", "dede", "js_links"):
        assert family in families


def test_discovered_entries_carry_the_listed_date() -> None:
    page = next(p for p in HAND_WRITTEN if p.name == "vsb_fanye")
    entries = discover_links(page.html, page.url)
    assert [e.date for e in entries] == ["2026-11-26", "2026-11-24", "2026-11-19"]
    assert entries[0].title.startswith("某市政协原副主席")


def test_script_and_comment_held_links_become_elements_where_they_stood() -> None:
    root = parse_html(
        "<ul><li><script>var s = './202601/t20260101_1.html';"
        "document.write('<a href=\"'+s+'\" title=\"某县原县长接受审查调查\">x</a>');</script></li>"
        "<!-- <li><a href='/a/202601/9.shtml'>某市原副市长接受审查调查</a></li> --></ul>"
        "<script>var home = '/'; var img = '/images/a.png';</script>"
    )
    assert root is not None
    expand_hidden_links(root)
    links = [(a.get("href"), a.text) for a in root.iter("a")]
    assert links == [
        ("./202601/t20260101_1.html", "某县原县长接受审查调查"),
        ("/a/202601/9.shtml", "某市原副市长接受审查调查"),
    ]


def test_a_minimal_profile_gets_its_links_from_discovery() -> None:
    """No [list] rules: listing.article_links hands the page to discovery (not every link)."""
    page = next(p for p in FIXTURE_LISTS if p.name == "ccdi/list_zjsc_1")
    minimal = replace(get_profile("ccdi"), list=ListRules())
    assert [e.url for e in article_links(page.html, page.url, minimal)] == list(page.article_urls)


@pytest.mark.realpages
def test_real_list_pages_meet_the_precision_and_recall_target() -> None:
    pages = list(real_pages(REAL_LABELS, shared_path("realpages")))
    by_split: dict[str, LinkScore] = {}
    for page in pages:
        score = by_split.setdefault(page.split, LinkScore())
        score.add(page.name, discover(page.html, page.url).urls, page.article_urls)
    assert set(by_split) == {"tuning", "checking"}
    for split, score in by_split.items():
        assert score.precision >= 0.95 and score.recall >= 0.95, (split, score)


@pytest.mark.realpages
def test_real_list_pages_next_page_where_labelled() -> None:
    checked = 0
    for page in real_pages(REAL_LABELS, shared_path("realpages")):
        if page.next_page == UNKNOWN:
            continue
        assert discover_pagination(page.html, page.url).next.url == page.next_page, page.name
        checked += 1
    assert checked >= 2


def test_real_page_labels_hold_urls_only() -> None:
    """Labels are URL lists (no page text: third-party pages never enter the project)."""
    import json  # noqa: PLC0415

    allowed = {"page", "url", "split", "note", "article_urls", "next_page"}
    for label in REAL_LABELS.glob("*.json"):
        data = json.loads(label.read_text("utf-8"))
        assert set(data) <= allowed, label.name
        assert all(u.startswith(("http://", "https://")) for u in data["article_urls"])


def test_redesign_renames_every_class_and_id_and_rebuilds_lists() -> None:
    page = next(p for p in FIXTURE_LISTS if p.name == "ccdi/list_zjsc_1")
    out = redesign_html(page.html)
    assert redesign_html(page.html) == out  # deterministic
    before, after = parse_html(page.html), parse_html(out)
    assert before is not None and after is not None

    def names(root: HtmlElement, attr: str) -> set[str]:
        body = root.find("body")
        assert body is not None
        return {n for el in body.iter() for n in (el.get(attr) or "").split()}

    assert names(before, "class") and not names(before, "class") & names(after, "class")
    assert names(before, "id") and not names(before, "id") & names(after, "id")
    body = after.find("body")
    assert body is not None
    assert not [el.tag for el in body.iter("ul", "ol", "li", "table", "tr", "td", "dl", "dd")]
    assert [a.get("href") for a in before.iter("a")] == [a.get("href") for a in after.iter("a")]
    assert normalize_space(before.text_content()) == normalize_space(after.text_content())


def test_redesign_keeps_a_gbk_page_in_gbk() -> None:
    capture = next(c for c in load_captures(FIXTURES / "qinghai") if c.name == "list_ajcc_1")
    out = redesign_body(capture.body, capture.content_type)
    assert (
        decode_html(out, capture.content_type).encoding
        == decode_html(capture.body, capture.content_type).encoding
    )
    assert "案件查处" in decode_html(out, capture.content_type).text


def test_discovered_dates_agree_with_the_profiles_list_dates() -> None:
    """The date a `since` filter reads: where the profile's [list] rules give one, discovery
    gives the same."""
    compared = 0
    for page in FIXTURE_LISTS:
        by_profile = {
            e.url: e.date for e in article_links(page.html, page.url, get_profile(page.site))
        }
        for entry in discover_links(page.html, page.url):
            if by_profile.get(entry.url) is not None:
                assert entry.date == by_profile[entry.url], (page.name, entry.url)
                compared += 1
    assert compared >= 100
