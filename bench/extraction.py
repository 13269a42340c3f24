"""Extraction benchmark: govcrawler side by side with trafilatura, readability-lxml and GNE.

    .venv/bin/python bench/extraction.py ../shared/realpages/generic ../shared/realpages/ccdi

For each case folder it prints one table: body precision/recall/F1 (character bigrams for Chinese,
words otherwise), pages with a leaked boilerplate phrase, empty outputs, exceptions, pages/second of
the extraction call alone (after a warm-up; best of 3 passes, extractors taking turns page by page), and field accuracy (title, published_at, source, author
exact) where the case has them. Competitors are optional: `make bench-deps` installs them.
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govcrawler.evaluation import FIELD_NAMES, Case, body_score, leaked_phrases, load_cases
from govcrawler.extraction.article import Rejection, extract_article
from govcrawler.extraction.decode import decode_html
from govcrawler.sites import profile_for_url

Extractor = Callable[[str, str], tuple[str, dict[str, Any]]]


def govcrawler_profile(html: str, url: str) -> tuple[str, dict[str, Any]]:
    result = extract_article(html, url, profile_for_url(url))
    if isinstance(result, Rejection):
        return "", {}
    return result.body, {k: getattr(result, k) for k in FIELD_NAMES}


def govcrawler_generic(html: str, url: str) -> tuple[str, dict[str, Any]]:
    result = extract_article(html, url, None)
    if isinstance(result, Rejection):
        return "", {}
    return result.body, {k: getattr(result, k) for k in FIELD_NAMES}


def competitors() -> dict[str, Extractor]:
    found: dict[str, Extractor] = {}
    try:
        import trafilatura

        def run_trafilatura(html: str, url: str) -> tuple[str, dict[str, Any]]:
            return trafilatura.extract(
                html, url=url, include_comments=False, include_tables=True
            ) or "", {}

        found["trafilatura"] = run_trafilatura
    except ImportError:
        pass
    try:
        from lxml import html as lxml_html
        from readability import Document

        def run_readability(html: str, url: str) -> tuple[str, dict[str, Any]]:
            summary = Document(html).summary(html_partial=True)
            root = lxml_html.fromstring(summary)
            return "\n".join(t.strip() for t in root.itertext() if t.strip()), {}

        found["readability"] = run_readability
    except ImportError:
        pass
    try:
        from gne import GeneralNewsExtractor

        gne = GeneralNewsExtractor()

        def run_gne(html: str, url: str) -> tuple[str, dict[str, Any]]:
            result = gne.extract(html)
            return result.get("content", "") or "", {"title": result.get("title")}

        found["gne"] = run_gne
    except ImportError:
        pass
    return found


@dataclass
class Row:
    name: str
    f1: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    snippets_ok: int = 0
    snippets_total: int = 0
    leaks: int = 0
    empty: int = 0
    errors: int = 0
    fields_ok: int = 0
    fields_total: int = 0
    seconds: float = 0.0
    pages: int = 0
    worst: list[tuple[float, str]] = field(default_factory=list)


def score(row: Row, case: Case, body: str, fields: dict[str, Any]) -> None:
    """Add one page's quality figures to the row."""
    if not body.strip():
        row.empty += 1
    if case.body is not None:
        result = body_score(body, case.body)
        row.f1.append(result.f1)
        row.precision.append(result.precision)
        row.recall.append(result.recall)
        row.worst.append((result.f1, case.name))
    for snippet in case.with_snippets:
        row.snippets_total += 1
        row.snippets_ok += snippet in body
    if leaked_phrases(body, case.body or "", case.without_snippets):
        row.leaks += 1
    for key, value in case.fields.items():
        if key in fields:
            row.fields_total += 1
            row.fields_ok += fields[key] == value


def run_all(
    extractors: dict[str, Extractor], cases: list[Case], texts: list[str], repeat: int
) -> list[Row]:
    """Quality from the first pass; speed as the best of `repeat` passes. Extractors take turns
    page by page, so background load on the machine hits them all alike."""
    rows = {name: Row(name) for name in extractors}
    for extractor in extractors.values():  # warm-up
        for case, text in zip(cases[:3], texts[:3], strict=False):
            with contextlib.suppress(Exception):  # a competitor's crash is measured below
                extractor(text, case.url or "")
    best = dict.fromkeys(extractors, float("inf"))
    for attempt in range(repeat):
        spent = dict.fromkeys(extractors, 0.0)
        for case, text in zip(cases, texts, strict=True):
            for name, extractor in extractors.items():
                start = time.perf_counter()
                try:
                    body, fields = extractor(text, case.url or "")
                except Exception:
                    body, fields = None, {}
                spent[name] += time.perf_counter() - start
                if attempt == 0:
                    if body is None:
                        rows[name].errors += 1
                    else:
                        score(rows[name], case, body, fields)
        best = {name: min(best[name], spent[name]) for name in extractors}
    for name, row in rows.items():
        row.seconds, row.pages = best[name], len(cases)
    return list(rows.values())


def mean(values: list[float]) -> str:
    return f"{sum(values) / len(values):.4f}" if values else "–"


def table(title: str, rows: list[Row], cases: int) -> str:
    lines = [
        f"### {title} ({cases} pages)",
        "",
        "| extractor | body F1 | precision | recall | min F1 | with-snippets | pages with leaks | empty | exceptions | pages/s | fields exact |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        snippets = f"{r.snippets_ok}/{r.snippets_total}" if r.snippets_total else "–"
        fields = f"{r.fields_ok}/{r.fields_total}" if r.fields_total else "–"
        speed = f"{r.pages / r.seconds:.1f}" if r.seconds else "–"
        worst = f"{min(r.f1):.4f}" if r.f1 else "–"
        lines.append(
            f"| {r.name} | {mean(r.f1)} | {mean(r.precision)} | {mean(r.recall)} | {worst} | {snippets} | "
            f"{r.leaks} | {r.empty} | {r.errors} | {speed} | {fields} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument(
        "--worst", type=int, default=0, help="also list the N worst pages per extractor"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed passes; the best one counts (default 3)"
    )
    args = parser.parse_args()
    print(
        f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()}; run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
    )
    others = competitors()
    for folder in args.folders:
        cases = load_cases(folder)
        texts = [decode_html(c.html).text for c in cases]  # every extractor gets the same text
        extractors: dict[str, Extractor] = {}
        if any(c.url and profile_for_url(c.url) for c in cases):
            extractors["govcrawler (profile)"] = govcrawler_profile
        extractors["govcrawler (generic)"] = govcrawler_generic
        extractors.update(others)
        rows = run_all(extractors, cases, texts, args.repeat)
        print(table(str(folder), rows, len(cases)))
        for r in rows[: args.worst and len(rows)]:
            print(
                f"  worst {r.name}: "
                + ", ".join(f"{n} {s:.3f}" for s, n in sorted(r.worst)[: args.worst])
            )
        print()


if __name__ == "__main__":
    main()
