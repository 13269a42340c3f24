"""Site profiles: one TOML file per site in this folder, loaded strictly.

An unknown key, a missing required key, a bad regex or a bad selector fails at load time with the
file and the key named (ProfileError). Profiles are data only: nothing in them is executed.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from govcrawler.extraction.selectors import CompiledSelector, SelectorError, compile_selector

PROFILE_DIR = Path(__file__).parent
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
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
EVIDENCE_STATUSES = ("captured", "described")


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


class ProfileError(ValueError):
    """A profile file that does not follow the format; the message names file and key."""


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
    path: Path | None = None

    def allows(self, url: str) -> bool:
        """True when the URL's host is one of the profile's domains (or a subdomain of one)."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)

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


# ---- strict loading -------------------------------------------------------------------------

_POLITENESS_KEYS: dict[str, type | tuple[type, ...]] = {
    "download_delay": (int, float),
    "concurrency": int,
    "autothrottle_target_concurrency": (int, float),
    "user_agent": str,
}


class _Reader:
    """Reads one TOML table, remembering which keys were used so leftovers fail loudly."""

    def __init__(self, path: Path, where: str, table: Any) -> None:
        if not isinstance(table, dict):
            raise ProfileError(f"{path}: [{where}] must be a table")
        self.path, self.where, self.table = path, where, table
        self.used: set[str] = set()

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def get(
        self,
        key: str,
        kind: type | tuple[type, ...],
        default: Any = None,
        *,
        required: bool = False,
    ) -> Any:
        self.used.add(key)
        if key not in self.table:
            if required:
                raise ProfileError(f"{self.path}: missing required key {self._name(key)!r}")
            return default
        value = self.table[key]
        bool_ok = kind is bool or (isinstance(kind, tuple) and bool in kind)
        if not isinstance(value, kind) or (isinstance(value, bool) and not bool_ok):
            raise ProfileError(
                f"{self.path}: key {self._name(key)!r} has the wrong type ({type(value).__name__})"
            )
        return value

    def regex(self, key: str) -> re.Pattern[str] | None:
        source = self.get(key, str)
        if source is None:
            return None
        try:
            return re.compile(source)
        except re.error as exc:
            raise ProfileError(f"{self.path}: key {self._name(key)!r}: bad regex: {exc}") from exc

    def selector(self, key: str) -> CompiledSelector | None:
        source = self.get(key, str)
        return None if source is None else self._compile(key, source)

    def selectors(self, key: str) -> tuple[CompiledSelector, ...]:
        value = self.get(key, (str, list), [])
        items = [value] if isinstance(value, str) else value
        if not all(isinstance(s, str) for s in items):
            raise ProfileError(f"{self.path}: key {self._name(key)!r} must be a list of strings")
        return tuple(self._compile(key, s) for s in items)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, [])
        if not all(isinstance(s, str) for s in value):
            raise ProfileError(f"{self.path}: key {self._name(key)!r} must be a list of strings")
        return tuple(value)

    def sub(self, key: str) -> _Reader:
        self.used.add(key)
        return _Reader(self.path, self._name(key), self.table.get(key, {}))

    def done(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            names = ", ".join(repr(self._name(k)) for k in unknown)
            raise ProfileError(f"{self.path}: unknown key(s) {names}")

    def _compile(self, key: str, source: str) -> CompiledSelector:
        try:
            return compile_selector(source)
        except SelectorError as exc:
            raise ProfileError(f"{self.path}: key {self._name(key)!r}: {exc}") from exc


def _list_rules(path: Path, lst: _Reader) -> ListRules:
    script = lst.get("script_links", (bool, str), False)
    if isinstance(script, str):
        script_re: re.Pattern[str] | None = lst.regex("script_links")
    else:
        script_re = DEFAULT_SCRIPT_LINK_RE if script else None
    rules = ListRules(
        lst.regex("article_url"), lst.selector("items"), lst.selector("date"), script_re
    )
    lst.done()
    if rules.article_url is None and rules.items is None:
        raise ProfileError(f"{path}: [list] needs 'article_url' and/or 'items'")
    if rules.script_links is not None and rules.article_url is None:
        raise ProfileError(f"{path}: 'list.script_links' needs 'list.article_url' to filter them")
    return rules


def _pagination(path: Path, pag: _Reader) -> Pagination:
    kind = pag.get("kind", str, "none")
    if kind not in PAGINATION_KEYS:
        raise ProfileError(f"{path}: key 'pagination.kind' must be one of {PAGINATION_KINDS}")
    stray = sorted(set(pag.table) - PAGINATION_KEYS[kind] - {"kind"})
    if stray:
        names = ", ".join(f"'pagination.{k}'" for k in stray)
        raise ProfileError(f"{path}: key(s) {names} do not apply to pagination.kind {kind!r}")
    pagination = Pagination(
        kind=kind,
        next_link=pag.selector("next_link"),
        template=pag.get("template", str, ""),
        param=pag.get("param", str, "page"),
        first=pag.get("first", int, 2),
        step=pag.get("step", int, 1),
        total=pag.regex("total"),
        per_page=pag.get("per_page", int, 0),
    )
    pag.done()
    if kind == "next_link" and pagination.next_link is None:
        raise ProfileError(f"{path}: pagination.kind 'next_link' needs 'pagination.next_link'")
    if kind == "template" and not _PAGE_PLACEHOLDER_RE.search(pagination.template):
        raise ProfileError(
            f"{path}: pagination.kind 'template' needs a 'pagination.template' with {{page}}"
        )
    if kind == "query" and not pagination.param:
        raise ProfileError(f"{path}: key 'pagination.param' must not be empty")
    if pagination.step == 0 or (pagination.step < 0 and kind != "template"):
        raise ProfileError(
            f"{path}: 'pagination.step' must be ≥ 1 (or < 0: a template counting down)"
        )
    if pagination.first < 0 or pagination.per_page < 0:
        raise ProfileError(f"{path}: 'pagination.first' and 'pagination.per_page' must be ≥ 0")
    if pagination.total is not None and pagination.total.groups < 1:
        raise ProfileError(f"{path}: key 'pagination.total' needs a group (the count)")
    return pagination


# `{page}` or `{page:08d}` (a zero-padded page number, 辽宁 2018 `…_00000001.shtml`).
_PAGE_PLACEHOLDER_RE = re.compile(r"\{page(?::0?\d*d)?\}")


def load_profile(path: Path) -> SiteProfile:
    """Parse and validate one profile file."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from exc
    top = _Reader(path, "", data)
    key = top.get("key", str, required=True)
    if not KEY_RE.match(key) or key != path.stem:
        raise ProfileError(f"{path}: key {key!r} must be lower-case pinyin and equal the file name")
    domains = top.strings("domains")
    if not domains:
        raise ProfileError(f"{path}: missing required key 'domains'")

    columns = []
    for i, raw in enumerate(top.get("columns", list, [], required=True)):
        col = _Reader(path, f"columns[{i}]", raw)
        columns.append(
            Column(col.get("name", str, required=True), col.get("url", str, required=True))
        )
        col.done()
    if not columns:
        raise ProfileError(f"{path}: 'columns' must list at least one column")

    list_rules = _list_rules(path, top.sub("list"))
    pagination = _pagination(path, top.sub("pagination"))

    art = top.sub("article")
    article = ArticleRules(
        **{name: art.selectors(name) for name in ARTICLE_RULE_NAMES},
        byline_prefixes=art.strings("byline_prefixes"),
    )
    art.done()

    pol = top.sub("politeness")
    politeness = {k: pol.get(k, t) for k, t in _POLITENESS_KEYS.items() if k in pol.table}
    pol.done()

    inc = top.sub("incremental")
    recheck_days = inc.get("recheck_days", (int, float))
    inc.done()
    if recheck_days is not None and recheck_days < 0:
        raise ProfileError(f"{path}: key 'incremental.recheck_days' must be 0 or more")

    ev = top.sub("evidence")
    evidence = Evidence(
        status=ev.get("status", str, required=True),
        date=ev.get("date", str, required=True),
        sources=ev.strings("sources"),
        notes=ev.get("notes", str, ""),
    )
    ev.done()
    if evidence.status not in EVIDENCE_STATUSES:
        raise ProfileError(f"{path}: key 'evidence.status' must be one of {EVIDENCE_STATUSES}")

    profile = SiteProfile(
        key=key,
        name=top.get("name", str, required=True),
        name_en=top.get("name_en", str, ""),
        domains=domains,
        columns=tuple(columns),
        evidence=evidence,
        id_pattern=top.regex("id_pattern"),
        list=list_rules,
        pagination=pagination,
        article=article,
        boilerplate=top.strings("boilerplate"),
        politeness=politeness,
        recheck_days=recheck_days,
        path=path,
    )
    top.done()
    return profile


# Folders of extra profiles (os.pathsep-separated), read once per process: a site an operator
# keeps outside the package, or a test profile pointed at a loopback server.
PROFILES_DIR_ENV = "GOVCRAWLER_PROFILES_DIR"


@cache
def all_profiles() -> dict[str, SiteProfile]:
    """Every bundled profile by key, then those in the GOVCRAWLER_PROFILES_DIR folders; in key
    order. An extra profile may not reuse a bundled key."""
    profiles = {p.stem: load_profile(p) for p in sorted(PROFILE_DIR.glob("*.toml"))}
    for folder in filter(None, os.environ.get(PROFILES_DIR_ENV, "").split(os.pathsep)):
        if not Path(folder).is_dir():
            raise ProfileError(f"{PROFILES_DIR_ENV}: {folder} is not a folder")
        for path in sorted(Path(folder).glob("*.toml")):
            if path.stem in profiles:
                raise ProfileError(f"{path}: site {path.stem!r} is already defined")
            profiles[path.stem] = load_profile(path)
    return dict(sorted(profiles.items()))


def get_profile(key: str) -> SiteProfile:
    try:
        return all_profiles()[key]
    except KeyError:
        known = ", ".join(all_profiles())
        raise ProfileError(f"no site profile {key!r} (known: {known})") from None


def profile_for_url(url: str) -> SiteProfile | None:
    """The bundled profile whose domains cover the URL, if any."""
    return next((p for p in all_profiles().values() if p.allows(url)), None)
