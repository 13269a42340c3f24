"""`%(run_start)s` in output paths: the run's start time in UTC, safe in file names."""

from __future__ import annotations

from datetime import UTC, datetime


def run_stamp(moment: datetime) -> str:
    """`20261128T134512Z`: sortable, no colons (portable file names)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
