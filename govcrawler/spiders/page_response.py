"""Each HTML answer is decoded and classified once, right after Scrapy has decompressed it: the
PageMiddleware turns it into a PageResponse carrying its Page (extraction/page.py), which the
blocked-page check, the JS-stub follower and the spider read (`page_of`) instead of decoding
again. `response.text` is the Page's text, so Scrapy selectors see the same decoding."""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response, TextResponse

from govcrawler.extraction.page import Page, read_page


class PageResponse(HtmlResponse):
    """An HtmlResponse with its Page (Scrapy's `attributes` carry it through `replace`)."""

    attributes: tuple[str, ...] = (*HtmlResponse.attributes, "page")

    def __init__(self, *args: Any, page: Page, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page = page

    @property
    def text(self) -> str:
        return self.page.text


def header(response: Response, name: str) -> str | None:
    """A response header's first value as text (headers are bytes; latin-1 keeps every byte)."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def content_type(response: Response) -> str | None:
    return header(response, "Content-Type")


def page_of(response: TextResponse) -> Page:
    """The answer's Page: the one PageMiddleware made, or read now (other text responses)."""
    if isinstance(response, PageResponse):
        return response.page
    return read_page(response.body, content_type(response), response.status)


class PageMiddleware:
    """Below HttpCompression (590) and BinaryBodyMiddleware (588): sees the decompressed HTML."""

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if not isinstance(response, HtmlResponse) or isinstance(response, PageResponse):
            return response
        page = read_page(response.body, content_type(response), response.status)
        return response.replace(cls=PageResponse, page=page, encoding=page.decoded.encoding)
