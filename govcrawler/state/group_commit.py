"""Group commit: the durable writes of a short window, fsynced once, and only then the ledger.

One fsync per record (JSONL line, WARC fetch) and one synchronous SQLite commit per ledger mark
cost about 6 ms each on an ordinary disk, serialised in the crawl's one thread: they, not parsing,
bounded a crawl at a few dozen articles/s (BENCHMARKS.md, "Crawl speed and memory"). Here the
files (WARC first, then the run file) take their appends without syncing; within
GOVCRAWLER_SYNC_WINDOW seconds of the first unsynced append, `flush` fsyncs each file once, in
that order, and then runs every ledger mark that waited for them, in one transaction.

What this keeps true, whatever moment a kill (or a power cut) comes:
- nothing is marked in the ledger before the bytes it vouches for are fsynced (a record
  archived, a WARC capture a revisit may refer to);
- a run-file line never names a WARC capture that is not on disk before the line: the WARC file
  is fsynced first, and the run file's lines are not even handed to the kernel until then.
A kill loses at most the window's unsynced work, which the ledger never heard of, so the next run
fetches it again (a torn WARC or JSONL tail is cut at the next start).

Pure bookkeeping over callables: the Scrapy side (state/crawl_state.py) passes its scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

logger = logging.getLogger(__name__)

#: Sync order: WARC captures before the run-file lines that name them.
WARC_RANK, RUN_FILE_RANK = 0, 1


class Syncable(Protocol):
    def sync(self) -> None:
        """Make every append so far durable (write and fsync); OSError when that fails."""

    def discard(self) -> None:
        """Drop appends not handed to the OS yet (after a failed sync of an earlier file)."""


@dataclass
class _Mark:
    durable: Callable[[], None]
    failed: Callable[[], None] | None


class GroupCommit:
    """Collects appends and ledger marks for `window` seconds, then syncs once (see the module
    docstring). `window` 0 flushes at every mark: one fsync per record, as before."""

    def __init__(
        self,
        window: float,
        *,
        transaction: Callable[[], AbstractContextManager[Any]] | None = None,
        schedule: Callable[[float, Callable[[], None]], Any] | None = None,
    ) -> None:
        self.window = window
        self.transaction = transaction
        self.schedule = schedule
        self.failures = 0
        self._files: list[tuple[int, Syncable]] = []
        self._marks: list[_Mark] = []
        self._timer: Any = None

    def register(self, file: Syncable, rank: int) -> None:
        """A file whose appends a flush syncs; lower ranks are synced first."""
        self._files.append((rank, file))
        self._files.sort(key=lambda pair: pair[0])

    def unregister(self, file: Syncable) -> None:
        self._files = [(r, f) for r, f in self._files if f is not file]

    def after_sync(
        self, durable: Callable[[], None], failed: Callable[[], None] | None = None
    ) -> None:
        """Run `durable` once everything appended so far is on disk (`failed` if that fails)."""
        self._marks.append(_Mark(durable, failed))
        self.pending()

    def pending(self) -> None:
        """A file has an unsynced append: flush within the window."""
        if self.window <= 0 or self.schedule is None:
            self.flush()
        elif self._timer is None:
            self._timer = self.schedule(self.window, self._timed_flush)

    def _timed_flush(self) -> None:
        self._timer = None
        self.flush()

    def flush(self) -> None:
        """Sync every file, then run the waiting marks in one ledger transaction."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        marks, self._marks = self._marks, []
        try:
            for _, file in self._files:
                file.sync()
        except OSError as exc:
            self.failures += 1
            logger.error(
                "Could not sync the archive files (%s): %d records not archived", exc, len(marks)
            )
            for _, file in self._files:
                file.discard()
            with self._transaction():
                for mark in marks:
                    if mark.failed is not None:
                        mark.failed()
            return
        if marks:
            with self._transaction():
                for mark in marks:
                    mark.durable()

    def _transaction(self) -> AbstractContextManager[Any]:
        return self.transaction() if self.transaction is not None else nullcontext()
