"""Attachments and images archived (issue 15 item 7): the pure parts, a replayed article whose
PDF, Word file and image land in the WARC and whose PDF text `govcrawler query` finds, and a
loopback site whose files fail in every way a file can, crawled twice."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from govcrawler.extraction.article import extract_article
from govcrawler.extraction.documents import DocumentError, document_kind, document_text
from govcrawler.extraction.files import (
    FileResult,
    file_host_allowed,
    files_to_retry,
    reason_name,
    retried_next_run,
)
from govcrawler.item import new_attachment, new_image
from govcrawler.sites import ProfileError, get_profile, load_profile
from govcrawler.state.ledger import ArticleState
from govcrawler.state.rules import version_of
from tests.conftest import FIXTURES, read_json
from tests.faults import pages
from tests.faults.crawl import Run, scrapy_crawl
from tests.faults.server import FaultServer, Hit, huge, page, sequence
from tests.file_makers import (
    DOCX_ONLY_WORD,
    FIXTURE_FILES,
    PDF_ONLY_WORD,
    docx_bytes,
    pdf_bytes,
    png_bytes,
)
from tests.warc_crawls import govcrawler, records_of, replay_archive

# ---- pure: document text, reasons, hosts, versions, profile keys -----------------------------


def test_pdf_and_word_text_is_read_from_the_bytes() -> None:
    pdf = pdf_bytes([["第一页 第一行", "第二行：处分决定"], ["第二页"]])
    assert document_kind(pdf) == "pdf"
    assert document_text(pdf) == "第一页 第一行\n第二行：处分决定\n第二页"
    docx = docx_bytes(["通知", "", "正文  一段"], [["单位", "时限"], ["各乡镇", "月底"]])
    assert document_kind(docx) == "docx"
    assert document_text(docx) == "通知\n正文 一段\n单位 时限\n各乡镇 月底"


def test_other_files_have_no_text_and_a_damaged_pdf_says_why() -> None:
    assert document_text(png_bytes()) is None
    assert document_text(b"PK\x03\x04 not really a zip") is None
    assert document_text(pages.DOC) is None  # a legacy .doc: no reader here
    with pytest.raises(DocumentError, match="pdf"):
        document_text(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\n")


@pytest.mark.parametrize(
    ("reason", "again"),
    [
        (None, False),
        ("not_fetched", False),
        ("disabled", False),
        ("offsite", False),
        ("too_large", False),
        ("robots", False),
        ("http_404", False),
        ("http_403", False),
        ("http_500", True),
        ("http_503", True),
        ("http_429", True),
        ("http_408", True),
        ("timeout", True),
        ("connection_lost", True),
        ("captcha", True),
        ("warc_write_error", True),
    ],
)
def test_which_files_the_next_run_tries_again(reason: str | None, again: bool) -> None:
    assert retried_next_run(reason) is again


def test_an_unknown_error_is_a_reason_the_schema_accepts() -> None:
    assert reason_name("WarcWriteError") == "warc_write_error"
    assert reason_name("http_503") == "http_503"
    assert reason_name("ValueError: odd") == "value_error_odd"
    assert FileResult.not_kept("RuntimeError").reason == "runtime_error"


def test_files_to_retry_counts_a_record_of_any_schema_version() -> None:
    failed = new_image("https://a.cn/1.jpg", None)
    failed["reason"] = "timeout"
    gone = new_attachment("https://a.cn/1.pdf", "x.pdf")
    gone["reason"] = "http_404"
    assert files_to_retry({"images": [failed], "attachments": [gone]}) == 1
    assert files_to_retry({"images": [{"url": "u", "caption": None}], "attachments": []}) == 0
    assert files_to_retry({"removed": True}) == 0


def test_files_come_only_from_the_sites_domains_and_file_hosts() -> None:
    anhui = get_profile("anhui")
    assert file_host_allowed("http://img.ahjjjc.gov.cn/uploadfiles/1.pdf", anhui)
    assert not file_host_allowed("http://img.example.cn/uploadfiles/1.pdf", anhui)
    assert not file_host_allowed("http://img.ahjjjc.gov.cn/1.pdf", None)


def _known(files_missing: int) -> ArticleState:
    return ArticleState(
        **dict.fromkeys(("id", "site", "url", "content_sha256"), "x"),  # type: ignore[arg-type]
        column=None,
        title=None,
        published_at=None,
        first_seen=1,
        last_fetched=1,
        last_status=200,
        etag=None,
        last_modified=None,
        version=1,
        removed=False,
        file=None,
        payload_digest="sha1:A",
        files_missing=files_missing,
    )


def test_the_same_page_keeping_more_files_is_a_new_version() -> None:
    assert version_of(_known(2), "x", "sha1:A", files_missing=1).outcome == "changed"
    assert version_of(_known(2), "x", "sha1:A", files_missing=1).supersedes == "x"
    assert version_of(_known(2), "x", "sha1:A", files_missing=2).outcome == "unchanged"
    assert version_of(_known(0), "x", "sha1:A", files_missing=1).outcome == "unchanged"


PROFILE = """key = "{key}"
name = "测试"
domains = ["www.test-site.cn"]
[[columns]]
name = "栏目"
url = "http://www.test-site.cn/list.html"
[list]
article_url = '/a/\\d+\\.html$'
[evidence]
status = "described"
date = "2026-12-06"
"""


def test_the_files_table_of_a_profile_is_loaded_strictly(tmp_path: Path) -> None:
    path = tmp_path / "filesite.toml"
    path.write_text(
        PROFILE.format(key="filesite")
        + '[files]\nimages = false\nhosts = ["Files.Test-Site.cn"]\nlinks = ["div.fj a"]\n',
        "utf-8",
    )
    files = load_profile(path).files
    assert (files.images, files.hosts, len(files.links)) == (False, ("files.test-site.cn",), 1)
    for bad, message in (
        ("colour = 1", "unknown key"),
        ('hosts = ["http://files.test-site.cn/"]', "not a host name"),
        ('links = ["div[["]', "invalid selector"),
        ('images = "no"', "wrong type"),
    ):
        path.write_text(PROFILE.format(key="filesite") + f"[files]\n{bad}\n", "utf-8")
        with pytest.raises(ProfileError, match=message):
            load_profile(path)


def test_a_profile_marks_download_links_without_a_suffix(tmp_path: Path) -> None:
    path = tmp_path / "filesite.toml"
    extra = '[article]\nbody = ["div.content"]\n[files]\nlinks = ["div.fj a"]\n'
    path.write_text(PROFILE.format(key="filesite") + extra, "utf-8")
    html = (
        "<html><body><div class='content'><h1>标题文字较长的一篇通报</h1>"
        + "<p>正文第一段，内容足够长，说明情况。</p>" * 3
        + "<p><a href='/f/a.pdf'>名单.pdf</a></p></div>"
        "<div class='fj'><a href='/down.jsp?id=7'>处理决定</a></div></body></html>"
    )
    result = extract_article(html, "http://www.test-site.cn/a/1.html", load_profile(path))
    assert not isinstance(result, Exception)
    assert [(a["url"], a["title"]) for a in result.attachments] == [  # type: ignore[union-attr]
        ("http://www.test-site.cn/f/a.pdf", "名单.pdf"),
        ("http://www.test-site.cn/down.jsp?id=7", "处理决定"),
    ]


# ---- a replayed article: its files in WARC, its PDF's text found by query ---------------------


def test_every_fixture_file_is_the_one_its_expected_record_describes() -> None:
    """sha256 and size of each captured file, computed here without govcrawler's code."""
    described: dict[str, dict[str, Any]] = {}
    for path in FIXTURES.rglob("*.expected.json"):
        record = read_json(path).get("record") or {}
        for entry in [*record.get("images", []), *record.get("attachments", [])]:
            described[entry["url"]] = entry
    for site, name, url, content_type, _ in FIXTURE_FILES:
        body = (FIXTURES / site / f"{name}.{url.rsplit('.', 1)[-1]}").read_bytes()
        entry = described[url]
        assert (entry["sha256"], entry["size"], entry["content_type"]) == (
            hashlib.sha256(body).hexdigest(),
            len(body),
            content_type,
        ), url


def warc_record(data: Path, file: str, offset: int) -> tuple[Any, bytes]:
    with (data / "warc" / file).open("rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        return record, record.content_stream().read()


def test_a_replayed_article_has_its_pdf_word_file_and_image_in_warc() -> None:
    data = replay_archive()
    record = next(r for r in records_of(data) if r["id"] == "anhui:61248")
    entries = [*record["attachments"], *record["images"]]
    assert [e["url"].rsplit(".", 1)[-1] for e in entries] == ["pdf", "docx", "png"]
    for entry in entries:
        assert entry["reason"] is None
        warc, payload = warc_record(data, entry["warc_file"], entry["warc_offset"])
        assert warc.rec_type == "response"
        assert warc.rec_headers.get_header("WARC-Record-ID") == entry["warc_record_id"]
        assert warc.rec_headers.get_header("WARC-Target-URI") == entry["url"]
        assert hashlib.sha256(payload).hexdigest() == entry["sha256"]
        assert len(payload) == entry["size"]
    pdf, docx = record["attachments"]
    assert PDF_ONLY_WORD in pdf["text"] and DOCX_ONLY_WORD in docx["text"]
    assert PDF_ONLY_WORD not in record["body"] + record["title"]


def query(data: Path, *args: str) -> list[dict[str, Any]]:
    result = govcrawler("query", "--data", str(data), "--format", "jsonl", *args)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_query_finds_words_that_only_occur_inside_attachments(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(replay_archive(), data)
    for word in (PDF_ONLY_WORD, DOCX_ONLY_WORD, PDF_ONLY_WORD[:2]):  # a 2-character term too
        assert [r["id"] for r in query(data, word)] == ["anhui:61248"], word
    assert query(data, "--field", "body", PDF_ONLY_WORD) == []
    table = govcrawler("query", "--data", str(data), "--color", "never", PDF_ONLY_WORD)
    assert "[附件 违规收受礼金问题处理决定.pdf] " in table.stdout
    assert f"[{PDF_ONLY_WORD}]" in table.stdout


# ---- a loopback site whose files fail every way, crawled twice --------------------------------

WORD = "经纬交织测试词"
PDF = pdf_bytes([["处理决定", f"核验：{WORD}"]])
PNG = png_bytes()
CAP = 4000  # GOVCRAWLER_FILE_MAX_SIZE in these crawls


def file_page(port: int) -> str:
    body = (
        "".join(f"<p>{p}</p>" for p in pages.paragraphs(7))
        + '<p><img src="/f/flaky.png" alt="会场"></p>'
        + f'<p><img src="http://localhost:{port}/f/host.png"></p>'
        + '<p><img src="http://files.invalid/f/away.png"></p>'
        + '<p>附件：<a href="/f/ok.pdf">处理决定.pdf</a> <a href="/f/big.pdf">汇编.pdf</a>'
        + ' <a href="/f/gone.doc">旧通知.doc</a></p>'
    )
    return pages.article(7, body_html=body)


@dataclass
class FileCrawls:
    hits: list[Hit]  # the first run's requests
    first: Run
    second: Run
    files_missing: list[int]  # the ledger's count after each run


def ledger_files_missing(data: Path) -> int:
    with sqlite3.connect(data / "state.sqlite") as db:
        return int(db.execute("SELECT files_missing FROM articles").fetchone()[0])


@pytest.fixture(scope="module")
def file_crawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FileCrawls]:
    tmp = tmp_path_factory.mktemp("files")
    with FaultServer() as server:
        profiles, data = tmp / "profiles", tmp / "data"
        profile = pages.write_profile(profiles, server.base)
        profile.write_text(profile.read_text("utf-8") + '\n[files]\nhosts = ["localhost"]\n')
        failing = page(b"busy", 503, content_type="text/plain")
        server.routes.update(
            {
                "/list.html": page(pages.list_page(["/a/files-7.html"])),
                "/a/files-7.html": page(file_page(server.port)),
                "/f/ok.pdf": page(PDF, content_type="application/pdf"),
                "/f/big.pdf": huge(3 * CAP, declared=True),
                "/f/flaky.png": sequence(
                    failing, failing, failing, page(PNG, 200, None, "image/png")
                ),
                "/f/host.png": page(PNG, content_type="image/png"),
                "/f/gone.doc": page(b"not here", 404),
            }
        )
        settings = {"GOVCRAWLER_FILE_MAX_SIZE": str(CAP)}
        first = scrapy_crawl(pages.SITE_KEY, data, profiles, settings)
        hits, after_first = list(server.hits), ledger_files_missing(data)
        second = scrapy_crawl(pages.SITE_KEY, data, profiles, settings)
        yield FileCrawls(hits, first, second, [after_first, ledger_files_missing(data)])


def entries(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["url"].rsplit("/", 1)[1]: e for e in [*record["attachments"], *record["images"]]}


def test_a_failed_file_never_loses_the_article_and_says_why(file_crawls: FileCrawls) -> None:
    first = file_crawls.first
    assert first.returncode == 0, first.log[-3000:]
    (record,) = first.records
    got = {name: e["reason"] for name, e in entries(record).items()}
    assert got == {
        "ok.pdf": None,
        "big.pdf": "too_large",
        "gone.doc": "http_404",
        "flaky.png": "http_503",
        "host.png": None,  # on the profile's file host
        "away.png": "offsite",
    }
    ok = entries(record)["ok.pdf"]
    assert WORD in ok["text"] and ok["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert entries(record)["host.png"]["warc_record_id"] is not None


def test_files_go_through_the_crawl_politeness(file_crawls: FileCrawls) -> None:
    asked = [h.target for h in file_crawls.hits]
    assert "/f/away.png" not in " ".join(asked)  # offsite: never requested
    assert asked.count("/f/flaky.png") == 3  # the first try and RETRY_TIMES=2 retries
    assert asked.count("/f/ok.pdf") == 1
    assert asked.index("/f/ok.pdf") > asked.index("/a/files-7.html")
    flaky = next(h for h in file_crawls.hits if h.target == "/f/flaky.png")
    assert flaky.headers["referer"].endswith("/a/files-7.html")


def test_file_counts_are_in_the_stats_and_the_manifest(file_crawls: FileCrawls) -> None:
    files = file_crawls.first.report["files"]
    assert files["kept"] == 2 and files["text"] == 1 and files["retried_next_run"] == 1
    assert files["not_kept"] == {"http_404": 1, "http_503": 1, "offsite": 1, "too_large": 1}
    assert file_crawls.first.stats["govcrawler/files/kept"] == 2
    assert "File not kept (http_503; tried again next run)" in file_crawls.first.log


def test_the_next_run_keeps_the_file_that_failed_in_a_new_version(
    file_crawls: FileCrawls,
) -> None:
    (first,) = file_crawls.first.records
    (second,) = file_crawls.second.records
    assert file_crawls.files_missing == [1, 0]
    assert (second["version"], second["content_sha256"]) == (2, first["content_sha256"])
    assert second["supersedes"] == first["content_sha256"]
    assert entries(second)["flaky.png"]["reason"] is None
    assert entries(second)["flaky.png"]["sha256"] == hashlib.sha256(PNG).hexdigest()
    # Files already archived with the same payload are WARC revisits: stored once.
    files = file_crawls.second.report["files"]
    assert files["revisits"] == 2  # ok.pdf and host.png
    assert entries(second)["ok.pdf"]["warc_record_id"] == entries(first)["ok.pdf"]["warc_record_id"]


def test_a_profile_can_turn_images_off(tmp_path: Path) -> None:
    with FaultServer() as server:
        profile = pages.write_profile(tmp_path / "profiles", server.base)
        profile.write_text(profile.read_text("utf-8") + "\n[files]\nimages = false\n")
        server.routes.update(
            {
                "/list.html": page(pages.list_page(["/a/files-8.html"])),
                "/a/files-8.html": page(file_page(server.port)),
                "/f/ok.pdf": page(PDF, content_type="application/pdf"),
            }
        )
        run = scrapy_crawl(pages.SITE_KEY, tmp_path / "data", tmp_path / "profiles", {})
        asked = [h.target for h in server.hits]
    (record,) = run.records
    assert {e["reason"] for e in record["images"]} == {"disabled"}
    assert entries(record)["ok.pdf"]["reason"] is None
    assert not [a for a in asked if a.endswith(".png")]
    assert run.report["files"]["not_kept"]["disabled"] == 3


def test_a_file_two_articles_link_is_fetched_once_and_unchanged_articles_fetch_none(
    tmp_path: Path,
) -> None:
    """README "Attachments and images": a file several articles of one run link is fetched once;
    on a rerun an unchanged article (same payload) fetches no files."""
    shared = '<p>附件：<a href="/f/shared.pdf">处理决定.pdf</a></p>'
    with FaultServer() as server:
        pages.write_profile(tmp_path / "profiles", server.base)
        server.routes.update(
            {
                "/list.html": page(pages.list_page(["/a/shared-1.html", "/a/shared-2.html"])),
                "/f/shared.pdf": page(PDF, content_type="application/pdf"),
            }
        )
        for n in (1, 2):
            body = "".join(f"<p>{p}</p>" for p in pages.paragraphs(n)) + shared
            server.routes[f"/a/shared-{n}.html"] = page(pages.article(n, body_html=body))
        data, profiles = tmp_path / "data", tmp_path / "profiles"
        first = scrapy_crawl(pages.SITE_KEY, data, profiles, {})
        first_hits = [h.target for h in server.hits]
        second = scrapy_crawl(pages.SITE_KEY, data, profiles, {"GOVCRAWLER_RECHECK_DAYS": "0"})
        second_hits = [h.target for h in server.hits][len(first_hits) :]
    assert first.returncode == 0, first.log[-3000:]
    assert len(first.records) == 2
    kept = [entries(r)["shared.pdf"] for r in first.records]
    assert [k["reason"] for k in kept] == [None, None]
    assert kept[0]["warc_record_id"] == kept[1]["warc_record_id"] is not None
    assert first_hits.count("/f/shared.pdf") == 1
    assert (first.report["files"]["kept"], first.report["files"]["reused"]) == (1, 1)

    assert second.returncode == 0, second.log[-3000:]
    assert {"/a/shared-1.html", "/a/shared-2.html"} <= set(second_hits)  # both re-checked
    assert second.records == [] and second.report["counts"]["unchanged"] == 2
    assert "/f/shared.pdf" not in second_hits
    assert second.stats["govcrawler/files/skipped_unchanged_article"] == 2
