"""`govcrawler serve` without a browser: the browsing database against an oracle over a generated
archive (versions, removals), incremental updates, search/facets/CSV/canned queries through
Datasette in-process, the refusal of every write, the cases hook, and usage errors."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import hashlib
import importlib
import io
import json
import socket
import sqlite3
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from govcrawler.cli.main import main
from govcrawler.extraction.cases import CaseRow, Stage
from govcrawler.extraction.cases.merge import merge_rows
from govcrawler.query import browse
from govcrawler.query.browse_metadata import DATABASE, site_rows
from govcrawler.query.browse_plugin import capture_stamp
from govcrawler.query.browse_server import make_datasette
from govcrawler.query.index import connect, refresh
from govcrawler.query.text import fold
from govcrawler.sites import all_profiles
from tests.archive_factory import Archive, generate, to_traditional

Record = dict[str, Any]


def latest(records: list[Record], text_only: bool = False) -> dict[str, Record]:
    """The latest record per id (highest version, then latest fetch), or the latest text."""
    best: dict[str, Record] = {}
    for rec in records:
        if text_only and rec.get("removed"):
            continue
        old = best.get(rec["id"])
        key = (rec.get("version") or 0, rec.get("fetched_at") or "")
        if old is None or key > (old.get("version") or 0, old.get("fetched_at") or ""):
            best[rec["id"]] = rec
    return best


def contains(rec: Record, terms: list[str]) -> bool:
    text = fold((rec.get("title") or "") + "\n" + (rec.get("body") or "")).lower()
    return all(fold(t).lower() in text for t in terms)


def build(data: Path, extractor: browse.CaseExtractor | None = None) -> browse.BrowseSync:
    """Refresh the index and the browsing database of the data folder `data`."""
    index_path = data / "query-index.sqlite"
    index = connect(index_path)
    refresh(index, data / "articles")
    index.close()
    conn = browse.connect(browse.default_browse(index_path), index_path)
    try:
        return browse.sync(conn, data / "articles", site_rows(all_profiles()), extractor)
    finally:
        conn.close()


def get(ds: Any, path: str) -> Any:
    return asyncio.run(ds.client.get(path))


def rows(ds: Any, path: str) -> list[Record]:
    """Every row of a table/query JSON answer (array shape, all pages)."""
    sep = "&" if "?" in path else "?"
    response = get(ds, f"{path}{sep}_shape=array&_size=max")
    assert response.status_code == 200, response.text
    return list(response.json())


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    data = tmp_path_factory.mktemp("data")
    return generate(data / "articles", 300, seed=5, changed=0.2, removed=0.1)


@pytest.fixture(scope="module")
def data(archive: Archive) -> Path:
    root = archive.root.parent
    assert main(["serve", "--data", str(root), "--build-only"]) == 0
    return root


@pytest.fixture(scope="module")
def ds(data: Path) -> Iterator[Any]:
    yield make_datasette(data / "browse.sqlite", data / "query-index.sqlite")


def test_articles_hold_the_latest_text_of_every_article(data: Path, archive: Archive) -> None:
    conn = sqlite3.connect(data / "browse.sqlite")
    conn.row_factory = sqlite3.Row
    got = {r["id"]: r for r in conn.execute("SELECT * FROM articles")}
    text = latest(archive.records, text_only=True)
    last = latest(archive.records)
    assert set(got) == set(text)
    per_id = Counter(r["id"] for r in archive.records if not r.get("removed"))
    for key, rec in text.items():
        row = got[key]
        assert (row["title"], row["body"], row["url"]) == (rec["title"], rec["body"], rec["url"])
        assert row["column"] == rec["column"] and row["site_name"] == rec["site_name"]
        assert row["month"] == ((rec["published_at"] or "")[:7] or None)
        assert row["versions"] == per_id[key]
        assert row["removed"] == (1 if last[key].get("removed") else 0)
        if row["removed"]:
            assert row["removed_at"] == last[key]["fetched_at"]
        assert row["first_fetched_at"] == min(
            r["fetched_at"] for r in archive.records if r["id"] == key
        )
    assert conn.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == len(archive.records)
    assert any(r["removed"] for r in got.values()) and any(r["versions"] > 1 for r in got.values())
    conn.close()


@pytest.mark.parametrize("text", ["開除黨籍", "开除党籍", "瀆", "誡勉", "留置 安徽", "党"])
def test_search_in_either_script_and_any_length_matches_the_oracle(
    ds: Any, archive: Archive, text: str
) -> None:
    expected = {
        k for k, r in latest(archive.records, text_only=True).items() if contains(r, text.split())
    }
    got = rows(ds, f"/{DATABASE}/articles.json?_search={quote(text)}&_col=id")
    assert {r["id"] for r in got} == expected and expected
    versions = rows(ds, f"/{DATABASE}/versions.json?_search={quote(text)}&_col=id")
    # Every archive line whose own text matches (a removal record keeps the title it removed).
    assert len(versions) == sum(1 for r in archive.records if contains(r, text.split()))


def test_a_name_written_in_traditional_is_found_by_its_simplified_form(
    ds: Any, archive: Archive
) -> None:
    hant = next(
        r for r in latest(archive.records, text_only=True).values() if r["script"] == "zh-Hant"
    )
    name = fold(hant["title"])[-6:]  # simplified form of the title's last characters
    assert name != hant["title"][-6:]
    got = rows(ds, f"/{DATABASE}/articles.json?_search={quote(name)}&_col=id")
    assert hant["id"] in {r["id"] for r in got}


def test_a_bad_short_term_is_a_clear_400(ds: Any) -> None:
    response = get(ds, f"/{DATABASE}/articles?_search={quote('。')}")
    assert response.status_code == 400
    assert "1–2 character term" in response.text


def test_facets_and_csv_agree_with_the_oracle(ds: Any, archive: Archive) -> None:
    text = latest(archive.records, text_only=True)
    answer = get(ds, f"/{DATABASE}/articles.json?_search={quote('開除黨籍')}").json()
    hits = [r for r in text.values() if contains(r, ["开除党籍"])]
    facets = answer["facet_results"]
    assert set(facets) == {"site", "column", "month"}  # the metadata's default facets
    assert {f["value"]: f["count"] for f in facets["site"]["results"]} == Counter(
        r["site"] for r in hits
    )
    assert {f["value"]: f["count"] for f in facets["month"]["results"]} == dict(
        Counter(r["published_at"][:7] for r in hits if r["published_at"]).most_common(30)
    )  # undated articles have no month: Datasette lists no null value
    site = hits[0]["site"]
    response = get(
        ds, f"/{DATABASE}/articles.csv?_search={quote('開除黨籍')}&site={site}&_size=max"
    )
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["id"] for r in table} == {r["id"] for r in hits if r["site"] == site}
    for row in table:
        assert row["title"] == text[row["id"]]["title"]


def test_canned_queries_list_removed_and_changed_articles(ds: Any, archive: Archive) -> None:
    last = latest(archive.records)
    per_id = Counter(r["id"] for r in archive.records if not r.get("removed"))
    removed = rows(ds, f"/{DATABASE}/removed_articles.json")
    assert {r["id"] for r in removed} == {k for k, r in last.items() if r.get("removed")}
    changed = rows(ds, f"/{DATABASE}/changed_articles.json")
    assert {r["id"] for r in changed} == {k for k, n in per_id.items() if n > 1}
    assert rows(ds, f"/{DATABASE}/new_articles_this_week.json") == []  # all fetched in 2023-24
    assert get(ds, f"/{DATABASE}/new_cases_this_week.json").status_code == 200


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_nothing_can_be_written_through_the_page(ds: Any, data: Path) -> None:
    before = _digest(data / "browse.sqlite"), _digest(data / "query-index.sqlite")
    count = rows(ds, f"/{DATABASE}.json?sql={quote('SELECT COUNT(*) AS n FROM articles')}")
    attempts = [
        "DELETE FROM articles",
        "WITH x AS (SELECT 1) DELETE FROM articles",
        "WITH x AS (SELECT 1) UPDATE articles SET title = 'x'",
        "WITH x AS (SELECT 1) INSERT INTO idx.files(path) VALUES ('x')",
        "WITH x AS (SELECT 1) DELETE FROM idx.records",
        "select 1; drop table articles",
        "PRAGMA journal_mode=delete",
    ]
    for sql in attempts:
        answer = get(ds, f"/{DATABASE}.json?sql={quote(sql)}").json()
        assert answer["ok"] is False, sql
        assert answer["error"], sql
    readonly = get(ds, f"/{DATABASE}.json?sql={quote(attempts[1])}").json()["error"]
    assert "readonly" in readonly  # SQLite itself refused, not only Datasette's SELECT check
    for path in (f"/{DATABASE}/articles/-/insert", f"/{DATABASE}/-/create"):
        response = asyncio.run(ds.client.post(path, json={"row": {"id": "x"}}))
        assert response.status_code in (403, 404, 405), path  # no write API in Datasette 0.65
    response = asyncio.run(ds.client.post(f"/{DATABASE}/articles", json={"row": {"id": "x"}}))
    assert "You may only POST to a canned query" in response.text  # Datasette's refusal (500)
    assert get(ds, f"/{DATABASE}.db").status_code in (403, 404)  # no download of the database
    assert rows(ds, f"/{DATABASE}.json?sql={quote('SELECT COUNT(*) AS n FROM articles')}") == count
    assert (_digest(data / "browse.sqlite"), _digest(data / "query-index.sqlite")) == before


def test_new_run_files_are_added_and_a_changed_file_rebuilds(tmp_path: Path) -> None:
    archive = generate(tmp_path / "articles", 40, seed=3)
    first = build(tmp_path)
    assert first.rebuilt == "new browsing database" and first.files == len(archive.files)
    # A server started now shows what later updates add, without a restart.
    ds = make_datasette(
        tmp_path / "browse.sqlite", tmp_path / "query-index.sqlite", "http://127.0.0.1:8080/coll/"
    )
    assert rows(ds, f"/{DATABASE}/new_articles_this_week.json") == []
    old = latest(archive.records, text_only=True)
    article = next(iter(old.values()))
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    newer = dict(article, title="新的标题" + article["title"], fetched_at=now)
    newer["version"] = (article.get("version") or 0) + 10
    fresh = dict(article, id=article["site"] + ":999999", title="本周新归档", fetched_at=now)
    fresh.update(warc_file="x-00000.warc.gz", warc_record_id="<urn:uuid:1>", version=1)
    run = tmp_path / "articles" / article["site"] / "29990101T000000Z.jsonl"
    run.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (newer, fresh)))
    second = build(tmp_path)
    assert (second.rebuilt, second.files, second.versions) == (None, 1, 2)
    conn = sqlite3.connect(tmp_path / "browse.sqlite")
    title, versions = conn.execute(
        "SELECT title, versions FROM articles WHERE id = ?", (article["id"],)
    ).fetchone()
    assert title == newer["title"]
    assert versions == sum(1 for r in archive.records if r["id"] == article["id"]) + 1
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(old) + 1
    conn.close()
    week = rows(ds, f"/{DATABASE}/new_articles_this_week.json")
    assert {r["id"] for r in week} == {fresh["id"]}  # a new version is no new article
    page = get(ds, f"/{DATABASE}/articles?id={quote(fresh['id'])}").text
    stamp = capture_stamp(now)
    assert f'href="http://127.0.0.1:8080/coll/{stamp}/{fresh["url"]}"' in page
    with run.open("a", encoding="utf-8") as out:
        out.write(json.dumps(dict(fresh, id=fresh["id"] + "0"), ensure_ascii=False) + "\n")
    third = build(tmp_path)
    assert third.rebuilt is not None and "changed or is gone" in third.rebuilt
    found = rows(ds, f"/{DATABASE}/articles.json?_search={quote('本週新歸檔')}&_col=id")
    assert {r["id"] for r in found} == {fresh["id"], fresh["id"] + "0"}


def test_capture_stamp_is_the_utc_warc_date() -> None:
    assert capture_stamp("2026-11-20T08:00:00Z") == "20261120080000"
    assert capture_stamp("2026-11-20T16:00:00+08:00") == "20261120080000"
    assert capture_stamp("not a date") is None and capture_stamp(None) is None


def fake_cases(record: Any) -> list[CaseRow]:
    """A stand-in case extractor: one case per title naming 开除党籍 (the real one is tested by
    the cases tests; this one makes the expected rows easy to state)."""
    if "开除党籍" not in fold(record["title"]):
        return []
    both = "公职" in fold(record["title"])
    actions = ["开除党籍", "开除公职"] if both else ["开除党籍"]
    return [
        CaseRow(
            id=f"{record['id']}#{record['title'][:2]}",
            article_id=record["id"],
            url=record["url"],
            published_at=record["published_at"],
            site=record["site"],
            name=record["title"][:2],
            position=record["column"],
            region="中央" if record["site"] == "ccdi" else record["site_name"][:2],
            level=None,
            actions=actions,
            actions_text=actions,
            offence=None,
            evidence=[record["title"]],
            stages=[Stage(a, None, a) for a in actions],
            title=record["title"],
        )
    ]


def test_cases_and_persons_with_facets_on_action_and_region(tmp_path: Path) -> None:
    archive = generate(tmp_path / "articles", 120, seed=9, removed=0.2)
    result = build(tmp_path, fake_cases)
    assert result.cases
    ds = make_datasette(tmp_path / "browse.sqlite", tmp_path / "query-index.sqlite")
    text = latest(archive.records, text_only=True)
    last = latest(archive.records)
    expected = [c for r in text.values() for c in fake_cases(r)]
    got = rows(ds, f"/{DATABASE}/cases.json")
    assert sorted(r["id"] for r in got) == sorted(c.id for c in expected)
    for row in got:  # removed as `govcrawler cases` flags it: the article is gone from its site
        assert row["removed"] == (1 if last[row["article_id"]].get("removed") else 0)
        assert json.loads(row["stages"])[0]["action"] == "开除党籍"
    assert any(row["removed"] for row in got) and not all(row["removed"] for row in got)
    facets = get(ds, f"/{DATABASE}/cases.json").json()["facet_results"]
    actions = {f["value"]: f["count"] for f in facets["actions"]["results"]}
    assert actions == Counter(a for c in expected for a in c.actions)
    regions = {f["value"]: f["count"] for f in facets["region"]["results"]}
    assert regions == Counter(c.region for c in expected)
    persons = rows(ds, f"/{DATABASE}/persons.json")
    assert len(persons) == len(merge_rows(expected))
    assert sum(len(json.loads(p["sources"])) for p in persons) == len(expected)
    assert get(ds, f"/{DATABASE}/new_cases_this_week.json").status_code == 200
    # Searching cases searches the text of their articles, in either script.
    hant = rows(ds, f"/{DATABASE}/cases.json?_search={quote('開除公職')}")
    assert {r["article_id"] for r in hant} == {
        c.article_id for c in expected if contains(text[c.article_id], ["开除公职"])
    }
    # A new run file re-merges only the names it touches: the same persons as a fresh build.
    case_article = text[expected[0].article_id]
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    run = tmp_path / "articles" / case_article["site"] / "29990101T000000Z.jsonl"
    renamed = dict(case_article, title="改名开除党籍", version=99, fetched_at=now)
    other = dict(case_article, id=case_article["id"] + "9", fetched_at=now)
    run.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (renamed, other)))
    assert build(tmp_path, fake_cases).files == 1
    snapshot = "SELECT * FROM persons ORDER BY person_id, name, first_seen, sources"
    conn = sqlite3.connect(tmp_path / "browse.sqlite")
    incremental = conn.execute(snapshot).fetchall()
    conn.close()
    for leftover in tmp_path.glob("browse.sqlite*"):
        leftover.unlink()
    assert build(tmp_path, fake_cases).rebuilt == "new browsing database"
    conn = sqlite3.connect(tmp_path / "browse.sqlite")
    assert conn.execute(snapshot).fetchall() == incremental
    assert any(row[1] == "改名" for row in incremental)
    conn.close()
    # Another extractor (or changed case rules) rebuilds the database.
    assert build(tmp_path).rebuilt == "case extractor changed"


def test_people_of_one_name_without_a_position_stay_apart(tmp_path: Path) -> None:
    """merge_rows keeps them apart but gives them one person_id: both rows are kept."""
    generate(tmp_path / "articles", 30, seed=4)

    def nameless(record: Any) -> list[CaseRow]:
        return [
            dataclasses.replace(case, name="某甲", position=None, id=record["id"] + "#某甲")
            for case in fake_cases(dict(record, title="开除党籍" + record["title"]))
        ]

    build(tmp_path, nameless)
    conn = sqlite3.connect(tmp_path / "browse.sqlite")
    cases = conn.execute("SELECT COUNT(*) FROM cases").fetchone()[0]
    persons = conn.execute("SELECT COUNT(*), COUNT(DISTINCT person_id) FROM persons").fetchone()
    conn.close()
    assert cases > 1 and persons == (cases, 1)


def test_changed_case_rules_change_the_extractor_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "fakecases"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "rules.py").write_text("def extract(record):\n    return []\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = browse._extractor_key(importlib.import_module("fakecases.rules").extract)
    (package / "rules.py").write_text("def extract(record):\n    return [1]\n")
    monkeypatch.delitem(sys.modules, "fakecases.rules")
    after = browse._extractor_key(importlib.import_module("fakecases.rules").extract)
    assert before != after and before.split()[0] == after.split()[0] == "fakecases.rules.extract"
    assert browse._extractor_key(None) == ""


def test_usage_errors_exit_2_before_anything_is_built(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "articles").mkdir()
    for argv in (["--port", "0"], ["--port", "http"], ["--host", "example.org"], ["--replay", "x"]):
        with pytest.raises(SystemExit) as stop:
            main(["serve", "--data", str(tmp_path), *argv])
        assert stop.value.code == 2
    assert main(["serve", "--data", str(tmp_path / "missing")]) == 2
    assert "no archive folder" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--data", str(tmp_path), "--port", str(port)]) == 2
    assert "choose another with --port" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles"]  # nothing written


def test_help_states_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "exit codes:" in out and "2  usage error" in out and "127.0.0.1" in out


def test_generated_archive_has_both_scripts(archive: Archive) -> None:
    """The search tests above mean something only if both scripts are in the archive."""
    scripts = Counter(r.get("script") for r in archive.records if not r.get("removed"))
    assert scripts["zh-Hant"] > 10 and scripts["zh-Hans"] > 10
    assert to_traditional("开除党籍") == "開除黨籍"
