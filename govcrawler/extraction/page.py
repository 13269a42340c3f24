"""An answer read once: its bytes decoded (extraction/decode.py) and classified by the page rules
(extraction/page_kind.py). Every later step — the blocked-page check, the JS-stub follower, list
parsing, the record builder — reads this one Page instead of decoding and classifying again."""

from __future__ import annotations

from dataclasses import dataclass

from govcrawler.extraction import page_kind
from govcrawler.extraction.decode import Decoded, decode_html


@dataclass(frozen=True)
class Page:
    decoded: Decoded
    rule: page_kind.PageRule | None  # the first page rule it matches; None: a real page

    @property
    def text(self) -> str:
        return self.decoded.text

    @property
    def kind(self) -> str | None:
        """challenge, captcha, empty … (page_kind), or None for a page that looks real."""
        return self.rule.kind if self.rule else None


def read_page(body: bytes, content_type: str | None = None, status: int = 200) -> Page:
    decoded = decode_html(body, content_type)
    return Page(decoded, page_kind.matching_rule(decoded.text, status))
