"""Extraction benchmark: govcrawler side by side with the well-kept libraries, all in one run.

    .venv/bin/python bench/extraction.py ../shared/realpages/corpus ../shared/realpages/generic \
        ../shared/realpages/ccdi

For each case folder every extractor runs over the same decoded pages, taking turns page by page;
a folder whose hosts are in the committed split (`tests/data/realpages_split.tsv`) is reported
per half (tuning, checking), others as one table. Columns: body precision/recall/F1 (character
bigrams for Chinese, words otherwise), pages with a leaked boilerplate phrase, refused pages (no
text returned: a rejection or an empty result), exceptions, pages/second of the extraction call
alone (after a warm-up; best of `--repeat` passes) and fields exact (title, published_at, source,
author) where the case states them. Competitors are optional: `make bench-deps` installs them.
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from govcrawler.evaluation import (
    FIELD_NAMES,
    Case,
    body_score,
    leaked_phrases,
    load_cases,
    read_split,
)
from govcrawler.extraction.article import Rejection, extract_article
from govcrawler.extraction.decode import decode_html
from govcrawler.sites import profile_for_url

SPLIT = Path(__file__).resolve().parents[1] / "tests" / "data" / "realpages_split.tsv"
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


def _lines(html_fragment: str) -> str:
    from lxml import html as lxml_html

    root = lxml_html.fromstring(html_fragment)
    return "\n".join(t.strip() for t in root.itertext() if t.strip())


def _trafilatura() -> dict[str, Extractor]:
    import trafilatura

    def default(html: str, url: str) -> tuple[str, dict[str, Any]]:
        text = trafilatura.extract(html, url=url or None, include_comments=False)
        return text or "", {}

    def precision(html: str, url: str) -> tuple[str, dict[str, Any]]:
        text = trafilatura.extract(
            html, url=url or None, include_comments=False, favor_precision=True
        )
        return text or "", {}

    return {"trafilatura": default, "trafilatura (precision)": precision}


def _readability() -> dict[str, Extractor]:
    from readability import Document

    def run(html: str, url: str) -> tuple[str, dict[str, Any]]:
        document = Document(html)
        return _lines(document.summary(html_partial=True)), {"title": document.short_title()}

    return {"readability-lxml": run}


def _justext() -> dict[str, Extractor]:
    import justext

    def run(html: str, url: str) -> tuple[str, dict[str, Any]]:
        # No Chinese stoplist ships with jusText: its language-independent mode (empty stoplist).
        paragraphs = justext.justext(
            html.encode("utf-8"),
            frozenset(),
            stopwords_low=0,
            stopwords_high=0,
            encoding="utf-8",
        )
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate), {}

    return {"jusText": run}


def _newspaper() -> dict[str, Extractor]:
    from newspaper import Article

    def run(html: str, url: str) -> tuple[str, dict[str, Any]]:
        article = Article(url or "http://example.invalid/", language="zh", fetch_images=False)
        article.download(input_html=html)
        article.parse()
        return article.text, {"title": article.title}

    return {"newspaper4k": run}


def _gne() -> dict[str, Extractor]:
    from gne import GeneralNewsExtractor

    gne = GeneralNewsExtractor()

    def run(html: str, url: str) -> tuple[str, dict[str, Any]]:
        result = gne.extract(html)
        return result.get("content", "") or "", {"title": result.get("title")}

    return {"gne": run}


COMPETITORS = (
    ("readability-lxml", _readability),
    ("trafilatura", _trafilatura),
    ("jusText", _justext),
    ("newspaper4k", _newspaper),
    ("gne", _gne),
)


def competitors() -> tuple[dict[str, Extractor], list[str]]:
    """The installed competitors, and their versions for the report."""
    found: dict[str, Extractor] = {}
    versions = []
    for package, load in COMPETITORS:
        try:
            found.update(load())
            versions.append(f"{package} {version(package)}")
        except (ImportError, PackageNotFoundError):
            pass
    return found, versions


@dataclass
class Page:
    """One extractor's output for one case."""

    body: str | None  # None: the extractor raised
    fields: dict[str, Any]
    seconds: list[float] = field(default_factory=list)  # one per timed pass


@dataclass
class Row:
    name: str
    f1: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    snippets_ok: int = 0
    snippets_total: int = 0
    leaks: int = 0
    refused: int = 0
    errors: int = 0
    fields_ok: int = 0
    fields_total: int = 0
    seconds: float = 0.0
    pages: int = 0
    worst: list[tuple[float, str]] = field(default_factory=list)


def score(row: Row, case: Case, page: Page) -> None:
    """Add one page's quality figures to the row."""
    if page.body is None:
        row.errors += 1
        return
    body = page.body
    if not body.strip():
        row.refused += 1
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
        if key in page.fields:
            row.fields_total += 1
            row.fields_ok += page.fields[key] == value


def run_all(
    extractors: dict[str, Extractor], cases: list[Case], texts: list[str], repeat: int
) -> dict[str, list[Page]]:
    """Every extractor over every page, `repeat` timed passes (output kept from the first).
    Extractors take turns page by page, so background load hits them all alike."""
    for extractor in extractors.values():  # warm-up (imports, caches, dictionaries)
        for case, text in zip(cases[:3], texts[:3], strict=False):
            with contextlib.suppress(Exception):  # a competitor's crash is measured below
                extractor(text, case.url or "")
    pages: dict[str, list[Page]] = {name: [] for name in extractors}
    for attempt in range(repeat):
        for i, (case, text) in enumerate(zip(cases, texts, strict=True)):
            for name, extractor in extractors.items():
                start = time.perf_counter()
                try:
                    body, fields = extractor(text, case.url or "")
                except Exception:
                    body, fields = None, {}
                spent = time.perf_counter() - start
                if attempt == 0:
                    pages[name].append(Page(body, fields))
                pages[name][i].seconds.append(spent)
    return pages


def rows_for(
    pages: dict[str, list[Page]], cases: list[Case], indexes: list[int], repeat: int
) -> list[Row]:
    """Figures over the cases at `indexes`; speed from the best pass over those pages."""
    rows = []
    for name, outputs in pages.items():
        row = Row(name, pages=len(indexes))
        for i in indexes:
            score(row, cases[i], outputs[i])
        row.seconds = min(sum(outputs[i].seconds[a] for i in indexes) for a in range(repeat))
        rows.append(row)
    return rows


def mean(values: list[float]) -> str:
    return f"{sum(values) / len(values):.4f}" if values else "–"


def table(title: str, rows: list[Row]) -> str:
    pages = rows[0].pages if rows else 0
    lines = [
        f"### {title} ({pages} pages)",
        "",
        "| extractor | body F1 | precision | recall | min F1 | with-snippets | pages with leaks "
        "| refused | exceptions | pages/s | fields exact |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        snippets = f"{r.snippets_ok}/{r.snippets_total}" if r.snippets_total else "–"
        fields = f"{r.fields_ok}/{r.fields_total}" if r.fields_total else "–"
        speed = f"{r.pages / r.seconds:.1f}" if r.seconds else "–"
        worst = f"{min(r.f1):.4f}" if r.f1 else "–"
        lines.append(
            f"| {r.name} | {mean(r.f1)} | {mean(r.precision)} | {mean(r.recall)} | {worst} | "
            f"{snippets} | {r.leaks} | {r.refused} | {r.errors} | {speed} | {fields} |"
        )
    return "\n".join(lines)


def halves(cases: list[Case], split: dict[str, str]) -> dict[str, list[int]]:
    """Case indexes per half when the split names the folder's hosts, else one group `all`."""
    if not cases or any(c.host not in split for c in cases):
        return {"all": list(range(len(cases)))}
    groups: dict[str, list[int]] = {}
    for i, case in enumerate(cases):
        groups.setdefault(split[case.host], []).append(i)
    return dict(sorted(groups.items(), key=lambda g: g[0] != "tuning"))


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
    parser.add_argument(
        "--only", help="run only extractors whose name contains this (e.g. govcrawler)"
    )
    args = parser.parse_args()
    others, versions = competitors()
    print(
        f"Machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()}; "
        f"run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {', '.join(versions) or 'no competitors'}\n"
    )
    split = read_split(SPLIT)
    for folder in args.folders:
        cases = load_cases(folder)
        texts = [decode_html(c.html).text for c in cases]  # every extractor gets the same text
        extractors: dict[str, Extractor] = {}
        if any(c.url and profile_for_url(c.url) for c in cases):
            extractors["govcrawler (profile)"] = govcrawler_profile
        extractors["govcrawler (generic)"] = govcrawler_generic
        extractors.update(others)
        if args.only:
            extractors = {k: v for k, v in extractors.items() if args.only in k}
        pages = run_all(extractors, cases, texts, args.repeat)
        for half, indexes in halves(cases, split).items():
            rows = rows_for(pages, cases, indexes, args.repeat)
            title = str(folder) if half == "all" else f"{folder} — {half} half"
            print(table(title, rows))
            for r in rows[: args.worst and len(rows)]:
                print(
                    f"  worst {r.name}: "
                    + ", ".join(f"{n} {s:.3f}" for s, n in sorted(r.worst)[: args.worst])
                )
            print()


if __name__ == "__main__":
    main()
