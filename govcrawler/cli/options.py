"""Command-line options several commands share: `-s NAME=VALUE` Scrapy settings, parsed once;
`--data DIR` and `--site KEY`, worded alike everywhere; http(s) URL arguments."""

from __future__ import annotations

import argparse
from pathlib import Path

from govcrawler.query.records import DEFAULT_DATA


def add_settings_option(parser: argparse.ArgumentParser, help: str) -> None:
    """`-s NAME=VALUE`, repeatable, as `scrapy crawl` has it; read with `name_values`."""
    parser.add_argument(
        "-s", dest="settings", action="append", default=[], metavar="NAME=VALUE", help=help
    )


def name_values(values: list[str], what: str) -> dict[str, str]:
    """`["A=1", "B=x=y"]` → `{"A": "1", "B": "x=y"}`; a ValueError (a usage error, exit 2) names
    the option (`what`) and the bad value."""
    out = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name:
            raise ValueError(f"{what} must be NAME=VALUE, not {value!r}")
        out[name] = setting
    return out


def http_url(text: str) -> str:
    """An argparse `type` for a URL argument: anything but http(s) is a usage error (exit 2)."""
    if not text.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) URL")
    return text


def add_data_option(
    parser: argparse.ArgumentParser, what: str, default: Path | None = DEFAULT_DATA
) -> None:
    """`--data DIR`: the data folder a crawl writes (`what` says what the command reads in it)."""
    parser.add_argument(
        "--data",
        type=Path,
        default=default,
        metavar="DIR",
        help=f"the data folder, as for `govcrawler crawl` (default {DEFAULT_DATA}){what}",
    )


def add_site_option(parser: argparse.ArgumentParser, what: str) -> None:
    """`--site KEY`, repeatable and comma-separated; read with `listed`."""
    parser.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="KEY",
        help=f"{what}; repeat or separate with commas for several (--site anhui,ccdi)",
    )


def listed(values: list[str]) -> list[str]:
    """`--site a,b --site c` → [a, b, c]."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]
