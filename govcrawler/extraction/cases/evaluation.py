"""Scoring case extraction against hand labels (bench/cases.py, tests/test_cases_bench.py).

Labels are TSV lines `page, name, position, actions (;-separated), region`, `-` for none; a page
with no case is listed as `page  -` so the pages that must give no row count too. A predicted
row matches a label when page and name agree. Reported: name precision and recall, and over
the matched rows, how many have the exact position, the exact action set and the region.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcrawler.extraction.cases.model import CaseRow


@dataclass(frozen=True)
class Label:
    page: str
    name: str
    position: str | None
    actions: frozenset[str]
    region: str | None


@dataclass
class Labels:
    """Every labelled page (in file order) and its cases."""

    pages: dict[str, list[Label]] = field(default_factory=dict)


def _none(value: str) -> str | None:
    return None if value in ("-", "") else value


def load_labels(path: Path) -> Labels:
    labels = Labels()
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        cases = labels.pages.setdefault(cells[0], [])
        if len(cells) < 5 or cells[1] == "-":
            continue
        actions = frozenset(a for a in cells[3].split(";") if a)
        cases.append(Label(cells[0], cells[1], _none(cells[2]), actions, _none(cells[4])))
    return labels


def split_pages(bodies: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """(tuning, checking): pages with the same body (one article under two columns) stay
    together; groups sorted by their first page name go alternately to tuning and checking."""
    groups: dict[str, list[str]] = {}
    for page in sorted(bodies):
        digest = hashlib.sha256(bodies[page].encode("utf-8")).hexdigest()
        groups.setdefault(digest, []).append(page)
    ordered = sorted(groups.values(), key=lambda pages: pages[0])
    tuning = [p for i, group in enumerate(ordered) if i % 2 == 0 for p in group]
    checking = [p for i, group in enumerate(ordered) if i % 2 == 1 for p in group]
    return tuning, checking


@dataclass
class Score:
    pages: int = 0
    labelled: int = 0
    predicted: int = 0
    matched: int = 0
    position_exact: int = 0
    actions_exact: int = 0
    region_exact: int = 0
    errors: list[str] = field(default_factory=list)

    def ratio(self, part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    @property
    def precision(self) -> float:
        return self.ratio(self.matched, self.predicted)

    @property
    def recall(self) -> float:
        return self.ratio(self.matched, self.labelled)

    @property
    def position(self) -> float:
        return self.ratio(self.position_exact, self.matched)

    @property
    def actions(self) -> float:
        return self.ratio(self.actions_exact, self.matched)

    @property
    def region(self) -> float:
        return self.ratio(self.region_exact, self.matched)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "labelled": self.labelled,
            "predicted": self.predicted,
            "name_precision": round(self.precision, 3),
            "name_recall": round(self.recall, 3),
            "position_exact": round(self.position, 3),
            "actions_exact": round(self.actions, 3),
            "region_exact": round(self.region, 3),
        }


def score(
    labels: Labels, predicted: Mapping[str, Iterable[CaseRow]], pages: Iterable[str]
) -> Score:
    """Compare the rows predicted for `pages` with their labels."""
    result = Score()
    for page in pages:
        result.pages += 1
        wanted = {label.name: label for label in labels.pages.get(page, [])}
        got = {row.name: row for row in predicted.get(page, [])}
        result.labelled += len(wanted)
        result.predicted += len(got)
        for name, row in got.items():
            label = wanted.get(name)
            if label is None:
                result.errors.append(f"{page}: extra {name}")
                continue
            result.matched += 1
            if row.position == label.position:
                result.position_exact += 1
            else:
                result.errors.append(
                    f"{page}: {name} position {row.position!r} ≠ {label.position!r}"
                )
            if frozenset(row.actions) == label.actions:
                result.actions_exact += 1
            else:
                result.errors.append(
                    f"{page}: {name} actions {sorted(row.actions)} ≠ {sorted(label.actions)}"
                )
            if row.region == label.region:
                result.region_exact += 1
            else:
                result.errors.append(f"{page}: {name} region {row.region!r} ≠ {label.region!r}")
        for name in wanted.keys() - got.keys():
            result.errors.append(f"{page}: missed {name}")
    return result
