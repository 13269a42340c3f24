"""What went wrong with a request, in words the manifest, the log and the ledger's pending list
use: (outcome, reason), e.g. ("failed", "timeout"), ("blocked", "captcha"), ("skipped", "offsite").

The errors are Scrapy 2.19's own download exceptions (its HTTP handler wraps Twisted's) and the
ones govcrawler's middlewares raise; anything else is named by its type.
"""

from __future__ import annotations

import re

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionDone, ConnectionLost

from govcrawler.spiders.domains import Offsite, RedirectLoop
from govcrawler.spiders.middlewares import BlockedPage
from govcrawler.spiders.pacing import SiteStopped
from govcrawler.state.failures import error_reason

_TLS_RE = re.compile(r"SSL|TLS|certificate|handshake", re.I)
_NETWORK: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    (DownloadTimeoutError, "timeout"),  # DOWNLOAD_TIMEOUT, also a server that drips bytes
    (ResponseDataLossError, "truncated"),  # fewer bytes than Content-Length said
    (DownloadConnectionRefusedError, "connection_refused"),
    (CannotResolveHostError, "dns"),
    ((DownloadFailedError, ConnectionLost, ConnectionDone), "connection_lost"),  # a reset
)


def failure_reason(error: BaseException) -> tuple[str, str] | None:
    """(outcome, reason) for the errors govcrawler knows; None for any other."""
    if isinstance(error, BlockedPage):
        return "blocked", error.reason
    if isinstance(error, SiteStopped):
        return "failed", "site_stopped"
    if isinstance(error, Offsite):
        return "skipped", "offsite"
    if isinstance(error, RedirectLoop):
        return "failed", "redirect_loop"
    if isinstance(error, IgnoreRequest) and "max redirections" in str(error):
        return "failed", "too_many_redirects"
    if isinstance(error, DownloadFailedError) and _TLS_RE.search(f"{error} {error.__cause__}"):
        return "failed", "tls"
    if isinstance(error, DownloadCancelledError):
        # Scrapy's HTTP handler cancels a download only past DOWNLOAD_MAXSIZE (declared or
        # received; it logs "… larger than download max size"); its timeout is another error.
        return "failed", "too_large"
    for kinds, reason in _NETWORK:
        if isinstance(error, kinds):
            return "failed", reason
    return None


def failure_outcome(error: BaseException) -> tuple[str, str]:
    """(outcome, reason) of any request error: blocked page, HTTP error, robots.txt, network, or
    the error's type name."""
    known = failure_reason(error)
    if known is not None:
        return known
    if isinstance(error, HttpError):
        return "failed", f"http_{error.response.status}"
    if isinstance(error, IgnoreRequest):
        return "skipped", "robots" if "robots.txt" in str(error) else "ignored"
    return "failed", error_reason(error)
