"""Fixity of the archive: every file a run completes (JSONL run files, WARC files) is listed in
its run manifest with size and sha256, and `govcrawler verify` re-hashes the archive against
those lists, as digital-preservation practice expects, to show that nothing written has changed
or gone since.

A manifest lists a site's files under `outputs` (its JSONL run file), `recovered` (files of a
killed run completed by this one) and `warc` (the WARC files the run completed, a killed run's
included). Paths are relative to the data folder when inside it, else absolute.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcrawler.archive.warc_writer import WARC_SUFFIX
from govcrawler.state.files import file_sha256
from govcrawler.state.manifest import shown_path

#: The lists of files in a site's manifest entry.
FILE_LISTS = ("outputs", "recovered", "warc")
#: Where completed archive files live in the data folder, and their names.
ARCHIVE_GLOBS = (("articles", "*.jsonl"), ("warc", f"*{WARC_SUFFIX}"))


def warc_entries(paths: Iterable[Path], data: Path) -> list[dict[str, Any]]:
    """The manifest entries of the WARC files a run completed: path, bytes, sha256."""
    return [
        {"path": shown_path(path, data), "bytes": path.stat().st_size, "sha256": file_sha256(path)}
        for path in sorted(set(paths))
    ]


@dataclass(frozen=True)
class Listed:
    """A file as a run manifest lists it."""

    path: str  # as written in the manifest
    bytes: int
    sha256: str
    manifest: str  # the manifest's path relative to the data folder


@dataclass(frozen=True)
class Finding:
    """A listed file that is not as its manifest says."""

    listed: Listed
    problem: str  # "missing" or "changed"
    detail: str


@dataclass
class FixityReport:
    manifests: int = 0
    checked: int = 0  # listed files re-hashed (a file listed twice counts twice)
    findings: list[Finding] = field(default_factory=list)
    bad_manifests: list[str] = field(default_factory=list)  # "path: reason"
    unlisted: list[str] = field(default_factory=list)  # archive files no manifest lists

    @property
    def ok(self) -> bool:
        return not self.findings and not self.bad_manifests


def run_manifests(data: Path) -> list[Path]:
    return sorted((data / "runs").glob("*.json"))


def listed_files(manifest: dict[str, Any], name: str) -> list[Listed]:
    """Every file entry of one run manifest (all sites, all lists)."""
    found = []
    for site in (manifest.get("sites") or {}).values():
        for key in FILE_LISTS:
            for entry in site.get(key) or []:
                found.append(Listed(entry["path"], int(entry["bytes"]), entry["sha256"], name))
    return found


def check_file(listed: Listed, data: Path) -> Finding | None:
    path = Path(listed.path)
    path = path if path.is_absolute() else data / path
    if not path.is_file():
        return Finding(listed, "missing", "no such file")
    size = path.stat().st_size
    if size != listed.bytes:
        return Finding(listed, "changed", f"{size} bytes, the manifest says {listed.bytes}")
    digest = file_sha256(path)
    if digest != listed.sha256:
        return Finding(listed, "changed", f"sha256 {digest}, the manifest says {listed.sha256}")
    return None


def stored_files(data: Path) -> list[Path]:
    """The completed JSONL and WARC files in the data folder's usual places."""
    return sorted(p for folder, pattern in ARCHIVE_GLOBS for p in (data / folder).rglob(pattern))


def verify(data: Path) -> FixityReport:
    """Re-hash every file the run manifests under `data/runs` list; name archive files none
    lists (written before manifests listed them, or by a run that died before its manifest)."""
    report = FixityReport()
    seen: set[Path] = set()
    for manifest_path in run_manifests(data):
        name = manifest_path.relative_to(data).as_posix()
        try:
            manifest = json.loads(manifest_path.read_text("utf-8"))
            listed = listed_files(manifest, name)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            report.bad_manifests.append(f"{name}: unreadable ({exc})")
            continue
        report.manifests += 1
        for entry in listed:
            report.checked += 1
            path = Path(entry.path)
            seen.add((path if path.is_absolute() else data / path).resolve())
            finding = check_file(entry, data)
            if finding is not None:
                report.findings.append(finding)
    report.unlisted = [
        p.relative_to(data).as_posix() for p in stored_files(data) if p.resolve() not in seen
    ]
    return report


def summary(report: FixityReport) -> list[str]:
    """The report as lines for a terminal: problems first, then the totals."""
    lines = [f"unreadable manifest {m}" for m in report.bad_manifests]
    lines += [
        f"{f.problem}: {f.listed.path} ({f.detail}; listed in {f.listed.manifest})"
        for f in report.findings
    ]
    lines += [f"not in any manifest: {path}" for path in report.unlisted]
    bad = len(report.findings)
    lines.append(
        f"{report.checked} file(s) listed in {report.manifests} run manifest(s): "
        f"{report.checked - bad} as written, {bad} changed or missing"
        + (f"; {len(report.unlisted)} archive file(s) in no manifest" if report.unlisted else "")
    )
    return lines
