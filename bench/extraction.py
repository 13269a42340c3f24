"""Extraction benchmark: govcrawler side by side with trafilatura, readability-lxml and GNE.

    .venv/bin/python bench/extraction.py ../shared/realpages/generic ../shared/realpages/ccdi

For each case folder it prints one table: body precision/recall/F1 (character bigrams for Chinese,
words otherwise), pages with a leaked boilerplate phrase, empty outputs, exceptions, pages/second of
the extraction call alone (after a warm-up), and field accuracy (title, published_at, source, author
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


def run(name: str, extractor: Extractor, cases: list[Case], texts: list[str]) -> Row:
    row = Row(name)
    for case, text in zip(cases[:3], texts[:3], strict=False):  # warm-up
        with contextlib.suppress(Exception):  # a competitor's crash is measured below
            extractor(text, case.url or "")
    for case, text in zip(cases, texts, strict=True):
        start = time.perf_counter()
        try:
            body, fields = extractor(text, case.url or "")
        except Exception:
            row.errors += 1
            continue
        finally:
            row.seconds += time.perf_counter() - start
            row.pages += 1
        if not body.strip():
            row.empty += 1
        if case.body is not None:
            score = body_score(body, case.body)
            row.f1.append(score.f1)
            row.precision.append(score.precision)
            row.recall.append(score.recall)
            row.worst.append((score.f1, case.name))
        for snippet in case.with_snippets:
            row.snippets_total += 1
            row.snippets_ok += snippet in body
        if leaked_phrases(body, case.body or "", case.without_snippets):
            row.leaks += 1
        for key, value in case.fields.items():
            if key in fields:
                row.fields_total += 1
                row.fields_ok += fields[key] == value
    return row


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
        rows = [run(name, fn, cases, texts) for name, fn in extractors.items()]
        print(table(str(folder), rows, len(cases)))
        for r in rows[: args.worst and len(rows)]:
            print(
                f"  worst {r.name}: "
                + ", ".join(f"{n} {s:.3f}" for s, n in sorted(r.worst)[: args.worst])
            )
        print()


if __name__ == "__main__":
    main()
