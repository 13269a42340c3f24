"""Bytes → text as a browser would: Scrapy's own detection (w3lib: BOM, HTTP header, <meta>),
then validation of what was declared.

w3lib already reads GBK/GB2312 as GB18030. Pages also lie about their encoding, both ways:
- declared GBK, EUC-JP … on UTF-8 bytes: the declared encoding fails on the bytes while UTF-8
  reads them strictly, so UTF-8 wins (and `Decoded.repaired` says so);
- declared UTF-8 (or Latin-1) on GBK bytes: GB18030 (then Big5) wins when it reads them strictly.
A page is never given up for a wrong label; the raw bytes stay in the WARC either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from w3lib.encoding import html_body_declared_encoding, html_to_unicode


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    replacements: int  # U+FFFD characters left in the text: a measure of decoding damage
    repaired: str | None = None  # why the declared encoding was overruled, when it was


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode a page as a browser would, then overrule a declaration the bytes contradict."""
    encoding, text = html_to_unicode(
        content_type, body, auto_detect_fun=lambda b: "utf-8" if _strict(b, "utf-8") else None
    )
    bad = text.count("\ufffd")
    if not bad or _strict(body, encoding) is not None:
        return Decoded(text, encoding, bad)  # clean, or the page really holds U+FFFD
    utf8 = _strict(body, "utf-8-sig")
    if utf8 is not None:
        return Decoded(utf8, "utf-8", utf8.count("\ufffd"), f"declared {encoding}, bytes are UTF-8")
    if encoding.replace("-", "").lower() in {"utf8", "ascii", "cp1252", "latin1"}:
        for candidate in ("gb18030", "big5"):
            repaired = _strict(body, candidate)
            if repaired is not None:
                return Decoded(
                    repaired,
                    candidate,
                    repaired.count("\ufffd"),
                    f"declared {encoding}, bytes are {candidate}",
                )
    return Decoded(text, encoding, bad)


def declared_encoding(body: bytes) -> str | None:
    """The encoding a page's own <meta> declares (None when it declares none)."""
    return html_body_declared_encoding(body)
