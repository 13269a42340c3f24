"""Downloader middlewares for redirect stubs (extraction/stubs.py), built on Scrapy's own redirect
middlewares through their public `process_response` (redirect_urls/redirect_reasons meta,
REDIRECT_MAX_TIMES, header and Referer handling all stay Scrapy's)."""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.http import Headers, Response, TextResponse

from govcrawler.extraction.stubs import js_redirect_target
from govcrawler.spiders.page_response import page_of

logger = logging.getLogger(__name__)

JS_FOLLOWED = "govcrawler_js_redirected"  # request meta: this request came from a JS stub


class CountingMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware, counting each stub it follows (辽宁's list links lead to
    `<meta http-equiv="refresh" content="0; url=…">` pages, 2018) as
    `govcrawler/followed/meta_refresh`. (`spider` is never passed: Scrapy ≥ 2.13 style.)"""

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            self.crawler.stats.inc_value("govcrawler/followed/meta_refresh")
            logger.info("Meta-refresh stub at %s leads to %s", request.url, result.url)
        return result


class JsRedirectMiddleware(RedirectMiddleware):
    """Follows a *plain* JS redirect stub (山西 2018: a gb2312 page doing `self.location="…"`)
    once, counted as `govcrawler/followed/js_redirect`: the stub is handed to Scrapy's
    RedirectMiddleware as the 302 to its target that it stands for.

    Once: if the followed URL answers with a stub again, the page is a real challenge, and
    BlockedPageMiddleware counts and drops it. The followed request bypasses the duplicate filter,
    because a shield may send the crawler back to the very URL it asked for (with a cookie set).
    Enabled by GOVCRAWLER_JS_REDIRECT_ENABLED (default True).
    """

    enabled_setting = "GOVCRAWLER_JS_REDIRECT_ENABLED"
    REASON = "js location"

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if (
            request.meta.get("dont_redirect")
            or request.meta.get(JS_FOLLOWED)
            or not isinstance(response, TextResponse)
            or request.url.endswith("/robots.txt")
        ):
            return response
        target = js_redirect_target(page_of(response).text, response.url)
        if target is None:
            return response
        stub = response.replace(status=302, headers=Headers({"Location": target}))
        followed = super().process_response(request, stub)
        if not isinstance(followed, Request):
            return response
        followed.meta[JS_FOLLOWED] = True
        followed.meta["redirect_reasons"][-1] = self.REASON
        followed.dont_filter = True
        self.crawler.stats.inc_value("govcrawler/followed/js_redirect")
        logger.info("JS redirect stub at %s leads to %s (followed once)", request.url, target)
        return followed
