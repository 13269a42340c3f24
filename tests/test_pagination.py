"""Pagination families (SITES.md §4) as pure functions, and their strict [pagination] table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govcrawler.extraction.pagination import explain_next_page, next_page, trs_next_page
from govcrawler.sites import Pagination, ProfileError, load_profile
from govcrawler.sites.selectors import compile_selector

LIST = "https://www.ccdi.gov.cn/scdcn/zggb/zjsc/index.html"


def walk(pages: dict[str, str], start: str, pagination: Pagination) -> list[str]:
    """Follow the family from `start` over a dict of URL → HTML, as the spider would."""
    visited = [start]
    while url := next_page(pages.get(visited[-1], ""), visited[-1], pagination, len(visited)):
        assert url not in visited, f"loop at {url}"
        visited.append(url)
        assert len(visited) < 50
    return visited


# ---- TRS -----------------------------------------------------------------------------------


def test_trs_create_page_html_in_every_extension() -> None:
    page1 = '<script>createPageHTML(5, 0, "index", "html");</script>'
    assert trs_next_page(page1, LIST).url == "https://www.ccdi.gov.cn/scdcn/zggb/zjsc/index_1.html"
    page3 = "<script>createPageHTML(5,2,'index','htm')</script>"
    assert trs_next_page(page3, LIST.replace("index.html", "index_2.htm")).url == (
        "https://www.ccdi.gov.cn/scdcn/zggb/zjsc/index_3.htm"
    )
    shtml = '<script>createPageHTML(3, 1, "index", "shtml");</script>'
    assert trs_next_page(shtml, "http://www.x.gov.cn/ajcc/index_1.shtml").url == (
        "http://www.x.gov.cn/ajcc/index_2.shtml"
    )
    last = '<script>createPageHTML(5, 4, "index", "shtml");</script>'
    assert trs_next_page(last, LIST).url is None
    assert trs_next_page("<p>no pager</p>", LIST).url is None


def test_trs_with_variable_arguments() -> None:
    html = '<script>var countPage = 3;var currentPage = 1;createPageHTML(countPage, currentPage, "index", "html");</script>'
    assert trs_next_page(html, LIST).url == "https://www.ccdi.gov.cn/scdcn/zggb/zjsc/index_2.html"


def test_trs_count_page_variable_jilin() -> None:
    """吉林 2018: no createPageHTML call, only `var countPage = N` (and `currentPage`)."""
    base = "http://ccdijl.gov.cn/jwjct2018/scdc/djzwcf/"
    pages = {
        base: "<script>\nvar currentPage = 0;//所在页从0开始\nvar countPage = 3//共多少页\n</script>",
        base + "index_1.html": "<script>var currentPage = 1;\nvar countPage = 3</script>",
        base + "index_2.html": "<script>var currentPage = 2;\nvar countPage = 3</script>",
    }
    assert walk(pages, base, Pagination(kind="trs")) == list(pages)
    # Without currentPage, the page's own index_N in the URL is the current page.
    assert (
        trs_next_page("<script>var countPage = 3</script>", base + "index_1.html").url
        == base + "index_2.html"
    )
    assert trs_next_page("<script>var countPage = 1</script>", base).url is None


# ---- Founder ENP ----------------------------------------------------------------------------


def founder_pager(current: int, total: int) -> str:
    links = "".join(
        f'<a class="page-Article" href="node_122866_{n}.htm">{n}</a>'
        if n != current
        else f"<span>{n}</span>"
        for n in range(1, total + 1)
    ).replace('href="node_122866_1.htm"', 'href="node_122866.htm"')
    nxt = f'<a href="node_122866_{current + 1}.htm">&gt;</a>' if current < total else ""
    return f'<div id="displaypagenum"><center>{links}{nxt}</center></div>'


def test_founder_node_pages_stop_at_the_displaypagenum_count() -> None:
    base = "http://www.hebcdi.gov.cn/"
    pages = {base + "node_122866.htm": founder_pager(1, 3)}
    pages |= {base + f"node_122866_{n}.htm": founder_pager(n, 3) for n in (2, 3)}
    assert walk(pages, base + "node_122866.htm", Pagination(kind="founder")) == list(pages)


def test_founder_ignores_other_nodes_and_reads_a_profile_total() -> None:
    other = '<a href="node_999_7.htm">7</a>'
    url = "http://jjc.cq.gov.cn/html/node_282706.htm"
    assert next_page(other, url, Pagination(kind="founder")) is None
    total = Pagination(kind="founder", total=re.compile(r"共(\d+)页"))
    assert next_page("<p>共4页</p>", url, total) == "http://jjc.cq.gov.cn/html/node_282706_2.htm"
    assert next_page("<p>共4页</p>", url.replace(".htm", "_4.htm"), total) is None


# ---- Hanweb --------------------------------------------------------------------------------


def test_hanweb_uid_and_page_num_stop_at_total_record() -> None:
    script = (
        "<script>$('#12606').jpage({dataStore:dataStore, totalRecord:45, perPage:20});</script>"
    )
    col = "https://www.jssjw.gov.cn/col/col232/index.html"
    pages = {
        col: script,
        col + "?uid=12606&pageNum=2": script,
        col + "?uid=12606&pageNum=3": script,
    }
    assert walk(pages, col, Pagination(kind="hanweb")) == list(pages)
    # 20 a page when the page does not say; the uid from the dataproxy nextgroup link.
    proxy = '<script type="text/xml"><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&columnid=17&unitid=9931"></a>]]></nextgroup></script><script>var x={totalRecord:21}</script>'
    assert next_page(proxy, col, Pagination(kind="hanweb")) == col + "?uid=9931&pageNum=2"
    assert next_page(proxy, col + "?uid=9931&pageNum=2", Pagination(kind="hanweb")) is None
    assert next_page("<p>no jpage</p>", col, Pagination(kind="hanweb")) is None
    # Another module's jpage on the same page does not count; its own call does.
    two = (
        "<script>$('#500').jpage({totalRecord:300, perPage:10});"
        "$('#12606').jpage({dataStore:dataStore, totalRecord:15, perPage:20});</script>"
    )
    assert next_page(two, col + "?uid=12606&pageNum=1", Pagination(kind="hanweb")) is None


# ---- JEECMS ---------------------------------------------------------------------------------


def test_jeecms_index_jhtml_stops_at_the_last_linked_page() -> None:
    base = "http://www.gdjct.gd.gov.cn/ffkb/"
    pager = '<div class="fanye"><a href="http://www.gdjct.gd.gov.cn:80/ffkb/index_2.jhtml">下一页</a><a href="http://www.gdjct.gd.gov.cn:80/ffkb/index_3.jhtml">末页</a></div>'
    pages = {
        base + "index.jhtml": pager,
        base + "index_2.jhtml": pager,
        base + "index_3.jhtml": pager,
    }
    assert walk(pages, base + "index.jhtml", Pagination(kind="jeecms")) == list(pages)


# ---- VSB ------------------------------------------------------------------------------------


def test_vsb_counts_down_from_the_fanye_total() -> None:
    """陕西: scdc.htm, then scdc/3.htm, scdc/2.htm, scdc/1.htm for "1/4"."""
    fanye = '<td id="fanye1948" nowrap align="left">共38条&nbsp;&nbsp;1/4&nbsp;</td>'
    start = "https://www.qinfeng.gov.cn/scdc.htm"
    expected = [start] + [f"https://www.qinfeng.gov.cn/scdc/{n}.htm" for n in (3, 2, 1)]
    assert walk({start: fanye}, start, Pagination(kind="vsb")) == expected


def test_vsb_without_fanye_uses_the_next_link_and_one_page_stops() -> None:
    links = '<a href="zjsc/6.htm" class="Next">下页</a><a href="zjsc/1.htm" class="Next">尾页</a>'
    url = "https://www.qinfeng.gov.cn/scdc/sggb/zjsc.htm"
    assert next_page(links, url, Pagination(kind="vsb")) == (
        "https://www.qinfeng.gov.cn/scdc/sggb/zjsc/6.htm"
    )
    assert next_page('<td id="fanye1948">共3条 1/1</td>', url, Pagination(kind="vsb")) is None


# ---- templates and query parameters -------------------------------------------------------


def test_template_relative_to_the_list_with_unknown_count() -> None:
    """天津: jlsc/ then jlsc/2.html, 3.html …; no count on the page, so it keeps going."""
    pagination = Pagination(kind="template", template="{page}.html")
    col = "http://www.tjjw.gov.cn/html/quanweifabu/shenchadiaocha/tianjin/jlsc/"
    assert next_page("", col, pagination) == col + "2.html"
    assert next_page("", col + "2.html", pagination, 2) == col + "3.html"
    nav = explain_next_page("", col + "2.html", pagination, 2)
    assert nav.total is None and "unknown" in nav.how


def test_a_menu_link_to_the_page_itself_is_no_page_count() -> None:
    """河南 2018: the sidebar links each column's list1.html. On list1.html that link names the
    page itself, and says nothing about the last page; a pager's own "1"/"2" link does."""
    pagination = Pagination(kind="template", template="list{page}.html")
    col = "http://www.hnsjct.gov.cn/sitesources/hnsjct/page_pc/gzdt/jlsc/zggb/zjsc/"
    menu = f'<ul><li><a href="{col}list1.html">中管干部</a></li></ul>'
    assert next_page(menu, col + "list1.html", pagination) == col + "list2.html"
    pager = (
        f'<div class="page"><a href="{col}list1.html">1</a><a href="{col}list2.html">2</a></div>'
    )
    assert next_page(pager, col + "list2.html", pagination, 2) is None


def test_template_zero_padded_stops_at_the_last_page_link() -> None:
    """浙江 2018 style: /ch112/system/count//…_{page:09d}.shtml counting up from 1; a 末页 link
    names the last page."""
    pagination = Pagination(
        kind="template",
        template="/ch112/system/count//0112003/000000000000/000/000/c0112003000000000000_{page:09d}.shtml",
        first=1,
    )
    col = "http://www.zjsjw.gov.cn/ch112/jlsc/index.shtml"
    more = "http://www.zjsjw.gov.cn/ch112/system/count//0112003/000000000000/000/000/c0112003000000000000_"
    pager = f'<a href="{more}000000002.shtml">末页</a>'
    pages = {col: pager, more + "000000001.shtml": pager, more + "000000002.shtml": pager}
    assert walk(pages, col, pagination) == list(pages)


def test_template_counting_down_liaoning() -> None:
    """辽宁 2018: the list's first page links the highest `more` page (首页 = newest); the walk goes
    from that number down to 1."""
    pagination = Pagination(
        kind="template",
        template="system/more/1400000000000000/0000/1400000000000000_{page:08d}.shtml",
        step=-1,
    )
    col = "http://www.lnsjjjc.gov.cn/jlsc/"
    more = col + "system/more/1400000000000000/0000/1400000000000000_"
    pager = f'<p class="tC"><a href="{more}00000003.shtml">首页</a><a href="{more}00000001.shtml">尾页</a></p>'
    pages = {col: pager} | {f"{more}{n:08d}.shtml": pager for n in (3, 2, 1)}
    assert walk(pages, col, pagination) == list(pages)
    assert next_page("<p>no pager</p>", col, pagination) is None
    with_total = Pagination(
        kind="template", template=pagination.template, step=-1, total=re.compile(r"共(\d+)页")
    )
    assert next_page("<p>共5页</p>", col, with_total) == f"{more}00000005.shtml"


def test_template_with_a_profile_total() -> None:
    pagination = Pagination(
        kind="template",
        template="list_15_{page}.html",
        first=1,
        total=re.compile(r"<strong>(\d+)</strong>"),
    )
    col = "http://www.sxdi.gov.cn/gzdt/jlsc/"
    assert next_page("<strong>2</strong>", col, pagination) == col + "list_15_1.html"
    assert next_page("<strong>2</strong>", col + "list_15_1.html", pagination) is None


def test_query_page_parameter_keeps_the_others_and_stops_at_the_last_page() -> None:
    """黑龙江: news.php?cid=15&page=N; the 最后一页 link names N; other columns' links don't count."""
    pagination = Pagination(kind="query", param="page")
    pager = (
        '<div class="page_list1"><a title="下一页" href="news.php?cid=15&page=2">下一页</a>'
        '<a title="最后一页" href="news.php?page=3&amp;cid=15">最后一页</a></div>'
        '<a href="news.php?cid=16&page=40">其他栏目</a>'
    )
    col = "http://www.hljjjjc.gov.cn/news.php?cid=15"
    assert walk({col: pager, col + "&page=2": pager, col + "&page=3": pager}, col, pagination) == [
        col,
        col + "&page=2",
        col + "&page=3",
    ]


def test_query_offset_nbegin_hainan_and_other_parameter_names() -> None:
    offset = Pagination(kind="query", param="nbegin", first=8, step=8)
    col = "http://www.hnlzw.net/jlsc_sggb.php?ncount=8&nbegin=0"
    last = '<a href="jlsc_sggb.php?ncount=8&nbegin=16">末页</a>'
    pages = {col: last} | {col.replace("=0", f"={n}"): last for n in (8, 16)}
    assert walk(pages, col, offset) == list(pages)
    # 广西 `pageno`, 湖北 `cur_page`: the same family with another parameter name.
    pageno = Pagination(kind="query", param="pageno")
    assert next_page("", "http://www.gxjjw.gov.cn/more.php?sortid=908", pageno) == (
        "http://www.gxjjw.gov.cn/more.php?sortid=908&pageno=2"
    )
    cur = Pagination(kind="query", param="cur_page", total=re.compile(r"共(\d+)页"))
    url = "http://www.hbjwjc.gov.cn/info/iList.jsp?site_id=CMShbjct&cat_id=10007&cur_page=2"
    assert next_page("共3页", url, cur) == url.replace("cur_page=2", "cur_page=3")
    assert next_page("共2页", url, cur) is None


# ---- next link and none ----------------------------------------------------------------------


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


def test_no_pagination() -> None:
    html = '<script>createPageHTML(5, 0, "index", "html")</script>'
    assert next_page(html, LIST, Pagination(), 1) is None


# ---- the [pagination] table is strict ---------------------------------------------------------

PROFILE = """
key = "demo"
name = "某省纪委监委"
domains = ["www.example.gov.cn"]
[[columns]]
name = "审查调查"
url = "http://www.example.gov.cn/scdc/index.html"
[list]
article_url = '/t\\d{8}_\\d+\\.html$'
[evidence]
status = "described"
date = "2018-06-07"
"""


def load(tmp_path: Path, table: str) -> Pagination:
    path = tmp_path / "demo.toml"
    path.write_text(PROFILE + table, "utf-8")
    return load_profile(path).pagination


def test_every_family_loads_from_a_profile(tmp_path: Path) -> None:
    for kind in ("trs", "founder", "hanweb", "jeecms", "vsb", "none"):
        assert load(tmp_path, f'[pagination]\nkind = "{kind}"\n').kind == kind
    query = load(
        tmp_path,
        '[pagination]\nkind = "query"\nparam = "nbegin"\nfirst = 8\nstep = 8\ntotal = "共(\\\\d+)页"\n',
    )
    assert (query.param, query.first, query.step) == ("nbegin", 8, 8)
    assert query.total is not None and query.total.pattern == "共(\\d+)页"
    template = load(
        tmp_path, '[pagination]\nkind = "template"\ntemplate = "list_{page:08d}.shtml"\n'
    )
    assert template.template == "list_{page:08d}.shtml"


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ('kind = "trs"\ntemplate = "x_{page}.html"\n', "'pagination.template'"),
        ('kind = "founder"\nparam = "page"\n', "'pagination.param'"),
        ('kind = "template"\ntemplate = "list.html"\n', "'pagination.template'"),
        ('kind = "query"\nparam = ""\n', "'pagination.param'"),
        ('kind = "query"\nstep = 0\n', "'pagination.step'"),
        ('kind = "query"\nstep = -1\n', "'pagination.step'"),
        ('kind = "jeecms"\ntotal = "no group"\n', "'pagination.total'"),
        ('kind = "jeecms"\ntotal = "(unclosed"\n', "'pagination.total'"),
        ('kind = "offset"\n', "'pagination.kind'"),
        ('kind = "hanweb"\nper_page = "20"\n', "'pagination.per_page'"),
    ],
)
def test_bad_pagination_tables_fail_loudly(tmp_path: Path, table: str, named: str) -> None:
    with pytest.raises(ProfileError) as err:
        load(tmp_path, "[pagination]\n" + table)
    assert named in str(err.value)
