"""Is this response an article-bearing page at all? Challenge stubs and captcha pages are not.

Markers seen on the real sites (SITES.md §2, §4): CCDI's JS-cookie stub (a ~1 KB page whose script
sets `NAME=value; max-age=…` and reloads, 2022–25), the Jiasule `__jsl_clearance` 521 page (2015),
山西's gb2312 `self.location=` redirect shield (2018), and CCDI's slider captcha page (`captchaPage`,
`seccaptcha.haplat.net`, `comImageValidate`, 2025–26).
"""

from __future__ import annotations

import re

from govcrawler.cleaning.script import to_simplified

CHALLENGE = "challenge"
CAPTCHA = "captcha"
EMPTY = "empty"

_CAPTCHA_MARKERS = ("captchaPage", "seccaptcha", "comImageValidate")
_COOKIE_SCRIPT_RE = re.compile(r"\.cookie\s*=|__jsl_clearance|document\[[^\]]+\]\s*=", re.I)
_REDIRECT_SCRIPT_RE = re.compile(
    r"(self|window|top|document)\.location(\.href)?\s*=|location\.(replace|reload)\(|window\.open\(",
    re.I,
)
_TAG_RE = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.I | re.S)
SMALL_PAGE = 4000  # bytes of markup: a stub that only runs a script is far smaller than a page


def visible_text(html: str) -> str:
    """Crude visible text (scripts/styles/tags dropped): enough to judge a stub page."""
    return re.sub(r"\s+", " ", _TAG_RE.sub(" ", html)).strip()


def rejection_reason(html: str) -> str | None:
    """`captcha`, `challenge`, `empty` or None (looks like a real page)."""
    if any(marker in html for marker in _CAPTCHA_MARKERS):
        return CAPTCHA
    text = visible_text(html)
    if len(html) < SMALL_PAGE and len(text) < 200:
        if _COOKIE_SCRIPT_RE.search(html) or _REDIRECT_SCRIPT_RE.search(html):
            return CHALLENGE
        if not text:
            return EMPTY
    # A page whose main text is only a captcha prompt (请输入验证码 / 請輸入驗證碼).
    if len(text) < 300 and "请输入验证码" in to_simplified(text):
        return CAPTCHA
    return None
