"""From a site's column pages alone, the profile rules that would read them: a pure proposer.

`govcrawler add-site` writes the minimal part of a proposal (domains, columns, id pattern,
pagination kind); `govcrawler check-site --live` prints the whole of it next to what the profile
matched, so a maintainer of a redesigned site can copy the new selectors. Every proposed rule is
checked against the pages it came from (the profile path run with it must find what discovery
found) and the check is reported with it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from govcrawler.extraction.discovery import ListDiscovery, discover
from govcrawler.extraction.discovery_paging import PagingGuess, discover_pagination
from govcrawler.extraction.listing import article_links
from govcrawler.extraction.pagination import explain_next_page
from govcrawler.extraction.url_shapes import article_url_regex, infer_id_pattern
from govcrawler.sites import (
    DEFAULT_SCRIPT_LINK_RE,
    PAGINATION_KEYS,
    Column,
    Evidence,
    ListRules,
    Pagination,
    SiteProfile,
)
from govcrawler.sites.selectors import SelectorError, compile_selector

# A proposed [list] rule must find at least this share of discovery's links on every page.
REPRODUCED_SHARE = 0.9


@dataclass(frozen=True)
class ColumnPage:
    """One column's first list page, as fetched (final URL after redirects) and decoded."""

    name: str
    url: str
    html: str


@dataclass(frozen=True)
class Proposal:
    """What the pages suggest a profile say, and how well each rule reproduces discovery."""

    domains: tuple[str, ...]
    columns: tuple[Column, ...]
    id_pattern: str | None
    article_url: str | None
    items: str | None
    script_links: bool
    pagination: Pagination
    samples: tuple[str, ...]  # a few article URLs found
    found: tuple[int, ...] = ()  # article links discovery found on each column's page
    notes: tuple[str, ...] = field(default=())  # per column: what discovery and paging saw

    def list_rules(self) -> ListRules:
        return _rules(self.items, self.article_url, self.script_links)

    def tables(self) -> dict[str, Any]:
        """The proposal as profile TOML data: `id_pattern`, `[list]`, `[pagination]`."""
        data: dict[str, Any] = {}
        if self.id_pattern:
            data["id_pattern"] = self.id_pattern
        listing: dict[str, Any] = {}
        if self.items:
            listing["items"] = self.items
        if self.article_url:
            listing["article_url"] = self.article_url
        if self.script_links:
            listing["script_links"] = True
        if listing:
            data["list"] = listing
        data["pagination"] = pagination_table(self.pagination)
        return data


def toml_literal(value: Any) -> str:
    """A proposal value as TOML: regexes and selectors as '…' literal strings (backslashes
    stay single, as a profile writes them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and "'" not in value and "\n" not in value:
        return f"'{value}'"
    return json.dumps(value, ensure_ascii=False)


def pagination_table(pagination: Pagination) -> dict[str, Any]:
    """A Pagination as its [pagination] table: the kind and the keys it reads that differ from
    the defaults."""
    default = Pagination()
    table: dict[str, Any] = {"kind": pagination.kind}
    for key in sorted(PAGINATION_KEYS[pagination.kind]):
        value = getattr(pagination, key)
        if value == getattr(default, key):
            continue
        if key == "next_link":
            value = value.source
        elif key == "total":
            value = value.pattern
        table[key] = value
    return table


def _rules(items: str | None, article_url: str | None, script_links: bool) -> ListRules:
    return ListRules(
        article_url=re.compile(article_url) if article_url else None,
        items=compile_selector(items) if items else None,
        script_links=DEFAULT_SCRIPT_LINK_RE if script_links and article_url else None,
    )


def _domains(pages: Sequence[ColumnPage], found: Sequence[ListDiscovery]) -> tuple[str, ...]:
    hosts = Counter(urlsplit(p.url).hostname or "" for p in pages)
    for result in found:
        hosts.update(urlsplit(u).hostname or "" for u in result.urls)
    return tuple(h for h, _ in hosts.most_common() if h)


def _items(found: Sequence[ListDiscovery]) -> str | None:
    """The entries' CSS selector when every page's list is plain links (not script- or
    comment-held) and the pages agree on at most three selectors. Only lists of two or more
    entries say where entries are (a lone entry's box is the whole list)."""
    selectors = []
    for result in found:
        if any(g.source != "a" for g in result.groups):
            return None
        selectors += [g.item for g in result.groups if len(g.urls) > 1]
    distinct = list(dict.fromkeys(selectors))
    if not distinct or len(distinct) > 3:
        return None
    candidate = ", ".join(distinct)
    try:
        compile_selector(candidate)
    except SelectorError:
        return None
    return candidate


def _reproduces(
    profile: SiteProfile, pages: Sequence[ColumnPage], found: Sequence[ListDiscovery]
) -> bool:
    for page, result in zip(pages, found, strict=True):
        want = set(result.urls)
        if not want:
            continue
        got = {e.url for e in article_links(page.html, page.url, profile)}
        if len(got & want) < REPRODUCED_SHARE * len(want) or len(got - want) > len(want) // 10:
            return False
    return True


def _pagination(
    pages: Sequence[ColumnPage], guesses: Sequence[PagingGuess]
) -> tuple[Pagination, str]:
    """One [pagination] for every column: the kind most first pages show, with the params of the
    first page showing it; the note says on how many columns that rule, run through the family
    code, gives the next page discovery found (a template relative to one column's folder may
    not fit the others)."""
    kinds = Counter(g.kind for g in guesses if g.kind != "none")
    if not kinds:
        return Pagination(), "no pager on any column's first page"
    kind, seen = kinds.most_common(1)[0]
    chosen = next(g.pagination for g in guesses if g.kind == kind)
    agree = sum(
        1
        for page, guess in zip(pages, guesses, strict=True)
        if guess.kind == kind
        and explain_next_page(page.html, page.url, chosen, 1).url == guess.next.url
    )
    note = f"{kind} on {seen} of {len(pages)} column(s); the proposed rule gives the same next page on {agree}"
    return chosen, note


def propose(pages: Sequence[ColumnPage], key: str = "proposed", name: str = "") -> Proposal:
    """The rules these column pages suggest; see the module doc."""
    found = [discover(p.html, p.url) for p in pages]
    guesses = [discover_pagination(p.html, p.url) for p in pages]
    urls = [u for result in found for u in result.urls]
    article_url = article_url_regex(urls, [p.url for p in pages])
    domains = _domains(pages, found)
    columns = tuple(Column(p.name, p.url) for p in pages)
    base = SiteProfile(
        key=key,
        name=name or key,
        name_en="",
        domains=domains,
        columns=columns,
        evidence=Evidence("inferred", ""),
    )
    script = any(g.source == "script" for r in found for g in r.groups)
    items = _items(found)
    notes: list[str] = []
    # The tightest rule that reproduces discovery: items + article_url, else article_url alone.
    chosen_items, chosen_url = None, None
    for try_items, try_url in ((items, article_url), (None, article_url), (items, None)):
        if try_items is None and try_url is None:
            continue
        rules = _rules(try_items, try_url, script)
        if _reproduces(replace(base, list=rules), pages, found):
            chosen_items, chosen_url = try_items, try_url
            break
    else:
        notes.append("no [list] rule reproduces discovery on every page: leave [list] out")
    pagination, paging_note = _pagination(pages, guesses)
    notes.append(paging_note)
    for page, result, guess in zip(pages, found, guesses, strict=True):
        notes.append(
            f"{page.name}: {result.how}; next page: {guess.next.url or 'none'} ({guess.evidence})"
        )
    return Proposal(
        domains=domains,
        columns=columns,
        id_pattern=infer_id_pattern(urls),
        article_url=chosen_url,
        items=chosen_items,
        script_links=script and chosen_url is not None,
        pagination=pagination,
        samples=tuple(urls[:3]),
        found=tuple(len(r.urls) for r in found),
        notes=tuple(notes),
    )
