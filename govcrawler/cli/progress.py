"""Progress bars of long commands: on stderr, because stdout carries the command's output
(JSONL, a table) and may be a file; shown only when asked (a terminal, or `--progress always`)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import Progress, ProgressColumn


def progress_bar(*columns: str | ProgressColumn, shown: bool) -> Progress:
    """A rich Progress of `columns` on stderr; a no-op when not `shown` (under cron)."""
    return Progress(*columns, console=Console(stderr=True), disable=not shown)
