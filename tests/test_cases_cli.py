"""`govcrawler cases` over an archive: the bundled fixtures' cases, versions and removals, CSV,
--merge, bad lines, usage errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from govcrawler.cli.main import main
from govcrawler.query.cases import case_rows, merged_persons

from .conftest import DATA, FIXTURES, read_json

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "govcrawler/schema/case.schema.json").read_text()
)


def fixture_records() -> dict[str, dict[str, Any]]:
    """fixture name (site/file) → the article record the demo crawl archives for it."""
    records = {}
    for path in sorted(FIXTURES.glob("*/*.expected.json")):
        expected = read_json(path)
        if expected.get("kind") == "article":
            records[f"{path.parent.name}/{path.name.removesuffix('.expected.json')}"] = expected[
                "record"
            ]
    return records


def write_archive(
    data: Path, records: list[dict[str, Any]], name: str = "20261120T080000Z"
) -> None:
    for record in records:
        folder = data / "articles" / record["site"]
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / f"{name}.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["cases", *args])
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def fixture_labels() -> set[tuple[str, str, str | None, frozenset[str]]]:
    labels = set()
    for line in (DATA / "cases" / "fixture_cases.tsv").read_text("utf-8").splitlines():
        cells = line.split("\t")
        if line.startswith("#") or cells[1] == "-":
            continue
        position = None if cells[2] == "-" else cells[2]
        labels.add((cells[0], cells[1], position, frozenset(cells[3].split(";"))))
    return labels


def test_the_demo_archive_lists_the_cases_of_the_bundled_fixtures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = fixture_records()
    write_archive(tmp_path, list(records.values()))
    code, out, err = run(capsys, "--data", str(tmp_path))
    assert code == 0, err
    rows = jsonl(out)
    fixture_of = {r["id"]: name for name, r in records.items()}
    got = {
        (fixture_of[r["article_id"]], r["name"], r["position"], frozenset(r["actions"]))
        for r in rows
    }
    assert got == fixture_labels()
    assert {r["site"] for r in rows} >= {"ccdi", "anhui", "henan", "hainan", "shandong"}
    assert f"{len(rows)} case row(s) from {len(records)} article(s)" in err
    for row in rows:
        jsonschema.validate(row, SCHEMA)


def test_csv_rows_and_merged_people(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = fixture_records()
    write_archive(tmp_path, list(records.values()))
    _, out, _ = run(capsys, "--data", str(tmp_path), "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert len(table) == len(fixture_labels())
    assert json.loads(table[0]["actions"]) and table[0]["name"]
    code, out, _ = run(capsys, "--data", str(tmp_path), "--merge")
    assert code == 0
    people = jsonl(out)
    person_schema = {"$defs": SCHEMA["$defs"], "$ref": "#/$defs/person"}

    for person in people:
        jsonschema.validate(person, person_schema)
    _, out, _ = run(capsys, "--data", str(tmp_path), "--merge", "--format", "csv")
    merged = list(csv.DictReader(io.StringIO(out)))
    assert len(merged) == len(people)
    expelled = next(p for p in merged if p["name"] == "钟立衡")
    assert expelled["开除党籍"] == expelled["审查调查"] == expelled["first_seen"]
    assert expelled["urls"].startswith("http") and expelled["sites"] == "ccdi"


def article(version: int, body: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": "anhui:9",
        "site": "anhui",
        "site_name": "安徽省纪委监委",
        "url": "https://example.invalid/9",
        "column": None,
        "title": "通报",
        "published_at": "2026-10-01T09:00:00+08:00",
        "fetched_at": f"2026-10-0{version}T09:00:00Z",
        "body": body,
        "version": version,
        **extra,
    }


def test_latest_version_counts_and_a_removed_article_is_flagged(tmp_path: Path) -> None:
    v1 = article(1, "合肥市某局原局长温一舟被开除党籍。")
    v2 = article(2, "合肥市某局原局长时二川被开除党籍。")
    write_archive(tmp_path, [v2], name="20261002T090000Z")
    write_archive(tmp_path, [v1], name="20261001T090000Z")
    rows = list(case_rows(tmp_path))
    assert [(r.name, r.removed) for r in rows] == [("时二川", False)]
    tombstone = {
        "id": "anhui:9",
        "site": "anhui",
        "url": "https://example.invalid/9",
        "removed": True,
        "version": 3,
        "fetched_at": "2026-10-03T09:00:00Z",
    }
    write_archive(tmp_path, [tombstone], name="20261003T090000Z")
    rows = list(case_rows(tmp_path))
    assert [(r.name, r.removed) for r in rows] == [("时二川", True)]
    assert [p.name for p in merged_persons(tmp_path)] == ["时二川"]


def test_malformed_lines_are_reported_and_the_rest_is_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_archive(tmp_path, [article(1, "合肥市某局原局长温一舟被开除党籍。")])
    run_file = next((tmp_path / "articles" / "anhui").glob("*.jsonl"))
    with run_file.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    (run_file.parent / "20261130T000000Z.jsonl.part").write_text("{}\n")
    code, out, err = run(capsys, "--data", str(tmp_path))
    assert code == 1
    assert [r["name"] for r in jsonl(out)] == ["温一舟"]
    assert "skipped 1 malformed archive line(s)" in err and f"{run_file}:2:" in err
    assert "1 unfinished run file(s)" in err


def test_files_can_be_given_instead_of_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_archive(tmp_path, [article(1, "合肥市某局原局长温一舟被开除党籍。")])
    run_file = next((tmp_path / "articles" / "anhui").glob("*.jsonl"))
    code, out, _ = run(capsys, str(run_file))
    assert code == 0 and [r["name"] for r in jsonl(out)] == ["温一舟"]


@pytest.mark.parametrize(
    "args",
    [
        ("--data", "{tmp}", "{tmp}/x.jsonl"),  # both
        ("{tmp}/missing.jsonl",),
        (
            "--data",
            "{tmp}/missing",
        ),
        ("--format", "xml"),
    ],
)
def test_usage_errors_exit_2_before_reading(
    args: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_archive(tmp_path, [article(1, "合肥市某局原局长温一舟被开除党籍。")])
    (tmp_path / "x.jsonl").write_text("")
    argv = [a.format(tmp=tmp_path) for a in args]
    try:
        code = main(["cases", *argv])
    except SystemExit as exc:  # argparse's own usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err


def test_help_states_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["cases", "--help"])
    out = capsys.readouterr().out
    assert "exit codes:" in out and "2  usage error" in out
