"""A spider callback that raises loses nothing: the spider middleware hands the error to the
spider's `callback_failed` (the article stays pending with `error:<Type>` as its reason, counted
and asked for again next run; a list page ends its column's walk with that reason), then lets
Scrapy log the traceback and count it (`spider_exceptions/…`), so the run reports it and fails."""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.http import Response


class CallbackErrorMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> CallbackErrorMiddleware:
        return cls(crawler)

    def process_spider_exception(
        self, response: Response, exception: BaseException, spider: Spider | None = None
    ) -> None:
        handler = getattr(self.crawler.spider, "callback_failed", None)
        if handler is not None:
            handler(response, exception)
