"""`govcrawler add-site` (from captures, and live against a loopback server) and the discovery
part of `govcrawler check-site` (drift and proposed rules). No network: 127.0.0.1 only."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from govcrawler.archive.redesign import redesign_captures
from govcrawler.cli.main import main
from govcrawler.sites import get_profile, load_profile
from govcrawler.sites.minimal import minimal_profile, minimal_toml
from tests.conftest import DATA, FIXTURES, ROOT, loopback_server

PAGES = DATA / "discovery" / "pages"
CCDI_COLUMNS = ("https://www.ccdi.gov.cn/scdcn/zggb/zjsc/", "https://www.ccdi.gov.cn/yaowenn/")
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING")


def govcrawler(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govcrawler.cli.main", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_add_site_from_captures_writes_a_minimal_inferred_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["add-site", *CCDI_COLUMNS, "--key", "zhongjiwei", "--name", "中央纪委国家监委"]
    assert main([*args, "--from-capture", str(FIXTURES / "ccdi"), "--out", str(tmp_path)]) == 0
    path = tmp_path / "zhongjiwei.toml"
    assert str(path) in capsys.readouterr().out
    profile = load_profile(path)
    assert profile.domains == ("www.ccdi.gov.cn",)
    assert [c.name for c in profile.columns] == ["执纪审查", "要闻"]  # from the pages' <title>
    assert profile.columns[0].url == "https://www.ccdi.gov.cn/scdcn/zggb/zjsc/index.html"
    assert profile.pagination.kind == "trs"
    assert profile.id_pattern is not None
    assert profile.id_pattern.search("https://www.ccdi.gov.cn/yaowenn/202601/t20260105_46.html")
    assert profile.evidence.status == "inferred" and profile.evidence.date == "2026-11-20"
    assert profile.list.items is None and profile.list.article_url is None  # discovery's job
    data = tomllib.loads(path.read_text("utf-8"))
    assert set(data) == {
        "key",
        "name",
        "domains",
        "id_pattern",
        "columns",
        "pagination",
        "evidence",
    }
    assert "Proposed [list] rules" in path.read_text("utf-8")  # as a comment, for a maintainer


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--key", "Bad-Key"], "lower-case pinyin"),
        (["--key", "ccdi"], "exists already"),
        (["--key", "x1", "--column", "a", "--column", "b", "--column", "c"], "3 --column"),
        (["--key", "x2", "--from-capture", "/nonexistent"], "not a folder"),
    ],
)
def test_add_site_usage_errors_exit_2_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    args = ["add-site", *CCDI_COLUMNS, "--name", "某", "--out", str(tmp_path), *extra]
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_add_site_without_a_capture_of_a_url_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["add-site", "https://www.ccdi.gov.cn/nowhere/", "--key", "x3", "--name", "某"]
    assert main([*args, "--from-capture", str(FIXTURES / "ccdi"), "--out", str(tmp_path)]) == 2
    assert "no capture of https://www.ccdi.gov.cn/nowhere/" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_add_site_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "zhongjiwei.toml").write_text("# mine\n", "utf-8")
    args = ["add-site", CCDI_COLUMNS[0], "--key", "zhongjiwei", "--name", "某"]
    assert main([*args, "--from-capture", str(FIXTURES / "ccdi"), "--out", str(tmp_path)]) == 2
    assert (tmp_path / "zhongjiwei.toml").read_text("utf-8") == "# mine\n"


def test_add_site_force_overwrites(tmp_path: Path) -> None:
    (tmp_path / "zhongjiwei.toml").write_text("# mine\n", "utf-8")
    args = ["add-site", CCDI_COLUMNS[0], "--key", "zhongjiwei", "--name", "某", "--force"]
    assert main([*args, "--from-capture", str(FIXTURES / "ccdi"), "--out", str(tmp_path)]) == 0
    assert load_profile(tmp_path / "zhongjiwei.toml").name == "某"


# ---- live, against a loopback server ------------------------------------------------------------

SERVED = {
    "/scdc/zjsc/index_2.html": PAGES / "trs_sidebar.html",
    "/gzdt/jlsc/list_15_2.html": PAGES / "dede_list.html",
}


class PagesHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        page = SERVED.get(self.path)
        if page is None:
            self.send_error(404)
            return
        body = page.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    with loopback_server(PagesHandler) as url:
        yield url


@pytest.mark.e2e
def test_add_site_live_fetches_politely_and_writes_the_profile(server: str, tmp_path: Path) -> None:
    urls = [server + path for path in SERVED]
    result = govcrawler(
        "add-site",
        *urls,
        "--key",
        "loopback",
        "--name",
        "某省纪委监委",
        "--out",
        str(tmp_path),
        *FAST,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    profile = load_profile(tmp_path / "loopback.toml")
    assert profile.domains == ("127.0.0.1",)
    assert [c.url for c in profile.columns] == urls
    assert [c.name for c in profile.columns] == ["执纪审查", "审查调查"]
    assert profile.evidence.status == "inferred"
    assert profile.pagination.kind in ("trs", "next_link", "template")


@pytest.mark.e2e
def test_add_site_live_reports_a_page_it_could_not_fetch(server: str, tmp_path: Path) -> None:
    urls = [server + "/scdc/zjsc/index_2.html", server + "/missing/"]
    result = govcrawler(
        "add-site", *urls, "--key", "halfway", "--name", "某", "--out", str(tmp_path), *FAST
    )
    assert result.returncode == 1
    assert "HTTP 404" in result.stdout
    assert [c.url for c in load_profile(tmp_path / "halfway.toml").columns] == urls[:1]


# ---- check-site: drift and proposed rules ------------------------------------------------------


@pytest.mark.e2e
def test_check_site_on_a_redesigned_site_reports_drift_and_proposes_rules(tmp_path: Path) -> None:
    redesign_captures(FIXTURES / "anhui", tmp_path / "anhui")
    result = govcrawler("check-site", "anhui", "--fixtures", str(tmp_path))
    assert result.returncode == 1, result.stderr[-2000:]
    assert "DRIFT: list selector matched 0; discovery found" in result.stdout
    assert "proposed rules (inferred from the column pages" in result.stdout
    assert "kind = 'next_link'" in result.stdout or "kind = 'template'" in result.stdout


def test_minimal_profile_keeps_key_name_domains_and_columns(tmp_path: Path) -> None:
    profile = get_profile("jiangsu")
    minimal = minimal_profile(profile)
    assert (minimal.key, minimal.name, minimal.domains, minimal.columns) == (
        profile.key,
        profile.name,
        profile.domains,
        profile.columns,
    )
    assert minimal.list.items is None and minimal.pagination.kind == "none"
    assert minimal.id_pattern is None and not minimal.article.body
    path = tmp_path / "jiangsu.toml"
    path.write_text(minimal_toml(profile), "utf-8")
    loaded = load_profile(path)
    assert (loaded.key, loaded.domains, loaded.columns) == (
        profile.key,
        profile.domains,
        profile.columns,
    )
    assert loaded.evidence.status == "inferred"
    assert set(tomllib.loads(path.read_text("utf-8"))) == {"key", "name", "domains", "columns"}


def test_redesigned_copy_keeps_urls_encodings_and_expectations(tmp_path: Path) -> None:
    changed = redesign_captures(FIXTURES / "qinghai", tmp_path)  # a GBK site
    assert changed
    for body in changed:
        original = FIXTURES / "qinghai" / body.name
        assert body.read_bytes() != original.read_bytes()
        for suffix in (".capture.json", ".expected.json"):
            twin = original.with_name(original.stem + suffix)
            if twin.exists():
                assert (tmp_path / twin.name).read_bytes() == twin.read_bytes()
    shutil.rmtree(tmp_path)
