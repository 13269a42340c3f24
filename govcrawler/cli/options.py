"""Command-line options several commands share: `-s NAME=VALUE` Scrapy settings, parsed once;
http(s) URL arguments."""

from __future__ import annotations

import argparse


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
