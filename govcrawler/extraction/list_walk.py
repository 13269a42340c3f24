"""One list page as the crawl reads it: its article links and its next page, from the profile's
rules with discovery beside them (issue 14), and whether the profile has drifted.

Discovery is consulted only when it can change the answer, so a profile that works costs no
more than before: for the links when the profile's `[list]` rules find nothing, or under half of
what the same page gave last run (`extraction/drift.py` then decides which links to archive);
for the next page when the profile names no pagination, or its paginator finds none without
knowing the page count. A profile without `[list]` rules or pagination (a minimal one) has its
links and pager found by discovery alone, which is no drift; where discovery finds no pager, a
pager a script draws gives a guess (paging_guess.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from govcrawler.extraction.discovery import discover_links
from govcrawler.extraction.discovery_paging import discover_pagination
from govcrawler.extraction.drift import FEWER_SHARE, ListDrift, list_drift
from govcrawler.extraction.entries import ListEntry
from govcrawler.extraction.listing import article_links, has_list_rules
from govcrawler.extraction.pagination import explain_next_page
from govcrawler.extraction.paging_guess import guess_next_page
from govcrawler.sites import SiteProfile


@dataclass(frozen=True)
class ListReading:
    """The links to archive from one list page; `drift` is the verdict when the profile's rules
    drifted (None when they did not, or discovery was not needed); `discovered` counts the links
    that only discovery found."""

    entries: list[ListEntry]
    drift: ListDrift | None = None
    discovered: int = 0


def needs_discovery(profile_count: int, last_count: int | None) -> bool:
    """Ask discovery when the profile's rules found nothing, or under half of last run's count
    for the same page: a selector that stopped matching, or that now matches a sidebar."""
    return profile_count == 0 or (
        last_count is not None and profile_count < FEWER_SHARE * last_count
    )


def read_list(
    html: str,
    page_url: str,
    profile: SiteProfile,
    *,
    column_url: str | None = None,
    last_count: int | None = None,
) -> ListReading:
    """The article links of a list page (see the module doc). `column_url`: the column's first
    page (discovery prefers the links the column owns); `last_count`: how many links this page
    gave last run (None: unknown)."""
    if not has_list_rules(profile):
        return ListReading(discover_links(html, page_url, profile.domains, column_url))
    mine = article_links(html, page_url, profile)
    if not needs_discovery(len(mine), last_count):
        return ListReading(mine)
    found = discover_links(html, page_url, profile.domains, column_url)
    verdict = list_drift([e.url for e in mine], [e.url for e in found], last_count)
    if not verdict.drifted:
        return ListReading(mine)
    own = {e.url for e in mine}
    extra = [e for e in found if e.url not in own]
    entries = {"discovery": found, "both": mine + extra, "profile": mine}.get(verdict.use, [])
    return ListReading(entries, verdict, sum(1 for e in entries if e.url not in own))


@dataclass(frozen=True)
class NextList:
    """The list page after this one (None: the walk ends here), how it was found, a drift note
    when the profile's paginator found none where discovery found one, and whether it is only
    a guess (paging_guess.py: the walk then ends quietly where the guess leads nowhere)."""

    url: str | None
    how: str
    drift: str | None = None
    guessed: bool = False


def next_list_page(html: str, url: str, profile: SiteProfile, page: int) -> NextList:
    """The next list page (`page`: this one's number, 1-based): the profile's paginator; where
    it finds none without knowing the page count, the pager discovery finds; for a profile
    without pagination (a minimal one) that failing, a guess from a pager a script draws."""
    kind = profile.pagination.kind
    if kind != "none":
        mine = explain_next_page(html, url, profile.pagination, page)
        if mine.url is not None or mine.total is not None:  # a known count: the last page
            return NextList(mine.url, mine.how)
    found = discover_pagination(html, url, page)
    if found.next.url is not None:
        how = f"discovered: {found.evidence}"
        if kind == "none":
            return NextList(found.next.url, how)
        note = f"pagination ({kind}) found no next page; discovery found {found.next.url}"
        return NextList(found.next.url, how, note)
    if kind != "none":
        return NextList(None, f"{kind}: no next page (nor did discovery find one)")
    guess = guess_next_page(html, url, page)
    return NextList(guess.url, guess.how, guessed=guess.url is not None)
