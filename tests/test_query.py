"""The search index and search over a generated archive, checked against a brute-force oracle
computed straight from the generated records (fold both sides, substring, latest version)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govcrawler.export.pipelines import article_schema
from govcrawler.query import index as index_module
from govcrawler.query.index import connect, default_index, refresh
from govcrawler.query.search import Query, period_end, period_start, search
from govcrawler.query.text import fold, grams, parse_terms, snippet
from tests.archive_factory import Archive, generate, to_traditional

Record = dict[str, Any]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return generate(tmp_path_factory.mktemp("archive") / "articles", 400, seed=11)


@pytest.fixture(scope="module")
def conn(archive: Archive) -> Iterator[sqlite3.Connection]:
    connection = connect(default_index(archive.root))
    refresh(connection, archive.root)
    yield connection
    connection.close()


def latest(records: list[Record]) -> dict[str, Record]:
    """The oracle's latest-version rule: highest version, else latest fetched_at."""
    best: dict[str, Record] = {}
    for rec in records:
        old = best.get(rec["id"])
        key = (rec.get("version") or 0, rec.get("fetched_at") or "")
        if old is None or key > (old.get("version") or 0, old.get("fetched_at") or ""):
            best[rec["id"]] = rec
    return best


def contains(rec: Record, terms: list[str], fields: tuple[str, ...] = ("title", "body")) -> bool:
    return all(
        any(fold(t).lower() in fold(rec.get(f) or "").lower() for f in fields) for t in terms
    )


def found(conn: sqlite3.Connection, archive: Archive, **kwargs: Any) -> list[Record]:
    """The records the index returns, read back from the archive files."""
    hits, total = search(conn, Query(**kwargs))
    assert total == len(hits)
    out = []
    for hit in hits:
        files = dict(conn.execute("SELECT file_id, path FROM files"))
        with (archive.root / files[hit.file_id]).open("rb") as fh:
            fh.seek(hit.offset)
            out.append(json.loads(fh.read(hit.length)))
    return out


def online(archive: Archive) -> list[Record]:
    return [r for r in latest(archive.records).values() if not r.get("removed")]


@pytest.mark.parametrize(
    "text",
    ["开除党籍", "開除黨籍", "渎", "瀆", "诫勉", "誡勉", "留置 安徽", "违反中央八项规定", "A1"],
)
def test_terms_of_any_length_in_either_script_match_the_oracle(
    conn: sqlite3.Connection, archive: Archive, text: str
) -> None:
    got = found(conn, archive, text=text)
    want = [r for r in online(archive) if contains(r, text.split())]
    assert sorted(r["id"] for r in got) == sorted(r["id"] for r in want)
    if text != "A1":  # no Latin text in the archive: must find nothing, not everything
        assert {r["script"] for r in want} == {"zh-Hans", "zh-Hant"}


def test_a_name_typed_in_traditional_finds_it_in_both_scripts(
    conn: sqlite3.Connection, archive: Archive
) -> None:
    names = [r["title"].split("受到")[0] for r in online(archive) if "受到" in r["title"]]
    name = to_traditional(fold(names[0]))
    got = {r["id"] for r in found(conn, archive, text=name)}
    want = {r["id"] for r in online(archive) if contains(r, [name])}
    assert got == want and got


@pytest.mark.parametrize("text", ["开除党籍", "紀律", "党"])
@pytest.mark.parametrize("field", ["title", "body"])
def test_field_restricts_the_search_for_long_and_short_terms(
    conn: sqlite3.Connection, archive: Archive, text: str, field: str
) -> None:
    got = {r["id"] for r in found(conn, archive, text=text, field=field)}
    want = {r["id"] for r in online(archive) if contains(r, [text], (field,))}
    elsewhere_only = {r["id"] for r in online(archive) if contains(r, [text])} - want
    assert got == want and want and elsewhere_only  # the restriction excluded real matches


def test_filters_site_column_and_dates(conn: sqlite3.Connection, archive: Archive) -> None:
    got = found(
        conn, archive, sites=["ccdi", "anhui"], columns=["執紀審查", "厅局级干部"],
        since="2024-02", until="2024-09",
    )  # fmt: skip
    want = [
        r
        for r in online(archive)
        if r["site"] in ("ccdi", "anhui")
        and fold(r["column"]) in ("执纪审查", "厅局级干部")
        and r["published_at"]
        and "2024-02-01" <= r["published_at"] < "2024-10-01"
    ]
    assert sorted(r["id"] for r in got) == sorted(r["id"] for r in want)
    assert {r["script"] for r in want} == {"zh-Hans", "zh-Hant"}  # column matched in both


def test_newest_first_and_undated_last(conn: sqlite3.Connection, archive: Archive) -> None:
    dates = [r["published_at"] for r in found(conn, archive)]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    assert dates[len(dated) :] == [None] * (len(dates) - len(dated)) and None in dates


def test_latest_version_is_searched_and_returned(
    conn: sqlite3.Connection, archive: Archive
) -> None:
    by_id = latest(archive.records)
    changed = [r for r in by_id.values() if r.get("version") == 2 and not r.get("removed")]
    assert changed
    got = {r["id"]: r for r in found(conn, archive, sites=[changed[0]["site"]])}
    for rec in changed:
        if rec["site"] == changed[0]["site"]:
            assert got[rec["id"]] == rec  # version 2, not version 1
    # Text only in the newer version finds exactly the articles whose latest version has it.
    got_ids = {r["id"] for r in found(conn, archive, text="本文已更新")}
    assert got_ids == {r["id"] for r in online(archive) if "本文已更新" in r["body"]}


def test_legacy_records_without_version_take_the_latest_fetch(
    conn: sqlite3.Connection, archive: Archive
) -> None:
    legacy = [r for r in archive.records if r["site"] == "fujian"]
    assert legacy and all("version" not in r for r in legacy)
    got = {r["id"]: r for r in found(conn, archive, sites=["fujian"])}
    newest: dict[str, Record] = {}
    for rec in legacy:
        if rec["id"] not in newest or rec["fetched_at"] > newest[rec["id"]]["fetched_at"]:
            newest[rec["id"]] = rec
    assert got == newest
    assert any(r["body"].endswith("（本文已更新）") for r in got.values())


def test_removed_articles_are_excluded_listed_and_kept_in_all_versions(
    conn: sqlite3.Connection, archive: Archive
) -> None:
    gone = {i for i, r in latest(archive.records).items() if r.get("removed")}
    assert gone
    assert not gone & {r["id"] for r in found(conn, archive)}
    removed = found(conn, archive, removed=True)
    assert {r["id"] for r in removed} == gone
    assert not any(r.get("removed") for r in removed)  # their last text version
    every = found(conn, archive, all_versions=True)
    assert len(every) == len(archive.records)
    assert sum(1 for r in every if r.get("removed")) == len(gone)


def test_malformed_lines_are_reported_skipped_and_the_rest_answers(tmp_path: Path) -> None:
    data = tmp_path / "articles"
    generate(data, 20, seed=3)
    bad_file = data / "ccdi" / "20990101T000000Z.jsonl"
    good = {"id": "ccdi:999999", "site": "ccdi", "title": "测试标题开除党籍", "body": "正文",
            "published_at": "2099-01-01T00:00:00+08:00", "fetched_at": "2099-01-01T00:00:00Z"}  # fmt: skip
    bad_file.write_text(
        json.dumps(good, ensure_ascii=False)
        + "\n"
        + json.dumps(dict(good, id="ccdi:999998", version=2**70, removed="yes"))
        + "\n"
        "this is not json\n"
        "[1, 2]\n"
        '{"title": "no id"}\n'
        "\n" + json.dumps(good, ensure_ascii=False)[:40],  # a killed writer's last line
        encoding="utf-8",
    )
    connection = connect(tmp_path / "index.sqlite")
    result = refresh(connection, data)
    assert result.bad is not None
    assert [(b.path, b.line) for b in result.bad] == [
        ("ccdi/20990101T000000Z.jsonl", n) for n in (3, 4, 5, 7)
    ]
    assert "not JSON" in result.bad[0].error and "truncated last line" in result.bad[3].error
    hits, _ = search(connection, Query(text="测试标题"))
    # An odd version (too big for SQLite) counts as none; only `"removed": true` is a removal.
    assert [(h.id, h.version) for h in hits] == [("ccdi:999998", None), ("ccdi:999999", None)]


def test_new_run_files_are_added_and_a_changed_file_rebuilds(tmp_path: Path) -> None:
    data = tmp_path / "articles"
    archive = generate(data, 30, seed=5)
    connection = connect(tmp_path / "index.sqlite")
    assert refresh(connection, data).rebuilt == "new index"
    again = refresh(connection, data)
    assert (again.rebuilt, again.files) == (None, 0)
    target = next(r for r in latest(archive.records).values() if r.get("version") == 1)
    newer = dict(
        target, version=2, title="新版本标题纪律处分决定", fetched_at="2099-01-01T00:00:00Z"
    )
    (data / target["site"] / "20990101T000000Z.jsonl").write_text(
        json.dumps(newer, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    added = refresh(connection, data)
    assert (added.rebuilt, added.files, added.records) == (None, 1, 1)
    hits, _ = search(connection, Query(sites=[target["site"]], limit=None))
    assert [h.version for h in hits if h.id == target["id"]] == [2]
    archive.files[0].write_text(archive.files[0].read_text("utf-8") + "\n", encoding="utf-8")
    assert "changed" in (refresh(connection, data).rebuilt or "")
    assert search(connection, Query(text="新版本标题"))[1] == 1


def test_dates_are_whole_periods() -> None:
    assert (period_start("2024"), period_end("2024")) == ("2024-01-01", "2025-01-01")
    assert (period_start("2024-12"), period_end("2024-12")) == ("2024-12-01", "2025-01-01")
    assert period_end("2024-02-29") == "2024-03-01"
    for bad in ("2024-13", "24-01-01", "yesterday"):
        with pytest.raises(ValueError, match="date"):
            period_start(bad)


def test_grams_snippets_and_terms() -> None:
    assert set(grams("开除党籍。A1").split()) == {
        "开", "除", "党", "籍", "开除", "除党", "党籍", "a", "1", "a1",
    }  # fmt: skip
    text = "據報道，某某被開除黨籍和公職。"
    shown, spans = snippet(text, parse_terms("开除党籍"), width=40)
    assert [shown[a:b] for a, b in spans] == ["開除黨籍"]
    with pytest.raises(ValueError, match="letters or digits"):
        parse_terms("，。")
    terms = parse_terms("留置 開除黨籍")
    assert (terms.short, terms.long) == (("留置",), ("开除党籍",))


def test_generated_records_use_the_published_field_names(archive: Archive) -> None:
    """The query tests run on records shaped like the crawler's: every field a generated article
    or tombstone carries is a field of the published schema's article or tombstone (the schema
    grows with other features; the query code needs none of the newer fields)."""
    shapes = article_schema()["$defs"]
    fields = {kind: set(shapes[kind]["properties"]) for kind in ("article", "tombstone")}
    kinds = {"tombstone" if r.get("removed") else "article" for r in archive.records}
    assert kinds == {"article", "tombstone"}
    for rec in archive.records:
        kind = "tombstone" if rec.get("removed") else "article"
        assert set(rec) <= fields[kind], (rec["id"], set(rec) - fields[kind])


def test_indexing_in_a_worker_process_gives_the_same_index(
    conn: sqlite3.Connection, archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "PARALLEL_FROM_BYTES", 0)  # what a big update does
    other = connect(tmp_path / "parallel.sqlite")
    assert refresh(other, archive.root).files == len(archive.files)
    rows = "SELECT id, site, line, offset, latest, current, gone FROM records ORDER BY rowid"
    assert other.execute(rows).fetchall() == conn.execute(rows).fetchall()
    for text in ("开除党籍", "渎"):
        assert search(other, Query(text=text)) == search(conn, Query(text=text))
