"""`govcrawler stats` as functions: counts of articles, versions and removals by site, month or
column, and the per-month, per-site bar chart.

Per article (id) the group is taken from its current version (the newest that is not a removal):
its site, the month of its `published_at` (`unknown` when the page showed no date) and its column.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from govcrawler.query.search import Query, where_clause

GROUPS = {
    "site": "r.site",
    "month": "COALESCE(substr(r.published_at, 1, 7), 'unknown')",
    "column": "COALESCE(r.col, 'unknown')",
}


@dataclass(frozen=True)
class Row:
    """One group: articles still online, archived versions (records with text), removals."""

    key: tuple[str, ...]
    articles: int
    versions: int
    removals: int


def counts(conn: sqlite3.Connection, by: list[str], query: Query) -> list[Row]:
    """Counts per group, sorted by group. Filters (site, column, dates, text) apply to the
    current version of each article; `query.all_versions`/`removed` are ignored here."""
    for name in by:
        if name not in GROUPS:
            raise ValueError(f"--by {name}: choose from {', '.join(GROUPS)}")
    scoped = Query(
        text=query.text,
        sites=query.sites,
        columns=query.columns,
        since=query.since,
        until=query.until,
        field=query.field,
        all_versions=True,
    )
    where, params = where_clause(scoped)
    keys = [GROUPS[name] for name in by] or ["'all'"]
    sql = (
        f"SELECT {', '.join(keys)}, SUM(r.gone = 0), SUM(r.versions), SUM(r.gone)"
        f" FROM records r WHERE r.current = 1 AND {where}"
        f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}"
        f" ORDER BY {', '.join(str(i + 1) for i in range(len(keys)))}"
    )
    width = len(keys)
    return [
        Row(
            tuple(str(v) for v in row[:width]),
            int(row[width]),
            int(row[width + 1]),
            int(row[width + 2]),
        )
        for row in conn.execute(sql, params)
    ]


def orphan_removals(conn: sqlite3.Connection) -> int:
    """Removal records for ids the archive holds no text version of (counted apart)."""
    row = conn.execute(
        "SELECT COUNT(DISTINCT id) FROM records WHERE latest = 1 AND removed = 1"
        " AND id NOT IN (SELECT id FROM records WHERE current = 1)"
    ).fetchone()
    return int(row[0])


def months_between(first: str, last: str) -> list[str]:
    """Every YYYY-MM from first to last inclusive, so gaps show as empty months."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def plot_months(rows: list[Row], path: Path) -> None:
    """A stacked bar chart of articles per month per site (rows grouped by site, month)."""
    try:  # an optional extra: imported only when a chart is asked for
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError as exc:
        raise ValueError("--plot needs matplotlib: pip install 'govcrawler[plot]'") from exc
    dated = [r for r in rows if r.key[1] != "unknown"]
    if not dated:
        raise ValueError("--plot: no dated articles to plot")
    months = months_between(min(r.key[1] for r in dated), max(r.key[1] for r in dated))
    sites = sorted({r.key[0] for r in dated})
    per = {(r.key[0], r.key[1]): r.articles for r in dated}
    fig, ax = plt.subplots(figsize=(max(6.0, 0.28 * len(months) + 2), 4.5))
    bottom = [0] * len(months)
    for site in sites:
        heights = [per.get((site, m), 0) for m in months]
        ax.bar(range(len(months)), heights, bottom=bottom, label=site, width=0.85)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    step = max(1, len(months) // 24)
    ax.set_xticks(range(0, len(months), step), months[::step], rotation=90, fontsize=8)
    ax.set_ylabel("articles")
    ax.set_title("Articles per month per site (by published date)")
    ax.legend(fontsize=8, ncols=min(4, len(sites)))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
