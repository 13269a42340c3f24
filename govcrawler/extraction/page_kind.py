"""Is this response an article-bearing page at all? Challenge stubs and captcha pages are not.

The recognition rules are data (`RULES`, first match wins); each row names the kind of page it
finds and where it was seen (SITES.md §2, §4): CCDI's JS-cookie stub (a ~1 KB page whose script
sets `NAME=value; max-age=…` and reloads, 2022–25), the Jiasule `__jsl_clearance` 521 page (2015),
山西's gb2312 `self.location=` redirect shield (2018), and CCDI's slider captcha page
(`captchaPage`, `seccaptcha.haplat.net`, `comImageValidate`, 2025–26). `BINARY_SIGNATURES` says
which bodies are documents, not HTML, whatever their Content-Type claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from govcrawler.cleaning.script import to_simplified

CHALLENGE = "challenge"
CAPTCHA = "captcha"
EMPTY = "empty"
#: Kinds of page that mean "the site refused us" (counted as blocked, never retried at once).
BLOCKED_KINDS = (CHALLENGE, CAPTCHA)

SMALL_PAGE = 4000  # characters of markup: a stub that only runs a script is far smaller than a page
STUB_TEXT = 200  # visible characters: a stub says at most "正在跳转…"

_COOKIE_SCRIPT_RE = re.compile(r"\.cookie\s*=|__jsl_clearance|document\[[^\]]+\]\s*=", re.I)
_REDIRECT_SCRIPT_RE = re.compile(
    r"(self|window|top|document)\.location(\.href)?\s*=|location\.(replace|reload)\(|window\.open\(",
    re.I,
)
_ANY_SCRIPT_RE = re.compile(r"<script\b", re.I)
_TAG_RE = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.I | re.S)


@dataclass(frozen=True)
class PageRule:
    """One row of RULES: a page matching every condition given is of this `kind`."""

    name: str
    kind: str  # captcha | challenge | empty
    markers: tuple[str, ...] = ()  # one of these strings occurs in the markup
    script: re.Pattern[str] | None = None  # the markup matches this (a script doing something)
    text: tuple[str, ...] = ()  # the visible text (folded to simplified script) contains one
    statuses: frozenset[int] = frozenset()  # only at these HTTP statuses (empty: any status)
    markup_under: int | None = None  # only pages with fewer characters of markup than this
    text_under: int | None = None  # … and fewer visible characters than this

    def matches(self, page: _Page) -> bool:
        return (
            (not self.statuses or page.status in self.statuses)
            and (self.markup_under is None or len(page.html) < self.markup_under)
            and (self.text_under is None or len(page.text) < self.text_under)
            and (not self.markers or any(m in page.html for m in self.markers))
            and (self.script is None or self.script.search(page.html) is not None)
            and (not self.text or any(t in page.simplified_text for t in self.text))
        )


RULES: tuple[PageRule, ...] = (
    # CCDI's slider captcha page (2025–26): its widget names, wherever they occur.
    PageRule("captcha_widget", CAPTCHA, markers=("captchaPage", "seccaptcha", "comImageValidate")),
    # A tiny page whose script sets a cookie (CCDI 2022–25 `C3VK=…`, Jiasule 2015) …
    PageRule(
        "js_cookie_stub",
        CHALLENGE,
        script=_COOKIE_SCRIPT_RE,
        markup_under=SMALL_PAGE,
        text_under=STUB_TEXT,
    ),
    # … or only sends the browser elsewhere (山西's shield, 2018; followed once when it is plain,
    # spiders/redirects.py, so reaching this rule means it was not).
    PageRule(
        "js_location_stub",
        CHALLENGE,
        script=_REDIRECT_SCRIPT_RE,
        markup_under=SMALL_PAGE,
        text_under=STUB_TEXT,
    ),
    # Anti-bot answers by status: 412 (script-heavy challenge pages of any size), 420 (CCDI's
    # answer to concurrent fetches, 2021-12), 521 (Jiasule, 2015), 403 (WAF) — with a script and
    # next to no text. A plain "403 Forbidden" page without a script is an HTTP error instead.
    PageRule(
        "status_challenge",
        CHALLENGE,
        statuses=frozenset({403, 412, 420, 521}),
        script=_ANY_SCRIPT_RE,
        text_under=STUB_TEXT,
    ),
    PageRule("blank", EMPTY, markup_under=SMALL_PAGE, text_under=1),
    # A page whose main text is only a captcha prompt (请输入验证码 / 請輸入驗證碼).
    PageRule("captcha_prompt", CAPTCHA, text=("请输入验证码",), text_under=300),
)

#: Leading bytes of documents that are not HTML (a PDF or Word file served as an "article").
BINARY_SIGNATURES: tuple[tuple[str, bytes], ...] = (
    ("pdf", b"%PDF-"),
    ("ole", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),  # .doc/.xls/.ppt (OLE2 compound file)
    ("zip", b"PK\x03\x04"),  # .docx/.xlsx/.odt, or a .zip
    ("png", b"\x89PNG\r\n\x1a\n"),
    ("jpeg", b"\xff\xd8\xff"),
    ("gif", b"GIF8"),
    ("gzip", b"\x1f\x8b"),  # compressed bytes with no Content-Encoding that says so
)


class _Page:
    """The markup with its visible text computed once, on demand."""

    def __init__(self, html: str, status: int) -> None:
        self.html, self.status = html, status

    @cached_property
    def text(self) -> str:
        return visible_text(self.html)

    @cached_property
    def simplified_text(self) -> str:
        return to_simplified(self.text)


def visible_text(html: str) -> str:
    """Crude visible text (scripts/styles/tags dropped): enough to judge a stub page."""
    return re.sub(r"\s+", " ", _TAG_RE.sub(" ", html)).strip()


def matching_rule(html: str, status: int = 200) -> PageRule | None:
    """The first rule of RULES the page matches (None: it looks like a real page)."""
    page = _Page(html, status)
    return next((rule for rule in RULES if rule.matches(page)), None)


def rejection_reason(html: str, status: int = 200) -> str | None:
    """`captcha`, `challenge`, `empty` or None (looks like a real page)."""
    rule = matching_rule(html, status)
    return rule.kind if rule else None


def binary_kind(body: bytes) -> str | None:
    """`pdf`, `ole`, `zip`, `png`, … when the bytes are a document or image, not HTML."""
    head = body[:1024].lstrip()
    for kind, signature in BINARY_SIGNATURES:
        if head.startswith(signature):
            return kind
    return "pdf" if b"%PDF-" in head else None  # a PDF may carry junk before its header


# `document.cookie = "NAME=value; path=/; max-age=300"` as one plain string literal, ending the
# statement (not concatenated or computed: Jiasule's `('_')+('_')+…` is not a literal).
_COOKIE_LITERAL_RE = re.compile(
    r"""\.cookie\s*=\s*(?P<q>["'])(?P<cookie>[^"'\\]+)(?P=q)\s*(?:;|<|\n|$|,)""", re.I
)
_COOKIE_ASSIGNMENT_RE = re.compile(r"\.cookie\s*=", re.I)
_COOKIE_NAME_RE = re.compile(r"^[A-Za-z0-9_.!#$%&'*+^`|~-]+$")
_COOKIE_VALUE_RE = re.compile(r"^[A-Za-z0-9_.!#$%&'*+^`|~/:?=@-]*$")


@dataclass(frozen=True)
class ScriptCookie:
    """A cookie a challenge stub sets as a literal (CCDI 2022–25: `C3VK=e9cf61; path=/`)."""

    name: str
    value: str
    path: str = "/"


def script_cookie(html: str) -> ScriptCookie | None:
    """The one cookie a stub's script assigns as a plain string literal, else None.

    Reading a literal is all this does: nothing is evaluated, nothing obfuscated is decoded, and
    a page that sets several different cookies, or computes one, gives None.
    """
    found = {m["cookie"] for m in _COOKIE_LITERAL_RE.finditer(html)}
    if len(found) != 1 or len(_COOKIE_ASSIGNMENT_RE.findall(html)) != 1:
        return None
    pair, *attributes = (part.strip() for part in found.pop().split(";"))
    name, sep, value = pair.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not _COOKIE_NAME_RE.match(name) or not _COOKIE_VALUE_RE.match(value):
        return None
    path = "/"
    for attribute in attributes:
        key, _, val = attribute.partition("=")
        if key.strip().lower() == "path" and val.strip().startswith("/"):
            path = val.strip()
    return ScriptCookie(name, value, path)
