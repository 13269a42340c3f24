"""The host schedule behind the host gate (spiders/pacing.py), with a fake clock, and the Scrapy
2.19 behaviour the gate and spiders/slots.py rely on, pinned against a real crawl."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from govcrawler.spiders.pacing import HostSchedule
from tests.conftest import ROOT
from tests.faults.server import FaultServer, page, reset


def test_a_host_takes_its_concurrency_then_waits_for_an_answer() -> None:
    schedule = HostSchedule(concurrency=2)
    assert schedule.wait("a", 0.0) == 0.0
    schedule.started("a")
    schedule.started("a")
    assert schedule.wait("a", 0.0) is None  # both in flight: wait for an answer
    assert schedule.wait("b", 0.0) == 0.0  # other hosts are not held up
    schedule.answered("a", 1.0)
    assert schedule.wait("a", 1.0) == 0.0


def test_a_slowed_host_waits_its_floor_after_each_answer() -> None:
    schedule = HostSchedule()
    change = schedule.slow_down("a", current=0.2, factor=2.0, ceiling=300.0)
    assert (change.before, change.after) == (0.2, 0.4)
    schedule.started("a")
    schedule.answered("a", 10.0)
    assert schedule.wait("a", 10.1) == pytest.approx(0.3)
    assert schedule.wait("a", 10.4) == 0.0
    # Each slow-down compounds on the floor, never above the ceiling, never below the pace the
    # host already has (AutoThrottle may have raised it).
    assert schedule.slow_down("a", current=0.2, factor=2.0, ceiling=300.0).after == 0.8
    assert schedule.slow_down("a", current=5.0, factor=2.0, ceiling=6.0).after == 6.0
    assert schedule.slow_down("a", current=0.2, factor=2.0, ceiling=6.0).after == 6.0


def test_the_floor_counts_from_the_blocked_answer_that_set_it() -> None:
    schedule = HostSchedule()
    schedule.started("a")
    schedule.answered("a", 5.0)  # the answer leaves the downloader before it is classified
    schedule.slow_down("a", current=1.0, factor=2.0, ceiling=300.0)
    schedule.slowed_at("a", 5.0)
    assert schedule.wait("a", 5.5) == 1.5


def test_a_pause_holds_the_host_until_it_ends() -> None:
    schedule = HostSchedule()
    schedule.pause("a", until=12.0)
    assert schedule.wait("a", 10.0) == 2.0
    assert schedule.wait("b", 10.0) == 0.0
    schedule.pause("a", until=11.0)  # a shorter pause never cuts a longer one
    assert schedule.wait("a", 11.5) == 0.5
    assert schedule.wait("a", 12.0) == 0.0


PIN_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from govcrawler.spiders.slots import slot_delay

    base, out = sys.argv[1], sys.argv[2]
    seen = {"reached": [], "left": [], "delays": []}

    class Pin(scrapy.Spider):
        name = "pin"
        custom_settings = {"DOWNLOAD_DELAY": 0.25, "RETRY_ENABLED": False,
                           "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "WARNING"}

        @classmethod
        def from_crawler(cls, crawler, *args, **kwargs):
            spider = super().from_crawler(crawler, *args, **kwargs)
            crawler.signals.connect(spider.reached, signal=signals.request_reached_downloader)
            crawler.signals.connect(spider.left, signal=signals.request_left_downloader)
            return spider

        def reached(self, request, spider):
            seen["reached"].append(request.url)

        def left(self, request, spider):
            seen["left"].append(request.url)
            key = self.crawler.engine.downloader.get_slot_key(request)
            seen["delays"].append(slot_delay(self.crawler, key))

        async def start(self):
            for path in ("/ok", "/reset", "/missing"):
                yield scrapy.Request(base + path, errback=lambda f: None)

        def parse(self, response):
            pass

    process = CrawlerProcess()
    process.crawl(Pin)
    process.start()
    json.dump(seen, open(out, "w"))
    """
)


@pytest.mark.e2e
def test_scrapy_sends_request_left_downloader_for_every_request_and_keeps_slot_delays(
    tmp_path: Path,
) -> None:
    """What the host gate and spiders/slots.py rely on (Scrapy 2.19): every request that reached
    the downloader leaves it with `request_left_downloader` — answered, failed by the network or
    answered with an error status — and `Downloader.slots[key].delay` holds the slot's delay."""
    out = tmp_path / "seen.json"
    with FaultServer() as server:
        server.routes["/ok"] = page("<p>ok</p>")
        server.routes["/reset"] = reset()
        result = subprocess.run(
            [sys.executable, "-c", PIN_SCRIPT, server.base, str(out)],
            check=False,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(out.read_text())
    assert len(seen["reached"]) == 3
    assert sorted(seen["left"]) == sorted(seen["reached"])
    assert seen["delays"] == [0.25, 0.25, 0.25]
