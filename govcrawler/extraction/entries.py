"""One entry of a list page: what both the profile's list rules and discovery return."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ListEntry:
    url: str
    title: str
    date: str | None  # YYYY-MM-DD shown in the list (or carried by the URL), for `since`
