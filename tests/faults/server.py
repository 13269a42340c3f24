"""A loopback HTTP server whose routes misbehave on purpose, for crawling tests.

Plain asyncio sockets rather than an HTTP library, so a route can break HTTP the way real
servers do: reset the connection, stop halfway through a body, drip bytes, redirect in circles,
send 50 MB. It runs in a thread on 127.0.0.1 only; `hits` records every request (arrival time,
target, headers) for the tests to check what the crawler asked, and when.

A route is keyed by the request target: a path (`/a/1.html`) when the crawler talks to the
server directly, an absolute URL when it uses the server as its HTTP proxy (then `fallback`
can answer any URL, e.g. from replay captures).
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlsplit

Writer = asyncio.StreamWriter


@dataclass(frozen=True)
class Hit:
    """One request as the server received it."""

    at: float  # time.monotonic() when its head had arrived
    method: str
    target: str  # a path, or an absolute URL when the crawler uses the server as a proxy
    headers: dict[str, str]  # lower-case names

    @property
    def host(self) -> str:
        """The host the crawler meant (Host header, or the proxy request's URL), no port."""
        if "://" in self.target:
            return urlsplit(self.target).hostname or ""
        return self.headers.get("host", "").rsplit(":", 1)[0]

    @property
    def cookies(self) -> dict[str, str]:
        pairs = (p.strip().partition("=") for p in self.headers.get("cookie", "").split(";"))
        return {name: value for name, _, value in pairs if name}


#: A route: (the request, how many times this route has been hit including this one, writer).
Handler = Callable[[Hit, int, Writer], Awaitable[None]]


def head(status: int, headers: dict[str, str]) -> bytes:
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def respond(
    writer: Writer,
    status: int = 200,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    content_type: str | None = "text/html; charset=utf-8",
) -> None:
    """A complete, well-formed response (the connection closes after it)."""
    all_headers = {"Content-Length": str(len(body)), "Connection": "close"}
    if content_type:
        all_headers["Content-Type"] = content_type
    all_headers.update(headers or {})
    writer.write(head(status, all_headers) + body)
    await writer.drain()


# ---- route factories -------------------------------------------------------------------------


def page(
    body: bytes | str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    content_type: str | None = "text/html; charset=utf-8",
) -> Handler:
    data = body.encode("utf-8") if isinstance(body, str) else body

    async def handler(hit: Hit, n: int, writer: Writer) -> None:
        await respond(writer, status, data, headers, content_type)

    return handler


def gzipped(
    body: bytes | str, status: int = 200, content_type: str | None = "text/html; charset=utf-8"
) -> Handler:
    """The page gzip-compressed (Content-Encoding: gzip), as most servers send it."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return page(gzip.compress(data), status, {"Content-Encoding": "gzip"}, content_type)


def redirect(location: str, status: int = 302) -> Handler:
    return page(b"", status, {"Location": location}, content_type=None)


def sequence(*handlers: Handler) -> Handler:
    """The n-th hit gets the n-th handler (the last one from then on)."""

    async def handler(hit: Hit, n: int, writer: Writer) -> None:
        await handlers[min(n, len(handlers)) - 1](hit, n, writer)

    return handler


def with_cookie(name: str, value: str, then: Handler, otherwise: Handler) -> Handler:
    """`then` for a request carrying cookie name=value, else `otherwise`."""

    async def handler(hit: Hit, n: int, writer: Writer) -> None:
        chosen = then if hit.cookies.get(name) == value else otherwise
        await chosen(hit, n, writer)

    return handler


def hang(seconds: float) -> Handler:
    """Accept the request, say nothing for `seconds`, close (a server that never answers)."""

    async def handler(hit: Hit, n: int, writer: Writer) -> None:
        await asyncio.sleep(seconds)

    return handler


def reset() -> Handler:
    """Read the request, then reset the connection (TCP RST, no answer)."""

    async def handler(hit: Hit, n: int, writer: Writer) -> None:
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    return handler


def drip(body: bytes, every: float) -> Handler:
    """The headers at once, then the body one byte every `every` seconds."""

    async def handler(hit: Hit, n: int, writer: Writer) -> None:
        writer.write(head(200, {"Content-Length": str(len(body)), "Content-Type": "text/html"}))
        for byte in body:
            await writer.drain()
            await asyncio.sleep(every)
            writer.write(bytes([byte]))
        await writer.drain()

    return handler


def truncated(body: bytes, missing: int) -> Handler:
    """Content-Length promises `missing` more bytes than are sent before the connection closes."""

    async def handler(hit: Hit, n: int, writer: Writer) -> None:
        headers = {"Content-Length": str(len(body) + missing), "Content-Type": "text/html"}
        writer.write(head(200, headers) + body)
        await writer.drain()

    return handler


def huge(size: int, *, declared: bool) -> Handler:
    """A `size`-byte HTML body, its length declared in Content-Length or not (then the body runs
    until the connection closes); written until the client hangs up."""
    chunk = b"<p>" + "很长的页面。".encode() * 5000 + b"</p>\n"

    async def handler(hit: Hit, n: int, writer: Writer) -> None:
        headers = {"Content-Type": "text/html; charset=utf-8", "Connection": "close"}
        if declared:
            headers["Content-Length"] = str(size)
        writer.write(head(200, headers) + b"<html><body>")
        sent = 0
        while sent < size:
            writer.write(chunk)
            sent += len(chunk)
            await writer.drain()

    return handler


# ---- the server ------------------------------------------------------------------------------


class FaultServer:
    """`with FaultServer() as server:` … `server.routes[path] = handler`, `server.url(path)`."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.fallback: Handler = page(b"not here", 404)
        self.hits: list[Hit] = []
        self._counts: dict[str, int] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    def __enter__(self) -> FaultServer:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0, limit=1 << 16), self._loop
        )
        self._server = future.result(timeout=10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hits_on(self, target: str) -> list[Hit]:
        return [h for h in self.hits if h.target == target]

    async def _serve(self, reader: asyncio.StreamReader, writer: Writer) -> None:
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = raw.decode("latin-1").split("\r\n")
            method, target, _ = request_line.split(" ", 2)
            headers = {
                name.strip().lower(): value.strip()
                for name, sep, value in (line.partition(":") for line in header_lines)
                if sep
            }
            hit = Hit(time.monotonic(), method, target, headers)
            self.hits.append(hit)
            n = self._counts[target] = self._counts.get(target, 0) + 1
            await self.routes.get(target, self.fallback)(hit, n, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the crawler hung up (a timeout, DOWNLOAD_MAXSIZE): that is the point
        except asyncio.CancelledError:
            pass  # the server is shutting down under a hanging route
        finally:
            if not writer.transport.is_closing():
                writer.close()
