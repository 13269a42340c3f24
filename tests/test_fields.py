"""Labelled lines, bylines, trailing credits, <title> suffixes, meta tags."""

from __future__ import annotations

import pytest

from govcrawler.extraction.article import (
    Extraction,
    extract_article,
    parse_html,
)
from govcrawler.extraction.fields import (
    byline_names,
    labelled_line,
    meta_content,
    parse_labelled,
    title_from_head,
    trailing_credit,
)
from govcrawler.sites import get_profile


def test_meta_line_with_time_and_source() -> None:
    assert parse_labelled("时间：2026-11-18 09:30\u00a0\u00a0\u00a0\u00a0来源：安徽纪检监察网") == {
        "published_at": "2026-11-18T09:30:00+08:00",
        "source": "安徽纪检监察网",
    }


def test_traditional_labels_and_half_width_colons() -> None:
    assert parse_labelled("時間：2026-11-18 09:30 來源：安徽紀檢監察網") == {
        "published_at": "2026-11-18T09:30:00+08:00",
        "source": "安徽紀檢監察網",
    }
    assert (
        parse_labelled("发布时间: 2018-03-05 17:29:46 来源: 云南省纪委 ")["source"] == "云南省纪委"
    )


def test_widget_labels_do_not_leak_into_values() -> None:
    fields = parse_labelled("来源：某某网 发布时间：2022-01-02 字号：大 中 小 分享到：")
    assert fields == {"source": "某某网", "published_at": "2022-01-02T00:00:00+08:00"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("编辑：林小英", {"editor": "林小英"}),
        ("（编辑：张颖）", {"editor": "张颖"}),
        ("责任编辑：王五", {"editor": "王五"}),
        ("來源：南方網", {"source": "南方網"}),
    ],
)
def test_labelled_body_lines(line: str, expected: dict[str, str]) -> None:
    assert labelled_line(line) == expected


def test_long_or_unlabelled_lines_are_not_labels() -> None:
    assert labelled_line("会议强调，来源于群众的意见要认真对待。") is None
    assert labelled_line("编辑：" + "很长" * 40) is None


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("某某省纪委监委网站 李鹃", "李鹃"),
        ("某某网站 宋雨 通讯员 蒋玉涛", "宋雨 蒋玉涛"),
        ("某某网站 陈某 自福建福州报道", "陈某"),
        ("本刊记者 王五 赵六", "王五 赵六"),
        ("某某日报记者 王五", "王五"),
        ("通讯员 赵六", "赵六"),
        ("文/孙七", "孙七"),
        ("（某某网站 周某整理）", "周某"),
    ],
)
def test_bylines_of_general_shape(line: str, names: str) -> None:
    """Role words and outlet-then-names bylines need no outlet named anywhere in the code."""
    assert byline_names(line) == names


def test_profile_byline_prefixes_are_data() -> None:
    prefixes = get_profile("ccdi").article.byline_prefixes
    assert "中央纪委国家监委网站" in prefixes
    assert (
        byline_names("中国纪检监察报李四", prefixes) == "李四"
    )  # no space: only the profile knows
    assert byline_names("中国纪检监察报李四") is None


def test_not_bylines() -> None:
    assert byline_names("某某网站讯 据报道，某地召开会议。") is None
    assert byline_names("记者从某省纪委监委获悉") is None
    assert byline_names("记者从某省纪委监委获悉", bare=True) is None


@pytest.mark.parametrize(
    "note",
    [
        "（待续）",
        "待续",
        "全文完",
        "（全文完）",
        "未完待续",
        "（未完待续）",
        "供图",
        "（本版供图）",
    ],
)
def test_closing_notes_are_no_author(note: str) -> None:
    """Issue 12 item 9: closing notes and picture credits became author names."""
    assert trailing_credit(f"……路修好了。{note}") is None
    assert trailing_credit(note) is None
    assert byline_names(note, bare=True) is None
    body = "<p>" + "这是一段正文，讲的是乡村道路的修缮经过。" * 4 + "</p>"
    for inner in (body + f"<p>{note}</p>", body.replace("</p>", f"{note}</p>")):
        page = (
            "<html><head><title>道路修缮纪事</title></head><body><h1>道路修缮纪事</h1>"
            f"<div class='content'>{inner}</div></body></html>"
        )
        result = extract_article(page, "https://news.example.org/a/1.html")
        assert isinstance(result, Extraction)
        assert result.author is None, (note, result.evidence.get("author"))


def test_closing_source_line_with_author_and_editor_is_parsed() -> None:
    """`本文来源：X 作者：Y 责任编辑：Z` closing a body is labels only: fields, not body text."""
    assert labelled_line("本文来源：某某日报 作者：王五 赵六 责任编辑：NF050") == {
        "source": "某某日报",
        "author": "王五 赵六",
        "editor": "NF050",
    }


def test_trailing_credit_sets_author_but_not_for_organisations() -> None:
    assert trailing_credit("……形成新风正气。（记者 张三、李四）") == "张三 李四"
    assert trailing_credit("……形成新风正气。（张杨）") == "张杨"
    assert trailing_credit("……予以立案审查调查。（宣城市纪委）") is None
    assert trailing_credit("……（粤纪宣）") is None


def test_title_suffixes() -> None:
    assert title_from_head("  某某问题通报————执纪审查——中央纪委国家监委网站 ") == "某某问题通报"
    assert title_from_head("全省召开座谈会_安徽纪检监察网") == "全省召开座谈会"
    assert title_from_head("标题 | 站点") == "标题"


def test_meta_content_is_case_insensitive_and_trimmed() -> None:
    root = parse_html(
        '<html><head><meta name="pubdate" content="2024-09-12 18:00 "></head><body></body></html>'
    )
    assert root is not None
    assert meta_content(root, "PubDate") == "2024-09-12 18:00"
    assert meta_content(root, "ArticleTitle") is None


def test_unreadable_displayed_time_is_null_with_a_reason() -> None:
    page = (
        "<html><head><title>某标题</title></head><body><div class='Article_61'><h2 class='tit'>某标题</h2>"
        "<h3 class='daty'><em class='e1'>来源：某网</em><em class='e2'>发布时间：本周三上午</em></h3>"
        "<div class='content'><p>正文第一段，内容完整。</p></div></div></body></html>"
    )
    result = extract_article(
        page, "https://www.ccdi.gov.cn/yaowenn/202603/t20260301_1.html", get_profile("ccdi")
    )
    assert isinstance(result, Extraction)
    assert result.published_at is None
    assert result.evidence["published_at"] == "unparsable: 发布时间：本周三上午"


def test_a_bare_label_is_no_name() -> None:
    assert byline_names("作者：", bare=True) is None
    assert byline_names("作者", bare=True) is None
    assert byline_names("作者：王五", bare=True) == "王五"


def test_font_size_and_share_widgets_end_a_value() -> None:
    line = "发布时间：2022-02-21 来源：四川省纪委监委 字体大小：大 中 小 分享至："
    assert parse_labelled(line) == {
        "published_at": "2022-02-21T00:00:00+08:00",
        "source": "四川省纪委监委",
    }
