"""`govcrawler serve` in a real browser: Debian's Chromium, driven by Playwright, over the demo
archive (a replay crawl of our fixtures): a traditional-script search finds the simplified
articles, a facet narrows them, the CSV download holds exactly those rows, and SQL typed into
the page cannot write.

Chromium is the system package (`/usr/bin/chromium`, installed by .ci/run); Playwright never
downloads a browser here. Without Chromium the test skips and says so. With
GOVCRAWLER_SCREENSHOT=PATH it also saves the README's screenshot there (docs/browse.png).
"""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from govcrawler.extraction.cases import extract_cases
from govcrawler.query.text import attachment_text, fold
from tests.conftest import FIXTURES

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Sites of the demo crawl: CCDI and provinces with 开除党籍 announcements, and 安徽's page in
#: traditional script (陸承澤).
SITES = ("anhui", "ccdi", "hebei", "henan", "hainan")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Chromium is not installed (/usr/bin/chromium; .ci/run installs Debian's "
        "`chromium` package as root): the browser test of `govcrawler serve` cannot run",
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("demo")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "govcrawler.cli.main",
            "demo",
            "--fixtures",
            str(FIXTURES),
            "--data",
            str(data),
            *SITES,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return data


@pytest.fixture(scope="module")
def records(demo: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted((demo / "articles").rglob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            rec = json.loads(line)
            out[rec["id"]] = rec
    return out


@pytest.fixture(scope="module")
def server(demo: Path) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "govcrawler.cli.main",
            "serve",
            "--data",
            str(demo),
            "--port",
            str(port),
            "--replay",
            "http://127.0.0.1:9/govcrawler/",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read() if proc.stdout else ""
                    pytest.fail(f"govcrawler serve did not start:\n{out}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh user data dir
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            accept_downloads=True,
            viewport={"width": 1280, "height": 1000},
        )
        yield context
        context.close()


def save_screenshot(page: Any, path: Path) -> None:
    """The README's picture: the page as a person sees it, in 64 colours to keep the file small."""
    from PIL import Image  # noqa: PLC0415 (Pillow comes with matplotlib, a test dependency)

    page.set_viewport_size({"width": 1280, "height": 1300})
    page.screenshot(path=str(path))
    Image.open(path).quantize(colors=64).save(path, optimize=True)
    page.set_viewport_size({"width": 1280, "height": 1000})


def matching(records: dict[str, dict[str, Any]], term: str) -> set[str]:
    """Oracle: the ids whose title, body or attachment text contains `term`, all folded (as
    `govcrawler query` searches)."""
    return {
        key
        for key, rec in records.items()
        if fold(term) in fold("\n".join((rec["title"], rec["body"], attachment_text(rec))))
    }


def shown_ids(page: Any) -> set[str]:
    return {
        cell.strip() for cell in page.locator("table.rows-and-columns td.col-id").all_inner_texts()
    }


def test_traditional_search_facet_and_csv_in_chromium(
    server: str, browser: Any, records: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    page = browser.new_page()
    page.goto(f"{server}/archive/articles")
    assert page.locator("h1").inner_text().startswith("文章 · Articles")
    assert f"{len(records)} row" in page.locator("h3").first.inner_text()
    assert len(shown_ids(page)) == min(len(records), 50)  # a first page of the whole archive

    # A traditional-script search finds the articles written in simplified script.
    page.fill("#_search", "開除黨籍")
    page.press("#_search", "Enter")
    page.wait_for_load_state()
    expected = matching(records, "开除党籍")
    assert expected and all(records[k]["script"] == "zh-Hans" for k in expected)
    assert not any("開除黨籍" in records[k]["title"] + records[k]["body"] for k in expected)
    assert shown_ids(page) == expected
    assert f"{len(expected)} row" in page.locator("h3").first.inner_text()

    # A facet: the site with the most hits, by the link the page offers.
    hits_per_site = Counter(records[k]["site"] for k in expected)
    site = min(hits_per_site, key=lambda s: (-hits_per_site[s], s))
    name = records[next(k for k in expected if records[k]["site"] == site)]["site_name"]
    page.locator(".facet-info[data-column='site'] a", has_text=name).first.click()
    page.wait_for_load_state()
    assert re.search(rf"[?&]site={site}(&|$)", page.url)
    narrowed = {k for k in expected if records[k]["site"] == site}
    assert shown_ids(page) == narrowed
    if os.environ.get("GOVCRAWLER_SCREENSHOT"):
        save_screenshot(page, Path(os.environ["GOVCRAWLER_SCREENSHOT"]))

    # The CSV download (the page's export form, "download file") holds exactly those rows.
    page.locator("input[name=_dl]").check()
    with page.expect_download() as download:
        page.locator("input[type=submit][value='Export CSV']").click()
    saved = tmp_path / "articles.csv"
    download.value.save_as(saved)
    with saved.open(encoding="utf-8", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert {row["id"] for row in table} == narrowed
    for row in table:
        assert row["title"] == records[row["id"]]["title"]
        assert row["url"] == records[row["id"]]["url"]
        assert row["site"] == site

    # Each row links to the live article and, WARC capture being on, to its capture.
    live = records[sorted(narrowed)[0]]
    page.goto(f"{server}/archive/articles?id={quote(live['id'])}")
    assert page.locator(f"a[href='{live['url']}']").count() >= 1
    assert live["warc_record_id"]
    capture = page.locator("td.col-warc_record_id a")
    assert capture.get_attribute("href", timeout=5000).startswith("http://127.0.0.1:9/govcrawler/")
    page.close()


def test_simplified_name_finds_the_traditional_page_and_one_character_terms_work(
    server: str, browser: Any, records: dict[str, dict[str, Any]]
) -> None:
    page = browser.new_page()
    hant = [k for k, r in records.items() if r["script"] == "zh-Hant"]
    assert hant  # 安徽's fixture page is written in traditional script
    for term in ("陆承泽", "党", "纪委"):
        page.goto(f"{server}/archive/articles?_search={quote(term)}&_size=max")
        expected = matching(records, term)
        assert shown_ids(page) == expected, term
    assert matching(records, "陆承泽") & set(hant)  # the simplified name found the traditional page
    page.close()


def test_sql_typed_into_the_page_cannot_write(server: str, browser: Any) -> None:
    page = browser.new_page()
    count = f"{server}/archive.json?sql={quote('select count(*) as n from articles')}&_shape=array"
    before = json.loads(urllib.request.urlopen(count, timeout=10).read())
    page.goto(f"{server}/archive")
    page.locator(".CodeMirror").click()  # Datasette's SQL box is a CodeMirror 5 editor
    page.keyboard.press("Control+A")
    page.keyboard.type("WITH x AS (SELECT 1) DELETE FROM articles")
    page.locator("form.sql input[type=submit]").click()
    page.wait_for_load_state()
    assert "readonly" in page.content()
    page.goto(f"{server}/archive?sql={quote('DROP TABLE articles')}")
    assert "Statement must be a SELECT" in page.content()
    after = json.loads(urllib.request.urlopen(count, timeout=10).read())
    assert after == before and after[0]["n"] > 0
    page.close()


def test_the_server_listens_on_loopback_only(server: str) -> None:
    """By default the listening socket is bound to 127.0.0.1 (read from /proc, no traffic)."""
    port = int(server.rsplit(":", 1)[1])
    tcp = Path("/proc/net/tcp")
    if not tcp.exists():
        pytest.skip("no /proc/net/tcp on this system to read listening sockets from")
    listening = [
        fields[1].split(":")[0]
        for fields in (line.split() for line in tcp.read_text().splitlines()[1:])
        if fields[3] == "0A" and int(fields[1].split(":")[1], 16) == port  # 0A: LISTEN
    ]
    assert listening == ["0100007F"]  # 127.0.0.1, little-endian hex


def test_cases_facets_on_action_and_region(
    server: str, browser: Any, records: dict[str, dict[str, Any]]
) -> None:
    cases = [case.to_dict() for rec in records.values() for case in extract_cases(rec)]
    assert cases  # the fixtures announce cases
    regions = Counter(c["region"] for c in cases if c["region"])
    region = min(regions, key=lambda r: (-regions[r], r))
    page = browser.new_page()
    page.goto(f"{server}/archive/cases")
    assert page.locator(".facet-info[data-column='actions']").count() == 1
    page.locator(".facet-info[data-column='region'] a", has_text=region).first.click()
    page.wait_for_load_state()
    assert f"{regions[region]} row" in page.locator("h3").first.inner_text()
    action = Counter(a for c in cases if c["region"] == region for a in c["actions"])
    facet = page.locator(".facet-info[data-column='actions'] li").all_inner_texts()
    assert {t.rsplit(" ", 1)[0].strip(): int(t.rsplit(" ", 1)[1]) for t in facet} == action
    page.close()
