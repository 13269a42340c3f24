"""List pages: article links from anchors and from <script> text; `:80` ports dropped."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from govcrawler.extraction.listing import article_links
from govcrawler.sites import (
    DEFAULT_SCRIPT_LINK_RE,
    ListRules,
    ProfileError,
    SiteProfile,
    get_profile,
    load_profile,
)
from govcrawler.sites.selectors import compile_selector

GUIZHOU = "http://www.gzdis.gov.cn/gzdt/jlsc/"


def profile(domains: tuple[str, ...], rules: ListRules) -> SiteProfile:
    return replace(get_profile("anhui"), key="demo", domains=domains, list=rules)


def test_guizhou_links_written_by_document_write() -> None:
    """贵州 2018: each entry's link is a JS string (`var str_1 = "./…"`, `var  str="…"`)."""
    html = f"""<ul class="list01">
      <li><dl><dd><script>var str_1 = "./201802/t20180228_2291412.html";
        document.write('<a href="'+str_1+'" target="_blank">标题一</a>');</script><span>2018-02-28</span></dd></dl></li>
      <li><dl><dd><script>var  str="./201801/t20180115_2200001.html";document.write(str);</script></dd></dl></li>
      <li><dl><dd><a href="./201712/t20171201_2091572.html">标题三</a></dd></dl></li>
    </ul><script src="/js/common.js"></script><script>var home = "{GUIZHOU}index.html";</script>"""
    rules = ListRules(
        article_url=re.compile(r"/t\d{8}_\d+\.html$"),
        items=compile_selector("ul.list01 li"),
        date=compile_selector("span"),
        script_links=DEFAULT_SCRIPT_LINK_RE,
    )
    entries = article_links(html, GUIZHOU, profile(("www.gzdis.gov.cn",), rules))
    assert [e.url for e in entries] == [
        GUIZHOU + "201802/t20180228_2291412.html",
        GUIZHOU + "201801/t20180115_2200001.html",
        GUIZHOU + "201712/t20171201_2091572.html",
    ]
    assert entries[0].date == "2018-02-28"  # the entry's own date
    assert entries[1].date == "2018-01-15"  # else the date the TRS URL carries
    # Without script_links the same page has only its plain anchor.
    plain = replace(rules, script_links=None)
    assert len(article_links(html, GUIZHOU, profile(("www.gzdis.gov.cn",), plain))) == 1


def test_hanweb_records_and_url_arrays() -> None:
    """江苏: Hanweb keeps the list in <script type="text/xml"> records (2018–2024) or in
    `urls[i]='…'` arrays (2015); both are only script text to an HTML parser."""
    html = """<div id="12606"><script type="text/xml"><datastore><recordset>
      <record><![CDATA[<li><a href="/art/2024/3/5/art_232_99101.html" class="bt_link" title="甲">甲</a><b>2024-03-05</b></li>]]></record>
      <record><![CDATA[<li><a href="/art/2024/3/1/art_232_99087.html" class="bt_link" title="乙">乙</a></li>]]></record>
    </recordset></datastore></script></div>
    <script>var urls=new Array();urls[i]='/art/2015/6/2/art_17_40012.html';headers[i]='丙';i++;</script>
    <a href="/col/col233/index.html">工作动态</a>"""
    rules = ListRules(
        article_url=re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"),
        script_links=DEFAULT_SCRIPT_LINK_RE,
    )
    site = profile(("www.jssjw.gov.cn",), rules)
    urls = [
        e.url for e in article_links(html, "https://www.jssjw.gov.cn/col/col232/index.html", site)
    ]
    assert urls == [
        "https://www.jssjw.gov.cn/art/2024/3/5/art_232_99101.html",
        "https://www.jssjw.gov.cn/art/2024/3/1/art_232_99087.html",
        "https://www.jssjw.gov.cn/art/2015/6/2/art_17_40012.html",
    ]
    # A profile regex picks exactly what it names (group 1).
    only_arrays = replace(rules, script_links=re.compile(r"urls\[i\]\s*=\s*'([^']+)'"))
    picked = article_links(
        html, "https://www.jssjw.gov.cn/", profile(("www.jssjw.gov.cn",), only_arrays)
    )
    assert [e.url for e in picked] == ["https://www.jssjw.gov.cn/art/2015/6/2/art_17_40012.html"]


def test_default_port_links_are_the_same_article() -> None:
    """广东 2018 hrefs carry `:80` (`http://www.gdjct.gd.gov.cn:80/ffkb/58831.jhtml`)."""
    html = """<ul class="GsTL5">
      <li><a href="http://www.gdjct.gd.gov.cn:80/ffkb/58831.jhtml" title="甲">甲</a><span>2018-05-02</span></li>
      <li><a href="http://www.gdjct.gd.gov.cn/ffkb/58831.jhtml">甲（重复）</a></li>
      <li><a href="https://www.gdjct.gd.gov.cn:443/ffkb/58830.jhtml">乙</a></li>
      <li><a href="http://www.gdjct.gd.gov.cn:8080/ffkb/58829.jhtml">丙（另一端口）</a></li>
    </ul>"""
    rules = ListRules(
        article_url=re.compile(r"/ffkb/\d+\.jhtml$"), items=compile_selector("ul.GsTL5 li")
    )
    entries = article_links(
        html,
        "http://www.gdjct.gd.gov.cn:80/ffkb/index.jhtml",
        profile(("www.gdjct.gd.gov.cn",), rules),
    )
    assert [e.url for e in entries] == [
        "http://www.gdjct.gd.gov.cn/ffkb/58831.jhtml",
        "https://www.gdjct.gd.gov.cn/ffkb/58830.jhtml",
        "http://www.gdjct.gd.gov.cn:8080/ffkb/58829.jhtml",
    ]
    assert entries[0].title == "甲"


PROFILE = """
key = "demo"
name = "某省纪委监委"
domains = ["www.example.gov.cn"]
[[columns]]
name = "审查调查"
url = "http://www.example.gov.cn/scdc/index.html"
[evidence]
status = "described"
date = "2018-06-07"
[list]
"""


def load_list(tmp_path: Path, table: str) -> ListRules:
    path = tmp_path / "demo.toml"
    path.write_text(PROFILE + table, "utf-8")
    return load_profile(path).list


def test_script_links_in_a_profile(tmp_path: Path) -> None:
    article = "article_url = '/t\\d+\\.html$'\n"
    assert (
        load_list(tmp_path, article + "script_links = true\n").script_links
        is DEFAULT_SCRIPT_LINK_RE
    )
    assert load_list(tmp_path, article + "script_links = false\n").script_links is None
    custom = load_list(tmp_path, article + 'script_links = \'str_\\d+ = "([^"]+)"\'\n')
    assert custom.script_links is not None and custom.script_links.pattern == 'str_\\d+ = "([^"]+)"'


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("items = 'li'\nscript_links = true\n", "needs 'list.article_url'"),
        ("article_url = 'x'\nscript_links = 1\n", "'list.script_links' has the wrong type"),
        ("article_url = 'x'\nscript_links = '(unclosed'\n", "'list.script_links': bad regex"),
        ("article_url = 'x'\nscript = true\n", "'list.script'"),
    ],
)
def test_bad_script_links_fail_loudly(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_list(tmp_path, table)
