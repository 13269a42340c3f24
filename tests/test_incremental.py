"""Incremental reruns through the real engine (replayed captures, subprocesses): an unchanged site
costs only its list heads, a changed page gives exactly one new version, a removed one exactly one
tombstone, and whatever was missed is asked for again."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from govcrawler.export.pipelines import schema_errors
from govcrawler.state.files import file_sha256
from govcrawler.state.locks import FileLock
from tests.conftest import FIXTURES, ROOT, read_json

pytestmark = pytest.mark.e2e

ANHUI_COLUMN = "columns=厅局级干部"  # list_sggb_1 (3 articles) → list_sggb_2 (2 articles)
RECHECK_ALL = ("-s", "GOVCRAWLER_RECHECK_DAYS=0")


@dataclass
class Run:
    """One crawl: its exit code, log, manifest entry for the site and the records it archived."""

    returncode: int
    log: str
    report: dict[str, Any]
    records: list[dict[str, Any]]


def copy_captures(dest: Path, *sites: str) -> Path:
    """A private copy of the bundled captures of `sites`, to edit between runs."""
    for site in sites:
        shutil.copytree(FIXTURES / site, dest / site)
    return dest


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def crawl(replay: Path, data: Path, site: str, *args: str) -> Run:
    """`scrapy crawl <site>` replaying `replay` into the archive folder `data`."""
    before = set((data / "runs").glob("*.json"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            site,
            "-s",
            f"GOVCRAWLER_REPLAY={replay}",
            "-s",
            f"GOVCRAWLER_DATA={data}",
            "-s",
            "GOVCRAWLER_BOILERPLATE_DIR=",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    new = sorted(set((data / "runs").glob("*.json")) - before)
    assert len(new) == 1, result.stderr[-3000:]
    report = read_json(new[0])["sites"][site]
    records = [r for out in report["outputs"] for r in read_jsonl(data / out["path"])]
    return Run(result.returncode, result.stderr, report, records)


def counts(**nonzero: int) -> dict[str, int]:
    outcomes = ("new", "changed", "unchanged", "known", "removed", "blocked", "failed", "skipped")
    return {o: nonzero.get(o, 0) for o in outcomes}


def test_unchanged_rerun_requests_only_the_list_head(tmp_path: Path) -> None:
    replay, data = copy_captures(tmp_path / "captures", "anhui"), tmp_path / "data"
    first = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN)
    assert first.returncode == 0, first.log[-3000:]
    assert first.report["counts"] == counts(new=5)
    assert first.report["list_pages"] == 2
    # robots.txt, both list pages, every article; the file host's robots.txt and the two files
    # articles 61230 and 61234 link (a PDF, a photo)
    assert first.report["requests"] == 1 + 2 + 5 + 1 + 2
    assert sorted(r["version"] for r in first.records) == [1] * 5

    second = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN)
    assert second.returncode == 0, second.log[-3000:]
    assert second.report["requests"] == 1 + 1  # robots.txt and the column's first list page
    assert second.report["list_pages"] == 1
    assert second.report["counts"] == counts(known=3)  # the three articles the head links
    assert second.records == [] and second.report["outputs"] == []
    assert second.report["status"] == "ok"


def test_rerun_of_a_site_with_blocked_pages_asks_again_only_for_those(tmp_path: Path) -> None:
    replay, data = copy_captures(tmp_path / "captures", "ccdi"), tmp_path / "data"
    first = crawl(replay, data, "ccdi")
    assert first.report["counts"] == counts(new=9, blocked=2)
    assert first.report["status"] == "failed"
    assert first.report["problems"] == ["2 pages blocked (challenge or captcha)"]

    second = crawl(replay, data, "ccdi")
    heads = 3
    # robots, list heads, the 2 blocked pages, and the cookie stub once more with its cookie
    assert second.report["requests"] == 1 + heads + 2 + 1
    assert second.report["counts"] == counts(known=6, blocked=2)
    assert second.records == []


def test_changed_page_gives_exactly_one_new_version(tmp_path: Path) -> None:
    replay, data = copy_captures(tmp_path / "captures", "anhui"), tmp_path / "data"
    first = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN)
    old = next(r for r in first.records if r["id"] == "anhui:61150")
    page = replay / "anhui" / "article_61150.html"
    html = page.read_text("utf-8")
    assert html.count("进行了立案审查调查。") == 1
    page.write_text(html.replace("进行了立案审查调查。", "进行了立案审查调查，并通报了有关情况。"))

    second = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN, *RECHECK_ALL)
    assert second.report["counts"] == counts(changed=1, unchanged=4)
    assert len(second.records) == 1
    new = second.records[0]
    assert new["id"] == "anhui:61150" and "并通报了有关情况" in new["body"]
    assert new["version"] == 2 and new["supersedes"] == old["content_sha256"]
    assert new["content_sha256"] != old["content_sha256"]
    assert schema_errors(new) == []

    third = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN, *RECHECK_ALL)
    assert third.report["counts"] == counts(unchanged=5)
    assert third.records == []


def test_removed_page_gives_one_tombstone(tmp_path: Path) -> None:
    replay, data = copy_captures(tmp_path / "captures", "anhui"), tmp_path / "data"
    first = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN)
    old = next(r for r in first.records if r["id"] == "anhui:61102")
    for path in (replay / "anhui").glob("article_61102.*"):
        path.unlink()

    second = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN, *RECHECK_ALL)
    assert second.report["counts"] == counts(removed=1, unchanged=4)
    assert len(second.records) == 1
    tombstone = second.records[0]
    assert schema_errors(tombstone) == []
    assert tombstone["removed"] is True and tombstone["http_status"] == 404
    assert tombstone["id"] == old["id"] and tombstone["url"] == old["url"]
    assert tombstone["title"] == old["title"] and tombstone["published_at"] == old["published_at"]
    assert tombstone["version"] == 2 and tombstone["supersedes"] == old["content_sha256"]
    assert "body" not in tombstone

    third = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN, *RECHECK_ALL)
    # No second tombstone; a removed article is re-checked only when a list page links it.
    assert third.report["counts"] == counts(unchanged=4)
    assert third.records == []


def test_recheck_is_a_conditional_get(tmp_path: Path) -> None:
    replay, data = copy_captures(tmp_path / "captures", "anhui"), tmp_path / "data"
    validators = {
        "article_61234": {"ETag": '"61234-v1"'},
        "article_61230": {"Last-Modified": "Fri, 20 Nov 2026 08:00:00 GMT"},
    }
    for name, headers in validators.items():
        sidecar = replay / "anhui" / f"{name}.capture.json"
        meta = read_json(sidecar)
        meta["headers"].update(headers)
        sidecar.write_text(json.dumps(meta), "utf-8")
    crawl(replay, data, "anhui", "-a", ANHUI_COLUMN)

    second = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN, *RECHECK_ALL)
    assert "'replay/not_modified': 2" in second.log  # the two pages that sent a validator
    assert second.report["counts"] == counts(unchanged=5)
    assert second.records == []


def test_pagination_goes_on_until_a_walk_has_reached_the_end(tmp_path: Path) -> None:
    replay, data = copy_captures(tmp_path / "captures", "anhui"), tmp_path / "data"
    first = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN, "-a", "max_pages=1")
    assert first.report["counts"] == counts(new=3)

    # Every article on the head is archived, but no walk has reached the end yet: go on.
    second = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN)
    assert second.report["list_pages"] == 2
    assert second.report["counts"] == counts(new=2, known=3)
    assert sorted(r["id"] for r in second.records) == ["anhui:61102", "anhui:61150"]

    third = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN)
    assert third.report["list_pages"] == 1

    backfill = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN, "-a", "backfill=1")
    assert backfill.report["list_pages"] == 2
    assert backfill.report["counts"] == counts(known=5)
    assert backfill.report["arguments"]["backfill"] is True


def test_missed_article_is_asked_for_again_next_run(tmp_path: Path) -> None:
    replay, data = copy_captures(tmp_path / "captures", "anhui"), tmp_path / "data"
    aside = tmp_path / "aside"
    aside.mkdir()
    for path in (replay / "anhui").glob("article_61150.*"):
        path.rename(aside / path.name)
    first = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN)
    assert first.report["counts"] == counts(new=4, failed=1)

    for path in aside.iterdir():
        path.rename(replay / "anhui" / path.name)
    second = crawl(replay, data, "anhui", "-a", ANHUI_COLUMN)
    assert second.report["list_pages"] == 1  # the walk completed: only the head is read …
    assert [r["id"] for r in second.records] == ["anhui:61150"]  # … and the miss is retried
    assert second.report["counts"] == counts(new=1, known=3)


def test_feed_option_still_writes_the_same_records(tmp_path: Path) -> None:
    replay, data = copy_captures(tmp_path / "captures", "anhui"), tmp_path / "data"
    out = tmp_path / "out.jsonl"
    run = crawl(replay, data, "anhui", "-O", str(out))
    assert run.returncode == 1  # the captures' planted empty page stays pending
    assert read_jsonl(out) == run.records and len(run.records) == 7


def test_a_site_locked_by_another_run_does_not_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with FileLock(data / "locks" / "anhui.lock"):
        result = subprocess.run(
            [
                *(sys.executable, "-m", "scrapy", "crawl", "anhui"),
                *("-s", f"GOVCRAWLER_REPLAY={FIXTURES}", "-s", f"GOVCRAWLER_DATA={data}"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert result.returncode != 0
    assert "anhui.lock is held by another run (pid" in result.stderr
    assert not (data / "articles").exists()


# ---- govcrawler crawl --------------------------------------------------------------------------


def govcrawler(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govcrawler.cli.main", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_crawl_command_runs_sites_in_one_process_and_writes_one_manifest(tmp_path: Path) -> None:
    replay, data = copy_captures(tmp_path / "captures", "ccdi", "anhui"), tmp_path / "data"
    args = ["crawl", "ccdi", "anhui", "--replay", str(replay), "--data", str(data)]
    result = govcrawler(*args, "-s", "GOVCRAWLER_BOILERPLATE_DIR=")
    assert result.returncode == 1, result.stderr[-3000:]  # ccdi's captures include blocked pages
    (path,) = (data / "runs").glob("*.json")
    manifest = read_json(path)
    assert manifest["status"] == "failed" and set(manifest["sites"]) == {"ccdi", "anhui"}
    anhui, ccdi = manifest["sites"]["anhui"], manifest["sites"]["ccdi"]
    # 安徽's captures plant an empty page: it is pending, so the site reports it (a content class).
    assert anhui["status"] == "failed" and anhui["counts"] == counts(new=7, skipped=1)
    assert anhui["problem_classes"] == ["content"] and anhui["failures"] == {"empty": 1}
    assert ccdi["status"] == "failed" and ccdi["counts"]["blocked"] == 2
    for site in (anhui, ccdi):
        (output,) = site["outputs"]
        assert output["sha256"] == file_sha256(data / output["path"])
        assert output["records"] == len(read_jsonl(data / output["path"]))
    assert f"manifest: {path}" in result.stdout
    assert "ccdi: failed:" in result.stdout and "anhui: failed:" in result.stdout

    again = govcrawler(*args, "-s", "GOVCRAWLER_BOILERPLATE_DIR=", "-a", "max_pages=3")
    second = max((data / "runs").glob("*.json"))
    assert read_json(second)["sites"]["anhui"]["counts"]["known"] == 5
    assert again.returncode == 1


def test_crawl_command_exit_codes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    base = ["crawl", "anhui", "--replay", str(FIXTURES), "--data", str(data)]
    ok = govcrawler(*base, "-a", ANHUI_COLUMN, "-s", "GOVCRAWLER_BOILERPLATE_DIR=")
    assert ok.returncode == 0, ok.stderr[-3000:]

    with FileLock(data / "locks" / "crawl.lock"):
        locked = govcrawler(*base)
    assert locked.returncode == 75 and "held by another run" in locked.stderr

    bad = govcrawler(*base, "-a", "max_pages=0")  # a usage error: nothing runs
    assert bad.returncode == 2 and "anhui: max_pages must be 1 or more" in bad.stderr
    assert not (data / "runs").exists() or len(list((data / "runs").iterdir())) == 1

    assert govcrawler("crawl", "atlantis").returncode == 2
    assert govcrawler("crawl").returncode == 2  # neither sites nor --all
