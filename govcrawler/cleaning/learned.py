"""Cross-page boilerplate learning: a line that recurs on many pages of one site is boilerplate.

No rule has to name it: a footer such as `主办：某某 | 地址：…` that every page of a site repeats is
learned from the pages of a crawl and kept with the site's state, so later runs start with it.
Real content survives: only short lines are learnable, and datelines that legitimately open many
articles (中央纪委国家监委网站讯, 据XX省纪委监委消息, 新华社北京X月X日电) are never learned.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from govcrawler.cleaning.boilerplate import fold

logger = logging.getLogger(__name__)

MIN_PAGES = 5  # seen on at least this many pages …
MIN_SHARE = 0.3  # … and on at least this share of the pages observed
MAX_LEARNABLE = 120  # characters; paragraphs are longer than footers
# Distinct lines kept per site, the least frequent dropped beyond this (most are an article's own
# short lines, seen once; a footer on 30 % of pages outcounts them within a few pages). 29,767
# lines took 9 MB after 6,000 generated articles (50,000 were allowed); 10,000 take about 3.
MAX_TRACKED = 10_000
REFRESH_EVERY = 20  # pages observed between recomputations of the learned set

_DATELINE_RE = re.compile(
    r"(讯|消息|电)\s*[:：]?$|网站讯|网讯|报讯|^据.{1,20}(消息|报道)|^[（(]?记者|^本报|^本刊"
    r"|^\S{1,12}?(\d{1,2}|[一二三四五六七八九十]{1,3})月(\d{1,2}|[一二三四五六七八九十]{1,3})日(电|讯)"
)


def _key(line: str) -> str:
    return fold(" ".join(line.split()))


def learnable(line: str) -> bool:
    """Short, not a dateline: the kind of line that can be a recurring footer."""
    return 2 <= len(line) <= MAX_LEARNABLE and not _DATELINE_RE.search(fold(line))


@dataclass
class BoilerplateLearner:
    """Counts, per site, on how many pages each short line appears."""

    pages: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    _cached: frozenset[str] | None = field(default=None, repr=False, compare=False)

    def observe(self, lines: Iterable[str]) -> None:
        """Count one page's lines (each distinct line once per page)."""
        self.pages += 1
        keys = {_key(line) for line in lines if learnable(line)}
        self.counts.update(keys)
        if len(self.counts) > MAX_TRACKED:
            self.counts = Counter(dict(self.counts.most_common(MAX_TRACKED // 2)))
        if self._cached is None or self.pages % REFRESH_EVERY == 0:
            self._cached = None  # full recount: the share floor rises with the page count
        else:
            floor = self._floor()
            self._cached = self._cached | {k for k in keys if self.counts[k] >= floor}

    def _floor(self) -> float:
        return max(MIN_PAGES, MIN_SHARE * self.pages)

    def learned(self) -> frozenset[str]:
        """The folded lines that are boilerplate by recurrence."""
        if self._cached is None:
            floor = self._floor()
            self._cached = frozenset(k for k, n in self.counts.items() if n >= floor)
        return self._cached

    # ---- persistence (kept with the site's state) ----

    @classmethod
    def load(cls, path: Path) -> BoilerplateLearner:
        """The learner saved at `path`; a fresh one when there is none. A file that cannot be read
        or parsed is never silently dropped: it is renamed to `<name>.corrupt-<UTC stamp>` (kept
        for inspection, out of the way of the next save), a warning names both files, and
        learning starts afresh."""
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:  # unreadable, or not UTF-8
            return cls._start_fresh(path, exc)
        try:
            data = json.loads(text)
            return cls(
                int(data["pages"]), Counter({str(k): int(v) for k, v in data["counts"].items()})
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return cls._start_fresh(path, exc)

    @classmethod
    def _start_fresh(cls, path: Path, error: Exception) -> BoilerplateLearner:
        reason = f"{type(error).__name__}: {error}"
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        kept = path.with_name(f"{path.name}.corrupt-{stamp}")
        try:
            os.replace(path, kept)
        except OSError as exc:
            logger.warning(
                "Learned boilerplate file %s is unreadable (%s) and could not be moved aside (%s):"
                " starting afresh; the next save replaces it",
                path,
                reason,
                exc,
            )
        else:
            logger.warning(
                "Learned boilerplate file %s is unreadable (%s): kept as %s, starting afresh",
                path,
                reason,
                kept,
            )
        return cls()

    def save(self, path: Path) -> None:
        """Write atomically (temporary file + rename): a killed run never leaves half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(
            json.dumps({"pages": self.pages, "counts": dict(self.counts)}, ensure_ascii=False),
            "utf-8",
        )
        os.replace(tmp, path)


def strip_learned(lines: list[str], learned: frozenset[str]) -> list[str]:
    """Drop lines that the site's learned boilerplate names."""
    if not learned:
        return lines
    return [line for line in lines if not (learnable(line) and _key(line) in learned)]
