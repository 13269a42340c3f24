"""Nothing a site serves, and no profile, can make the crawler write outside its folders or
request outside the profile's domains.

Every file name the crawler derives comes from a profile key (run files, ledger lock, learned
boilerplate, WARC files: `<key>…`), which the strict loader holds to `^[a-z][a-z0-9_]*$` and to
its own file name; a capture sidecar cannot point its body outside its folder. Requests: see
test_faults.py for links, redirects, meta refresh and JS stubs in a real crawl.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.settings import Settings

from govcrawler.archive.capture_files import CaptureError, read_capture
from govcrawler.archive.capture_spider import CaptureSpider, fixture_name, write_fixture
from govcrawler.archive.replay import CAPTURED_AT_HEADER, CAPTURED_FLAG
from govcrawler.sites import ProfileError, all_profiles, load_profile
from govcrawler.sites.loader import KEY_RE
from govcrawler.spiders import sites
from govcrawler.spiders.domains import AllowedDomainsMiddleware, Offsite
from govcrawler.spiders.site_spider import SiteSpider
from govcrawler.state.files import data_path
from tests.conftest import ROOT
from tests.faults import pages

HOSTILE_KEYS = ["../evil", "a/b", "..", "evil\\x", "Evil", "1abc", "", "con.toml", "a b"]


def spider_names() -> list[str]:
    return [
        c.name
        for c in vars(sites).values()
        if isinstance(c, type) and issubclass(c, SiteSpider) and hasattr(c, "name")
    ]


def test_every_spider_name_is_a_plain_file_name() -> None:
    names = spider_names()
    assert sorted(names) == sorted(all_profiles())
    assert all(KEY_RE.match(name) for name in names)


def test_paths_made_from_a_site_key_stay_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings()
    settings.setmodule("govcrawler.settings")
    settings.set("GOVCRAWLER_DATA", str(tmp_path / "data"))
    data = (tmp_path / "data").resolve()
    for name in spider_names():
        # As export/run_file.py fills GOVCRAWLER_OUTPUT in.
        pattern = str(settings.get("GOVCRAWLER_OUTPUT"))
        run_file = Path(pattern % {"data": data, "name": name, "run_start": "20261128T0000Z"})
        learned = data_path(settings, "GOVCRAWLER_BOILERPLATE_DIR")
        assert learned is not None
        for path in (run_file, learned / f"{name}.json", data / "locks" / f"{name}.lock"):
            assert path.resolve().is_relative_to(data), path


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_a_profile_key_cannot_be_a_path(tmp_path: Path, key: str) -> None:
    assert not KEY_RE.match(key)
    toml_key = key.replace("\\", "\\\\")
    text = pages.profile_toml("http://127.0.0.1:1").replace('key = "faults"', f'key = "{toml_key}"')
    # The file is named after the key where the file system allows, so the key rule must say no.
    creatable = key not in ("", "..") and "/" not in key
    path = tmp_path / (f"{key}.toml" if creatable else "evil.toml")
    path.write_text(text, "utf-8")
    with pytest.raises(ProfileError, match="key"):
        load_profile(path)


def test_a_profile_file_name_must_be_its_key(tmp_path: Path) -> None:
    path = tmp_path / "..toml"  # stem "."
    path.write_text(pages.profile_toml("http://127.0.0.1:1").replace('"faults"', '"."'), "utf-8")
    with pytest.raises(ProfileError):
        load_profile(path)


@pytest.mark.parametrize("body", ["../secret.html", "/etc/passwd", "..", "sub/../../x.html"])
def test_a_capture_sidecar_cannot_point_outside_its_folder(tmp_path: Path, body: str) -> None:
    folder = tmp_path / "captures"
    folder.mkdir()
    (tmp_path / "secret.html").write_text("outside", "utf-8")
    sidecar = folder / "page.capture.json"
    sidecar.write_text(
        f'{{"url": "http://x.example/a.html", "fetched_at": "2026-11-28T00:00:00Z", "body": "{body}"}}',
        "utf-8",
    )
    with pytest.raises(CaptureError):
        read_capture(sidecar)


HOSTILE_URLS = [
    "http://x.example/../../etc/passwd",
    "http://x.example/a/%2e%2e%2f%2e%2e%2fescape.html",
    "http://x.example/a/..%5C..%5Cwin.ini",
    "http://x.example/a/..",
    "http://x.example/a/b.html/..",
    "http://x.example/a/b.%2F..%2F..%2Fx",
    "http://x.example/",
]


@pytest.mark.parametrize("content_type", ["text/html", "application/pdf", None])
def test_govcrawler_capture_names_files_inside_its_folder(
    tmp_path: Path, content_type: str | None
) -> None:
    """`govcrawler capture` is the one place a URL becomes a file name (archive/capture_spider.py)."""
    folder = tmp_path / "out" / "captures"
    taken: set[str] = set()
    headers = {"Content-Type": content_type} if content_type else {}
    for url in HOSTILE_URLS:
        response = Response(url, body=b"x", headers=headers)
        sidecar = write_fixture(folder, fixture_name(url, taken), response, "2026-11-28T00:00:00Z")
        assert sidecar.resolve().parent == folder.resolve()
        assert read_capture(sidecar).body_path.resolve().parent == folder.resolve()
    written = {p.resolve() for p in tmp_path.rglob("*") if p.is_file()}
    assert {p.parent for p in written} == {folder.resolve()}
    assert len(written) == 2 * len(HOSTILE_URLS)  # nothing overwritten: every name is unique


def _guard(domains: list[str]) -> tuple[AllowedDomainsMiddleware, Any]:
    stats = SimpleNamespace(values={})
    stats.inc_value = lambda key, n=1: stats.values.__setitem__(key, stats.values.get(key, 0) + n)
    crawler = SimpleNamespace(spider=SimpleNamespace(allowed_domains=domains), stats=stats)
    return AllowedDomainsMiddleware(crawler), stats


def test_no_request_leaves_the_domains_whatever_its_flags() -> None:
    guard, stats = _guard(["www.ccdi.gov.cn"])
    guard.process_request(Request("https://www.ccdi.gov.cn/a.html", dont_filter=True))
    for request in (
        Request("https://evil.example/a.html", dont_filter=True),  # a retry, a JS-stub follow
        Request("https://evil.example/a.html", meta={"allow_offsite": True}),
        Request("https://www.ccdi.gov.cn.evil.example/next_2.html"),  # a pagination link
    ):
        with pytest.raises(Offsite):
            guard.process_request(request)
    assert stats.values == {"govcrawler/offsite/request": 3}


def _loader(profiles: Path, code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOVCRAWLER_PROFILES_DIR": str(profiles)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_extra_profiles_come_from_a_folder_and_cannot_replace_a_bundled_one(
    tmp_path: Path,
) -> None:
    pages.write_profile(tmp_path / "ok", "http://127.0.0.1:1")
    listed = _loader(
        tmp_path / "ok", "from govcrawler.sites import all_profiles; print(*all_profiles())"
    )
    assert listed.returncode == 0, listed.stderr
    assert set(listed.stdout.split()) == {*all_profiles(), "faults"}
    pages.write_profile(tmp_path / "dup", "http://127.0.0.1:1", key="ccdi")
    clash = _loader(tmp_path / "dup", "from govcrawler.sites import all_profiles; all_profiles()")
    assert clash.returncode != 0 and "site 'ccdi' is already defined" in clash.stderr
    missing = _loader(
        tmp_path / "nowhere", "from govcrawler.sites import all_profiles; all_profiles()"
    )
    assert missing.returncode != 0 and "is not a folder" in missing.stderr


def test_govcrawler_capture_ignores_a_capture_time_sent_by_the_server(tmp_path: Path) -> None:
    """A live server's own X-Govcrawler-Captured-At is no capture time (only the WARC middleware
    or the replay handler may set it, with their flag): the fixture gets the time of the fetch."""
    spider = CaptureSpider(["http://x.example/a.html"], fixtures=tmp_path)
    forged = Response(
        "http://x.example/a.html",
        body=b"<html></html>",
        headers={"Content-Type": "text/html", CAPTURED_AT_HEADER: "2001-01-01T00:00:00Z"},
    )
    list(spider.save(forged))
    trusted = Response(
        "http://x.example/b.html",
        body=b"<html></html>",
        headers={"Content-Type": "text/html", CAPTURED_AT_HEADER: "2002-02-02T00:00:00Z"},
        flags=[CAPTURED_FLAG],
    )
    list(spider.save(trusted))
    first, second = (read_capture(p) for p in spider.saved)
    assert first.fetched_at != "2001-01-01T00:00:00Z"
    assert first.fetched_at.startswith(str(datetime.now(UTC).year))
    assert second.fetched_at == "2002-02-02T00:00:00Z"
