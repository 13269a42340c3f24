"""`govcrawler query`, `stats` and `index` as archivists run them, on a generated archive."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from govcrawler.cli.main import main
from govcrawler.query.output import csv_fields
from govcrawler.query.text import fold
from tests.archive_factory import Archive, generate
from tests.test_query import latest


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    archive = generate(tmp_path_factory.mktemp("cli") / "articles", 200, seed=23, removed=0.1)
    broken = archive.root / "anhui" / "20991231T000000Z.jsonl"
    broken.write_text('{"id": "anhui:1", "title": "半行\n', encoding="utf-8")
    (archive.root / "anhui" / "20991231T060000Z.jsonl.part").write_text("", encoding="utf-8")
    return archive


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_table_shows_time_site_title_and_highlighted_snippet(
    archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "query", "開除黨籍", "--data", str(archive.root), "--limit", "5")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 10  # two lines per hit
    newest = sorted(
        (r for r in latest(archive.records).values()
         if not r.get("removed") and "开除党籍" in fold(r["title"] + r["body"])),
        key=lambda r: r["published_at"] or "", reverse=True,
    )  # fmt: skip
    first = newest[0]
    assert lines[0].startswith(first["published_at"][:16].replace("T", " ") + "  " + first["site"])
    assert first["title"].replace("开除党籍", "").replace("開除黨籍", "")[:4] in lines[0]
    assert "[开除党籍]" in lines[1] or "[開除黨籍]" in lines[1]
    assert f"5 of {len(newest)} article(s)" in err
    _, colored, _ = cli(
        capsys, "query", "开除党籍", "--data", str(archive.root), "--color", "always"
    )
    assert "\x1b[1;31m开除党籍\x1b[0m" in colored or "\x1b[1;31m開除黨籍\x1b[0m" in colored


def test_jsonl_output_is_the_archived_lines_byte_for_byte(
    archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "query", "诫勉", "--data", str(archive.root), "--format", "jsonl")
    archived = {
        line
        for path in archive.root.rglob("*.jsonl")
        for line in path.read_text("utf-8").splitlines()
    }
    got = out.splitlines()
    assert code == 0 and got and all(line in archived for line in got)
    assert all("诫勉" in fold(json.loads(line)["body"]) for line in got)
    assert len({json.loads(line)["id"] for line in got}) == len(got)  # one version each


def test_csv_output_has_every_schema_field_and_provenance(
    archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(
        capsys, "query", "--site", "guangdong", "--data", str(archive.root), "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    want = [r for r in latest(archive.records).values() if r["site"] == "guangdong"]
    want = [r for r in want if not r.get("removed")]
    assert code == 0 and len(rows) == len(want)
    assert tuple(rows[0]) == csv_fields() and "archive_line" in rows[0]
    by_id = {r["id"]: r for r in want}
    for row in rows:
        rec = by_id[row["id"]]
        assert (row["title"], row["body"], row["version"]) == (
            rec["title"], rec["body"], str(rec.get("version", "")),
        )  # fmt: skip
        assert json.loads(row["images"]) == rec["images"]
        path = archive.root / row["archive_file"]
        line = path.read_text("utf-8").splitlines()[int(row["archive_line"]) - 1]
        assert json.loads(line) == rec


def test_malformed_lines_are_named_with_file_and_line_on_stderr(
    archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "query", "纪律", "--data", str(archive.root))
    assert code == 0 and out  # still answers
    bad = archive.root / "anhui" / "20991231T000000Z.jsonl"
    assert f"{bad}:1: not JSON" in err and "skipped 1 malformed" in err


def test_stats_by_site_counts_articles_versions_removals(
    archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "stats", "--data", str(archive.root), "--format", "csv")
    assert code == 0
    rows = {r["site"]: r for r in csv.DictReader(io.StringIO(out))}
    newest = latest(archive.records)
    for site, row in rows.items():
        ids = {i for i, r in newest.items() if r["site"] == site}
        assert int(row["articles"]) == sum(not newest[i].get("removed") for i in ids)
        assert int(row["removals"]) == sum(bool(newest[i].get("removed")) for i in ids)
        assert int(row["versions"]) == sum(
            1 for r in archive.records if r["site"] == site and not r.get("removed")
        )
    assert sum(int(r["removals"]) for r in rows.values()) > 0
    assert set(rows) == {"ccdi", "anhui", "guangdong", "fujian"}


def test_stats_by_site_and_month_with_filters_and_plot(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "months.png"
    code, out, _ = cli(
        capsys, "stats", "--by", "site", "month", "--site", "ccdi", "--since", "2024",
        "--data", str(archive.root), "--plot", str(chart),
    )  # fmt: skip
    assert code == 0
    rows = [line.split() for line in out.splitlines()[1:] if line.startswith("ccdi")]
    want: dict[str, int] = {}
    for rec in latest(archive.records).values():
        if (
            rec["site"] == "ccdi"
            and not rec.get("removed")
            and (rec["published_at"] or "") >= "2024"
        ):
            want[rec["published_at"][:7]] = want.get(rec["published_at"][:7], 0) + 1
    assert {month: int(articles) for _, month, articles, *_ in rows} == want
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "unfinished run file not included" in out and "malformed line skipped" in out


def test_index_command_and_bad_input_errors(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "elsewhere.sqlite"
    code, out, _ = cli(capsys, "index", "--data", str(archive.root), "--index", str(index))
    files = len(list(archive.root.rglob("*.jsonl")))
    assert code == 0 and f"{files} archive file(s), {len(archive.records)} record(s)" in out
    assert index.is_file()
    # A crawl's data folder (holding articles/, as `govcrawler crawl --data` takes) works too.
    code, out, _ = cli(capsys, "index", "--data", str(archive.root.parent))
    assert code == 0 and str(archive.root.parent / "query-index.sqlite") in out
    assert f"{files} archive file(s)" in out
    assert cli(capsys, "query", "，", "--data", str(archive.root))[0] == 2
    assert cli(capsys, "query", "--since", "2024-13", "--data", str(archive.root))[0] == 2
    code, _, err = cli(capsys, "query", "x", "--data", str(tmp_path / "missing"))
    assert code == 2 and "no archive folder" in err


def test_index_rebuild_starts_afresh(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "rebuilt.sqlite"
    args = ("index", "--data", str(archive.root), "--index", str(index))

    def bad_lines() -> int:
        conn = sqlite3.connect(index)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM bad_lines").fetchone()[0])
        finally:
            conn.close()

    assert cli(capsys, *args)[0] == 0 and bad_lines() == 1  # the truncated line
    conn = sqlite3.connect(index)
    conn.execute("DELETE FROM bad_lines")
    conn.commit()
    conn.close()
    assert cli(capsys, *args)[0] == 0 and bad_lines() == 0  # no file changed: nothing re-read
    code, out, _ = cli(capsys, *args, "--rebuild")
    assert code == 0 and f"{len(archive.records)} record(s)" in out and bad_lines() == 1


def test_a_term_after_site_is_a_term_and_sites_repeat_or_take_commas(
    archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--site anhui 开除党籍` searched for 开除党籍 in 安徽 (issue 12: it took the term for a site)."""
    code, out, _ = cli(
        capsys, "query", "--site", "anhui", "开除党籍", "--data", str(archive.root),
        "--format", "jsonl",
    )  # fmt: skip
    got = [json.loads(line) for line in out.splitlines()]
    want = [
        r for r in latest(archive.records).values()
        if r["site"] == "anhui" and not r.get("removed") and "开除党籍" in fold(r["title"] + r["body"])
    ]  # fmt: skip
    assert code == 0 and sorted(r["id"] for r in got) == sorted(r["id"] for r in want)
    both = [
        cli(capsys, "query", *sites, "--data", str(archive.root), "--format", "jsonl", "--limit", "0")[1]
        for sites in (["--site", "anhui,ccdi"], ["--site", "anhui", "--site", "ccdi"])
    ]  # fmt: skip
    assert both[0] == both[1] and {json.loads(x)["site"] for x in both[0].splitlines()} == {
        "anhui",
        "ccdi",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "anhwei"], "unknown site(s) anhwei"),
        (["--since", "2026-05", "--until", "2026-01"], "--since 2026-05 is after --until 2026-01"),
    ],
)
def test_unknown_sites_and_empty_date_ranges_are_usage_errors(
    archive: Archive, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    for command in ("query", "stats"):
        code, out, err = cli(capsys, command, *args, "--data", str(archive.root))
        assert code == 2 and message in err and out == "", command
