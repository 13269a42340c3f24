"""Bytes → text: declared, detected and mislabelled encodings."""

from __future__ import annotations

import pytest

from govcrawler.extraction.article import Rejection
from govcrawler.extraction.decode import decode_html
from govcrawler.extraction.record import Built, build
from tests.conftest import shared_path

PAGE = "<html><head><meta charset='{enc}'><title>纪检监察</title></head><body><p>审查调查：某某接受纪律审查。</p></body></html>"


@pytest.mark.parametrize("declared", ["gbk", "gb2312", "GB18030"])
def test_gbk_family_is_read_as_gb18030(declared: str) -> None:
    body = PAGE.format(enc=declared).encode("gb18030")
    decoded = decode_html(body)
    assert decoded.encoding == "gb18030"
    assert "审查调查" in decoded.text and decoded.replacements == 0


def test_header_wins_over_meta() -> None:
    body = PAGE.format(enc="utf-8").encode("gb18030")
    assert "审查调查" in decode_html(body, "text/html; charset=GBK").text


def test_page_declared_utf8_that_is_gbk_still_decodes() -> None:
    body = PAGE.format(enc="utf-8").encode("gb18030")
    decoded = decode_html(body, "text/html; charset=utf-8")
    assert decoded.encoding == "gb18030"
    assert "某某接受纪律审查" in decoded.text and decoded.replacements == 0


def test_utf8_without_declaration_and_bom() -> None:
    body = "<p>审查调查</p>".encode()
    assert decode_html(body).text == "<p>审查调查</p>"
    assert "审查调查" in decode_html(b"\xef\xbb\xbf" + body, "text/html; charset=gbk").text


def test_real_gbk_pages_decode_cleanly_even_when_mislabelled() -> None:
    """Real GBK-family captures, read as declared and as if a server had said UTF-8."""
    pages = sorted(shared_path("realpages", "encodings").glob("*.html"))
    assert pages
    for page in pages:
        body = page.read_bytes()
        for header in (None, "text/html; charset=utf-8"):
            decoded = decode_html(body, header)
            assert decoded.encoding == "gb18030", page.name
            assert decoded.replacements <= 2, (page.name, decoded.replacements)


def test_badly_decoding_page_is_held_back_with_the_reason() -> None:
    paragraph = "审查调查：某某接受纪律审查。".encode()
    broken = b"\xff\xfe".join([paragraph] * 12)  # bytes no encoding reads: U+FFFD after decoding
    head = (
        "<html><head><meta charset='utf-8'><title>t</title></head><body><h1>标题</h1><p>".encode()
    )
    page = head + broken + b"</p></body></html>"
    result = build(page, "http://x.gov.cn/a.html", profile=None, fetched_at="2026-11-20T08:00:00Z")
    assert isinstance(result, Rejection) and result.reason == "undecodable"
    assert "undecodable characters" in result.detail
    one_stray = page.replace(b"\xff\xfe", b"", 11)  # a single bad byte pair in a long text is kept
    assert isinstance(
        build(one_stray, "http://x.gov.cn/a.html", profile=None, fetched_at="2026-11-20T08:00:00Z"),
        Built,
    )


@pytest.mark.parametrize(
    ("declared", "header"),
    [("gbk", None), ("EUC-JP", None), ("gb2312", "text/html; charset=gbk"), ("big5", None)],
)
def test_utf8_bytes_under_a_wrong_declaration_are_read_as_utf8(
    declared: str, header: str | None
) -> None:
    """Issue 13: the declared encoding fails on the bytes and UTF-8 reads them: UTF-8, recorded,
    and the page becomes a record (it was refused as undecodable)."""
    body = PAGE.format(enc=declared).encode("utf-8")
    decoded = decode_html(body, header)
    assert decoded.encoding == "utf-8" and decoded.replacements == 0
    assert "审查调查" in decoded.text
    assert decoded.repaired is not None and "UTF-8" in decoded.repaired
    page = body.replace(b"<p>", "<h1>标题</h1><p>".encode())
    built = build(page, "http://x.gov.cn/a.html", profile=None, fetched_at="2026-12-06T00:00:00Z")
    assert isinstance(built, Built) and "审查调查" in built.article.body


def test_a_clean_declaration_is_never_overruled() -> None:
    body = PAGE.format(enc="gbk").encode("gb18030")
    decoded = decode_html(body)
    assert decoded.encoding == "gb18030" and decoded.repaired is None
