"""Several workers, one shared frontier in Redis (scrapy-redis), for `govcrawler crawl --frontier`.

Every worker (a `govcrawler crawl … --frontier redis://HOST:PORT/DB --worker NAME` process, each
with its own data folder) runs the same sites. Per site, Redis holds (keys `govcrawler:<site>:…`):

- `requests`, `dupefilter`: scrapy-redis's request queue and seen-set. Each worker's `start()`
  offers the column pages and its own retries; the seen-set keeps each URL to one fetch a run.
- `inflight:<worker>`: what a worker has taken from the queue and not yet finished. Popping
  moves a request there atomically (ReliableQueue); it is removed once the response's outputs are
  through (its record, if any, durably written: the group commit's marks). A worker whose
  heartbeat (`worker:<worker>`, refreshed every second, expiring after
  GOVCRAWLER_FRONTIER_TIMEOUT s) is gone — killed, its machine down — has its in-flight requests
  put back in the queue by the next worker that looks, so nothing it held is lost.
- `articles`: the shared article ledger (state/shared_ledger.py): an article archived by any
  worker is known to all, so none archives it twice and versions follow one another.
- `govcrawler:pace:<host>` (across sites): the next moment (Redis's clock) the host may be asked.
  HostPace's gate asks it before every request (RedisHostLimiter), so a host is never asked more
  often than once per its profile's delay in total, however many workers run.

A worker with nothing to do stays up while the frontier is busy (queued or in-flight requests of
a live worker) and leaves once it is drained; the worker that sees the run drained clears its
seen-set, so the next run starts afresh. Each worker writes its own run files, WARC files and
manifest (named with its run stamp `…-<worker>`); `govcrawler query` reads them all once the
data folders are merged (README: Running on several machines).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from itemadapter import is_item
from scrapy import Request, Spider, signals
from scrapy.core.scheduler import BaseScheduler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from govcrawler.spiders.pacing import host_pace
from govcrawler.state.crawl_state import crawl_state
from govcrawler.state.shared_ledger import KEY_PREFIX, connect, site_key

logger = logging.getLogger(__name__)

INFLIGHT_META = "govcrawler_inflight"  # request meta: its field in the worker's in-flight hash
HEARTBEAT_EVERY = 1.0
#: Bytes of downloaded answers a worker keeps waiting for its callbacks before it takes more
#: requests from the shared queue (Scrapy's SCRAPER_SLOT_MAX_ACTIVE_SIZE, 5 MB by default).
FRONTIER_SCRAPER_BACKLOG = 4096

# Pop the best request and keep it in the worker's in-flight hash, in one step. The field is
# `<sha1 of the request>:<score>`, so a requeue restores its priority.
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
local field = redis.sha1hex(r[1]) .. ':' .. r[2]
redis.call('HSET', KEYS[2], field, r[1])
return {field, r[1]}
"""
# Put every request of an in-flight hash back in the queue and drop the hash.
_REQUEUE = """
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  local score = tonumber(string.match(entries[i], ':(.*)$')) or 0
  redis.call('ZADD', KEYS[1], score, entries[i + 1])
end
redis.call('DEL', KEYS[2])
return #entries / 2
"""
# Grant the host now if its time has come (next grant `ARGV[1]` ms later); else ms to wait.
_PACE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if now >= nxt then
  redis.call('SET', KEYS[1], now + tonumber(ARGV[1]), 'PX', tonumber(ARGV[1]) + 60000)
  return 0
end
return nxt - now
"""


class FrontierAddon:
    """Scrapy addon: when GOVCRAWLER_FRONTIER names a Redis, use the shared scheduler, the
    in-flight acknowledgements and the shared host limiter."""

    def update_settings(self, settings: BaseSettings) -> None:
        url = settings.get("GOVCRAWLER_FRONTIER")
        if not url:
            return
        if not settings.get("GOVCRAWLER_WORKER"):
            raise ValueError("GOVCRAWLER_FRONTIER needs GOVCRAWLER_WORKER (this worker's name)")
        for name, value in (
            ("SCHEDULER", "govcrawler.spiders.frontier.FrontierScheduler"),
            ("SCHEDULER_QUEUE_CLASS", "govcrawler.spiders.frontier.ReliableQueue"),
            ("DUPEFILTER_CLASS", "govcrawler.spiders.frontier.FrontierDupeFilter"),
            ("SCHEDULER_QUEUE_KEY", f"{KEY_PREFIX}:%(spider)s:requests"),
            ("SCHEDULER_DUPEFILTER_KEY", f"{KEY_PREFIX}:%(spider)s:dupefilter"),
            # The worker clears the frontier itself once the run is drained, never at close.
            ("SCHEDULER_PERSIST", True),
            ("REDIS_URL", url),
        ):
            settings.set(name, value, priority="cmdline")
        # The host gate's shared limiter spaces a host's requests by its delay for all workers
        # together; Scrapy's own per-worker delay (and AutoThrottle) would hold a granted request
        # back and let another worker's next grant overtake it.
        delay = settings.getfloat("DOWNLOAD_DELAY")
        settings.set("GOVCRAWLER_HOST_DELAY", delay, priority="cmdline")
        settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        # A worker takes requests from the shared queue whenever its downloader has room; when
        # pages come faster than its callbacks can read them, it would hoard the queue in answers
        # waiting for its callbacks while another worker idles (measured: one worker did ~3,000
        # pages, the other 12; BENCHMARKS.md). Holding at most a few kB of waiting answers
        # leaves the rest to the others. (Overridable with -s, as any setting.)
        settings.set("SCRAPER_SLOT_MAX_ACTIVE_SIZE", FRONTIER_SCRAPER_BACKLOG, priority="addon")
        extensions = settings.getdict("EXTENSIONS")
        extensions["govcrawler.spiders.frontier.FrontierWorker"] = 600
        settings.set("EXTENSIONS", extensions, priority="cmdline")
        middlewares = settings.getdict("SPIDER_MIDDLEWARES")
        middlewares["govcrawler.spiders.frontier.FrontierAckMiddleware"] = 1
        settings.set("SPIDER_MIDDLEWARES", middlewares, priority="cmdline")


class ReliableQueue(PriorityQueue):  # type: ignore[misc]
    """scrapy-redis's priority queue whose `pop` keeps the request in the worker's in-flight
    hash until it is acknowledged (FrontierWorker)."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.inflight = inflight_key(spider.name, spider.settings.get("GOVCRAWLER_WORKER"))
        self._pop = server.register_script(_POP)

    def pop(self, timeout: int = 0) -> Request | None:
        popped = self._pop(keys=[self.key, self.inflight])
        if not popped:
            return None
        field, data = popped
        request: Request = self._decode_request(data)
        request.meta[INFLIGHT_META] = field.decode() if isinstance(field, bytes) else field
        return request


class FrontierDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """scrapy-redis's shared seen-set, built from the crawler (Scrapy 2.19's way)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierDupeFilter:
        settings = crawler.settings
        key = settings.get("SCHEDULER_DUPEFILTER_KEY") % {"spider": crawler.spidercls.name}
        return cls(
            connect(settings["REDIS_URL"]), key=key, debug=settings.getbool("DUPEFILTER_DEBUG")
        )


class FrontierScheduler(Scheduler, BaseScheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler, counted without the `spider` argument Scrapy 2.19 deprecates."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierScheduler:
        scheduler: FrontierScheduler = cls.from_settings(crawler.settings)
        scheduler.stats = crawler.stats
        scheduler.df = FrontierDupeFilter.from_crawler(crawler)
        return scheduler

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        request: Request | None = self.queue.pop(self.idle_before_close)
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


def inflight_key(site: str, worker: str) -> str:
    return site_key(site, "inflight", worker)


def inflight_field(response: Response | None) -> str | None:
    """The in-flight hash field of the request that `response` answers (None: not from the queue)."""
    request = getattr(response, "request", None)
    field: str | None = request.meta.get(INFLIGHT_META) if request is not None else None
    return field


class RedisHostLimiter:
    """HostPace's shared limiter (spiders/pacing.py HostLimiter): one grant per host per spacing,
    in Redis's clock, for every worker of the frontier."""

    def __init__(self, server: Any) -> None:
        self._pace = server.register_script(_PACE)

    def wait(self, host: str, spacing: float) -> float:
        ms = int(self._pace(keys=[f"{KEY_PREFIX}:pace:{host}"], args=[round(spacing * 1000)]))
        return ms / 1000


class FrontierWorker:
    """This worker's part in the frontier: heartbeat, acknowledgements, staying up while the
    frontier is busy, putting a dead worker's in-flight requests back, clearing a drained run."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        url, worker = settings.get("GOVCRAWLER_FRONTIER"), settings.get("GOVCRAWLER_WORKER")
        if not url or not worker:
            raise NotConfigured("no frontier")
        self.crawler = crawler
        self.worker = worker
        self.timeout = settings.getfloat("GOVCRAWLER_FRONTIER_TIMEOUT", 10.0)
        self.redis = connect(url)
        self.site = crawler.spidercls.name
        self.queue = site_key(self.site, "requests")
        self.workers = site_key(self.site, "workers")
        self.inflight = inflight_key(self.site, worker)
        self._requeue = self.redis.register_script(_REQUEUE)
        self.outstanding: dict[str, int] = defaultdict(int)  # in-flight field → items not through
        self.ended: set[str] = set()  # fields whose callback output has ended
        self.heartbeat: AsyncioLoopingCall | Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierWorker:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(ext.item_done, signal=signal)
        return ext

    # ---- life cycle ----------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        host_pace(self.crawler).limiter = RedisHostLimiter(self.redis)
        if self.redis.exists(self.inflight):  # this worker was killed: its requests go back
            self._requeue(keys=[self.queue, self.inflight])
        self.beat()
        self.requeue_dead()
        if not self.others_alive() and not self.redis.zcard(self.queue):
            # Nothing left of an earlier run: this one starts afresh.
            self.clear_run()
        self.heartbeat = create_looping_call(self.beat)
        self.heartbeat.start(HEARTBEAT_EVERY, now=False)
        logger.info("Frontier worker %s joined the frontier of %s", self.worker, self.site)

    def beat(self) -> None:
        self.redis.set(self.heartbeat_key(self.worker), "1", px=int(self.timeout * 1000))
        self.redis.sadd(self.workers, self.worker)

    def spider_idle(self, spider: Spider) -> None:
        """Nothing in progress here: the marks waiting for the group commit are written, what is
        left in this worker's in-flight hash is finished (failures, a redirect's first hop), and
        the worker stays up while another one may still add work."""
        crawl_state(self.crawler).commit.flush()
        self.redis.delete(self.inflight)
        self.requeue_dead()
        if self.redis.zcard(self.queue) or self.busy_elsewhere():
            raise DontCloseSpider

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        crawl_state(self.crawler).commit.flush()
        if reason == "finished":
            self.redis.delete(self.inflight)
        else:  # stopped early: whatever it held goes back to the others
            self._requeue(keys=[self.queue, self.inflight])
        self.redis.delete(self.heartbeat_key(self.worker))
        self.redis.srem(self.workers, self.worker)
        if reason == "finished" and not self.redis.zcard(self.queue) and not self.busy_elsewhere():
            self.clear_run()

    # ---- the other workers ---------------------------------------------------------------------

    def heartbeat_key(self, worker: str) -> str:
        return site_key(self.site, "worker", worker)

    def alive(self, worker: str) -> bool:
        return bool(self.redis.exists(self.heartbeat_key(worker)))

    def others(self) -> Iterator[str]:
        for raw in self.redis.smembers(self.workers):
            name = raw.decode() if isinstance(raw, bytes) else str(raw)
            if name != self.worker:
                yield name

    def others_alive(self) -> bool:
        return any(self.alive(w) for w in self.others())

    def busy_elsewhere(self) -> bool:
        return any(
            self.alive(w) and self.redis.hlen(inflight_key(self.site, w)) for w in self.others()
        )

    def requeue_dead(self) -> None:
        """Put the in-flight requests of every worker whose heartbeat is gone back in the queue."""
        for worker in list(self.others()):
            if self.alive(worker):
                continue
            moved = self._requeue(keys=[self.queue, inflight_key(self.site, worker)])
            self.redis.srem(self.workers, worker)
            if moved:
                self.crawler.stats.inc_value("govcrawler/frontier/requeued", int(moved))
                logger.warning(
                    "Worker %s of %s stopped answering: %d in-flight requests put back",
                    worker,
                    self.site,
                    moved,
                )

    def clear_run(self) -> None:
        """The run is drained: the next one may fetch every URL again."""
        self.redis.delete(site_key(self.site, "dupefilter"))

    # ---- acknowledgements ----------------------------------------------------------------------

    def output_item(self, field: str) -> None:
        self.outstanding[field] += 1

    def output_ended(self, field: str) -> None:
        self.ended.add(field)
        if not self.outstanding.get(field):
            self._ack(field)

    def item_done(self, item: Any, response: Response | None = None, **_: Any) -> None:
        field = inflight_field(response)
        if not field or field not in self.outstanding:
            return
        self.outstanding[field] -= 1
        if self.outstanding[field] <= 0 and field in self.ended:
            self._ack(field)

    def _ack(self, field: str) -> None:
        """Finished once the window's marks (this response's record among them) are durable."""
        self.outstanding.pop(field, None)
        self.ended.discard(field)
        crawl_state(self.crawler).commit.after_sync(lambda: self._forget(field))

    def _forget(self, field: str) -> None:
        self.redis.hdel(self.inflight, field)


class FrontierAckMiddleware:
    """Spider middleware: tells the FrontierWorker when a response's callback output has ended
    and how many items it yielded (their pipelines finish later: `item_scraped` & co)."""

    def __init__(self, worker: FrontierWorker) -> None:
        self.worker = worker

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierAckMiddleware:
        worker = crawler.get_extension(FrontierWorker)
        if worker is None:
            raise NotConfigured("no frontier worker")
        return cls(worker)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        field = inflight_field(response)
        try:
            for output in result:
                if field and is_item(output):
                    self.worker.output_item(field)
                yield output
        finally:
            if field:
                self.worker.output_ended(field)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        field = inflight_field(response)
        try:
            async for output in result:
                if field and is_item(output):
                    self.worker.output_item(field)
                yield output
        finally:
            if field:
                self.worker.output_ended(field)
