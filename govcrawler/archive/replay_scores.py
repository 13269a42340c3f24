"""How a replayed crawl of capture folders did against the captures' own expectations (issue 14:
the redesign and minimal-profile tests and `bench/redesign.py`).

For each site folder (fixtures/README.md format): the articles its list pages link (through
redirect stubs), their expected records, and how many of them a crawl archived, with a clean
body (bigram F1 ≥ CLEAN_F1 against the expected body and no boilerplate phrase the expected body
lacks), under the expected record's id; records the crawl made of pages no list labels.
Also the two variants the tests crawl: every site's captures redesigned, and every profile
stripped to its minimal form under another key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcrawler.archive.capture_files import load_captures
from govcrawler.archive.redesign import redesign_captures
from govcrawler.evaluation import body_score, leaked_phrases
from govcrawler.export.recovery import iter_records
from govcrawler.sites import SiteProfile
from govcrawler.sites.minimal import minimal_toml

CLEAN_F1 = 0.98
MINIMAL_SUFFIX = "_min"  # an extra profile may not reuse a bundled key


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def linked_articles(folder: Path) -> tuple[dict[str, dict[str, Any]], int]:
    """The expected records (by URL) of the article captures the folder's list pages link, a
    linked redirect stub standing for its target; and how many linked captures are planted as
    no article (challenge, captcha, empty page …)."""
    captures = [c for c in load_captures(folder) if c.expected_path is not None]
    expected = {c.url: _read(c.expected_path) for c in captures if c.expected_path is not None}
    linked = {u for e in expected.values() if e["kind"] == "list" for u in e["article_urls"]}
    linked |= {
        e["location"] for u, e in expected.items() if u in linked and e["kind"] == "redirect"
    }
    articles: dict[str, dict[str, Any]] = {}
    planted = 0
    for url, e in expected.items():
        if url not in linked or e["kind"] in ("list", "redirect"):
            continue
        if e["kind"] == "article":
            articles[url] = e["record"]
        else:
            planted += 1
    return articles, planted


@dataclass
class SiteScore:
    """One site's crawl against its captures."""

    site: str
    expected: int
    archived: list[str] = field(default_factory=list)  # expected URLs with a record
    clean: list[str] = field(default_factory=list)  # … whose body is clean
    same_id: list[str] = field(default_factory=list)  # … under the expected record's id
    extra: list[str] = field(default_factory=list)  # records of URLs no list page labels
    leaks: list[str] = field(default_factory=list)  # records with a banned phrase

    @property
    def missing(self) -> int:
        return self.expected - len(self.archived)

    @property
    def clean_share(self) -> float:
        return len(self.clean) / self.expected if self.expected else 1.0


def score_site(
    site: str,
    records: Iterable[dict[str, Any]],
    expected: dict[str, dict[str, Any]],
    banned: Sequence[str] = (),
) -> SiteScore:
    """Score a crawl's records of one site; `banned` phrases must appear in no title or body."""
    score = SiteScore(site, len(expected))
    for record in records:
        text = f"{record.get('title') or ''}{record.get('body') or ''}"
        if any(p in text for p in banned):
            score.leaks.append(record["url"])
        want = expected.get(record["url"])
        if want is None:
            score.extra.append(record["url"])
            continue
        score.archived.append(record["url"])
        got = record.get("body") or ""
        if body_score(got, want["body"]).f1 >= CLEAN_F1 and not leaked_phrases(got, want["body"]):
            score.clean.append(record["url"])
        if record["id"].split(":", 1)[1] == want["id"].split(":", 1)[1]:
            score.same_id.append(record["url"])
    return score


def redesigned_copy(source: Path, target: Path) -> list[str]:
    """Every site folder of `source` redesigned into `target` (archive/redesign.py); the keys."""
    sites = sorted(p.name for p in source.iterdir() if p.is_dir())
    for site in sites:
        redesign_captures(source / site, target / site)
    return sites


def write_minimal_profiles(profiles: Iterable[SiteProfile], folder: Path) -> dict[str, str]:
    """Each profile stripped to key, name, domains and columns, as `<key>_min.toml` in `folder`
    (for GOVCRAWLER_PROFILES_DIR); returns minimal key → bundled key."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = {}
    for profile in profiles:
        key = f"{profile.key}{MINIMAL_SUFFIX}"
        (folder / f"{key}.toml").write_text(minimal_toml(profile, key), "utf-8")
        keys[key] = profile.key
    return keys


def run_records(data: Path, report: dict[str, Any]) -> list[dict[str, Any]]:
    """The records a site's run wrote (its manifest entry's outputs under the data folder)."""
    return [
        record for out in report.get("outputs", []) for record in iter_records(data / out["path"])
    ]
