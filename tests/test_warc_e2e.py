"""WARC capture through the real engine (replayed captures, subprocesses): the WARCs read back
record by record, each record's evidence leads to the response it was extracted from, the WARCs
re-extract into the same records and replay through the spider; an unchanged payload on a
re-check is a revisit and no new version, whatever today's cleaning makes of it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from govcrawler.archive.warc_reader import decode_content, normal_date
from govcrawler.archive.warc_writer import payload_digest
from govcrawler.cleaning.learned import _key
from govcrawler.extraction.record import Built, build
from govcrawler.extraction.urls import canonical_url
from govcrawler.sites import all_profiles, get_profile
from tests.conftest import FIXTURES, ROOT, read_json
from tests.test_crawl_e2e import expected_crawl, without_evidence
from tests.test_incremental import RECHECK_ALL, copy_captures, counts, crawl

pytestmark = pytest.mark.e2e


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def govcrawler(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govcrawler.cli.main", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every bundled site replayed once into a fresh data folder, WARCs included."""
    data = tmp_path_factory.mktemp("warc_demo") / "data"
    result = govcrawler("demo", "--data", str(data))
    assert result.returncode == 0, result.stderr[-3000:]
    return data


def crawl_records(data: Path) -> list[dict[str, Any]]:
    return [r for path in sorted((data / "articles").rglob("*.jsonl")) for r in read_jsonl(path)]


def record_at(path: Path, offset: int) -> tuple[Any, bytes]:
    with path.open("rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        return record, record.raw_stream.read()


def test_replayed_crawl_writes_warcs_that_read_back_record_by_record(demo_archive: Path) -> None:
    files = sorted((demo_archive / "warc").iterdir())
    sites = {p.name.split("-")[0] for p in files}
    assert sites == {k for k in all_profiles() if (FIXTURES / k).is_dir()}
    assert all(p.name.endswith(".warc.gz") for p in files)  # no .part left
    for path in files:
        kinds: Counter[str] = Counter()
        with path.open("rb") as fh:
            records = iter(ArchiveIterator(fh))
            info = next(records)
            assert info.rec_type == "warcinfo"
            fields = info.content_stream().read().decode("utf-8")
            for name in ("software: govcrawler/", "isPartOf: govcrawler-", "robots: obey"):
                assert name in fields, (path, fields)
            for record in records:
                kinds[record.rec_type] += 1
                assert record.rec_headers.get_header("WARC-Type") in (
                    "request",
                    "response",
                    "revisit",  # the same payload fetched again (the demo keeps a ledger)
                    "metadata",
                )
                if record.rec_type == "revisit":
                    assert record.rec_headers.get_header("WARC-Refers-To")
                if record.rec_type == "response":
                    raw = record.raw_stream.read()
                    assert payload_digest(raw) == record.rec_headers.get_header(
                        "WARC-Payload-Digest"
                    )
        fetches = kinds["response"] + kinds["revisit"]
        assert kinds["request"] == fetches == kinds["metadata"] > 0, path


def test_each_record_points_to_the_response_it_was_extracted_from(demo_archive: Path) -> None:
    records = crawl_records(demo_archive)
    by_site: Counter[str] = Counter(r["site"] for r in records)
    assert by_site["ccdi"] == len(expected_crawl("ccdi"))
    for record in records:
        path = demo_archive / "warc" / record["warc_file"]
        warc, raw = record_at(path, record["warc_offset"])
        headers = warc.rec_headers
        assert warc.rec_type == "response"
        assert headers.get_header("WARC-Record-ID") == record["warc_record_id"]
        assert headers.get_header("WARC-Payload-Digest") == record["payload_digest"]
        assert payload_digest(raw) == record["payload_digest"]
        assert canonical_url(headers.get_header("WARC-Target-URI")) == record["url"]
        assert normal_date(headers.get_header("WARC-Date")) == record["fetched_at"]
        http = list(warc.http_headers.headers)
        content_type = next((v for k, v in http if k.lower() == "content-type"), None)
        rebuilt = build(
            decode_content(raw, http),
            record["url"],
            profile=get_profile(record["site"]),
            fetched_at=record["fetched_at"],
            content_type=content_type,
            column_hint=record["column"],
        )
        assert isinstance(rebuilt, Built)
        assert rebuilt.article.body == record["body"]
        # Literal expectations stay those of the fixtures: only the evidence is new.
        expected = expected_crawl(record["site"])[record["id"]]
        assert without_evidence(record) == without_evidence(expected)


def test_reextracting_the_warcs_gives_the_crawls_records(
    demo_archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reextracted.jsonl"
    result = govcrawler("reextract", str(demo_archive / "warc"), "-o", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "unreadable captures: 0" in result.stderr
    crawled = {(r["id"], r["version"]): r for r in crawl_records(demo_archive)}
    again = read_jsonl(out)
    assert len(again) == len({(r["id"], r["version"]) for r in again})
    assert {(r["id"], r["version"]): r for r in again} == crawled  # every field, fetched_at too


def test_replay_from_the_warcs_runs_the_spider_offline(demo_archive: Path, tmp_path: Path) -> None:
    data = tmp_path / "again"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "scrapy", "crawl", "ccdi"),
            *("-s", f"GOVCRAWLER_REPLAY={demo_archive / 'warc'}", "-s", f"GOVCRAWLER_DATA={data}"),
            *("-s", "GOVCRAWLER_BOILERPLATE_DIR="),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "replay/miss" not in result.stderr
    first = {r["id"]: r for r in crawl_records(demo_archive) if r["site"] == "ccdi"}
    replayed = {r["id"]: r for r in crawl_records(data)}
    assert set(replayed) == set(first)
    for rid, record in replayed.items():
        # The replay writes WARC files of its own: the record and its files point into them.
        assert without_evidence(record) == without_evidence(first[rid])
        assert record["payload_digest"] == first[rid]["payload_digest"]
        assert (
            record["warc_file"].startswith("ccdi-")
            and (data / "warc" / record["warc_file"]).is_file()
        )


def test_unchanged_payload_is_a_revisit_and_no_new_version_even_if_cleaning_changed(
    tmp_path: Path,
) -> None:
    replay, data = copy_captures(tmp_path / "captures", "anhui"), tmp_path / "data"
    column = "columns=厅局级干部"
    first = crawl(
        replay, data, "anhui", "-a", column, "-s", "GOVCRAWLER_CONTACT=mailto:ops@example.org"
    )
    assert first.report["counts"] == counts(new=5)
    target = next(r for r in first.records if r["id"] == "anhui:61150")

    # Today's cleaning would read the page differently: one of its body lines is now learned
    # boilerplate. Without the payload rule that would be a new version.
    line = min((x for x in target["body"].splitlines() if len(x) >= 2), key=len)
    learned = tmp_path / "boilerplate"
    learned.mkdir()
    (learned / "anhui.json").write_text(
        json.dumps({"pages": 100, "counts": {_key(line): 100}}, ensure_ascii=False), "utf-8"
    )
    capture = read_json(replay / "anhui" / "article_61150.capture.json")
    cleaned = build(
        (replay / "anhui" / "article_61150.html").read_bytes(),
        capture["url"],
        profile=get_profile("anhui"),
        fetched_at=capture["fetched_at"],
        content_type=capture["headers"].get("Content-Type"),
        learned=frozenset({_key(line)}),
    )
    assert isinstance(cleaned, Built)
    assert cleaned.article.content_sha256 != target["content_sha256"]

    second = crawl(
        replay,
        data,
        "anhui",
        "-a",
        column,
        *RECHECK_ALL,
        "-s",
        f"GOVCRAWLER_BOILERPLATE_DIR={learned}",
    )
    assert second.returncode == 0, second.log[-3000:]
    assert second.report["counts"] == counts(unchanged=5)
    assert second.records == []

    first_file, second_file = sorted((data / "warc").glob("anhui-*.warc.gz"))
    with first_file.open("rb") as fh:
        info = next(iter(ArchiveIterator(fh)))
        assert "operator: mailto:ops@example.org" in info.content_stream().read().decode()
    with first_file.open("rb") as fh:
        first_warc = list(ArchiveIterator(fh))
    with second_file.open("rb") as fh:
        second_warc = [r.rec_headers for r in ArchiveIterator(fh)]
    first_ids = {
        r.rec_headers.get_header("WARC-Target-URI"): r.rec_headers.get_header("WARC-Record-ID")
        for r in first_warc
        if r.rec_type == "response"
    }
    revisited = {
        h.get_header("WARC-Target-URI"): h
        for h in second_warc
        if h.get_header("WARC-Type") == "revisit"
    }

    article_urls = {r["url"] for r in first.records}
    assert article_urls <= set(revisited)
    for url in article_urls:
        assert revisited[url].get_header("WARC-Refers-To") == first_ids[url]
    assert target["warc_record_id"] == first_ids[target["url"]]

    # A changed payload is captured in full again, and versioned by its clean body.
    page = replay / "anhui" / "article_61150.html"
    html = page.read_text("utf-8")
    page.write_text(html.replace("</body>", "<!-- 页面统计代码 --></body>"), "utf-8")
    third = crawl(replay, data, "anhui", "-a", column, *RECHECK_ALL)
    assert third.report["counts"] == counts(unchanged=5)
    assert third.records == []
    (third_file,) = set((data / "warc").glob("anhui-*.warc.gz")) - {first_file, second_file}
    with third_file.open("rb") as fh:
        kinds = {
            r.rec_headers.get_header("WARC-Target-URI"): r.rec_type
            for r in ArchiveIterator(fh)
            if r.rec_type in ("response", "revisit")
        }
    assert kinds[target["url"]] == "response"
    assert sorted(kinds[u] for u in article_urls) == ["response"] + ["revisit"] * 4


def test_reextract_site_is_a_filter_and_as_site_never_relabels_another_site(
    demo_archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "anhui.jsonl"
    result = govcrawler("reextract", str(demo_archive / "warc"), "--site", "anhui", "-o", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    records = read_jsonl(out)
    assert records and {r["site"] for r in records} == {"anhui"}
    assert all("ahjjjc.gov.cn" in r["url"] for r in records)
    assert "filtered=" in result.stderr

    out = tmp_path / "as.jsonl"
    result = govcrawler(
        "reextract", str(demo_archive / "warc"), "--as-site", "anhui", "-o", str(out)
    )
    assert result.returncode == 0
    assert {r["site"] for r in read_jsonl(out)} == {"anhui"}  # only 安徽's own captures
    assert "other_site:ccdi=" in result.stderr

    bad = govcrawler("reextract", str(demo_archive / "warc"), "--site", "atlantis")
    assert bad.returncode == 2
