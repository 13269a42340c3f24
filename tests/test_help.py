"""Every subcommand says what it does in one line and which exit codes it uses (issue 12)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from govcrawler.cli.main import COMMANDS
from tests.conftest import ROOT


def help_of(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "govcrawler.cli.main", *args, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_command_list_describes_every_subcommand() -> None:
    text = help_of()
    for command in COMMANDS:
        line = next((ln for ln in text.splitlines() if ln.strip().startswith(command + " ")), "")
        assert len(line.split(maxsplit=1)) == 2, f"{command}: no one-line description"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_states_its_exit_codes(command: str) -> None:
    text = help_of(command).lower()
    assert "exit code" in text or "exit status" in text, command
    codes = text[text.find("exit code") if "exit code" in text else text.find("exit status") :]
    assert "2" in codes[:400]  # usage errors are 2 everywhere


def test_crawl_help_lists_the_spider_arguments() -> None:
    text = " ".join(help_of("crawl").split())
    for name in ("max_pages=N", "since=YYYY-MM-DD", "columns=NAME,NAME", "backfill=1"):
        assert name in text
