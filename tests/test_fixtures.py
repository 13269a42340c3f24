"""Fixture replay, one case per capture: raw bytes + URL/headers → the expected record.

Cases are discovered from fixtures/<site>/*.expected.json, so a new site's captures are tested
without touching this file. Test ids are `<site>/<capture name>`.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from govcrawler.archive.capture_files import Capture, load_captures
from govcrawler.export.pipelines import schema_errors
from govcrawler.extraction.article import Rejection
from govcrawler.extraction.decode import decode_html
from govcrawler.extraction.listing import article_links
from govcrawler.extraction.pagination import next_page
from govcrawler.extraction.record import build_record
from govcrawler.extraction.stubs import redirect_target
from govcrawler.sites import all_profiles, get_profile
from tests.conftest import DATA, FIXTURES, SHARED, read_json

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
    # The fixity users are promised (README, "The record"): sha256 of the UTF-8 body, which
    # anyone can recompute with sha256sum; computed here without govcrawler's own code.
    assert record["content_sha256"] == hashlib.sha256(record["body"].encode("utf-8")).hexdigest()
    for field, value in expected.items():
        if field in ("images", "attachments"):
            # Extraction finds the files; the crawl fetches them (test_crawl_e2e.py, test_files.py).
            assert [found_by_extraction(e) for e in value] == record[field], field
        else:
            assert record[field] == value, field
    assert set(record) == set(expected)


def found_by_extraction(entry: dict[str, object]) -> dict[str, object]:
    """An expected file entry as extraction alone makes it: located, not fetched."""
    named = {k: entry[k] for k in ("url", "title", "caption") if k in entry}
    rest = {k: None for k in entry if k not in named}
    return {**named, **rest, "reason": "not_fetched"}


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


# ---- our own pages: no fixture is a copy of a third-party page -------------------------------

MIN_LINE = 25  # characters: shorter lines (`<div class="clear"></div>`) are shared by any two pages
MAX_SHARED = 0.5  # a file sharing more than half its non-trivial lines with one page is a copy
SMALL = 8_000  # bytes: a stub page is too short for lines to tell, so its shape is compared
MAX_SHAPE = 0.75  # … and one sharing this much of a small real page's shape is a copy
REAL_SUFFIXES = {".html", ".htm", ".gz", ".txt"}


def nontrivial_lines(data: bytes) -> set[str]:
    """Distinct lines of 25+ characters, whitespace runs collapsed (gzip is unpacked first)."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text = data.decode("utf-8", "ignore")
    lines = (re.sub(r"\s+", " ", line).strip() for line in text.splitlines())
    return {line for line in lines if len(line) >= MIN_LINE}


@cache
def real_page_lines() -> dict[str, frozenset[Path]]:
    """Every non-trivial line of the third-party pages → the pages holding it (built once)."""
    index: dict[str, set[Path]] = {}
    for page in sorted((SHARED / "realpages").rglob("*")):
        if page.is_file() and page.suffix in REAL_SUFFIXES:
            for line in nontrivial_lines(page.read_bytes()):
                index.setdefault(line, set()).add(page)
    return {line: frozenset(pages) for line, pages in index.items()}


def shape(data: bytes, n: int = 6) -> frozenset[tuple[str, ...]]:
    """The markup's runs of `n` tokens, every word, escape run and number masked as `w`: a stub
    whose names, cookie values and search terms were swapped keeps its shape."""
    tokens = re.findall(
        r"(?:\\x[0-9a-fA-F]{2})+|(?:%[0-9A-Fa-f]{2})+|[\w$]+|[^\w\s]",
        data.decode("utf-8", "ignore"),
    )
    masked = [t if len(t) == 1 and not (t.isalnum() or t in "_$") else "w" for t in tokens]
    return frozenset(tuple(masked[i : i + n]) for i in range(max(1, len(masked) - n + 1)))


@cache
def small_real_pages() -> dict[Path, frozenset[tuple[str, ...]]]:
    return {
        page: shape(page.read_bytes())
        for page in sorted((SHARED / "realpages").rglob("*"))
        if page.is_file() and page.suffix in REAL_SUFFIXES and page.stat().st_size < SMALL
    }


def copied_from(data: bytes) -> str | None:
    """How `data` copies a third-party page, else None: more than half of its non-trivial lines
    (at least 4 of them) occur in one page, or, for a small file, most of its shape (Jaccard of
    its token runs) is that of a small real page."""
    if len(data) < SMALL:
        ours = shape(data)
        for page, theirs in small_real_pages().items():
            alike = len(ours & theirs) / len(ours | theirs)
            if alike > MAX_SHAPE:
                return f"has the shape of {page} ({alike:.0%} alike)"
    lines = nontrivial_lines(data)
    index = real_page_lines()
    shared = Counter(page for line in lines for page in index.get(line, ()))
    if len(lines) < 4 or not shared:
        return None
    page, count = shared.most_common(1)[0]
    if count / len(lines) <= MAX_SHARED:
        return None
    return f"shares {count} of its {len(lines)} non-trivial lines with {page}"


def realpages_or_skip() -> None:
    if not (SHARED / "realpages").is_dir():
        pytest.skip("../shared/realpages is absent")


@pytest.mark.realpages
def test_no_fixture_is_a_copy_of_a_third_party_page() -> None:
    """Fixtures (every site's captures, tests/data) are written by hand: none shares more than
    half of its non-trivial lines with any one page under ../shared/realpages."""
    realpages_or_skip()
    ours = [p for folder in (FIXTURES, DATA) for p in sorted(folder.rglob("*")) if p.is_file()]
    assert len(ours) > 300  # all 32 sites' captures are looked at, not an empty folder
    copies = {
        str(path.relative_to(FIXTURES.parent)): found
        for path in ours
        if (found := copied_from(path.read_bytes()))
    }
    assert copies == {}


@pytest.mark.realpages
def test_the_copy_check_sees_through_swapped_values() -> None:
    """A third-party page with its values swapped (ids, base64, names) is still a copy."""
    realpages_or_skip()
    other = SHARED / "realpages" / "ccdi" / "other"
    captcha = (other / "captcha_slider_seccaptcha.html").read_text("utf-8")
    swapped = re.sub(r'value="[A-Za-z0-9+/=]{20,}"', 'value="b3VyIG93biB2YWx1ZQ=="', captcha)
    stub = (other / "antibot_challenge.html").read_text("utf-8")  # one line: only its shape tells
    renamed = re.sub(r"_\$\w+", "_$ours", stub).replace("C3VK=", "ABCD=")
    for real, copy in ((captcha, swapped), (stub, renamed)):
        assert copy != real
        assert copied_from(real.encode()) and copied_from(copy.encode())
