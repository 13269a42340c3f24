"""What a site profile says, as typed, frozen data: columns, list rules, pagination, article
selectors, politeness, evidence. Read from TOML by sites/loader.py; used by extraction and spiders."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from govcrawler.sites.selectors import CompiledSelector

# Pagination families (SITES.md §4) and the [pagination] keys each one reads besides `kind`.
PAGINATION_KEYS: dict[str, frozenset[str]] = {
    "trs": frozenset(),
    "founder": frozenset({"total"}),
    "hanweb": frozenset({"total", "per_page"}),
    "jeecms": frozenset({"total"}),
    "vsb": frozenset({"total"}),
    "template": frozenset({"template", "first", "step", "total", "per_page"}),
    "query": frozenset({"param", "first", "step", "total", "per_page"}),
    "next_link": frozenset({"next_link"}),
    "none": frozenset(),
}
PAGINATION_KINDS = tuple(PAGINATION_KEYS)
# captured: checked against real captures; described: written from descriptions of the site;
# inferred: written by `govcrawler add-site` from the column pages alone (issue 14).
EVIDENCE_STATUSES = ("captured", "described", "inferred")


# The selector lists of an [article] table (each a list tried in order).
ARTICLE_RULE_NAMES = (
    "title",
    "published_at",
    "source",
    "author",
    "editor",
    "column",
    "meta_line",
    "body",
    "remove",
)


def host_in(host: str, domains: Iterable[str]) -> bool:
    """`host` is one of `domains` or a subdomain of one (both in lower case, as profiles hold
    them): the one test of "this host belongs to the site" for pages, files and discovery."""
    return any(host == d or host.endswith("." + d) for d in domains)


@dataclass(frozen=True)
class Column:
    name: str
    url: str


# `[list] script_links = true`: any quoted string in a <script> is a candidate link (贵州 2018
# `var str_1 = "./201802/t….html"`, 江苏 2015 `urls[i]='…'`, Hanweb's <record><![CDATA[…]]>).
DEFAULT_SCRIPT_LINK_RE = re.compile(r"""["']([^"'\s<>(){};+]+)["']""")


@dataclass(frozen=True)
class ListRules:
    """Which links on a list page are articles."""

    article_url: re.Pattern[str] | None = None
    items: CompiledSelector | None = None  # list entries; their links are candidates
    date: CompiledSelector | None = None  # date inside an entry (for `since`)
    script_links: re.Pattern[str] | None = None  # URLs written inside <script> text (group 1)


# The page number's place in a `template`: `{page}`, or `{page:08d}` zero-padded (辽宁 2018
# `…_00000001.shtml`); group 1 is the format spec. The loader, the template paginator and
# discovery's templates read it alike.
PAGE_PLACEHOLDER_RE = re.compile(r"\{page(?::(0?\d*d))?\}")


@dataclass(frozen=True)
class Pagination:
    """How to reach list page N+1 (families of SITES.md §4)."""

    kind: str = "none"
    next_link: CompiledSelector | None = None  # next_link: the <a> (or its @href)
    template: str = ""  # template: page URL with {page} (or {page:08d}), relative to the list
    param: str = "page"  # query: the query parameter carrying the page number or offset
    first: int = 2  # template/query: the number in the second page's URL
    step: int = 1  # template/query: increment from page to page (8: offsets; template −1: down)
    total: re.Pattern[str] | None = None  # group 1 = page count; overrides the family's own
    per_page: int = 0  # > 0: `total` (Hanweb: totalRecord) counts items, this many per page


@dataclass(frozen=True)
class ArticleRules:
    """Optional selector overrides; each field is a list tried in order, first non-empty wins."""

    title: tuple[CompiledSelector, ...] = ()
    published_at: tuple[CompiledSelector, ...] = ()
    source: tuple[CompiledSelector, ...] = ()
    author: tuple[CompiledSelector, ...] = ()
    editor: tuple[CompiledSelector, ...] = ()
    column: tuple[CompiledSelector, ...] = ()
    meta_line: tuple[CompiledSelector, ...] = ()  # a 来源/发布时间 line parsed by label
    body: tuple[CompiledSelector, ...] = ()
    remove: tuple[CompiledSelector, ...] = ()  # removed from the body before text is taken
    byline_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileRules:
    """[files]: which of an article's files the crawl fetches and archives (spiders/files.py).
    Attachments always; in-body images unless `images` is false; only from the profile's
    domains and these `hosts` (a site's own file server); `links` mark more attachment links
    anywhere on the page (a download script without a file suffix)."""

    images: bool = True
    hosts: tuple[str, ...] = ()
    links: tuple[CompiledSelector, ...] = ()


@dataclass(frozen=True)
class Evidence:
    status: str
    date: str
    sources: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class SiteProfile:
    key: str
    name: str
    name_en: str
    domains: tuple[str, ...]
    columns: tuple[Column, ...]
    evidence: Evidence
    id_pattern: re.Pattern[str] | None = None
    list: ListRules = field(default_factory=ListRules)
    pagination: Pagination = field(default_factory=Pagination)
    article: ArticleRules = field(default_factory=ArticleRules)
    boilerplate: tuple[str, ...] = ()
    politeness: dict[str, Any] = field(default_factory=dict)
    recheck_days: float | None = None  # [incremental]: re-fetch archived articles after N days
    files: FileRules = field(default_factory=FileRules)
    path: Path | None = None

    def allows(self, url: str) -> bool:
        """True when the URL's host is one of the profile's domains (or a subdomain of one)."""
        return host_in((urlsplit(url).hostname or "").lower(), self.domains)

    def column_for(self, url: str) -> str | None:
        """The column whose start URL's folder contains `url` (longest match), if any. None when
        several columns share that folder (Founder ENP `node_N.htm` lists all sit at the root,
        河北 2018): the URL does not tell them apart."""
        matches = [
            (len(folder), column.name)
            for column in self.columns
            if url.startswith(folder := column.url.rsplit("/", 1)[0] + "/")
        ]
        if not matches:
            return None
        longest = max(length for length, _ in matches)
        names = {name for length, name in matches if length == longest}
        return names.pop() if len(names) == 1 else None
