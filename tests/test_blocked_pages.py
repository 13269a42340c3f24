"""The pure pieces behind the hostile-input middlewares: the page rules (data), the cookie literal
a stub sets, document signatures, Retry-After, the domain check, operator cookies, and how an
error becomes the reason a user reads. (The crawls are in test_faults*.py, test_blocked_stop.py.)"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)

from govcrawler.extraction import page_kind
from govcrawler.extraction.page_kind import (
    BLOCKED_KINDS,
    RULES,
    binary_kind,
    matching_rule,
    script_cookie,
)
from govcrawler.spiders.domains import Offsite, RedirectLoop, host_allowed
from govcrawler.spiders.faults import failure_reason
from govcrawler.spiders.middlewares import BlockedPage, SiteStopped, parse_host_cookies
from govcrawler.spiders.pacing import retry_after_seconds
from tests.conftest import shared_path
from tests.faults import pages


def test_the_rules_are_a_table_of_named_kinds() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert {rule.kind for rule in RULES} == {*BLOCKED_KINDS, page_kind.EMPTY}
    # Each rule says something: a marker, a script, a text, a status or a size bound.
    assert all(r.markers or r.script or r.text or r.statuses or r.text_under for r in RULES)


@pytest.mark.parametrize(
    ("html", "status", "rule"),
    [
        (pages.captcha_page(), 200, "captcha_widget"),
        (pages.captcha_prompt_page(), 200, "captcha_prompt"),
        (pages.cookie_stub("A=1; path=/"), 200, "js_cookie_stub"),
        (pages.computed_cookie_stub(), 521, "js_cookie_stub"),
        (pages.js_location_stub("/a/x.html"), 200, "js_location_stub"),
        (pages.script_challenge(8000), 412, "status_challenge"),
        (pages.waf_page(), 420, "status_challenge"),
        (pages.waf_page(), 403, "status_challenge"),
        ("<html><body> </body></html>", 200, "blank"),
    ],
)
def test_each_hostile_page_meets_its_rule(html: str, status: int, rule: str) -> None:
    found = matching_rule(html, status)
    assert found is not None and found.name == rule


@pytest.mark.parametrize(
    ("html", "status"),
    [
        (pages.script_challenge(8000), 200),  # a big script page is a challenge only at 412 …
        (pages.waf_page(), 200),  # … or 403/420/521
        (pages.plain_forbidden(), 403),  # a plain error page is an HTTP error, not a challenge
        (pages.article(1), 200),
        (pages.article(1), 403),  # an article answered with 403 has text: not a challenge
    ],
)
def test_pages_that_are_not_blocked(html: str, status: int) -> None:
    rule = matching_rule(html, status)
    assert rule is None or rule.kind not in BLOCKED_KINDS


def test_real_ccdi_stub_sets_one_literal_cookie() -> None:
    html = (shared_path("realpages", "ccdi", "other") / "antibot_challenge.html").read_text("utf-8")
    rule = matching_rule(html)
    assert rule is not None and rule.name == "js_cookie_stub"
    cookie = script_cookie(html)
    assert cookie is not None and cookie.path == "/"
    assert f'"{cookie.name}={cookie.value}; path=/' in html  # read, not made up


def test_real_ccdi_captcha_page_is_the_widget_rule_and_sets_no_cookie() -> None:
    other = shared_path("realpages", "ccdi", "other")
    html = (other / "captcha_slider_seccaptcha.html").read_text("utf-8")
    rule = matching_rule(html)
    assert rule is not None and rule.name == "captcha_widget"
    assert script_cookie(html) is None


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('document.cookie="SID=ab12; path=/news; max-age=60";', ("SID", "ab12", "/news")),
        (  # Jiasule's first stage, when it is a literal: what a browser sets and reloads with
            "document.cookie='__jsl_clearance=1.2|0|x';location.href=location.pathname",
            ("__jsl_clearance", "1.2|0|x", "/"),
        ),
        ("document.cookie=('_')+('_')+'x=1';", None),  # computed
        ('document.cookie="a=1"+b;', None),  # concatenated
        ('document.cookie="a=1";document.cookie="b=2";', None),  # two cookies: not a plain stub
        ('document.cookie="a b=1";', None),  # not a cookie name
        ("location.reload()", None),
    ],
)
def test_script_cookie_reads_only_a_plain_literal(
    script: str, expected: tuple[str, str, str] | None
) -> None:
    cookie = script_cookie(f"<script>{script}</script>")
    assert (cookie and (cookie.name, cookie.value, cookie.path)) == expected


def test_binary_signatures() -> None:
    assert binary_kind(pages.PDF) == "pdf"
    assert binary_kind(b"\r\n  " + pages.PDF) == "pdf"
    assert binary_kind(b"junk before\n" + pages.PDF) == "pdf"
    assert binary_kind(pages.DOC) == "ole"
    assert binary_kind(b"PK\x03\x04rest") == "zip"
    assert binary_kind(pages.article(1).encode()) is None
    assert binary_kind(b"") is None


def test_retry_after_seconds() -> None:
    now = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds(" 7 ") == 7
    assert retry_after_seconds("Sat, 28 Nov 2026 12:01:30 GMT", now) == 90
    assert retry_after_seconds("Sat, 28 Nov 2026 11:00:00 GMT", now) == 0  # in the past
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("-5") is None


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://www.ccdi.gov.cn/a.html", True),
        ("https://news.www.ccdi.gov.cn/a.html", True),
        ("https://ccdi.gov.cn:8443/a.html", True),
        ("https://WWW.CCDI.GOV.CN/a.html", True),
        ("https://evilccdi.gov.cn/a.html", False),
        ("https://ccdi.gov.cn.evil.example/a.html", False),
        ("https://www.ccdi.gov.cn@evil.example/a.html", False),  # userinfo, then the real host
        ("https://evil.example/www.ccdi.gov.cn", False),
        ("http://[::1/a.html", False),  # malformed
        ("javascript:alert(1)", False),
    ],
)
def test_host_allowed(url: str, allowed: bool) -> None:
    assert host_allowed(url, ("www.ccdi.gov.cn", "ccdi.gov.cn")) is allowed


def test_host_cookies_setting() -> None:
    parsed = parse_host_cookies({"www.ccdi.gov.cn": "C3VK=1a2b; lang=zh", ".Example.org": "a=1"})
    assert parsed == {
        "www.ccdi.gov.cn": [
            {"name": "C3VK", "value": "1a2b", "path": "/"},
            {"name": "lang", "value": "zh", "path": "/"},
        ],
        "example.org": [{"name": "a", "value": "1", "path": "/"}],
    }
    with pytest.raises(ValueError, match=r"'www\.ccdi\.gov\.cn'.*not NAME=value"):
        parse_host_cookies({"www.ccdi.gov.cn": "justtext"})
    with pytest.raises(ValueError, match="must be a host name"):
        parse_host_cookies({"https://www.ccdi.gov.cn/": "a=1"})


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (BlockedPage("captcha", "u"), ("blocked", "captcha")),
        (SiteStopped("x"), ("failed", "site_stopped")),
        (Offsite("x"), ("skipped", "offsite")),
        (RedirectLoop("x"), ("failed", "redirect_loop")),
        (IgnoreRequest("max redirections reached"), ("failed", "too_many_redirects")),
        (DownloadTimeoutError("x"), ("failed", "timeout")),
        (ResponseDataLossError(), ("failed", "truncated")),
        (DownloadCancelledError(), ("failed", "too_large")),
        (DownloadConnectionRefusedError("x"), ("failed", "connection_refused")),
        (CannotResolveHostError("x"), ("failed", "dns")),
        (DownloadFailedError("x"), ("failed", "connection_lost")),
        (ValueError("x"), None),
    ],
)
def test_failure_reasons(error: BaseException, expected: tuple[str, str] | None) -> None:
    assert failure_reason(error) == expected
