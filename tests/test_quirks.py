"""Site quirks of SITES.md §3–5 handled as data or generically, one test each."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from govcrawler.archive.capture_files import load_captures
from govcrawler.extraction import page_kind
from govcrawler.extraction.article import Extraction, extract_article, parse_html
from govcrawler.extraction.blocks import element_lines
from govcrawler.extraction.decode import declared_encoding, decode_html
from govcrawler.extraction.fields import labelled_line, spaced_credit
from govcrawler.extraction.record import build_record
from govcrawler.extraction.stubs import js_redirect_target, meta_refresh_target, redirect_target
from govcrawler.item import Article
from govcrawler.sites import get_profile
from govcrawler.spiders.redirects import (
    JS_FOLLOWED,
    CountingMetaRefreshMiddleware,
    JsRedirectMiddleware,
)
from tests.conftest import FIXTURES

ARTICLE = "http://www.sxdi.gov.cn/gzdt/jlsc/2018061534.html"
# 山西 2018: a gb2312 page whose only script sends the browser on (SITES.md §3.4).
SHANXI_STUB = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    '</head><body><script type="text/javascript">self.location="/gzdt/jlsc/2018061534.html'
    '?WebShieldDRSessionVerify=q8Fs2kLm0PzXa1";</script></body></html>'
).encode("gb2312")
LIAONING_STUB = (
    '<html><head><meta http-equiv="refresh" content="0; url=http://www.lnsjjjc.gov.cn/gktb/'
    'system/2018/06/01/010026037.shtml"></head><body></body></html>'
)


# ---- redirect stubs: what they are --------------------------------------------------------------


def test_plain_js_stub_has_a_target_but_cookie_challenges_do_not() -> None:
    html = decode_html(SHANXI_STUB, "text/html").text
    assert js_redirect_target(html, ARTICLE) == (
        ARTICLE + "?WebShieldDRSessionVerify=q8Fs2kLm0PzXa1"
    )
    # `govcrawler extract` cannot follow it: alone, the stub is still a challenge page.
    assert page_kind.rejection_reason(html) == page_kind.CHALLENGE
    ccdi = (FIXTURES / "ccdi" / "challenge.html").read_text("utf-8")
    assert js_redirect_target(ccdi, "https://www.ccdi.gov.cn/") is None  # cookie + obfuscation
    cookie = '<script>document.cookie="a=1";self.location="/x.html";</script>'
    assert js_redirect_target(cookie, ARTICLE) is None
    two = '<script>if(a){location.href="/a.html"}else{location.href="/b.html"}</script>'
    assert js_redirect_target(two, ARTICLE) is None
    page = "<html><body>" + "<p>正文段落。</p>" * 100 + '<script>top.location="/x.html"</script>'
    assert js_redirect_target(page, ARTICLE) is None  # a real page that also redirects frames
    replace = "<script>window.location.replace('https://www.sxdi.gov.cn/a.html')</script>"
    assert js_redirect_target(replace, ARTICLE) == "https://www.sxdi.gov.cn/a.html"
    assert (
        js_redirect_target("<script>location.href='javascript:void(0)'</script>", ARTICLE) is None
    )


def test_meta_refresh_stub_target() -> None:
    url = "http://www.lnsjjjc.gov.cn/jlsc/system/2018/06/01/010026040.shtml"
    target = "http://www.lnsjjjc.gov.cn/gktb/system/2018/06/01/010026037.shtml"
    assert meta_refresh_target(LIAONING_STUB, url) == target
    assert redirect_target(LIAONING_STUB, url) == target
    assert meta_refresh_target("<html><body><p>正文</p></body></html>", url) is None


# ---- redirect stubs: how the crawler follows them -----------------------------------------------


def middleware(cls: Any) -> Any:
    crawler = get_crawler(Spider, settings_dict={"GOVCRAWLER_JS_REDIRECT_ENABLED": True})
    return cls.from_crawler(crawler)


def html_response(url: str, body: bytes, charset: str = "gb2312") -> HtmlResponse:
    return HtmlResponse(
        url,
        body=body,
        headers={"Content-Type": f"text/html; charset={charset}"},
        request=Request(url),
    )


def test_js_stub_is_followed_once_and_counted() -> None:
    mw = middleware(JsRedirectMiddleware)
    request = Request(ARTICLE, cb_kwargs={"column": "审查调查"})
    followed = mw.process_response(request, html_response(ARTICLE, SHANXI_STUB))
    assert isinstance(followed, Request)
    assert followed.url == ARTICLE + "?WebShieldDRSessionVerify=q8Fs2kLm0PzXa1"
    assert followed.cb_kwargs == {"column": "审查调查"} and followed.dont_filter
    assert followed.meta["redirect_reasons"] == ["js location"]
    assert mw.crawler.stats.get_value("govcrawler/followed/js_redirect") == 1
    # The followed URL answers with a stub again: passed on, to be counted as a challenge.
    again = html_response(followed.url, SHANXI_STUB)
    assert mw.process_response(followed, again) is again
    assert followed.meta[JS_FOLLOWED] is True
    # A real page passes untouched.
    page = html_response(ARTICLE, "<html><body><p>正文。</p></body></html>".encode("gb2312"))
    assert mw.process_response(Request(ARTICLE), page) is page
    assert mw.crawler.stats.get_value("govcrawler/followed/js_redirect") == 1


def test_meta_refresh_stub_is_followed_by_scrapy_and_counted() -> None:
    mw = middleware(CountingMetaRefreshMiddleware)
    url = "http://www.lnsjjjc.gov.cn/jlsc/system/2018/06/01/010026040.shtml"
    followed = mw.process_response(
        Request(url), html_response(url, LIAONING_STUB.encode(), "utf-8")
    )
    assert isinstance(followed, Request)
    assert followed.url == "http://www.lnsjjjc.gov.cn/gktb/system/2018/06/01/010026037.shtml"
    assert followed.meta["redirect_reasons"] == ["meta refresh"]
    assert mw.crawler.stats.get_value("govcrawler/followed/meta_refresh") == 1


# ---- bodies: comments, styles and Word residue never reach the text ----------------------------


def body_lines(fragment: str) -> list[str]:
    root = parse_html(f"<html><body><div id='body'>{fragment}</div></body></html>")
    assert root is not None
    return element_lines(root.get_element_by_id("body"))


def test_enp_comment_headers_are_not_text() -> None:
    """河北: `<!--enpproperty …/enpproperty-->` … `<!--/enpcontent-->`; 重庆: `<!--enpcontent-->`."""
    hebei = (
        "<!--enpproperty <articleid>6861030</articleid><date>2018-04-26</date>"
        "<title>某某接受审查</title><author></author>/enpproperty-->"
        "<!--enpcontent--><p>　　第一段正文。</p><p>第二段正文。</p><!--/enpcontent-->"
    )
    assert body_lines(hebei) == ["第一段正文。", "第二段正文。"]
    chongqing = '<p align="justify"><!--enpcontent--></p><p>唯一一段正文。</p><!--/enpcontent-->'
    assert body_lines(chongqing) == ["唯一一段正文。"]


def test_inline_style_inside_the_body_is_not_text() -> None:
    """宁夏 2018: the TRS_Editor div opens with its own <style> block."""
    ningxia = (
        '<div class="TRS_Editor"><style type="text/css">.TRS_Editor P{line-height:1.5;'
        "font-family:宋体;font-size:12pt;}.TRS_Editor DIV{margin-top:0;}</style>"
        "<p>正文第一段。</p></div>"
    )
    assert body_lines(ningxia) == ["正文第一段。"]


def test_word_paste_residue_stays_out_of_the_text() -> None:
    """海南/云南/湖北/四川: `宋体; FONT-SIZE: 16pt">` leaked into regex-extracted text; DOM text
    extraction sees only the words."""
    word = (
        "<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml>"
        '<![endif]--><p class="MsoNormal" style="TEXT-INDENT: 32pt; mso-char-indent-count: 2.0">'
        "<span style=\"FONT-FAMILY: 仿宋_GB2312; FONT-SIZE: 16pt; mso-spacerun: 'yes'\">"
        '经查，<font face="宋体">某某</font>违反廉洁纪律。</span><o:p></o:p></p>'
        '<p class="MsoNormal"><span lang="EN-US" style="font-family: 宋体; font-size: 16px">'
        "<o:p>&nbsp;</o:p></span></p>"
    )
    lines = body_lines(word)
    assert lines == ["经查，某某违反廉洁纪律。"]
    assert not any(s in "".join(lines) for s in ("FONT-SIZE", "宋体", "mso", "16pt"))


# ---- trailing credits become fields --------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ("编辑：林小英", {"editor": "林小英"}),  # 广西: every article ends so
        ("（编辑：张颖）", {"editor": "张颖"}),  # 广东
        ("（供稿 陈剑峰\xa0 编辑\xa0 马翔）", {"author": "陈剑峰", "editor": "马翔"}),  # 甘肃
        ("（供稿 冯春晖\xa0 编辑 马翔）", {"author": "冯春晖", "editor": "马翔"}),
        ("（供稿 天水市纪委 编辑 马翔）", {"source": "天水市纪委", "editor": "马翔"}),
        ("（宣城市纪委）", None),  # a closing attribution is content
        ("编辑部门要加强审核把关", None),
    ],
)
def test_credit_lines(line: str, fields: dict[str, str] | None) -> None:
    assert labelled_line(line) == fields


def test_spaced_credit_needs_nothing_but_label_name_pairs() -> None:
    assert spaced_credit("供稿 陈剑峰 编辑 马翔") == {"author": "陈剑峰", "editor": "马翔"}
    assert spaced_credit("他在编辑 马翔的陪同下") is None


def test_gansu_credit_leaves_the_body_as_fields() -> None:
    html = (
        "<html><head><title>某某被开除党籍</title></head><body><h1>某某被开除党籍</h1>"
        "<div id='content'><p>经甘肃省纪委常委会会议研究，决定给予某某开除党籍处分。</p>"
        "<p>（供稿 陈剑峰&nbsp; 编辑&nbsp; 马翔）</p></div></body></html>"
    )
    result = extract_article(html, "http://www.gsjw.gov.cn/contents/20459.html", None)
    assert isinstance(result, Extraction), result
    assert result.body == "经甘肃省纪委常委会会议研究，决定给予某某开除党籍处分。"
    assert (result.author, result.editor) == ("陈剑峰", "马翔")


# ---- GBK sites --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "meta"),
    [
        ("text/html; charset=gbk", ""),  # the header says it
        ("text/html", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'),
        ("text/html; charset=utf-8", ""),  # a header that lies: GB18030 repairs it
    ],
)
def test_gbk_pages_decode(content_type: str, meta: str) -> None:
    html = (
        f"<html><head>{meta}<title>上海市某区原副区长接受审查调查</title></head><body>"
        "<div id='ivs_content'><p>据上海市纪委监委消息，某某涉嫌严重违纪违法。</p></div></body></html>"
    )
    record = build_record(
        html.encode("gbk"),
        "http://www.shjcw.gov.cn/2015jjw/n2233/u1ai64798.html",
        profile=None,
        fetched_at="2026-11-20T08:00:00Z",
        content_type=content_type,
    )
    assert isinstance(record, Article), record
    assert record.title == "上海市某区原副区长接受审查调查"
    assert record.body == "据上海市纪委监委消息，某某涉嫌严重违纪违法。"


def test_gbk_fixtures_are_stored_as_gbk_bytes() -> None:
    """上海 and 浙江 (2018) serve GBK: their captures are GBK on disk, declared in header or meta."""
    captures = [c for site in ("shanghai", "zhejiang") for c in load_captures(FIXTURES / site)]
    pages = [c for c in captures if c.body_path.suffix == ".html" and c.status == 200]
    assert len(pages) >= 8
    for capture in pages:
        with pytest.raises(UnicodeDecodeError):
            capture.body.decode("utf-8")
        declared = (capture.content_type or "") + (declared_encoding(capture.body) or "")
        assert "gb" in declared.lower(), capture.name
        assert decode_html(capture.body, capture.content_type).replacements == 0, capture.name


def test_columns_sharing_a_folder_do_not_name_an_article() -> None:
    """河北's Founder lists all sit at the site root (node_N.htm): the URL cannot tell the column."""
    hebei = get_profile("hebei")
    assert hebei.column_for("http://www.hebcdi.gov.cn/2026-11/13/content_7013150.htm") is None
    jilin = get_profile("jilin")
    url = "http://ccdijl.gov.cn/jwjct2018/scdc/djzwcf/202611/t20261112_8810774.html"
    assert jilin.column_for(url) == "党纪政务处分"
