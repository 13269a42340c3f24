"""The one place govcrawler reads Scrapy's downloader slots (Scrapy 2.19, no public accessor).

`Downloader.slots` maps a slot key (`Downloader.get_slot_key`) to a Slot whose `delay` is the
pace DOWNLOAD_DELAY and AutoThrottle keep for that host. It is only read here, never written:
a blocked host is slowed from the pace it has (spiders/pacing.py). tests/test_pacing.py pins
this behaviour, so a Scrapy release that changes it fails there first.
"""

from __future__ import annotations

from typing import Any


def slot_delay(crawler: Any, key: str) -> float | None:
    """The delay Scrapy keeps now for the slot `key`, or None when it has no such slot."""
    slot = crawler.engine.downloader.slots.get(key)
    return float(slot.delay) if slot is not None else None
