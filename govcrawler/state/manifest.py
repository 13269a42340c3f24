"""The run manifest: what a run did, per site, with the sha256 of every file it completed.

`<data>/runs/<run start>.json`, written when the run ends (by `govcrawler crawl` for all its
sites, or by a single `scrapy crawl`). A site "failed" when it did not finish, raised, was
blocked, or gave no article where some were expected; `govcrawler crawl` then exits 1. A site
whose only problems are drift (its profile parted from the pages) has status "drift" (exit 4).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from govcrawler import __version__
from govcrawler.state.failures import failure_class
from govcrawler.state.files import file_sha256, fsync_dir
from govcrawler.state.site_state import OUTCOMES

MANIFEST_VERSION = 3  # 2: per-column walks, failure reasons and classes, WARC files; 3: drift
FAILURE_PREFIX = "govcrawler/failure/"
BLOCKED_PAGES = frozenset({"challenge", "captcha"})  # counted in their own problem line


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def shown_path(path: Path, data: Path) -> str:
    """Relative to the data folder when inside it (the archive can move), else absolute."""
    try:
        return path.resolve().relative_to(data.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def file_entry(path: Path, records: int, data: Path, **extra: Any) -> dict[str, Any]:
    return {
        "path": shown_path(path, data),
        "records": records,
        "bytes": path.stat().st_size,
        "sha256": file_sha256(path),
        **extra,
    }


def outcome_counts(stats: dict[str, Any]) -> dict[str, int]:
    return {o: int(stats.get(f"govcrawler/outcome/{o}", 0)) for o in OUTCOMES}


def file_counts(stats: dict[str, Any]) -> dict[str, Any]:
    """What became of the articles' files (spiders/files.py): kept (of which revisits: the same
    payload as the last capture, stored once), reused in the run, not kept by reason, how many
    of those the next run tries again, and the PDF/Word texts read."""
    prefix = "govcrawler/files/"
    not_kept = {
        k[len(prefix + "not_kept/") :]: int(v)
        for k, v in sorted(stats.items())
        if k.startswith(prefix + "not_kept/")
    }
    counts: dict[str, Any] = {
        key: int(stats.get(prefix + key, 0))
        for key in ("kept", "revisits", "reused", "retried_next_run", "text", "text_failed")
    }
    counts["not_kept"] = not_kept
    return counts


def site_problems(
    stats: dict[str, Any],
    *,
    reason: str,
    column_problems: list[str],
    column_classes: list[str],
    damaged: list[str],
) -> tuple[list[str], list[str]]:
    """Why a site's run counts as failed (empty: it did not), and the failure classes involved
    (state/failures.py; they decide the exit code)."""
    counts = outcome_counts(stats)
    problems: list[str] = []
    classes = set(column_classes)
    if reason != "finished":
        problems.append(f"the crawl did not finish ({reason})")
        classes.add("blocked" if reason == "blocked" else "error")
    if stats.get("spider_exceptions/count"):
        problems.append(f"{stats['spider_exceptions/count']} errors in callbacks (see the log)")
        classes.add("error")
    if stats.get("govcrawler/failed/write"):
        problems.append(f"{stats['govcrawler/failed/write']} records could not be written")
        classes.add("error")
    if counts["blocked"]:
        problems.append(f"{counts['blocked']} pages blocked (challenge or captcha)")
        classes.add("blocked")
    problems += column_problems
    pending = {r: n for r, n in failure_reasons(stats).items() if r not in BLOCKED_PAGES}
    if pending:
        reasons = ", ".join(f"{r} {n}" for r, n in sorted(pending.items(), key=lambda i: -i[1]))
        problems.append(
            f"{sum(pending.values())} articles not archived, asked for again next run ({reasons})"
        )
        classes.update(failure_class(r) for r in pending)
    problems += [f"damaged run file left as it was: {d}" for d in damaged]
    classes.update("error" for _ in damaged)
    return problems, sorted(classes)


def failure_reasons(stats: dict[str, Any]) -> dict[str, int]:
    """Articles not archived in this run, by reason."""
    return {
        key.removeprefix(FAILURE_PREFIX): int(n)
        for key, n in sorted(stats.items())
        if key.startswith(FAILURE_PREFIX)
    }


def site_report(
    stats: dict[str, Any],
    *,
    reason: str,
    arguments: dict[str, Any],
    outputs: list[dict[str, Any]],
    recovered: list[dict[str, Any]],
    problems: list[str],
    classes: list[str],
    columns: list[dict[str, Any]],
    ledger: str | None,
    drift: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    start, finish = stats.get("start_time"), stats.get("finish_time")
    return {
        "status": site_status(problems, classes),
        "problems": problems,
        "problem_classes": classes,
        "finish_reason": reason,
        "started_at": utc_iso(start) if isinstance(start, datetime) else None,
        "finished_at": utc_iso(finish or datetime.now(UTC)),
        "arguments": arguments,
        "counts": outcome_counts(stats),
        "failures": failure_reasons(stats),
        "columns": columns,
        "drift": drift or [],
        "list_pages": int(stats.get("govcrawler/list_pages", 0)),
        "requests": int(stats.get("downloader/request_count", 0)),
        "files": file_counts(stats),
        "outputs": outputs,
        "recovered": recovered,
        "ledger": ledger,
    }


def site_status(problems: list[str], classes: list[str]) -> str:
    """`ok`; `drift` when every problem is drift (the profile parted from the site: what
    discovery or the generic extractor could stand in for is archived, the profile needs a
    look); else `failed`."""
    if not problems:
        return "ok"
    return "drift" if set(classes) == {"drift"} else "failed"


def run_manifest(
    started: datetime, finished: datetime, sites: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    return {
        "manifest_version": MANIFEST_VERSION,
        "govcrawler": __version__,
        "started_at": utc_iso(started),
        "finished_at": utc_iso(finished),
        "status": run_status([s["status"] for s in sites.values()]),
        "problem_classes": sorted(
            {c for s in sites.values() for c in s.get("problem_classes", ())}
        ),
        "sites": sites,
    }


def run_status(statuses: list[str]) -> str:
    """The run's status from its sites': the worst of ok < drift < failed."""
    for status in ("failed", "drift"):
        if status in statuses:
            return status
    return "ok" if all(s == "ok" for s in statuses) else "failed"


def write_manifest(path: Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest durably at `path` (or `<stem>-1.json`… if taken); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    for n in range(1000):
        target = path if n == 0 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        fsync_dir(target.parent)
        return target
    raise FileExistsError(f"no free manifest name for {path}")
