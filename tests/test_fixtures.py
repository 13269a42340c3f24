"""Fixture replay, one case per capture: raw bytes + URL/headers → the expected record.

Cases are discovered from fixtures/<site>/*.expected.json, so a new site's captures are tested
without touching this file. Test ids are `<site>/<capture name>`.
"""

from __future__ import annotations

import pytest

from govcrawler.archive.capture_files import Capture, load_captures
from govcrawler.export.pipelines import schema_errors
from govcrawler.extraction.article import Rejection
from govcrawler.extraction.decode import decode_html
from govcrawler.extraction.listing import article_links
from govcrawler.extraction.pagination import next_page
from govcrawler.extraction.record import build_record
from govcrawler.extraction.stubs import redirect_target
from govcrawler.item import body_sha256
from govcrawler.sites import all_profiles, get_profile
from tests.conftest import FIXTURES, read_json

CASES = [c for c in load_captures(FIXTURES) if c.expected_path is not None]


def case_id(capture: Capture) -> str:
    return f"{capture.body_path.parent.name}/{capture.name}"


def site_of(capture: Capture) -> str:
    return capture.body_path.parent.name


def test_every_fixture_folder_is_a_profile_and_every_profile_has_fixtures() -> None:
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders == set(all_profiles())


@pytest.mark.parametrize(
    "capture", [c for c in CASES if read_json(c.expected_path)["kind"] == "article"], ids=case_id
)
def test_article_capture_gives_the_expected_record(capture: Capture) -> None:
    expected = read_json(capture.expected_path)["record"]
    result = build_record(
        capture.body,
        capture.url,
        profile=get_profile(site_of(capture)),
        fetched_at=capture.fetched_at,
        content_type=capture.content_type,
        http_status=capture.status,
    )
    assert not isinstance(result, Rejection), result
    record = result.to_dict()
    assert schema_errors(record) == []
    assert record["content_sha256"] == body_sha256(record["body"])
    for field, value in expected.items():
        assert record[field] == value, field
    assert set(record) == set(expected)


@pytest.mark.parametrize(
    "capture", [c for c in CASES if read_json(c.expected_path)["kind"] == "rejected"], ids=case_id
)
def test_non_article_capture_is_rejected_with_its_reason(capture: Capture) -> None:
    result = build_record(
        capture.body,
        capture.url,
        profile=get_profile(site_of(capture)),
        fetched_at=capture.fetched_at,
        content_type=capture.content_type,
    )
    assert isinstance(result, Rejection)
    assert result.reason == read_json(capture.expected_path)["reason"]


@pytest.mark.parametrize(
    "capture", [c for c in CASES if read_json(c.expected_path)["kind"] == "list"], ids=case_id
)
def test_list_capture_gives_its_article_links_and_next_page(capture: Capture) -> None:
    expected = read_json(capture.expected_path)
    profile = get_profile(site_of(capture))
    html = decode_html(capture.body, capture.content_type).text  # GBK sites are GBK bytes
    assert [e.url for e in article_links(html, capture.url, profile)] == expected["article_urls"]
    assert next_page(html, capture.url, profile.pagination, 1) == expected["next_page"]


@pytest.mark.parametrize(
    "capture", [c for c in CASES if read_json(c.expected_path)["kind"] == "redirect"], ids=case_id
)
def test_redirect_stub_leads_where_expected(capture: Capture) -> None:
    html = decode_html(capture.body, capture.content_type).text
    assert redirect_target(html, capture.url) == read_json(capture.expected_path)["location"]


@pytest.mark.parametrize("site", sorted(all_profiles()))
def test_every_linked_article_has_a_capture(site: str) -> None:
    """A replay crawl meets no unexpected misses: every URL a list page names is captured."""
    captured = {c.url for c in load_captures(FIXTURES / site)}
    for capture in load_captures(FIXTURES / site):
        if capture.expected_path and read_json(capture.expected_path)["kind"] == "list":
            expected = read_json(capture.expected_path)
            missing = [
                u
                for u in [*expected["article_urls"], expected["next_page"]]
                if u and u not in captured
            ]
            assert missing == [], capture.name
        if capture.expected_path and read_json(capture.expected_path)["kind"] == "redirect":
            assert read_json(capture.expected_path)["location"] in captured, capture.name


def test_fixture_bodies_are_ours() -> None:
    """Fixture files are hand-written: none is byte-identical to a third-party capture."""
    shared = FIXTURES.parents[1] / "shared" / "realpages"
    if not shared.is_dir():
        pytest.skip("../shared/realpages is absent")
    theirs = {p.read_bytes() for p in shared.rglob("*.html")}
    assert not [c.name for c in load_captures(FIXTURES) if c.body in theirs]
