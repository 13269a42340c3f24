"""`govcrawler cases [--data DIR | FILE.jsonl …] [--format jsonl|csv] [--merge]`: the case
records in the archive (who, which position, which measures), one row per article and person,
or with --merge one timeline per person across articles and sites."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys
from pathlib import Path
from typing import IO, Any

from govcrawler.cli.options import add_data_option
from govcrawler.extraction.cases import CaseRow
from govcrawler.extraction.cases.actions import ACTIONS
from govcrawler.query.cases import ArchiveCases
from govcrawler.query.output import csv_cell
from govcrawler.query.records import DEFAULT_DATA

EXIT_CODES = """exit codes:
  0  the rows were written
  1  the rows were written, but some archive lines were malformed and skipped (listed on stderr)
  2  usage error (bad option, missing file or folder); nothing was read"""

#: CSV columns of a case row: the fields of CaseRow, in order (its schema_version left out).
ROW_COLUMNS = tuple(f.name for f in dataclasses.fields(CaseRow) if f.name != "schema_version")
BAD_LINES_SHOWN = 5


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "cases",
        help="case records: who, which position, which measures",
        description="List the cases in the archived articles: one row per article and named "
        "person who is the subject of a measure (审查调查, 开除党籍, 开除公职, 党纪处分, 政务处分, "
        "移送检察, 组织处理, 其他), from the latest version of each article. With --merge, one "
        "timeline per person across articles and sites. Fields: govcrawler/schema/case.schema.json.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files", nargs="*", type=Path, metavar="FILE.jsonl", help="archive files to read instead"
    )
    add_data_option(
        parser, ": its articles/ are read; or any folder of JSONL files (read recursively)", None
    )
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    parser.add_argument(
        "--merge", action="store_true", help="one row per person (timeline, every source)"
    )
    parser.set_defaults(run=run)


def source(args: argparse.Namespace) -> Path | list[Path]:
    """What to read; a usage error (ValueError, exit 2) before anything is read."""
    if args.files and args.data is not None:
        raise ValueError("give either --data DIR or FILE.jsonl arguments, not both")
    if args.files:
        for path in args.files:
            if not path.is_file():
                raise ValueError(f"no archive file {path}")
        return list(args.files)
    data = args.data if args.data is not None else DEFAULT_DATA
    if not data.is_dir():
        raise ValueError(f"no archive folder {data} (give the data folder with --data)")
    return data


def run(args: argparse.Namespace) -> int:
    reader = ArchiveCases(source(args))
    out = sys.stdout
    if args.merge:
        persons = reader.persons()
        items = [p.to_dict() for p in persons]
        write = write_persons_csv if args.format == "csv" else write_jsonl
        write(items, out)
        what = f"{len(persons)} person(s)"
    else:
        rows = reader.rows()
        items = [r.to_dict() for r in rows]
        (write_rows_csv if args.format == "csv" else write_jsonl)(items, out)
        what = f"{len(rows)} case row(s)"
    out.flush()
    print(f"govcrawler cases: {what} from {reader.articles} article(s)", file=sys.stderr)
    if reader.unfinished:
        print(
            f"govcrawler cases: {len(reader.unfinished)} unfinished run file(s) (.jsonl.part) not read",
            file=sys.stderr,
        )
    if reader.bad_lines:
        print(
            f"govcrawler cases: skipped {len(reader.bad_lines)} malformed archive line(s):",
            file=sys.stderr,
        )
        for line in reader.bad_lines[:BAD_LINES_SHOWN]:
            print(f"  {line}", file=sys.stderr)
        if len(reader.bad_lines) > BAD_LINES_SHOWN:
            print(f"  … and {len(reader.bad_lines) - BAD_LINES_SHOWN} more", file=sys.stderr)
        return 1
    return 0


def write_jsonl(items: list[dict[str, Any]], out: IO[str]) -> None:
    for item in items:
        out.write(json.dumps(item, ensure_ascii=False) + "\n")


def write_rows_csv(items: list[dict[str, Any]], out: IO[str]) -> None:
    writer = csv.DictWriter(out, fieldnames=ROW_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for item in items:
        writer.writerow({k: csv_cell(v) for k, v in item.items()})


def write_persons_csv(items: list[dict[str, Any]], out: IO[str]) -> None:
    """One line per person: the first date of each stage in its own column (审查调查, 开除党籍 …),
    the source URLs space-separated, the full timeline and positions as JSON."""
    columns = (
        "person_id",
        "name",
        "position",
        "region",
        "level",
        "actions",
        *ACTIONS,
        "first_seen",
        "last_seen",
        "articles",
        "sites",
        "urls",
        "positions",
        "timeline",
    )
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for item in items:
        row = {k: csv_cell(v) for k, v in item.items()}
        for action in ACTIONS:
            dates = sorted(
                s["date"] for s in item["timeline"] if s["action"] == action and s["date"]
            )
            row[action] = dates[0] if dates else ""
        row["articles"] = len(item["sources"])
        row["sites"] = " ".join(dict.fromkeys(s["site"] for s in item["sources"]))
        row["urls"] = " ".join(s["url"] for s in item["sources"])
        writer.writerow(row)
