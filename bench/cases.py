"""Case-extraction accuracy on the labelled sets (issue 16 targets: name precision ≥ 0.98,
recall ≥ 0.9, position exact ≥ 0.9, action sets exact ≥ 0.9).

    .venv/bin/python bench/cases.py [--errors]

Sets: the CCDI real pages (`../shared/realpages/ccdi/groundtruth/*.json`, the ground-truth
title/body/column of each page as the archived record) split by page into a tuning and a
checking half (govcrawler/extraction/cases/evaluation.py:split_pages), and our own invented
pages (tests/data/cases/own_pages.jsonl). Labels: tests/data/cases/*.tsv (rules in the README
there). `--errors` lists every mismatch (names from the labels; never article text).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govcrawler.extraction.cases import extract_cases
from govcrawler.extraction.cases.evaluation import Score, load_labels, score, split_pages
from govcrawler.extraction.cases.model import CaseRow

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "data" / "cases"
REAL = ROOT.parent / "shared" / "realpages" / "ccdi" / "groundtruth"
CCDI_SITE_NAME = "中央纪委国家监委"  # the national site's name, as its profile gives it


def real_records(folder: Path) -> dict[str, dict[str, Any]]:
    """Ground-truth records of the CCDI pages, keyed by file name (no extension)."""
    records = {}
    for path in sorted(folder.glob("*.json")):
        record = json.loads(path.read_text("utf-8"))
        record.update(id=path.stem, site="ccdi", site_name=CCDI_SITE_NAME)
        records[path.stem] = record
    return records


def own_records() -> dict[str, dict[str, Any]]:
    lines = (LABELS / "own_pages.jsonl").read_text("utf-8").splitlines()
    return {r["id"]: r for r in (json.loads(line) for line in lines if line.strip())}


def predict(records: dict[str, dict[str, Any]]) -> tuple[dict[str, list[CaseRow]], float]:
    """Rows per page, and the best time of 3 passes (after a warm-up pass that compiles the
    patterns)."""
    rows = {page: extract_cases(record) for page, record in records.items()}
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for record in records.values():
            extract_cases(record)
        best = min(best, time.perf_counter() - start)
    return rows, best


def show(name: str, result: Score, errors: bool) -> None:
    figures = result.as_dict()
    print(
        f"{name:<22} pages {figures['pages']:>3}  cases {figures['labelled']:>3}"
        f"  rows {figures['predicted']:>3}  name P {figures['name_precision']:.3f}"
        f"  R {figures['name_recall']:.3f}  position {figures['position_exact']:.3f}"
        f"  actions {figures['actions_exact']:.3f}  region {figures['region_exact']:.3f}"
    )
    if errors:
        for error in result.errors:
            print(f"    {error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="list every mismatch")
    args = parser.parse_args()
    print(
        f"# {datetime.now(UTC):%Y-%m-%d} {platform.node()} {platform.machine()} "
        f"Python {platform.python_version()}"
    )
    own = own_records()
    own_rows, _ = predict(own)
    show("own pages", score(load_labels(LABELS / "own_labels.tsv"), own_rows, own), args.errors)
    if not REAL.is_dir():
        print(f"(no {REAL}: the real-page sets are skipped)")
        return 0
    labels = load_labels(LABELS / "ccdi_labels.tsv")
    real = real_records(REAL)
    unlabelled = sorted(real.keys() - labels.pages.keys())
    if unlabelled:
        print(f"unlabelled pages (not scored): {', '.join(unlabelled)}")
    real = {page: record for page, record in real.items() if page in labels.pages}
    rows, seconds = predict(real)
    tuning, checking = split_pages({p: str(r.get("body") or "") for p, r in real.items()})
    show("ccdi tuning half", score(labels, rows, tuning), args.errors)
    show("ccdi checking half", score(labels, rows, checking), args.errors)
    show("ccdi all", score(labels, rows, sorted(real)), False)
    print(f"speed: {len(real) / seconds:.0f} pages/s ({seconds * 1000:.0f} ms for {len(real)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
