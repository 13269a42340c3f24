"""Bytes → text with Scrapy's own detection (w3lib: HTTP header, BOM, <meta>), hardened.

w3lib already reads GBK/GB2312 as GB18030. Government pages also lie: a page declared UTF-8 may be
GBK bytes. When the declared decoding produces replacement characters and GB18030 decodes the bytes
cleanly, GB18030 wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from w3lib.encoding import html_body_declared_encoding, html_to_unicode


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    replacements: int  # U+FFFD characters left in the text: a measure of decoding damage


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode a page as Scrapy would, then repair a wrong UTF-8 declaration."""
    encoding, text = html_to_unicode(
        content_type, body, auto_detect_fun=lambda b: "utf-8" if _strict(b, "utf-8") else None
    )
    bad = text.count("\ufffd")
    if bad and encoding.replace("-", "").lower() in {"utf8", "ascii", "cp1252", "latin1"}:
        for candidate in ("gb18030", "big5"):
            repaired = _strict(body, candidate)
            if repaired is not None:
                return Decoded(repaired, candidate, repaired.count("\ufffd"))
    return Decoded(text, encoding, bad)


def declared_encoding(body: bytes) -> str | None:
    """The encoding a page's own <meta> declares (None when it declares none)."""
    return html_body_declared_encoding(body)
