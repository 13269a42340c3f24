"""`govcrawler extract` and `govcrawler sites` as users run them; rules several commands share
(usage errors before anything runs, progress on stderr only)."""

from __future__ import annotations

import gzip
import io
import json
import random
import shutil
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govcrawler.cli.main import main
from tests.conftest import FIXTURES, read_json
from tests.warc_crawls import govcrawler


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    return code, capsys.readouterr().out.splitlines()


def test_extract_prints_one_line_per_file_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    files = [
        FIXTURES / "ccdi" / "article_case_1.html",
        FIXTURES / "ccdi" / "captcha.html",
        FIXTURES / "anhui" / "empty.html",
    ]
    code, lines = run_cli(capsys, "extract", *map(str, files))
    assert code == 1 and len(lines) == 3  # two of three inputs are no article
    record = json.loads(lines[0])
    assert record == read_json(FIXTURES / "ccdi" / "article_case_1.expected.json")["record"]
    assert json.loads(lines[1])["error"] == "captcha" and json.loads(lines[1])["file"] == str(
        files[1]
    )
    assert json.loads(lines[2])["error"] == "empty"


def test_extract_infers_site_from_url_or_page_else_generic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = tmp_path / "page.html"
    shutil.copyfile(FIXTURES / "ccdi" / "article_standard_1.html", bare)  # no capture sidecar
    url = read_json(FIXTURES / "ccdi" / "article_standard_1.capture.json")["url"]
    _, lines = run_cli(capsys, "extract", "--url", url, str(bare))
    assert json.loads(lines[0])["id"] == "ccdi:470355"
    _, lines = run_cli(capsys, "extract", str(bare))  # SiteDomain meta names www.ccdi.gov.cn
    assert json.loads(lines[0])["site"] == "ccdi"
    plain = tmp_path / "plain.html"
    plain.write_text(
        "<html><head><title>某县召开警示教育大会_某县政府网</title></head><body><div class='nav'>首页 | 新闻</div>"
        "<div class='main'><h1>某县召开警示教育大会</h1><p>发布时间：2026-11-02 10:00 来源：某县纪委监委</p>"
        + "".join(
            f"<p>第{i}段：会议通报了近期查处的典型案例，要求全县党员干部以案为鉴、以案促改，切实筑牢拒腐防变思想防线。</p>"
            for i in range(4)
        )
        + "</div><div class='footer'>版权所有 某县人民政府 ICP备12345678号</div></body></html>",
        "utf-8",
    )
    _, lines = run_cli(capsys, "extract", str(plain))
    record = json.loads(lines[0])
    assert record["site"] == "generic" and record["extractor"] == "generic"
    assert record["title"] == "某县召开警示教育大会"
    assert (
        record["published_at"] == "2026-11-02T10:00:00+08:00" and record["source"] == "某县纪委监委"
    )
    assert record["body"].count("\n") == 3 and "版权所有" not in record["body"]


def test_extract_gives_every_input_a_line_and_fails_when_any_input_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 12 item 5: gzip read, each bad input named on its own line, exit 1 when any failed."""
    article = FIXTURES / "ccdi" / "article_case_1.html"
    packed = tmp_path / "article.html.gz"
    packed.write_bytes(gzip.compress(article.read_bytes()))
    bad_gzip = tmp_path / "broken.html.gz"
    bad_gzip.write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    noise = tmp_path / "noise.html"
    noise.write_bytes(bytes(random.Random(13).randrange(256) for _ in range(4096)))
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    pdf = tmp_path / "report.html"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF\n")
    nav = tmp_path / "nav.html"
    nav.write_text(
        "<html><head><title>某某政府网</title></head><body><div class='top'>"
        "<a href='/'>|</a><a href='/zh'>简</a>|<a href='/tw'>繁</a>|<a href='/en'>EN</a>|"
        "<a href='/mail'>邮箱</a>|</div></body></html>",
        "utf-8",
    )
    inputs = [packed, tmp_path / "missing.html", tmp_path, noise, empty, pdf, nav, bad_gzip]
    code, lines = run_cli(capsys, "extract", *map(str, inputs))
    assert code == 1
    results = [json.loads(line) for line in lines]
    assert len(results) == len(inputs)
    expected = read_json(FIXTURES / "ccdi" / "article_case_1.expected.json")["record"]
    assert results[0]["body"] == expected["body"] and "error" not in results[0]
    errors = [(r["error"], r["file"]) for r in results[1:]]
    assert errors == [
        ("unreadable", str(inputs[1])),
        ("unreadable", str(inputs[2])),
        ("not_html", str(noise)),
        ("empty", str(empty)),
        ("not_html", str(pdf)),
        ("navigation_only", str(nav)),
        ("unreadable", str(bad_gzip)),
    ]
    code, _ = run_cli(capsys, "extract", str(packed))
    assert code == 0  # every input became a record


def test_extract_rejects_url_with_several_files(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["extract", "--url", "https://www.ccdi.gov.cn/a.html", "a.html", "b.html"])
    assert code == 2 and "single FILE" in capsys.readouterr().err


def test_unknown_site_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["extract", "--site", "atlantis", str(FIXTURES / "ccdi" / "captcha.html")])
    assert code == 2 and "no site profile 'atlantis'" in capsys.readouterr().err


def test_sites_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run_cli(capsys, "sites")
    assert code == 0 and lines[0].split()[:2] == ["key", "name"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert "captured" in rows["ccdi"] and "described" in rows["anhui"]


def test_extract_evidence_names_the_rule_behind_each_field(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, lines = run_cli(
        capsys, "extract", "--evidence", str(FIXTURES / "ccdi" / "article_standard_1.html")
    )
    evidence = json.loads(lines[0])["evidence"]
    assert evidence["body"] == "profile" and evidence["title"] == "profile"
    assert evidence["published_at"] == "profile"


@pytest.mark.parametrize("command", ["crawl", "capture", "add-site"])
def test_a_setting_without_equals_is_a_usage_error_before_anything_runs(
    command: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    where = {
        "crawl": ["ccdi", "--data", str(tmp_path / "out")],
        "capture": ["https://www.ccdi.gov.cn/", "--fixtures", str(tmp_path / "out")],
        "add-site": [
            "https://www.ccdi.gov.cn/yaowenn/",
            "--key",
            "x",
            "--name",
            "某纪委",
            "--out",
            str(tmp_path / "out"),
        ],
    }[command]
    code = main([command, *where, "-s", "USER_AGENT"])
    assert code == 2 and "-s must be NAME=VALUE, not 'USER_AGENT'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["capture", "ftp://www.ccdi.gov.cn/", "--fixtures"],
        ["add-site", "www.ccdi.gov.cn/yaowenn/", "--key", "x", "--name", "某纪委", "--out"],
        ["serve", "--build-only", "--replay", "ftp://127.0.0.1:8080/", "--data"],
    ],
)
def test_a_url_that_is_not_http_is_a_usage_error_before_anything_runs(
    command: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*command, str(tmp_path / "out")])
    assert exit_.value.code == 2 and "is not an http(s) URL" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_reextract_progress_goes_to_stderr_never_into_the_jsonl_on_stdout(tmp_path: Path) -> None:
    warc = tmp_path / "one.warc.gz"
    body = "<html><head><title>测试</title></head><body><div>我们写的正文。</div></body></html>"
    with warc.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        writer.write_record(
            writer.create_warc_record(
                "https://www.ccdi.gov.cn/test/t1.html",
                "response",
                payload=io.BytesIO(body.encode()),
                http_headers=headers,
            )
        )
    result = govcrawler("reextract", str(warc), "--progress", "always")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["title"] for line in result.stdout.splitlines()] == ["测试"]
    assert "reextract" in result.stderr and "1 records" in result.stderr
