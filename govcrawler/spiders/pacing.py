"""A host's pace, changed through Scrapy's own downloader slot for that host (its `delay`), never
by sleeping: slower for the rest of the run after blocked pages, and paused once for `Retry-After`
(Scrapy 2.19's RetryMiddleware retries at once and ignores that header).

AutoThrottle adjusts the same `delay` after every response; the floors set here are re-applied
right after it (signal handlers run in connection order, and extensions connect first).
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


@dataclass
class _Pause:
    until: float  # monotonic time the pause ends
    set_to: float  # the delay the pause set
    delay: float  # the slot's delay and jitter before the pause
    jitter: float


@dataclass(frozen=True)
class PaceChange:
    host: str
    before: float
    after: float


class HostPace:
    """Per-host pace for one crawler (get it with `host_pace(crawler)`)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.floors: dict[str, float] = {}  # slot key → the least delay for the rest of the run
        self.pauses: dict[str, _Pause] = {}
        crawler.signals.connect(self._enforce, signal=signals.request_reached_downloader)
        crawler.signals.connect(self._enforce, signal=signals.response_downloaded)

    def _slot(self, request: Request) -> tuple[str, Any]:
        downloader = self.crawler.engine.downloader
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def slow_down(self, request: Request, factor: float, ceiling: float) -> PaceChange | None:
        """Multiply the host's delay by `factor` (at most `ceiling` s) for the rest of the run."""
        key, slot = self._slot(request)
        if slot is None:
            return None
        pause = self.pauses.get(key)
        before = max(self.floors.get(key, 0.0), pause.delay if pause else slot.delay)
        after = max(before, min(before * factor, ceiling))
        self.floors[key] = after
        if pause is None:
            slot.delay = after
        else:  # paused for Retry-After: the slower pace starts when the pause ends
            pause.delay = after
            slot.delay = pause.set_to = max(slot.delay, after)
        return PaceChange(urlparse_cached(request).hostname or key, before, after)

    def pause(self, request: Request, seconds: float) -> None:
        """Send nothing more to the host for `seconds` from now, then go back to its pace."""
        key, slot = self._slot(request)
        if slot is None or seconds <= 0:
            return
        previous = self.pauses.pop(key, None)
        delay, jitter = (previous.delay, previous.jitter) if previous else (slot.delay, slot.jitter)
        # The slot counts its delay from when the last request started, not from now.
        wanted = seconds + max(0.0, monotonic() - slot.lastseen)
        slot.delay, slot.jitter = max(delay, wanted), 0.0
        self.pauses[key] = _Pause(monotonic() + seconds, slot.delay, delay, jitter)

    def _enforce(self, request: Request, spider: Spider | None = None, **_: Any) -> None:
        key, slot = self._slot(request)
        if slot is None:
            return
        pause = self.pauses.get(key)
        if pause is not None and monotonic() >= pause.until:
            del self.pauses[key]
            if slot.delay == pause.set_to:  # nobody (AutoThrottle) changed it meanwhile
                slot.delay, slot.jitter = pause.delay, pause.jitter
            pause = None
        floor = self.floors.get(key)
        if pause is None and floor is not None and slot.delay < floor:
            slot.delay = floor


_PACES: weakref.WeakKeyDictionary[Any, HostPace] = weakref.WeakKeyDictionary()


def host_pace(crawler: Any) -> HostPace:
    """The crawler's one HostPace (shared by the middlewares that change a host's pace)."""
    pace = _PACES.get(crawler)
    if pace is None:
        pace = _PACES[crawler] = HostPace(crawler)
    return pace


def retry_after_seconds(value: str, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delay-seconds or an HTTP-date; RFC 9110 §10.2.3);
    None when it is neither."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Honours `Retry-After` on the statuses RetryMiddleware retries (429, 503, …): the host is
    paused that long through its download slot, so the retry (and everything else for that host)
    waits. A wait longer than GOVCRAWLER_RETRY_AFTER_MAX is not retried in this run: the article
    stays pending and the next run asks again. Sits just below HttpCompression and above
    RetryMiddleware (550), so it sees the answer before the retry is made."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is off")
        self.crawler = crawler
        self.statuses = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.longest = settings.getfloat("GOVCRAWLER_RETRY_AFTER_MAX", 120.0)
        self.pace = host_pace(crawler)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        header = response.headers.get("Retry-After")
        if not header or response.status not in self.statuses or request.meta.get("dont_retry"):
            return response
        seconds = retry_after_seconds(header.decode("latin-1"))
        if seconds is None:
            return response
        stats = self.crawler.stats
        if seconds > self.longest:
            stats.inc_value("govcrawler/retry_after/too_long")
            logger.warning(
                "HTTP %d at %s asks to come back in %.0f s (Retry-After), more than "
                "GOVCRAWLER_RETRY_AFTER_MAX (%.0f s): not retried in this run, asked again next run",
                response.status,
                request.url,
                seconds,
                self.longest,
            )
            request.meta["dont_retry"] = True
            return response
        self.pace.pause(request, seconds)
        stats.inc_value("govcrawler/retry_after/honoured")
        logger.info(
            "HTTP %d at %s asks to retry after %.1f s (Retry-After): %s waits that long",
            response.status,
            request.url,
            seconds,
            urlparse_cached(request).hostname,
        )
        return response
