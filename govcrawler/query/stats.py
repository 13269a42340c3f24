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


#: Panels in the chart; sites beyond the busiest PANELS - 1 share the last panel ("others").
PANELS = 36


def site_months(rows: list[Row]) -> tuple[list[str], list[tuple[str, list[int], int]]]:
    """The chart's data from rows grouped by (site, month): every month from the first to the
    last dated one, and per panel (busiest site first; sites past PANELS - 1 merged as
    `others (N sites)`) its articles per month and its undated articles."""
    dated = [r for r in rows if r.key[1] != "unknown"]
    if not dated:
        raise ValueError("--plot: no dated articles to plot")
    months = months_between(min(r.key[1] for r in dated), max(r.key[1] for r in dated))
    position = {m: i for i, m in enumerate(months)}
    per_site: dict[str, list[int]] = {}
    undated: dict[str, int] = {}
    for r in rows:
        series = per_site.setdefault(r.key[0], [0] * len(months))
        if r.key[1] == "unknown":
            undated[r.key[0]] = undated.get(r.key[0], 0) + r.articles
        else:
            series[position[r.key[1]]] += r.articles
    order = sorted(per_site, key=lambda s: (-sum(per_site[s]) - undated.get(s, 0), s))
    panels = [(s, per_site[s], undated.get(s, 0)) for s in order]
    if len(panels) > PANELS:
        rest = panels[PANELS - 1 :]
        merged = [sum(month) for month in zip(*(p[1] for p in rest), strict=True)]
        panels = [
            *panels[: PANELS - 1],
            (f"others ({len(rest)} sites)", merged, sum(p[2] for p in rest)),
        ]
    return months, panels


def plot_months(rows: list[Row], path: Path) -> None:
    """Small multiples of articles per month (rows grouped by site, month): one panel per site,
    busiest first, all on the same months, each on its own scale (its peak is labelled), so a
    gap or a spike shows for a small site as for a large one. Screen-sized at any site count."""
    try:  # an optional extra: imported only when a chart is asked for
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError as exc:
        raise ValueError("--plot needs matplotlib: pip install 'govcrawler[plot]'") from exc
    months, panels = site_months(rows)
    # Few sites: wide panels, one under the other; many: a grid of four, ~1200 px wide.
    columns, height = (1, 2.0) if len(panels) <= 3 else (2, 1.5) if len(panels) <= 8 else (4, 1.05)
    lines = -(-len(panels) // columns)
    fig, axes = plt.subplots(
        lines,
        columns,
        figsize=(12.8, 0.45 + height * lines),
        sharex=True,
        squeeze=False,
        layout="constrained",
    )
    if len(months) <= 24:  # label months …
        ticks = list(range(0, len(months), -(-len(months) // (12 if columns == 1 else 6))))
        labels = [months[i] for i in ticks]
    else:  # … or about five years per panel
        years = [i for i, m in enumerate(months) if m.endswith("-01") or i == 0]
        ticks = years[:: -(-len(years) // (10 if columns == 1 else 5))]
        labels = [months[i][:4] for i in ticks]
    for ax, (name, per_month, undated) in zip(axes.flat, panels, strict=False):
        ax.bar(range(len(months)), per_month, width=0.9, color="#1f5f99")
        peak = max(per_month)
        ax.set_ylim(0, max(1, peak) * 1.15)
        ax.set_yticks([0, peak] if peak else [0])
        ax.tick_params(labelsize=7, length=2)
        extra = f", {undated} undated" if undated else ""
        ax.set_title(f"{name}  {sum(per_month) + undated}{extra}", fontsize=8, loc="left", pad=2)
        ax.spines[["top", "right"]].set_visible(False)
    for k, ax in enumerate(axes.flat):
        if k >= len(panels):
            ax.set_visible(False)
        elif k + columns >= len(panels):  # the lowest panel of its column: it shows the months
            ax.tick_params(labelbottom=True)
    ax0 = axes.flat[0]
    ax0.set_xlim(-0.5, len(months) - 0.5)
    ax0.set_xticks(ticks, labels)
    fig.suptitle(
        f"Articles per month by published date, {months[0]} to {months[-1]}"
        " (each panel on its own scale)",
        fontsize=10,
    )
    fig.savefig(path, dpi=100)
    plt.close(fig)
