"""Downloader middlewares for hostile answers: challenge and captcha pages (reported, counted,
never parsed, the host slowed down and, after too many in a row, the site's crawl stopped),
documents served as HTML, and cookies an operator supplies per host.

The page rules are data (extraction/page_kind.py:RULES). Nothing here solves a captcha or runs a
script: the one thing done for a challenge is what a browser does without any puzzle — when the
stub's script sets a cookie as a plain string literal, that cookie is set and the page asked for
once more.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached

from govcrawler.archive.warc_middleware import FILE_OF_META
from govcrawler.extraction import page_kind
from govcrawler.sites import host_in
from govcrawler.spiders.pacing import SiteStopped, host_pace
from govcrawler.spiders.page_response import content_type, page_of

logger = logging.getLogger(__name__)

COOKIE_RETRIED = "govcrawler_cookie_retried"  # request meta: asked again with a stub's cookie


class BlockedPage(IgnoreRequest):
    """A challenge or captcha page instead of the requested one (`reason`: challenge|captcha)."""

    def __init__(self, reason: str, url: str) -> None:
        super().__init__(f"{reason} page at {url}")
        self.reason = reason


def _cookie_list(cookies: Any) -> list[Any]:
    """A request's cookies (dict or list of dicts) as a list of dicts."""
    if isinstance(cookies, dict):
        return [{"name": str(k), "value": str(v)} for k, v in cookies.items()]
    return list(cookies or [])


class BlockedPageMiddleware:
    """Turns a challenge/captcha response into BlockedPage (an IgnoreRequest the spider's errback
    counts as `blocked`, kept pending for the next run), counted as `govcrawler/blocked/<kind>` and
    `govcrawler/blocked_host/<host>/<kind>`.

    Each blocked page multiplies the host's download delay by GOVCRAWLER_BLOCKED_BACKOFF (at most
    GOVCRAWLER_BLOCKED_MAX_DELAY s); after GOVCRAWLER_BLOCKED_STOP_AFTER blocked pages in a row
    (0: never) the site's crawl stops (finish reason `blocked`): requests waiting at the host
    gate (spiders/pacing.py) fail unsent, and nothing more is requested. A stub that sets a cookie literal
    is asked for once more with that cookie (GOVCRAWLER_SCRIPT_COOKIE_RETRY) before it counts.
    Such a page never reaches a spider callback, so it can never become a record.
    """

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.backoff = settings.getfloat("GOVCRAWLER_BLOCKED_BACKOFF", 2.0)
        self.max_delay = settings.getfloat("GOVCRAWLER_BLOCKED_MAX_DELAY", 300.0)
        self.stop_after = settings.getint("GOVCRAWLER_BLOCKED_STOP_AFTER", 5)
        self.cookie_retry = settings.getbool("GOVCRAWLER_SCRIPT_COOKIE_RETRY", True)
        self.pace = host_pace(crawler)
        self.in_a_row = 0
        self.stopped: str | None = None
        self._closing: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> BlockedPageMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if self.stopped:
            raise SiteStopped(self.stopped)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if not isinstance(response, TextResponse) or request.url.endswith("/robots.txt"):
            self.in_a_row = 0
            return response
        page = page_of(response)
        rule = page.rule
        if rule is None or rule.kind not in page_kind.BLOCKED_KINDS:
            self.in_a_row = 0
            return response
        if rule.kind == page_kind.CHALLENGE and self.cookie_retry:
            cookie = page_kind.script_cookie(page.text)
            if cookie is not None and not request.meta.get(COOKIE_RETRIED):
                return self._ask_again_with(cookie, request)
        self._blocked(request, response, rule)
        raise BlockedPage(rule.kind, request.url)

    def _ask_again_with(self, cookie: page_kind.ScriptCookie, request: Request) -> Request:
        self.stats.inc_value("govcrawler/followed/js_cookie")
        logger.info(
            "Challenge stub at %s sets cookie %s in a script: asking once more with it",
            request.url,
            cookie.name,
        )
        retry = request.replace(
            cookies=[
                *(c for c in _cookie_list(request.cookies) if c.get("name") != cookie.name),
                {"name": cookie.name, "value": cookie.value, "path": cookie.path},
            ],
            dont_filter=True,
        )
        retry.meta[COOKIE_RETRIED] = True
        return retry

    def _blocked(self, request: Request, response: Response, rule: page_kind.PageRule) -> None:
        host = urlparse_cached(request).hostname or ""
        self.stats.inc_value(f"govcrawler/blocked/{rule.kind}")
        self.stats.inc_value(f"govcrawler/blocked_host/{host}/{rule.kind}")
        self.in_a_row += 1
        change = self.pace.slow_down(request, self.backoff, self.max_delay)
        pace = (
            f"; {change.host} now waits {change.after:.1f} s between requests"
            if change and change.after > change.before
            else ""
        )
        logger.warning(
            "Blocked (%s page) at %s: not exported, retried next run (rule %s, HTTP %d)%s",
            rule.kind,
            request.url,
            rule.name,
            response.status,
            pace,
        )
        if self.stop_after > 0 and self.in_a_row >= self.stop_after and not self.stopped:
            self._stop(host, rule.kind)

    def _stop(self, host: str, kind: str) -> None:
        spider = self.crawler.spider
        self.stopped = f"{self.in_a_row} pages in a row were blocked"
        self.stats.set_value("govcrawler/stopped", self.stopped)
        logger.error(
            "%s: stopping the crawl: %d pages in a row were blocked (the last a %s page from %s). "
            "The site is refusing the crawler; nothing more is requested in this run and the "
            "next run asks again for what was missed. Try later, slow down ([politeness] "
            "download_delay), or supply the site's cookies (GOVCRAWLER_COOKIES).",
            getattr(spider, "name", "?"),
            self.in_a_row,
            kind,
            host,
        )
        self.pace.stop(self.stopped)
        self._closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason="blocked"))


class BinaryBodyMiddleware:
    """A PDF, Word file or image that Scrapy took for text is handed on as a plain binary
    Response, so it is never decoded or parsed as HTML: the spider reports it as `not_html`.
    Scrapy guesses a page from the URL when the Content-Type is not a text type, so a PDF served
    as application/pdf at `…/t2026_1.html` arrives as an HtmlResponse; so does one labelled
    text/html. The bytes (page_kind.BINARY_SIGNATURES) or the declared type decide here.
    Counted as `govcrawler/binary/<kind>`."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> BinaryBodyMiddleware:
        return cls(crawler.stats)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if not isinstance(response, TextResponse):
            return response
        declared = content_type(response)
        kind = page_kind.binary_kind(response.body)
        if (
            kind is None
            and declared
            and not response.headers.get("Content-Encoding")
            and responsetypes.from_content_type(declared) is Response  # not a text type
        ):
            kind = declared.split(";")[0].strip().lower().rsplit("/", 1)[-1]
        if kind is None:
            return response
        if not request.meta.get(FILE_OF_META):  # an article's file is expected to be one
            self.stats.inc_value(f"govcrawler/binary/{kind}")
            logger.warning(
                "A %s file (Content-Type %s) at %s: not parsed as HTML",
                kind,
                declared or "none",
                request.url,
            )
        return Response(
            response.url,
            status=response.status,
            headers=response.headers,
            body=response.body,
            flags=response.flags,
            request=response.request,
            certificate=response.certificate,
            ip_address=response.ip_address,
            protocol=response.protocol,
        )


def parse_host_cookies(setting: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """GOVCRAWLER_COOKIES (`{"www.ccdi.gov.cn": "C3VK=e9cf61; other=1"}`) → cookies per host;
    ValueError naming the host for anything malformed."""
    parsed: dict[str, list[dict[str, str]]] = {}
    for host, header in setting.items():
        if not isinstance(header, str) or not host or "/" in host or ":" in host:
            raise ValueError(
                f"GOVCRAWLER_COOKIES: {host!r} must be a host name mapped to a Cookie header "
                '("NAME=value; NAME2=value2")'
            )
        cookies = []
        for pair in filter(None, (p.strip() for p in header.split(";"))):
            name, sep, value = pair.partition("=")
            if not sep or not name.strip():
                raise ValueError(f"GOVCRAWLER_COOKIES[{host!r}]: {pair!r} is not NAME=value")
            cookies.append({"name": name.strip(), "value": value.strip(), "path": "/"})
        parsed[host.lower().lstrip(".")] = cookies
    return parsed


class HostCookiesMiddleware:
    """Cookies an operator supplies per host (GOVCRAWLER_COOKIES; a host also covers its
    subdomains) go with every request to that host, through Scrapy's CookiesMiddleware (so
    COOKIES_ENABLED must stay on). For a site that only serves pages to a browser session."""

    def __init__(self, cookies: dict[str, list[dict[str, str]]]) -> None:
        self.cookies = cookies

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostCookiesMiddleware:
        cookies = parse_host_cookies(crawler.settings.getdict("GOVCRAWLER_COOKIES"))
        if not cookies:
            raise NotConfigured  # the usual case: no message, so Scrapy logs no warning
        return cls(cookies)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = (urlparse_cached(request).hostname or "").lower()
        supplied = [
            cookie
            for domain, cookies in self.cookies.items()
            if host_in(host, (domain,))
            for cookie in cookies
        ]
        if not supplied:
            return
        have = _cookie_list(request.cookies)
        names = {c.get("name") for c in have}
        missing: list[Any] = [c for c in supplied if c["name"] not in names]
        request.cookies = have + missing
