"""The ledger shared by the workers of a frontier (`govcrawler crawl --frontier redis://…`).

Each worker keeps its own SQLite ledger (its data folder: pending articles, list pages, walks,
WARC captures), but what decides whether an article is archived — and which version a changed
one becomes — must be one truth for all workers, or two workers would each archive the same
article as version 1. So the article table lives in Redis as well: a hash per site
(`govcrawler:<site>:articles`, id → the article's state as JSON), read first, written after the
local ledger, both only after the record is durably in the worker's run file (the group commit,
state/group_commit.py). An article the hash does not know is looked up in the worker's own
ledger (its history from before it joined the frontier).
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import redis

from govcrawler.state.ledger import ArticleState, Ledger

KEY_PREFIX = "govcrawler"


def connect(url: str) -> redis.Redis:
    """A client of the frontier's Redis (`redis://host:port/db`), checked with a PING."""
    client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
    client.ping()
    return client


def site_key(site: str, *parts: str) -> str:
    """A Redis key of the site's frontier: `govcrawler:<site>:<part>:…`."""
    return ":".join((KEY_PREFIX, site, *parts))


class SharedLedger(Ledger):
    """A worker's SQLite ledger whose article lookups and updates also go to Redis (`redis`: a
    redis-py client, `site`: the profile key)."""

    def __init__(self, path: Path | str, redis: Any, site: str, *, durable: bool = True) -> None:
        super().__init__(path, durable=durable)
        self.redis = redis
        self.key = site_key(site, "articles")

    def _shared(self, article_id: str) -> ArticleState | None:
        raw = self.redis.hget(self.key, article_id)
        return None if raw is None else ArticleState(**json.loads(raw))

    def _share(self, state: ArticleState) -> None:
        self.redis.hset(self.key, state.id, json.dumps(asdict(state), ensure_ascii=False))

    def article(self, article_id: str) -> ArticleState | None:
        return self._shared(article_id) or super().article(article_id)

    def save_article(self, state: ArticleState) -> None:
        super().save_article(state)
        self._share(state)

    def mark_fetched(
        self,
        article_id: str,
        *,
        at: int,
        status: int,
        etag: str | None = None,
        last_modified: str | None = None,
        payload_digest: str | None = None,
    ) -> None:
        super().mark_fetched(
            article_id,
            at=at,
            status=status,
            etag=etag,
            last_modified=last_modified,
            payload_digest=payload_digest,
        )
        known = self._shared(article_id)
        if known is not None:
            self._share(
                replace(
                    known,
                    last_fetched=at,
                    last_status=status,
                    etag=etag or known.etag,
                    last_modified=last_modified or known.last_modified,
                    payload_digest=payload_digest or known.payload_digest,
                )
            )

    def first_seen(self, article_id: str) -> int | None:
        known = self._shared(article_id)
        return known.first_seen if known is not None else super().first_seen(article_id)
