"""The README's "Searching the archive" examples, run as written on the demo archive.

The archive is what `make demo` writes: one run file per site holding the bundled captures'
expected records (tests/test_crawl_e2e.py proves a replay crawl exports exactly those), laid out
as `data/articles/<site>/<run>.jsonl` in the working folder, so each command runs unchanged with
its default `--data data`. Every example must succeed and find rows, except one whose README
comment says the demo archive has none.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from govcrawler.archive.capture_files import load_captures
from govcrawler.cli.main import main
from tests.conftest import FIXTURES, ROOT, read_json

EMPTY_ON_DEMO = "none in the demo archive"


def readme_examples() -> list[tuple[str, str]]:
    """(command, its comment) for each `govcrawler …` line of the section's first sh block."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Searching the archive", 1)[1].split("\n### ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    examples = []
    for line in block.splitlines():
        if line.startswith("govcrawler "):
            command, _, comment = line.partition("  #")
            examples.append((command.strip(), comment.strip()))
    return examples


EXAMPLES = readme_examples()


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    for site_folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        records = [
            expected["record"]
            for capture in load_captures(site_folder)
            if capture.expected_path
            and (expected := read_json(capture.expected_path))["kind"] == "article"
        ]
        run = folder / "data" / "articles" / site_folder.name / "20261120T080000Z.jsonl"
        run.parent.mkdir(parents=True)
        run.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return folder


def rows(argv: list[str], out: str, err: str, written: Path | None) -> int:
    """How many results the command gave (articles, records, table rows, a chart)."""
    if written is not None:
        lines = written.read_text("utf-8").splitlines()
        return len(lines) - 1 if written.suffix == ".csv" else len(lines)
    if "--plot" in argv:
        chart = Path(argv[argv.index("--plot") + 1])
        return int(chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n")
    if argv[0] == "query":
        return int(re.findall(r"^(\d+)(?: of \d+)? (?:article|record)\(s\)", err, re.M)[-1])
    table = [line for line in out.splitlines() if line and not line.startswith("chart written")]
    return len(table) - 2  # less the header and the total


def test_the_section_has_its_examples() -> None:
    assert len(EXAMPLES) >= 8
    assert sum(EMPTY_ON_DEMO in comment for _, comment in EXAMPLES) == 1


@pytest.mark.parametrize(("command", "comment"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example_runs_and_finds_rows_on_the_demo_archive(
    command: str,
    comment: str,
    demo_folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(demo_folder)
    argv = shlex.split(command)[1:]
    written = None
    if ">" in argv:  # `… > file`: what the shell would write there
        written = demo_folder / argv[argv.index(">") + 1]
        argv = argv[: argv.index(">")]
    code = main(argv)
    out, err = capsys.readouterr()
    if written is not None:
        written.write_text(out, "utf-8")
    assert code == 0, err
    found = rows(argv, out, err, written)
    if EMPTY_ON_DEMO in comment:
        assert found == 0
    else:
        assert found > 0, (out, err)
