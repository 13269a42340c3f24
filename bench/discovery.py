"""List-discovery benchmark (issue 14): how well a column page alone gives its articles.

    .venv/bin/python bench/discovery.py [--shared ../shared] [--pages]

Prints, each as a table:
1. the real list pages in ../shared/realpages (labels: tests/data/discovery/realpages), split by
   host into a tuning and a checking half: precision/recall of the discovered article links per
   page and per half, and the next page where it is labelled;
2. the hand-written pages of each CMS family (tests/data/discovery/pages);
3. every fixture list page, as captured and after `redesign_captures` (classes and ids renamed,
   lists rebuilt from other tags, blocks wrapped): links and next pages found, per site;
4. the fixture articles after the redesign: how many give the fixture's expected body exactly,
   and how many a clean one (character-bigram F1 ≥ 0.98, no boilerplate phrase), with the
   unchanged profile, the minimal profile (key/name/domains/columns) and no profile;
5. discovery's speed (pages/second over all pages above, best of 3).
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from govcrawler.archive.capture_files import load_captures
from govcrawler.archive.labelled_lists import (
    UNKNOWN,
    LabelledPage,
    LinkScore,
    fixture_list_pages,
    hand_written_pages,
    real_pages,
)
from govcrawler.archive.redesign import redesign_captures
from govcrawler.evaluation import body_score, leaked_phrases
from govcrawler.extraction.discovery import discover
from govcrawler.extraction.discovery_paging import discover_pagination
from govcrawler.extraction.listing import article_links
from govcrawler.extraction.record import Built, build
from govcrawler.sites import SiteProfile, all_profiles
from govcrawler.sites.minimal import minimal_profile

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
LABELS = ROOT / "tests" / "data" / "discovery"
CLEAN_F1 = 0.98


@dataclass
class Paging:
    right: int = 0
    wrong: int = 0
    absent: int = 0  # no next page found where one is labelled

    @staticmethod
    def outcome(page: LabelledPage) -> str:
        if page.next_page == UNKNOWN:
            return "-"
        got = discover_pagination(page.html, page.url, page.page).next.url
        if got == page.next_page:
            return "ok"
        return "none" if got is None else "WRONG"

    def count(self, outcome: str) -> None:
        self.right += outcome == "ok"
        self.absent += outcome == "none"
        self.wrong += outcome == "WRONG"

    def __str__(self) -> str:
        return f"{self.right} right, {self.absent} not found, {self.wrong} wrong"


def pct(value: float) -> str:
    return f"{value:.3f}"


def per_page_table(
    title: str, pages: Iterable[LabelledPage], key: Callable[[LabelledPage], str]
) -> None:
    """One row per page, then one per group (`key`), then the total."""
    print(f"\n### {title}\n")
    print("| page | group | labelled | found | precision | recall | next page |")
    print("|---|---|---:|---:|---:|---:|---|")
    groups: dict[str, LinkScore] = {}
    total, paging = LinkScore(), Paging()
    for page in pages:
        found = discover(page.html, page.url).urls
        one = LinkScore()
        one.add(page.name, found, page.article_urls)
        for score in (groups.setdefault(key(page), LinkScore()), total):
            score.add(page.name, found, page.article_urls)
        nxt = Paging.outcome(page)
        paging.count(nxt)
        print(
            f"| {page.name} | {key(page)} | {len(page.article_urls)} | {len(found)} | "
            f"{pct(one.precision)} | {pct(one.recall)} | {nxt} |"
        )
    for name, score in sorted(groups.items()):
        print(
            f"| **{name}** ({score.pages} pages) | | {score.tp + score.fn} | {score.tp + score.fp} "
            f"| **{pct(score.precision)}** | **{pct(score.recall)}** | |"
        )
    print(
        f"\nall: {total.pages} pages, precision {pct(total.precision)}, recall "
        f"{pct(total.recall)}; next page: {paging}"
    )


def per_site_table(title: str, pages: list[LabelledPage]) -> None:
    print(f"\n### {title}\n")
    sites: dict[str, tuple[LinkScore, Paging]] = {}
    total, paging = LinkScore(), Paging()
    for page in pages:
        found = discover(page.html, page.url).urls
        score, site_paging = sites.setdefault(page.site, (LinkScore(), Paging()))
        score.add(page.name, found, page.article_urls)
        total.add(page.name, found, page.article_urls)
        outcome = Paging.outcome(page)
        site_paging.count(outcome)
        paging.count(outcome)
    imperfect = {s: v for s, v in sites.items() if v[0].wrong or v[1].wrong or v[1].absent}
    print(
        f"{total.pages} list pages of {len(sites)} sites: precision {pct(total.precision)}, "
        f"recall {pct(total.recall)} ({total.tp} of {total.tp + total.fn} links, {total.fp} "
        f"false); next page: {paging}"
    )
    for site, (score, site_paging) in sorted(imperfect.items()):
        print(
            f"- {site}: precision {pct(score.precision)}, recall {pct(score.recall)}; next page: "
            f"{site_paging}"
        )


def profile_lists(pages: list[LabelledPage], profiles: dict[str, SiteProfile]) -> None:
    """What the unchanged profiles' [list] rules make of the same pages, for comparison."""
    score, empty, listed = LinkScore(), 0, 0
    for page in pages:
        found = [e.url for e in article_links(page.html, page.url, profiles[page.site])]
        score.add(page.name, found, page.article_urls)
        if page.article_urls:
            listed += 1
            empty += not found
    print(
        f"\nthe unchanged profiles' [list] rules on them: precision {pct(score.precision)}, recall "
        f"{pct(score.recall)}; no link at all on {empty} of the {listed} pages that list articles"
    )


def articles_table(folders: dict[str, Path], profiles: dict[str, SiteProfile]) -> None:
    print("\n### Fixture articles: the body by extraction mode\n")
    modes: dict[str, Callable[[SiteProfile], SiteProfile | None]] = {
        "unchanged profile": lambda p: p,
        "minimal profile": minimal_profile,
        "no profile": lambda p: None,
    }
    print(
        "| pages | mode | articles | expected body exactly | clean (F1 ≥ 0.98, no leak) | no body |"
    )
    print("|---|---|---:|---:|---:|---:|")
    notes = []
    for label, folder in folders.items():
        for mode, make in modes.items():
            exact = clean = count = 0
            empty: dict[str, int] = {}
            for site in sorted(p for p in folder.iterdir() if p.is_dir()):
                profile = make(profiles[site.name])
                for capture in load_captures(site):
                    if capture.expected_path is None:
                        continue
                    expected = json.loads(capture.expected_path.read_text("utf-8"))
                    if expected["kind"] != "article":
                        continue
                    count += 1
                    want = expected["record"]["body"]
                    result = build(
                        capture.body,
                        capture.url,
                        profile=profile,
                        fetched_at=capture.fetched_at,
                        content_type=capture.content_type,
                    )
                    got = result.article.body if isinstance(result, Built) else ""
                    exact += got == want
                    clean += body_score(got, want).f1 >= CLEAN_F1 and not leaked_phrases(got, want)
                    if not got:
                        empty[site.name] = empty.get(site.name, 0) + 1
            print(
                f"| {label} | {mode} | {count} | {exact} ({exact / count:.0%}) | "
                f"{clean} ({clean / count:.0%}) | {sum(empty.values())} |"
            )
            if empty and mode == "minimal profile":
                shown = ", ".join(f"{s} {n}" for s, n in sorted(empty.items()))
                notes.append(f"{label}, minimal profile, no body: {shown}")
    for note in notes:
        print(f"\n{note}")


def speed(label: str, pages: list[LabelledPage]) -> None:
    if not pages:
        return
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for page in pages:
            discover(page.html, page.url)
            discover_pagination(page.html, page.url, page.page)
        best = min(best, time.perf_counter() - start)
    size = sum(len(p.html) for p in pages) / len(pages) / 1000
    print(
        f"- {label}: {len(pages) / best:.0f} pages/s, {1000 * best / len(pages):.1f} ms a page "
        f"({len(pages)} pages, mean {size:.0f} k characters of HTML; best of 3)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    print(
        f"# Discovery benchmark, {datetime.now(UTC):%Y-%m-%d}, {platform.node()} "
        f"({platform.machine()}, Python {platform.python_version()})"
    )
    real: list[LabelledPage] = []
    realpages = args.shared / "realpages"
    if realpages.is_dir():
        real = list(real_pages(LABELS / "realpages", realpages))
        per_page_table(
            "Real list pages (../shared/realpages), by split",
            sorted(real, key=lambda p: (p.split, p.name)),
            lambda p: p.split,
        )
    else:
        print(f"\n({realpages} is absent: no real pages measured)")
    hand = list(hand_written_pages(LABELS / "pages"))
    per_page_table("Hand-written pages of each CMS family", hand, lambda p: "hand-written")
    fixtures = list(fixture_list_pages(FIXTURES))
    per_site_table("Fixture list pages, as captured", fixtures)
    profiles = all_profiles()
    with tempfile.TemporaryDirectory(prefix="govcrawler-redesign-") as scratch:
        folder = Path(scratch)
        for site in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
            redesign_captures(site, folder / site.name)
        redesigned = list(fixture_list_pages(folder))
        per_site_table("Fixture list pages after the redesign", redesigned)
        profile_lists(redesigned, profiles)
        articles_table({"as captured": FIXTURES, "redesigned": folder}, profiles)
    print("\n### Speed (discover + discover_pagination)\n")
    speed("real list pages", real)
    speed("fixture and hand-written list pages", fixtures + hand)


if __name__ == "__main__":
    main()
