"""Pagination families as pure functions."""

from __future__ import annotations

from govcrawler.extraction.pagination import next_page, template_page, trs_next_page
from govcrawler.extraction.selectors import compile_selector
from govcrawler.sites import Pagination

LIST = "https://www.ccdi.gov.cn/scdcn/zggb/zjsc/index.html"


def test_trs_create_page_html() -> None:
    page1 = '<script>createPageHTML(5, 0, "index", "html");</script>'
    assert trs_next_page(page1, LIST) == "https://www.ccdi.gov.cn/scdcn/zggb/zjsc/index_1.html"
    page3 = "<script>createPageHTML(5,2,'index','htm')</script>"
    assert trs_next_page(page3, LIST.replace("index.html", "index_2.htm")).endswith(
        "/zjsc/index_3.htm"
    )
    last = '<script>createPageHTML(5, 4, "index", "shtml");</script>'
    assert trs_next_page(last, LIST) is None
    assert trs_next_page("<p>no pager</p>", LIST) is None


def test_next_link() -> None:
    pagination = Pagination(
        kind="next_link",
        next_link=compile_selector("xpath://div[@class='page']//a[normalize-space(.)='>']"),
    )
    html = '<div class="page"><a href="index.html">1</a><a href="http://x.gov.cn/sggb/index_3.html">&gt;</a></div>'
    assert (
        next_page(html, "http://x.gov.cn/sggb/index_2.html", pagination, 2)
        == "http://x.gov.cn/sggb/index_3.html"
    )
    last = '<div class="page"><span class="disabled">&gt;</span></div>'
    assert next_page(last, "http://x.gov.cn/sggb/index_3.html", pagination, 3) is None
    css = Pagination(kind="next_link", next_link=compile_selector("a.next::attr(href)"))
    assert (
        next_page('<a class="next" href="?page=2">下一页</a>', "http://x.gov.cn/l?page=1", css, 1)
        == "http://x.gov.cn/l?page=2"
    )


def test_url_template_and_offset() -> None:
    template = Pagination(kind="template", template="http://x.gov.cn/list_{page}.html", first=2)
    assert template_page(template, 1) == "http://x.gov.cn/list_2.html"
    assert template_page(template, 4) == "http://x.gov.cn/list_5.html"
    offset = Pagination(kind="offset", template="http://x.net/jlsc.php?nbegin={offset}", step=8)
    assert template_page(offset, 1) == "http://x.net/jlsc.php?nbegin=8"
    assert next_page("", "http://x.net/jlsc.php", offset, 2) == "http://x.net/jlsc.php?nbegin=16"


def test_no_pagination() -> None:
    assert (
        next_page('<script>createPageHTML(5, 0, "index", "html")</script>', LIST, Pagination(), 1)
        is None
    )
