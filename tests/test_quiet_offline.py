"""A demo or replay run is offline and quiet: no network attempt (the loopback-only guard in
conftest watches this process and its children), no traceback for conditions that are expected
(tldextract's suffix-list download, a taken telnet port), and packaging that declares what the
code imports."""

from __future__ import annotations

import ast
import contextlib
import importlib.metadata
import re
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

# Scrapy's telnet console tries these ports in turn (its TELNETCONSOLE_PORT default).
TELNET_PORTS = range(6023, 6074)


@contextlib.contextmanager
def ports_taken(ports: range) -> Iterator[int]:
    """Listen on every free port of `ports` on 127.0.0.1, as other crawls running at once would."""
    held = []
    try:
        for port in ports:
            sock = socket.socket()
            try:
                sock.bind(("127.0.0.1", port))
                sock.listen()
                held.append(sock)
            except OSError:
                sock.close()  # already taken by someone else: just as good
        yield len(held)
    finally:
        for sock in held:
            sock.close()


def test_demo_makes_no_network_attempt_and_prints_no_traceback(tmp_path: Path) -> None:
    """conftest gives tldextract an empty cache: a suffix-list download would be tried here."""
    with ports_taken(TELNET_PORTS):
        result = subprocess.run(
            [sys.executable, "-m", "govcrawler.cli.main", "demo", "ccdi", "--data", str(tmp_path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[:3000]
    assert "tldextract" not in result.stderr and "Public Suffix" not in result.stderr
    assert "CannotListenError" not in result.stderr
    assert "ccdi:" in result.stdout and "articles exported" in result.stdout


def _project() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def test_license_is_an_spdx_string_with_a_setuptools_that_reads_it() -> None:
    """A `license = {text = …}` table makes setuptools warn on every install (PEP 639)."""
    data = _project()
    assert data["project"]["license"] == "MIT"  # type: ignore[index]
    floors = [
        int(m.group(1))
        for req in data["build-system"]["requires"]  # type: ignore[index]
        if (m := re.fullmatch(r"setuptools>=(\d+)(?:\.\d+)*", req))
    ]
    assert floors and floors[0] >= 77  # the first setuptools that takes an SPDX string


def _imported_top_level(package: Path) -> set[str]:
    names = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_every_third_party_import_is_a_declared_dependency() -> None:
    data = _project()["project"]
    declared = {
        re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0].lower().replace("_", "-")
        for req in [
            *data["dependencies"],  # type: ignore[index]
            *data["optional-dependencies"]["plot"],  # type: ignore[index]
            *data["optional-dependencies"]["wacz"],  # type: ignore[index]
            *data["optional-dependencies"]["serve"],  # type: ignore[index]
        ]
    }
    providers = importlib.metadata.packages_distributions()
    used = {
        name: providers.get(name, [name])[0].lower().replace("_", "-")
        for name in _imported_top_level(ROOT / "govcrawler")
        if name != "govcrawler" and name not in sys.stdlib_module_names
    }
    assert {name: dist for name, dist in used.items() if dist not in declared} == {}


def test_the_demo_captures_ship_inside_the_package() -> None:
    """`pip install .` then `govcrawler demo` works anywhere: the bundled captures are package
    data (govcrawler/demo_captures links to fixtures/, and setuptools copies what it links)."""
    from govcrawler.cli.demo import DEMO_CAPTURES  # noqa: PLC0415  (imports Scrapy)

    package_data = _project()["tool"]["setuptools"]["package-data"]["govcrawler"]  # type: ignore[index]
    assert "demo_captures/**/*" in package_data
    assert DEMO_CAPTURES.resolve() == (ROOT / "fixtures").resolve()
    assert (DEMO_CAPTURES / "ccdi").is_dir() and (DEMO_CAPTURES / "anhui" / "robots.txt").is_file()
