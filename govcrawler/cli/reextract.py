"""`govcrawler reextract data/warc/*.warc.gz [--site KEY] [-o out.jsonl]`: rebuild the JSONL from
the raw archive with today's extraction, offline (archive/reextract.py does the work, streaming).

Unreadable captures are listed on stderr and make the exit code 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path
from typing import IO, Any, cast

from scrapy.exporters import JsonLinesItemExporter

from govcrawler.archive.reextract import Reextraction, expand
from govcrawler.sites import get_profile


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "reextract", help="rebuild article JSONL from WARC files with today's extraction"
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="WARC", help="files or folders")
    parser.add_argument("--site", help="profile key (default: from each URL)")
    parser.add_argument("-o", "--output", type=Path, help="JSONL file (default: stdout)")
    parser.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar on stderr (auto: when stderr is a terminal)",
    )
    parser.set_defaults(run=run)


class Progress:
    """A one-line progress bar on stderr: bytes of WARC read, records written."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = max(total, 1)
        self.enabled = enabled
        self.last = 0.0
        self.records = 0

    def show(self, done: int, *, final: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not final and now - self.last < 0.2):
            return
        self.last = now
        share = min(done / self.total, 1.0)
        bar = "#" * int(share * 30)
        sys.stderr.write(f"\r[{bar:<30}] {share:6.1%} {self.records} records")
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    if args.site:
        get_profile(args.site)  # fail before reading anything
    files = expand(args.files)
    total = sum(p.stat().st_size for p in files)
    enabled = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    progress = Progress(total, enabled)
    out: IO[bytes]
    tmp: str | None = None
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{args.output.name}.", dir=args.output.parent)
        out = os.fdopen(fd, "wb")
    else:
        out = sys.stdout.buffer
    exporter = JsonLinesItemExporter(cast(BytesIO, out), encoding="utf-8")
    exporter.start_exporting()
    job = Reextraction(site=args.site)
    try:
        with job:
            for record in job.records(files, args.output or Path("-"), progress.show):
                exporter.export_item(record)
                progress.records += 1
        progress.show(total, final=True)
        exporter.finish_exporting()
        out.flush()
        if tmp is not None:
            os.fsync(out.fileno())
            out.close()
            os.replace(tmp, args.output)
            tmp = None
    finally:
        if tmp is not None:
            out.close()
            os.unlink(tmp)
    skipped = ", ".join(f"{k}={v}" for k, v in sorted(job.skipped.items())) or "none"
    print(
        f"govcrawler reextract: {progress.records} records from {len(files)} WARC files;"
        f" not records: {skipped}; unreadable captures: {len(job.problems)}",
        file=sys.stderr,
    )
    for problem in job.problems:
        where = f"{problem.file}:{problem.offset}" if problem.offset is not None else problem.file
        print(f"  unreadable: {where} {problem.url or ''} ({problem.detail})", file=sys.stderr)
    return 1 if job.problems else 0
