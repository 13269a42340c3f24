"""Loading site profiles strictly: one TOML file per site in this folder (and in the folders of
GOVCRAWLER_PROFILES_DIR).

An unknown key, a missing required key, a bad regex or a bad selector fails at load time with the
file and the key named (ProfileError). Profiles are data only: nothing in them is executed.
"""

from __future__ import annotations

import os
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from govcrawler.sites.profile import (
    ARTICLE_RULE_NAMES,
    DEFAULT_SCRIPT_LINK_RE,
    EVIDENCE_STATUSES,
    PAGE_PLACEHOLDER_RE,
    PAGINATION_KEYS,
    PAGINATION_KINDS,
    ArticleRules,
    Column,
    Evidence,
    FileRules,
    ListRules,
    Pagination,
    SiteProfile,
)
from govcrawler.sites.selectors import CompiledSelector, SelectorError, compile_selector

PROFILE_DIR = Path(__file__).parent
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class ProfileError(ValueError):
    """A profile file that does not follow the format; the message names file and key."""


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
    # No [list] at all: the list pages' article links are found by discovery (issue 14).
    if lst.table and rules.article_url is None and rules.items is None:
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
    if kind == "template" and not PAGE_PLACEHOLDER_RE.search(pagination.template):
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


# A host name as `domains` and `files.hosts` hold them: no scheme, path or port.
_HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


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

    fil = top.sub("files")
    files = FileRules(
        images=fil.get("images", bool, True),
        hosts=tuple(h.lower() for h in fil.strings("hosts")),
        links=fil.selectors("links"),
    )
    fil.done()
    bad_hosts = [h for h in files.hosts if not _HOST_RE.match(h)]
    if bad_hosts:
        raise ProfileError(f"{path}: key 'files.hosts': not a host name: {bad_hosts}")

    ev = top.sub("evidence")
    required = bool(ev.table)  # no [evidence] table: the profile claims nothing (status inferred)
    evidence = Evidence(
        status=ev.get("status", str, "inferred", required=required),
        date=ev.get("date", str, "", required=required),
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
        files=files,
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
