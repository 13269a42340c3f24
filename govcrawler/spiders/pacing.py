"""A host's pace beyond Scrapy's own download delay: slower for the rest of the run after blocked
pages, paused for `Retry-After` (Scrapy 2.19's RetryMiddleware retries at once and ignores that
header), and stopped altogether when the site is refusing the crawler.

Scrapy's downloader slot keeps spacing requests by DOWNLOAD_DELAY and AutoThrottle; nothing here
touches it. Instead the HostGateMiddleware, the last downloader middleware before the download,
holds each request until its host may be asked again: at most the host's concurrency in flight,
none before a pause ends, and after a slow-down at least `floor` seconds between the end of one
answer and the next request. Requests waiting at the gate are not yet in a slot, so stopping a
site fails them (their errbacks count them) instead of sending them.

HostSchedule is the pure bookkeeping (tested with a fake clock); HostPace is the Scrapy extension
that owns it for one crawler; the middlewares reach it with `crawler.get_extension(HostPace)`.
Workers sharing a frontier also share a HostLimiter (spiders/frontier.py): a request passes the
gate only once the limiter grants its host, at most once per delay whatever the number of workers.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import Any, Protocol

from scrapy import Request, Spider, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from govcrawler.spiders.slots import slot_delay

logger = logging.getLogger(__name__)

GATE_META = "govcrawler_gate"  # request meta: the host whose gate the request passed


class HostLimiter(Protocol):
    """A host's pace shared beyond this crawler (spiders/frontier.py: one Redis for all workers)."""

    def wait(self, host: str, spacing: float) -> float:
        """0: the host is granted now (the next grant comes `spacing` s later at the earliest);
        > 0: seconds until it may be asked."""


class SiteStopped(IgnoreRequest):
    """Not requested: the site's crawl was stopped after too many blocked pages in a row."""


@dataclass(frozen=True)
class PaceChange:
    host: str
    before: float
    after: float


@dataclass
class _Host:
    in_flight: int = 0
    floor: float = 0.0  # least seconds from one answer to the next request (0: none)
    ready_at: float = 0.0  # the last answer's time + floor
    paused_until: float = 0.0


@dataclass
class HostSchedule:
    """When may a request go to a host? Pure bookkeeping over a clock the caller passes in."""

    concurrency: int = 1
    hosts: dict[str, _Host] = field(default_factory=lambda: defaultdict(_Host))

    def wait(self, host: str, now: float) -> float | None:
        """0: go now; > 0: seconds until the host's time comes; None: wait for an answer (the
        host has `concurrency` requests in flight)."""
        state = self.hosts[host]
        until = max(state.paused_until, state.ready_at)
        if until > now:
            return until - now
        return 0.0 if state.in_flight < self.concurrency else None

    def started(self, host: str) -> None:
        self.hosts[host].in_flight += 1

    def answered(self, host: str, now: float) -> None:
        state = self.hosts[host]
        state.in_flight = max(0, state.in_flight - 1)
        if state.floor:
            state.ready_at = max(state.ready_at, now + state.floor)

    def slow_down(self, host: str, current: float, factor: float, ceiling: float) -> PaceChange:
        """Multiply the host's pace (its floor, or `current`, the delay it has now) by `factor`,
        at most `ceiling` seconds, for the rest of the run."""
        state = self.hosts[host]
        before = max(state.floor, current)
        state.floor = max(before, min(before * factor, ceiling))
        return PaceChange(host, before, state.floor)

    def slowed_at(self, host: str, now: float) -> None:
        """The blocked answer that caused a slow-down came in at `now`: the floor counts from it."""
        state = self.hosts[host]
        state.ready_at = max(state.ready_at, now + state.floor)

    def pause(self, host: str, until: float) -> None:
        state = self.hosts[host]
        state.paused_until = max(state.paused_until, until)


class HostPace:
    """The crawler's host schedule and stop switch (an extension; see the module docstring)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.schedule = HostSchedule(
            concurrency=max(1, crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 1))
        )
        self.stopped: str | None = None
        self.waiting: dict[str, list[Deferred[None]]] = defaultdict(list)
        self.limiter: HostLimiter | None = None  # set by a frontier worker
        # The limiter's spacing: the host's delay, plus a margin for the moment between a grant and
        # the request leaving this machine (another worker's next grant must not overtake it).
        self.delay = crawler.settings.getfloat("GOVCRAWLER_HOST_DELAY")
        if self.delay > 0:
            self.delay += crawler.settings.getfloat("GOVCRAWLER_FRONTIER_MARGIN", 0.1)
        crawler.signals.connect(
            self.request_left_downloader, signal=signals.request_left_downloader
        )

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostPace:
        return cls(crawler)

    def host(self, request: Request) -> str:
        """The key Scrapy's downloader slots use for this request (its host, or `download_slot`)."""
        key: str = self.crawler.engine.downloader.get_slot_key(request)
        return key

    async def admit(self, request: Request) -> None:
        """Return when the request may go to its host; SiteStopped once the site is stopped."""
        host = self.host(request)
        while True:
            if self.stopped:
                raise SiteStopped(f"{self.stopped}: {request.url} not sent")
            wait = self.schedule.wait(host, monotonic())
            if wait == 0 and self.limiter is not None:
                spacing = max(self.delay, self.schedule.hosts[host].floor)
                wait = self.limiter.wait(host, spacing) if spacing > 0 else 0.0
            if wait == 0:
                self.schedule.started(host)
                request.meta[GATE_META] = host
                return
            woken: Deferred[None] = Deferred()
            self.waiting[host].append(woken)
            timer = call_later(wait, self._wake, host) if wait else None
            try:
                await maybe_deferred_to_future(woken)
            finally:
                if timer is not None:
                    timer.cancel()

    def _wake(self, host: str) -> None:
        waiting, self.waiting[host] = self.waiting[host], []
        for woken in waiting:
            if not woken.called:
                woken.callback(None)

    def request_left_downloader(self, request: Request, spider: Spider | None = None) -> None:
        """The answer (or error) is in: the host's next request may go, once this answer has been
        through the downloader middlewares. Scrapy sends this signal before they see the
        response, and a blocked page slows the host down only there; so the waiting requests are
        woken by a timer of 0 s, which the event loop runs after the step that resumes this
        request's middleware chain (the chain has no awaits of its own)."""
        host = request.meta.pop(GATE_META, None)
        if host is not None:
            self.schedule.answered(host, monotonic())
            call_later(0, self._wake, host)

    def slow_down(self, request: Request, factor: float, ceiling: float) -> PaceChange:
        """After a blocked page: the host's pace times `factor` (at most `ceiling` s)."""
        host = self.host(request)
        current = slot_delay(self.crawler, host)
        if current is None:
            current = self.crawler.settings.getfloat("DOWNLOAD_DELAY")
        change = self.schedule.slow_down(host, current, factor, ceiling)
        self.schedule.slowed_at(host, monotonic())
        return PaceChange(urlparse_cached(request).hostname or host, change.before, change.after)

    def pause(self, request: Request, seconds: float) -> None:
        """Send nothing more to the host for `seconds` from now, then go back to its pace."""
        if seconds > 0:
            self.schedule.pause(self.host(request), monotonic() + seconds)

    def stop(self, reason: str) -> None:
        """Nothing more goes out: requests waiting at the gate fail with SiteStopped."""
        self.stopped = reason
        for host in list(self.waiting):
            self._wake(host)


def host_pace(crawler: Any) -> HostPace:
    """The crawler's HostPace extension (RuntimeError when it is not enabled)."""
    pace: HostPace | None = crawler.get_extension(HostPace)
    if pace is None:
        raise RuntimeError("the HostPace extension is not enabled (EXTENSIONS setting)")
    return pace


class HostGateMiddleware:
    """The last downloader middleware before the download: holds each request at its host's gate
    (HostPace.admit). Must stay last (highest order), so that every request it admits reaches the
    downloader and its answer is counted (`request_left_downloader`)."""

    def __init__(self, pace: HostPace) -> None:
        self.pace = pace

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostGateMiddleware:
        return cls(host_pace(crawler))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        await self.pace.admit(request)


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
    paused that long at the host gate (HostPace.pause), so the retry (and everything else for that
    host) waits. A wait longer than GOVCRAWLER_RETRY_AFTER_MAX is not retried in this run: the article
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
