"""Has a profile's list selector drifted? Its links on a page against discovery's (and last run's).

A redesign rarely breaks a site loudly: the list selector matches nothing, or an old class still
matches a sidebar of three links while the new list has twenty. Comparing what the profile found
with what discovery found on the same page (and with the count the last run saw on it) tells a
site that changed from a column that is merely short, and says which links to archive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# The profile found under this share of what discovery (or the last run) found: drift.
FEWER_SHARE = 0.5
# Discovery must find at least this many links before "the profile found fewer" means anything.
MIN_DISCOVERED = 3


@dataclass(frozen=True)
class ListDrift:
    """The verdict on one list page. `use`: which links to archive (profile, discovery, both —
    the union, profile first —, or none)."""

    drifted: bool
    use: str
    profile: int
    discovered: int
    common: int
    last: int | None
    reason: str


def list_drift(
    profile_urls: Iterable[str], discovered_urls: Iterable[str], last_count: int | None = None
) -> ListDrift:
    """Compare the profile's article links on a page with discovery's; `last_count` is how many
    the profile found on this page in the last run (None: unknown).

    Drift when the profile found nothing while discovery (or the last run) found some; when it
    found under half of what discovery found (at least 3), or of last run's count while
    discovery finds more; or when the two share under half of the profile's links."""
    mine, theirs = list(dict.fromkeys(profile_urls)), list(dict.fromkeys(discovered_urls))
    p, d = len(mine), len(theirs)
    common = len(set(mine) & set(theirs))
    last = f" of last run's {last_count}" if last_count else ""

    def verdict(drifted: bool, use: str, reason: str) -> ListDrift:
        return ListDrift(drifted, use, p, d, common, last_count, reason)

    if p == 0:
        if d:
            return verdict(True, "discovery", f"list selector matched 0{last}; discovery found {d}")
        if last_count:
            return verdict(True, "none", f"list selector matched 0{last}; discovery found none")
        return verdict(False, "none", "no article links (profile and discovery agree)")
    if last_count and p < FEWER_SHARE * last_count and d > p:
        return verdict(True, "both", f"list selector matched {p}{last}; discovery found {d}")
    if d >= MIN_DISCOVERED and p < FEWER_SHARE * d:
        return verdict(True, "both", f"list selector matched {p}; discovery found {d}")
    if p >= MIN_DISCOVERED and d >= MIN_DISCOVERED and common < FEWER_SHARE * p:
        return verdict(
            True,
            "both",
            f"list selector matched {p}, discovery found {d}, only {common} in common",
        )
    return verdict(False, "profile", f"list selector matched {p}; discovery found {d}")
