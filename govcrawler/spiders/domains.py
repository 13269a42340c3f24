"""Nothing a page says can take the crawler outside the profile's domains, and no redirect loop
is lost in silence.

Scrapy 2.19's OffsiteMiddleware lets a request through when it has `dont_filter` (every retried
request has it, a redirect inherits it, the JS stub follow sets it), and it drops an offsite
redirect at scheduling time without calling the request's errback, so the article would vanish
uncounted. The same happens to a redirect back to a URL already fetched (the duplicate filter
drops it). Here every redirect — HTTP 3xx, meta refresh, plain JS stub — is checked when it is
made, and refused with an error the spider's errback counts and the ledger keeps pending; and a
last check before any download refuses an offsite request whatever its flags.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from govcrawler.archive.warc_middleware import FILE_OF_META
from govcrawler.extraction.urls import dedup_key
from govcrawler.sites import host_in
from govcrawler.spiders.redirects import CountingMetaRefreshMiddleware, JsRedirectMiddleware

logger = logging.getLogger(__name__)

REVISITED = "govcrawler_redirect_revisited"  # request meta: this chain went back to a URL once


class Offsite(IgnoreRequest):
    """A request or redirect to a host outside the profile's domains."""


class RedirectLoop(IgnoreRequest):
    """A redirect chain that keeps coming back to the same URLs."""


def host_allowed(url: str, domains: list[str] | tuple[str, ...]) -> bool:
    """The URL's host is one of `domains` or a subdomain of one (no domains: anything goes,
    as with Scrapy's OffsiteMiddleware)."""
    if not domains:
        return True
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # a malformed authority (bad IPv6 literal, port)
        return False
    return host_in(host, [d.lower() for d in domains])


def spider_domains(crawler: Any) -> list[str]:
    return list(getattr(crawler.spider, "allowed_domains", None) or [])


def request_domains(crawler: Any, request: Request) -> list[str]:
    """Where `request` may go: the spider's domains, and for a file of an article
    (spiders/files.py) also the profile's known file hosts (`[files] hosts`)."""
    domains = spider_domains(crawler)
    profile = getattr(crawler.spider, "profile", None)
    if domains and profile is not None and request.meta.get(FILE_OF_META):
        domains += list(profile.files.hosts)
    return domains


class AllowedDomainsMiddleware:
    """The last word before a download: a request outside the spider's `allowed_domains` is
    refused even with `dont_filter` or `allow_offsite` (counted `govcrawler/offsite/request`)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> AllowedDomainsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if host_allowed(request.url, request_domains(self.crawler, request)):
            return
        self.crawler.stats.inc_value("govcrawler/offsite/request")
        logger.warning("Not requesting %s: outside the site's domains", request.url)
        raise Offsite(f"outside the site's domains: {request.url}")


class GuardedRedirect:
    """Checks every redirect a redirect middleware makes (mixed in before it, through its public
    `process_response`): another domain → Offsite; back to a URL of its own chain → followed once
    more past the duplicate filter (a server that sets a cookie and sends the crawler back, as a
    browser would complete), a second time → RedirectLoop."""

    crawler: Any

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        followed = super().process_response(request, response)  # type: ignore[misc]
        if isinstance(followed, Request) and followed.meta.get("redirect_urls"):
            return self.guard(request, followed)
        assert isinstance(followed, Request | Response)
        return followed

    def guard(self, request: Request, followed: Request) -> Request:
        stats = self.crawler.stats
        reason = (followed.meta.get("redirect_reasons") or ["redirect"])[-1]
        if not host_allowed(followed.url, request_domains(self.crawler, followed)):
            stats.inc_value("govcrawler/offsite/redirect")
            logger.warning(
                "Not following a redirect (%s) from %s to %s: outside the site's domains",
                reason,
                request.url,
                followed.url,
            )
            raise Offsite(f"redirect outside the site's domains: {followed.url}")
        chain = {dedup_key(u) for u in followed.meta["redirect_urls"]}
        back = dedup_key(followed.url) in chain
        if back and request.meta.get(REVISITED):
            stats.inc_value("govcrawler/redirect/loop")
            logger.warning(
                "Redirect loop at %s (%s → %s): not followed",
                followed.meta["redirect_urls"][0],
                request.url,
                followed.url,
            )
            raise RedirectLoop(f"redirect loop back to {followed.url}")
        if back:
            followed.meta[REVISITED] = True
            followed.dont_filter = True
        return followed


class GuardedRedirectMiddleware(GuardedRedirect, RedirectMiddleware):
    """Scrapy's RedirectMiddleware (HTTP 3xx), guarded."""


class GuardedMetaRefreshMiddleware(GuardedRedirect, CountingMetaRefreshMiddleware):
    """The counting meta-refresh follower (spiders/redirects.py), guarded."""


class GuardedJsRedirectMiddleware(GuardedRedirect, JsRedirectMiddleware):
    """The plain JS stub follower (spiders/redirects.py), guarded."""
