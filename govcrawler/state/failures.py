"""What kind of failure a reason is, in the words the summary, the manifest and the exit code use.

Reasons are the short names spiders/faults.py and the spider give a failed request or page
(`dns`, `timeout`, `captcha`, `http_503`, `not_html`, `error:ValueError` …). Their class tells
an operator where to look: `network` (this machine's connection: DNS, refused, timeout, reset,
TLS), `blocked` (the site refuses the crawler: challenge, captcha), `http` (the site answered
with an error, a redirect loop, another domain), `drift` (the page came but the profile found
nothing on it: the site changed), `error` (govcrawler raised: a bug or a page it cannot handle),
`content` (the answer is not an article: a PDF, an empty page …).
"""

from __future__ import annotations

NETWORK_REASONS = frozenset(
    {"dns", "connection_refused", "timeout", "connection_lost", "truncated", "tls"}
)
BLOCKED_REASONS = frozenset({"challenge", "captcha", "site_stopped"})
HTTP_REASONS = frozenset(
    {"redirect_loop", "too_many_redirects", "offsite", "too_large", "robots", "ignored"}
)
ERROR_PREFIX = "error:"


def failure_class(reason: str) -> str:
    """The class of a failure reason (see the module docstring)."""
    if reason in NETWORK_REASONS:
        return "network"
    if reason in BLOCKED_REASONS:
        return "blocked"
    if reason.startswith("http_") or reason in HTTP_REASONS:
        return "http"
    if reason == "drift":
        return "drift"
    if reason.startswith(ERROR_PREFIX) or reason in {"write", "invalid_record"}:
        return "error"
    return "content"


def error_reason(error: BaseException) -> str:
    """The reason recorded when govcrawler itself raised on a page (`error:ValueError`)."""
    return f"{ERROR_PREFIX}{type(error).__name__}"
