"""Canonical URLs and stable ids."""

from __future__ import annotations

from govcrawler.extraction.urls import article_id, canonical_url, dedup_key
from govcrawler.sites import get_profile
from govcrawler.sites.minimal import minimal_profile
from tests.conftest import FIXTURES, read_json


def test_canonical_url_drops_fragment_and_default_port() -> None:
    assert (
        canonical_url("http://www.GDJCT.gd.gov.cn:80/ffkb/58831.jhtml#top")
        == "http://www.gdjct.gd.gov.cn/ffkb/58831.jhtml"
    )
    assert (
        canonical_url("https://www.ccdi.gov.cn:443/yaowenn/") == "https://www.ccdi.gov.cn/yaowenn/"
    )
    assert (
        canonical_url("http://example.gov.cn:8080/a?b=1&a=2")
        == "http://example.gov.cn:8080/a?b=1&a=2"
    )


def test_dedup_key_sorts_the_query() -> None:
    assert dedup_key("http://x.gov.cn/list?page=2&cid=5") == dedup_key(
        "http://x.gov.cn:80/list?cid=5&page=2#f"
    )


def test_ids_from_the_site_document_id() -> None:
    ccdi = get_profile("ccdi")
    assert (
        article_id(
            ccdi, "ccdi", "https://www.ccdi.gov.cn/scdcn/zggb/zjsc/202203/t20220301_174980.html"
        )
        == "ccdi:174980"
    )
    anhui = get_profile("anhui")
    assert (
        article_id(anhui, "anhui", "http://www.ahjjjc.gov.cn/sggb286/p/53745.html") == "anhui:53745"
    )


def test_hash_id_is_stable_and_canonical() -> None:
    ccdi = get_profile("ccdi")
    a = article_id(ccdi, "ccdi", "https://www.ccdi.gov.cn/xxgkn/index.html#x")
    b = article_id(ccdi, "ccdi", "https://www.ccdi.gov.cn:443/xxgkn/index.html")
    assert a == b and a.startswith("ccdi:u") and len(a) == len("ccdi:u") + 16


def test_a_profile_without_id_pattern_takes_the_id_its_urls_carry() -> None:
    """A minimal profile's ids come from the URL's shape (url_shapes.document_id): the same as
    the bundled profile's where its id_pattern reads the same number, stable across http/https
    and host aliases; a URL without a document id still gets a hash."""
    ccdi = get_profile("ccdi")
    bare = minimal_profile(ccdi)
    url = "https://www.ccdi.gov.cn/yaowenn/202603/t20260309_470188.html"
    assert article_id(bare, "ccdi", url) == article_id(ccdi, "ccdi", url) == "ccdi:470188"
    assert article_id(bare, "ccdi", url.replace("https://www.", "http://")) == "ccdi:470188"
    assert article_id(bare, "x", "http://a.cn/page.php?xuh=48306") == "x:48306"
    assert article_id(bare, "x", "http://a.cn/news/about.html").startswith("x:u")
    assert article_id(None, "x", url).startswith("x:u")  # no profile at all: a hash, as before


def test_every_fixture_record_keeps_its_id() -> None:
    """Ids of profiles with an id_pattern never change: every expected record's id is what
    article_id gives its URL (the shape ids apply only to profiles without one)."""
    for expected in FIXTURES.glob("*/*.expected.json"):
        record = read_json(expected).get("record")
        if record is not None:
            site = expected.parent.name
            assert article_id(get_profile(site), site, record["url"]) == record["id"]
