"""Feed URI parameters: `%(run_start)s` is the run's start time in UTC, safe in file names."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def run_stamp(moment: datetime) -> str:
    """`20261128T134512Z`: sortable, no colons (portable file names)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def uri_params(params: dict[str, Any], spider: Any) -> dict[str, Any]:
    """Scrapy FEED_URI_PARAMS hook: adds `run_start` from the crawl's start_time stat."""
    start = spider.crawler.stats.get_value("start_time") or datetime.now(UTC)
    return {**params, "run_start": run_stamp(start)}
