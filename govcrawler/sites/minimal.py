"""Minimal profiles: a site reduced to key, name, domains and columns, and the TOML of one.

`govcrawler add-site` writes such a profile (plus the id pattern and pagination it inferred);
the redesign tests strip a bundled profile to this form to show the crawl needs no selectors.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import tomli_w

from govcrawler.sites import (
    ArticleRules,
    Column,
    Evidence,
    FileRules,
    ListRules,
    Pagination,
    SiteProfile,
)


def minimal_profile(profile: SiteProfile) -> SiteProfile:
    """The profile with only key, name, domains and columns: no id pattern, no list, pagination,
    article or file rules, no boilerplate, politeness or evidence (status `inferred`); the
    profile `minimal_toml` writes, as loaded."""
    return replace(
        profile,
        name_en="",
        evidence=Evidence("inferred", ""),
        id_pattern=None,
        list=ListRules(),
        pagination=Pagination(),
        article=ArticleRules(),
        boilerplate=(),
        politeness={},
        recheck_days=None,
        files=FileRules(),
        path=None,
    )


def profile_toml(
    key: str,
    name: str,
    domains: tuple[str, ...],
    columns: tuple[Column, ...],
    *,
    rules: dict[str, Any] | None = None,
    evidence: Evidence | None = None,
    comment: str = "",
) -> str:
    """A profile file: the given header comment, the minimal keys, then `rules` (top-level keys
    such as `id_pattern` and tables such as `[pagination]`), then `[evidence]`."""
    rules = rules or {}
    data: dict[str, Any] = {"key": key, "name": name, "domains": list(domains)}
    data.update({k: v for k, v in rules.items() if not isinstance(v, dict)})
    data["columns"] = [{"name": c.name, "url": c.url} for c in columns]
    data.update({k: v for k, v in rules.items() if isinstance(v, dict)})
    if evidence is not None:
        table: dict[str, Any] = {"status": evidence.status, "date": evidence.date}
        if evidence.sources:
            table["sources"] = list(evidence.sources)
        if evidence.notes:
            table["notes"] = evidence.notes
        data["evidence"] = table
    header = "".join(f"# {line}\n".replace("# \n", "#\n") for line in comment.splitlines())
    return header + tomli_w.dumps(data, multiline_strings=False)


def minimal_toml(profile: SiteProfile, key: str | None = None) -> str:
    """`minimal_profile(profile)` as a profile file, under `key` when given (an extra profile
    may not reuse a bundled key: the redesign tests crawl `<site>_min` beside `<site>`)."""
    return profile_toml(
        key or profile.key,
        profile.name,
        profile.domains,
        profile.columns,
        comment=f"{profile.name}: the minimal form (key, name, domains, columns) of this profile.",
    )
