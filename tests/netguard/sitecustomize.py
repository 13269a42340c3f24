"""Loopback-only network guard for the test suite and every Python process it starts.

tests/conftest.py installs it in the pytest process and puts this folder first on PYTHONPATH, so
each child Python (a `scrapy crawl`, `govcrawler demo` …) imports it as `sitecustomize` at start.
A connect to, or a name lookup of, anything but loopback is refused with OSError — as it would be
on a machine without a network — and written to the file named by GOVCRAWLER_NETGUARD_LOG;
conftest fails the test during which a line was written. So a library that quietly tries the
network and falls back (tldextract fetching the public suffix list) still fails the suite.

Names reserved for tests (RFC 6761: `*.invalid`, `*.test`, `*.example`, example.com/net/org) fail
their lookup at once, as NXDOMAIN would, and are not counted: a test may use them to mean "a host
that does not exist" without asking a resolver.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import traceback
from typing import Any

LOG_ENV = "GOVCRAWLER_NETGUARD_LOG"
RESERVED_SUFFIXES = (".invalid", ".test", ".example", "example.com", "example.net", "example.org")

_real_getaddrinfo = socket.getaddrinfo
_real_gethostbyname = socket.gethostbyname
_real_gethostbyname_ex = socket.gethostbyname_ex
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def is_loopback(host: object) -> bool:
    """127.0.0.0/8, ::1, `localhost` (and `*.localhost`), or no host at all (a local bind)."""
    if host is None or host == "":
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = str(host).rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _is_reserved(host: object) -> bool:
    name = (host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)).lower()
    return name.rstrip(".").endswith(RESERVED_SUFFIXES)


def _record(what: str) -> None:
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    where = "".join(traceback.format_stack(limit=12)[:-2])
    with open(path, "a", encoding="utf-8") as log:
        log.write(f"pid {os.getpid()}: {what}\n{where}\n")


def _check_name(host: object) -> None:
    if is_loopback(host):
        return
    try:  # an address literal needs no resolver; connect() judges it
        ipaddress.ip_address(str(host.decode() if isinstance(host, bytes) else host))
        return
    except ValueError:
        pass
    if not _is_reserved(host):
        _record(f"name lookup of {host!r}")
    raise socket.gaierror(socket.EAI_NONAME, f"network guard: no lookup of {host!r} in tests")


def _check_address(sock: socket.socket, address: Any) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return  # a Unix socket
    host = address[0] if isinstance(address, tuple) else address
    if not is_loopback(host):
        _record(f"connect to {address!r}")
        raise ConnectionRefusedError(f"network guard: only loopback in tests, not {address!r}")


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    _check_name(host)
    return _real_getaddrinfo(host, *args, **kwargs)


def _gethostbyname(host: str) -> str:
    _check_name(host)
    return _real_gethostbyname(host)


def _gethostbyname_ex(host: str) -> Any:
    _check_name(host)
    return _real_gethostbyname_ex(host)


def _connect(self: socket.socket, address: Any) -> None:
    _check_address(self, address)
    _real_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    _check_address(self, address)
    return _real_connect_ex(self, address)


def install() -> None:
    """Guard this process (idempotent)."""
    socket.getaddrinfo = _getaddrinfo
    socket.gethostbyname = _gethostbyname
    socket.gethostbyname_ex = _gethostbyname_ex
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]


if os.environ.get(LOG_ENV):
    install()
