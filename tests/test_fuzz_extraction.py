"""Fuzzing extraction and cleaning with generated HTML (Hypothesis): random nesting, unclosed tags,
random encodings and declared charsets, random boilerplate mixes. Whatever the input: no exception,
no footer line of the input in the output, and every body line comes from the input's text."""

from __future__ import annotations

import html as html_lib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcrawler.cleaning.text import normalize_space
from govcrawler.extraction.article import Rejection
from govcrawler.extraction.decode import decode_html
from govcrawler.extraction.page_kind import visible_text
from govcrawler.extraction.record import Built, build

# Our own sentences (content) and footer/widget lines seen on the real sites (SITES.md §5).
SENTENCES = [
    "近日，某县纪委监委对一起违规发放津贴补贴问题进行了通报。",
    "经查，该同志利用职务便利为他人谋取利益，并收受财物。",
    "会议强调，要坚持严的基调，持续深化正风肃纪反腐。",
    "某市纪委监委聚焦群众身边的不正之风，开展专项整治。",
    "據悉，該縣已建立村務監督委員會一百餘個。",
]
FOOTERS = [
    "版权所有 中共某某省纪律检查委员会 某某省监察委员会",
    "版權所有 中共安徽省紀律檢查委員會 | 未經許可禁止復制或鏡像",
    "ICP备案:皖ICP备07004725号-31",
    "京公网安备 11010202007423号",
    "某某新媒体集团技术支持",
    "请输入验证码",
    "請輸入驗證碼",
    "手机站 客户端 微信 微博",
    "分享到：",
    "上一篇：某地召开警示教育大会",
    "【打印本页】 【关闭窗口】",
    "地址：某某市某某路1号 邮政编码:230091",
]
BLOCK_TAGS = ["div", "p", "li", "td", "section", "span", "font", "center", "h3"]
CONTAINERS = ["div", "section", "table", "ul", "td", "article", "form", "center"]
ENCODINGS = ["utf-8", "gb18030", "gbk", "big5"]


@st.composite
def nodes(draw: st.DrawFn, depth: int = 0) -> str:
    """A random fragment: blocks of content or footer text, nested containers, junk markup."""
    kind = draw(
        st.sampled_from(
            ["sentence", "footer", "container", "junk"] if depth < 4 else ["sentence", "footer"]
        )
    )
    close = draw(st.booleans())  # broken nesting: a closing tag may be missing
    if kind == "sentence":
        tag = draw(st.sampled_from(BLOCK_TAGS))
        text = html_lib.escape(draw(st.sampled_from(SENTENCES)))
        return f"<{tag}>{text}" + (f"</{tag}>" if close else "")
    if kind == "footer":
        tag = draw(st.sampled_from(["div", "p", "li"]))
        return f"<{tag}>{html_lib.escape(draw(st.sampled_from(FOOTERS)))}</{tag}>"
    if kind == "junk":
        return draw(
            st.sampled_from(
                [
                    "<script>var a='版权所有';</script>",
                    "<style>p{}</style>",
                    "<br>",
                    "<!-- x -->",
                    "&nbsp;",
                    "<img src='a.jpg'>",
                    "</div>",
                    "<a href='/x'>首页</a>",
                ]
            )
        )
    tag = draw(st.sampled_from(CONTAINERS))
    inner = "".join(draw(st.lists(nodes(depth + 1), min_size=1, max_size=5)))
    return f"<{tag}>{inner}" + (f"</{tag}>" if close else "")


@st.composite
def pages(draw: st.DrawFn) -> tuple[bytes, str | None, str]:
    body = "".join(draw(st.lists(nodes(), min_size=1, max_size=6)))
    declared = draw(st.sampled_from([*ENCODINGS, None]))
    meta = f'<meta charset="{declared}">' if declared else ""
    title = draw(st.sampled_from(["", "<title>某县通报典型问题_某某网</title>"]))
    page = f"<html><head>{meta}{title}</head><body>{body}</body></html>"
    actual = draw(st.sampled_from(ENCODINGS))
    header = draw(
        st.sampled_from(
            [None, f"text/html; charset={actual}", "text/html; charset=utf-8", "text/html"]
        )
    )
    return page.encode(actual, errors="replace"), header, page


def squash(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_generated_pages_never_crash_leak_or_invent(case: tuple[bytes, str | None, str]) -> None:
    raw, content_type, _ = case
    result = build(
        raw,
        "http://jw.example.gov.cn/a/1.html",
        profile=None,
        fetched_at="2026-11-20T08:00:00Z",
        content_type=content_type,
    )
    if isinstance(result, Rejection):
        assert result.reason
        return
    assert isinstance(result, Built)
    body = result.article.body
    decoded = squash(html_lib.unescape(visible_text(decode_html(raw, content_type).text)))
    for line in body.splitlines():
        assert normalize_space(line) == line and line
        assert squash(line) in decoded, line  # nothing invented: every line comes from the page
    for footer in FOOTERS:
        assert footer not in body
