"""Shared test paths, and the loopback-only network guard every test runs under.

Third-party evaluation pages live in ../shared and are never copied here.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.netguard import sitecustomize as netguard

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"

# The network guard (tests/netguard/sitecustomize.py): in this process now, and in every Python
# child the tests start (PYTHONPATH). tldextract gets an empty cache of its own, so a suffix-list
# download it would attempt cannot hide behind a list some earlier run cached.
_GUARD_DIR = Path(tempfile.mkdtemp(prefix="govcrawler-tests-"))
NETGUARD_LOG = _GUARD_DIR / "network-attempts.log"
NETGUARD_LOG.touch()
os.environ[netguard.LOG_ENV] = str(NETGUARD_LOG)
os.environ["TLDEXTRACT_CACHE"] = str(_GUARD_DIR / "tldextract")
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(Path(netguard.__file__).parent), os.environ.get("PYTHONPATH")) if p
)
netguard.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_GUARD_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    """Fail the test during which any process of the suite tried a non-loopback host."""
    start = NETGUARD_LOG.stat().st_size
    yield
    with NETGUARD_LOG.open(encoding="utf-8") as log:
        log.seek(start)
        attempts = log.read()
    if attempts:
        pytest.fail(f"network attempt outside loopback:\n{attempts[:4000]}", pytrace=False)


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when the folder is absent (a user's clone)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is only beside developer and CI checkouts)")
    return path


def read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


@contextmanager
def loopback_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """`handler` served on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
