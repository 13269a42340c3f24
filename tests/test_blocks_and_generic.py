"""DOM → lines, images and attachments; the generic main-content finder."""

from __future__ import annotations

from govcrawler.extraction.article import Extraction, extract_article, parse_html
from govcrawler.extraction.blocks import element_attachments, element_images, element_lines
from govcrawler.item import new_attachment, new_image

BODY = """<html><body><div id="c">
<p>第一段<span>接着</span>写。</p><p>&nbsp;</p>
<p>　　第二段<br>换行后</p>
<div style="display:none">隐藏的编号 374829</div>
<script>var x = "脚本";</script>
<table><tr><td>姓名</td><td>职务</td></tr></table>
<p style="text-align:center"><img src="./W0202.jpg" alt="会议现场"><img src="data:image/png;base64,AAAA"></p>
<p>附件：<a href="./P0202.pdf">名单.pdf</a> <a href="/other.html">相关链接</a></p>
</div></body></html>"""


def test_element_lines_break_blocks_and_skip_hidden_and_scripts() -> None:
    root = parse_html(BODY)
    assert root is not None
    lines = element_lines(root.get_element_by_id("c"))
    assert lines == ["第一段接着写。", "第二段", "换行后", "姓名 职务", "附件：名单.pdf 相关链接"]


def test_images_and_attachments_are_absolute() -> None:
    root = parse_html(BODY)
    assert root is not None
    content = root.get_element_by_id("c")
    base = "https://www.ccdi.gov.cn/yaowenn/202603/t20260318_470355.html"
    assert element_images(content, base) == [
        new_image("https://www.ccdi.gov.cn/yaowenn/202603/W0202.jpg", "会议现场")
    ]
    assert element_attachments(content, base) == [
        new_attachment("https://www.ccdi.gov.cn/yaowenn/202603/P0202.pdf", "名单.pdf")
    ]


PAGE = """<html><head><title>某市通报三起典型问题 - 某市纪委监委</title></head><body>
<div class="header"><a href="/">首页</a> <a href="/a">工作动态</a> <a href="/b">审查调查</a></div>
<div class="left-nav"><ul>{links}</ul></div>
<div class="article"><h1>某市通报三起典型问题</h1>
<div class="info">发布日期：2026年10月9日 16:20　信息来源：某市纪委监委</div>
<div class="text">{paras}</div></div>
<div class="share">分享到：微信 微博</div>
<div class="footer">主办单位：某市纪委监委 地址：某市某路1号 邮编：100000</div></body></html>"""


def test_generic_extractor_finds_the_article_without_a_profile() -> None:
    links = "".join(
        f"<li><a href='/n{i}'>这是一条很长的相关新闻标题用于测试导航链接密度{i}</a></li>"
        for i in range(12)
    )
    paras = "".join(
        f"<p>近日，某市纪委监委通报第{i}起典型问题。经查，该同志违规收受礼品礼金，受到党内警告处分。</p>"
        for i in range(1, 4)
    )
    result = extract_article(
        PAGE.format(links=links, paras=paras), "http://jw.example.gov.cn/a/1.html"
    )
    assert isinstance(result, Extraction)
    assert result.extractor == "generic" and result.evidence["body"].startswith("generic:density")
    assert result.title == "某市通报三起典型问题"
    assert result.published_at == "2026-10-09T16:20:00+08:00"
    assert result.source == "某市纪委监委"
    assert result.body.splitlines() == [
        f"近日，某市纪委监委通报第{i}起典型问题。经查，该同志违规收受礼品礼金，受到党内警告处分。"
        for i in range(1, 4)
    ]
