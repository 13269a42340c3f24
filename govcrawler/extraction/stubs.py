"""Redirect stubs: tiny pages whose only job is to send the browser to the real page.

Two kinds are seen on provincial sites (SITES.md §3–4):
- 辽宁 2018: list links that lead to a `<meta http-equiv="refresh" content="0; url=…">` page
  (Scrapy's MetaRefreshMiddleware follows those; `meta_refresh_target` is the same w3lib parser);
- 山西 2018: a small gb2312 page whose one script does `self.location="…"` (a "shield"; the 2018
  SC crawler simply followed the location and got the article).

A *plain* JS redirect stub (a literal target, no cookie computed in JS, nothing obfuscated) is safe
to follow once: following it solves nothing, it is what any browser does on arrival. Anything
more (CCDI's `C3VK=…; max-age` cookie stub, Jiasule's `__jsl_clearance`, `\\x..`-obfuscated code)
stays a `challenge` that is counted and never followed.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from w3lib.html import get_meta_refresh

from govcrawler.extraction.page_kind import SMALL_PAGE, visible_text

_LOCATION_RE = re.compile(
    r"(?:\b(?:self|window|top|document)\.)?\blocation(?:\.href)?\s*=\s*([\"'])(?P<a>[^\"'<>\s]+)\1"
    r"|\blocation\.replace\(\s*([\"'])(?P<b>[^\"'<>\s]+)\3\s*\)",
)
_SCRIPT_RE = re.compile(r"<script\b[^>]*>(.*?)</script>", re.I | re.S)
# What makes a stub a real challenge: a cookie set or computed in JS, obfuscation, a captcha.
_NOT_PLAIN_RE = re.compile(
    r"\.cookie\s*=|__jsl_clearance|\\x[0-9a-f]{2}|\beval\s*\(|\bwindow\s*\[|document\s*\[|"
    r"captcha",
    re.I,
)
MAX_STUB_TEXT = 200  # visible characters: a stub says at most "正在跳转…"


def js_redirect_target(html: str, url: str) -> str | None:
    """The absolute target of a plain JS redirect stub (山西's `self.location="…"`), else None."""
    if len(html) >= SMALL_PAGE or len(visible_text(html)) >= MAX_STUB_TEXT:
        return None
    scripts = _SCRIPT_RE.findall(html)
    code = "\n".join(scripts)
    if not code.strip() or _NOT_PLAIN_RE.search(code):
        return None
    targets = {m["a"] or m["b"] for m in _LOCATION_RE.finditer(code)}
    if len(targets) != 1:
        return None
    target = urljoin(url, targets.pop())
    return target if urlsplit(target).scheme in ("http", "https") else None


def meta_refresh_target(html: str, url: str) -> str | None:
    """The target of a `<meta http-equiv="refresh" content="0; url=…">` page (辽宁's list-link
    stubs), parsed exactly as Scrapy's MetaRefreshMiddleware does; None when there is none."""
    _, target = get_meta_refresh(html[:4096], url, ignore_tags=("script", "noscript"))
    return target


def redirect_target(html: str, url: str) -> str | None:
    """Where a stub page sends the crawler (meta refresh first, then a plain JS location)."""
    return meta_refresh_target(html, url) or js_redirect_target(html, url)
