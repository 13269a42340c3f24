"""`govcrawler reextract data/warc/*.warc.gz [--site KEY …] [--as-site KEY] [-o out.jsonl]`:
rebuild the JSONL from the raw archive with today's extraction, offline (archive/reextract.py
does the work, streaming)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from io import BytesIO
from pathlib import Path
from typing import IO, Any, cast

from rich.progress import BarColumn, DownloadColumn, TextColumn, TimeRemainingColumn
from scrapy.exporters import JsonLinesItemExporter

from govcrawler.archive.reextract import Reextraction, expand
from govcrawler.cli.options import add_site_option, listed
from govcrawler.cli.progress import progress_bar
from govcrawler.sites import get_profile

EXIT_CODES = """exit codes:
  0  every capture was read (records written, or counted as not records)
  1  some captures could not be read (listed on stderr)
  2  usage error: nothing was read"""


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "reextract",
        help="rebuild article JSONL from WARC files with today's extraction",
        description="Re-extract the article records from WARC files, in order, with today's "
        "extraction and the crawl's own versioning; each record points to its WARC record.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="WARC", help="files or folders")
    add_site_option(parser, "only captures of this site (by its profile's domains)")
    parser.add_argument(
        "--as-site",
        metavar="KEY",
        help="extract captures that no profile claims (another tool's WARC, a mirror) with this "
        "site's profile; captures of other known sites are refused and counted",
    )
    parser.add_argument("-o", "--output", type=Path, help="JSONL file (default: stdout)")
    parser.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar on stderr (auto: when stderr is a terminal, never under cron)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    sites = listed(args.site)
    for key in [*sites, *([args.as_site] if args.as_site else [])]:
        get_profile(key)  # an unknown key fails before anything is read
    files = expand(args.files)
    total = sum(p.stat().st_size for p in files)
    shown = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
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
    progress = progress_bar(
        TextColumn("reextract"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[records]} records"),
        TimeRemainingColumn(),
        shown=shown,
    )
    task = progress.add_task("reextract", total=total, records=0)
    job = Reextraction(sites=frozenset(sites), as_site=args.as_site)
    try:
        with job, progress:
            for record in job.records(
                files,
                args.output or Path("-"),
                lambda done: progress.update(task, completed=done, records=job.written),
            ):
                exporter.export_item(record)
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
        f"govcrawler reextract: {job.written} records from {len(files)} WARC files;"
        f" not records: {skipped}; unreadable captures: {len(job.problems)}",
        file=sys.stderr,
    )
    for problem in job.problems:
        where = f"{problem.file}:{problem.offset}" if problem.offset is not None else problem.file
        print(f"  unreadable: {where} {problem.url or ''} ({problem.detail})", file=sys.stderr)
    return 1 if job.problems else 0
