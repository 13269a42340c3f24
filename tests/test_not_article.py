"""Pages that are no article are rejected with a reason in the pure core (crawl and `extract`
alike): documents and binary bytes, navigation-only pages, list pages (issue 13 item 4)."""

from __future__ import annotations

import pytest

from govcrawler.extraction.article import Extraction, Rejection, extract_article
from govcrawler.extraction.record import build
from govcrawler.extraction.urls import canonical_url
from govcrawler.item import new_image

URL = "https://www.example.gov.cn/xwzx/2026/a1.html"
PARAGRAPH = "<p>会议要求，各级各部门要把道路养护工作抓实抓细，确保群众出行安全顺畅。</p>"


def _page(body: str, title: str = "某某县新闻") -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"
    )


NAV_ONLY = _page(
    "<div class='header'><a href='/'>|</a><a href='/zh'>简</a>|<a href='/tw'>繁</a>|"
    "<a href='/en'>EN</a>|<a href='/mail'>邮箱</a>|</div>"
    "<div id='app' class='article'></div><script>loadArticle('/api/a1.json')</script>"
)
LIST_ITEMS = "".join(
    f"<li><a href='/xwzx/2026/a{i}.html'>某某县召开第{i}次道路养护工作推进会议</a>"
    f"<span>2026-11-{i:02d}</span></li>"
    for i in range(1, 21)
)
LIST_PAGE = _page(
    "<div class='nav'><a href='/'>首页</a> <a href='/xwzx/'>新闻中心</a></div>"
    f"<div class='main'><h2>工作动态</h2><ul class='list'>{LIST_ITEMS}</ul>"
    "<div class='page'><a href='index_1.html'>下一页</a> 共20页</div></div>"
)

MENU_ITEMS = [
    "政策法规",
    "政府文件",
    "行政许可和其他对外管理服务信息",
    "预算决算",
    "重大建设项目批准和实施领域信息公开",
    "建议提案办理",
    "权责清单",
]
# A column page whose list a script loads: only menus of long link texts, a footer, no prose.
MENUS_ONLY = _page(
    "<div>"
    + "".join(f"<p><a href='/xxgk/{i}/'>·{name}</a></p>" for i, name in enumerate(MENU_ITEMS))
    + "</div><div id='list'></div><div><p>版权所有：某某省某某厅</p>"
    "<p>地址：某某市某某路1号 邮编：730000</p></div>"
)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "not_html"),
        ("\ufeff  %PDF-1.7\n%âãÏÓ\n", "not_html"),
        ("just a line of plain text, no markup at all", "not_html"),
        (NAV_ONLY, "navigation_only"),
        (MENUS_ONLY, "navigation_only"),
        (LIST_PAGE, "list_page"),
    ],
)
def test_not_an_article_is_rejected_with_a_reason(text: str, reason: str) -> None:
    result = extract_article(text, URL)
    assert isinstance(result, Rejection)
    assert result.reason == reason and result.detail


def test_pdf_bytes_are_rejected_on_the_crawl_path_too() -> None:
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256))
    result = build(pdf, URL, profile=None, fetched_at="2026-12-06T00:00:00Z")
    assert isinstance(result, Rejection) and result.reason == "not_html"


def test_short_article_and_article_with_a_dated_related_list_stay_articles() -> None:
    related = "".join(
        f"<li><a href='/xwzx/2026/b{i}.html'>相关报道之{i}号标题文字</a> 2026-10-{i:02d}</li>"
        for i in range(1, 6)
    )
    article = _page(
        "<div class='content'><h1>某某县道路养护工作推进会召开</h1>"
        + PARAGRAPH * 6
        + f"<ul>{related}</ul></div>"
    )
    result = extract_article(article, URL)
    assert isinstance(result, Extraction) and result.body.startswith("会议要求")
    short = _page(f"<div class='content'><h1>通知</h1>{PARAGRAPH}</div>")
    assert isinstance(extract_article(short, URL), Extraction)


def test_image_only_page_is_not_navigation() -> None:
    page = _page(
        "<div class='content'><h1>秋日田野</h1><p><img src='/img/1.jpg' alt='田野'></p>"
        "<p>金色稻田</p></div>"
    )
    result = extract_article(page, URL)
    assert isinstance(result, Extraction)
    assert result.images == [
        new_image(canonical_url("https://www.example.gov.cn/img/1.jpg"), "田野")
    ]
