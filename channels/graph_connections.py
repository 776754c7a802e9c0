"""Kept-alive HTTP/1.1 connections to the Graph API, answers parsed by httptools (llhttp).

Written here rather than taken from an HTTP client library because of what a send costs: the
channel makes a POST and needs back only a status, a body and Retry-After, and aiohttp's client
spent several times this pool's CPU on each; a turn makes three (docs/performance.md).
The parsing, the part that is easy to get wrong (chunked bodies, keep-alive rules,
malformed answers), is httptools'; what is left here is writing the request and the pool.
Answers must be framed by Content-Length or chunked encoding, as the Graph API's are: one that
would end only when the connection closes is taken as a network failure.
"""
from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import httptools

from channels.graph_transport import Answer, NetworkError

MAX_ANSWER_BYTES = 1 << 20  # a Graph answer is a few hundred bytes; a larger one is not the Graph API


@dataclass(frozen=True)
class _Target:
    origin: tuple[str, str, int]  # scheme, host, port: connections are pooled per origin
    head: bytes  # the request line and Host header


@lru_cache(maxsize=1024)
def _target(url: str) -> _Target:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NetworkError(f"not an http(s) URL: {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.netloc.rpartition("@")[2]
    return _Target((parts.scheme, parts.hostname, port), f"POST {path} HTTP/1.1\r\nHost: {host}\r\n".encode("latin-1"))


@lru_cache(maxsize=1024)
def _header_lines(headers: tuple[tuple[str, str], ...]) -> bytes:
    if any(c in name + value for name, value in headers for c in "\r\n\0"):
        raise ValueError("a header name or value holds a line break")  # it would smuggle in a header
    return "".join(f"{name}: {value}\r\n" for name, value in headers).encode("latin-1")


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection carrying one request at a time."""

    def __init__(self) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.Transport | None = None
        self._answer: asyncio.Future[Answer] | None = None
        self._body: list[bytes] = []
        self._size = 0
        self._retry_after: str | None = None
        self.reusable = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.reusable = False
        self._fail(exc or ConnectionResetError("the Graph API closed the connection"))

    def data_received(self, data: bytes) -> None:
        if self._answer is None:  # bytes nobody asked for: the connection is out of step
            self.close()
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(exc)
            self.close()

    def on_message_begin(self) -> None:
        self._body, self._size, self._retry_after = [], 0, None

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"retry-after":
            self._retry_after = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > MAX_ANSWER_BYTES:
            raise ValueError(f"answer body over {MAX_ANSWER_BYTES} bytes")  # llhttp raises it as HttpParserError
        self._body.append(body)

    def on_message_complete(self) -> None:
        answer, self._answer = self._answer, None
        self.reusable = self.reusable and self._parser.should_keep_alive()
        if answer is not None and not answer.done():
            answer.set_result(Answer(self._parser.get_status_code(), b"".join(self._body), self._retry_after))

    async def exchange(self, request: bytes, timeout_s: float) -> Answer:
        """Write one request and wait up to `timeout_s` for its whole answer."""
        assert self._transport is not None
        loop = asyncio.get_running_loop()
        self._answer = loop.create_future()
        self._transport.write(request)
        # A timer of its own: asyncio.timeout() costs more CPU per send (docs/performance.md).
        timer = loop.call_later(timeout_s, self._fail, TimeoutError(f"no answer within {timeout_s}s"))
        try:
            return await self._answer
        finally:
            timer.cancel()

    def close(self) -> None:
        self.reusable = False
        if self._transport is not None:
            self._transport.close()

    def _fail(self, exc: BaseException) -> None:
        answer, self._answer = self._answer, None
        if answer is not None and not answer.done():
            error = NetworkError(f"{type(exc).__name__}: {exc}")
            error.__cause__ = exc
            answer.set_exception(error)


class KeepAliveGraph:
    """Up to `max_connections` connections, kept alive between POSTs; a timed-out one is closed.

    `timeout_s` bounds the connecting and, again, the wait for an answer. A pool belongs to the
    event loop that first uses it (each worker loop has its own channel).
    """

    def __init__(self, max_connections: int, timeout_s: float, ssl_context: ssl.SSLContext | None = None) -> None:
        self._slots = asyncio.Semaphore(max_connections)
        self._timeout_s = timeout_s
        self._ssl_context = ssl_context
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._closed = False

    async def post(self, url: str, headers: Mapping[str, str], content: bytes) -> Answer:
        target = _target(url)
        request = b"".join((target.head, _header_lines(tuple(headers.items())),
                            b"Content-Length: %d\r\n\r\n" % len(content), content))
        async with self._slots:
            connection = self._take_idle(target.origin)
            try:
                if connection is None:
                    async with asyncio.timeout(self._timeout_s):
                        connection = await self._connect(target.origin)
                answer = await connection.exchange(request, self._timeout_s)
            except BaseException as exc:
                if connection is not None:
                    connection.close()  # an answer still on its way would arrive on it
                if isinstance(exc, (TimeoutError, OSError)):  # OSError: refused, unreachable, TLS
                    raise NetworkError(f"{type(exc).__name__}: {exc}") from exc
                raise
            self._give_back(target.origin, connection)
            return answer

    async def aclose(self) -> None:
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    def _take_idle(self, origin: tuple[str, str, int]) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()  # the most recently used: the least likely to have been closed
            if connection.reusable:
                return connection
        return None

    def _give_back(self, origin: tuple[str, str, int], connection: _Connection) -> None:
        if connection.reusable and not self._closed:
            self._idle.setdefault(origin, []).append(connection)
        else:
            connection.close()

    async def _connect(self, origin: tuple[str, str, int]) -> _Connection:
        scheme, host, port = origin
        context = None
        if scheme == "https":
            context = self._ssl_context = self._ssl_context or ssl.create_default_context()
        _, connection = await asyncio.get_running_loop().create_connection(
            _Connection, host, port, ssl=context, server_hostname=host if context else None)
        return connection
