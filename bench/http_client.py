"""The load generator's HTTP/1.1 client: one keep-alive connection per sender, requests prebuilt as bytes.

aiohttp's client took CPU from the web process under test, which shares its two cores
(docs/performance.md). This one writes bytes made up front and reads back only the status line
and Content-Length: it is a load generator for our own server's plain answers, not a general
client (no chunked bodies, no TLS).
"""
from __future__ import annotations

import asyncio
from collections import deque
from urllib.parse import urlsplit

_HEAD_END = b"\r\n\r\n"


def build_request(url: str, body: bytes, headers: dict[str, str], method: str = "POST") -> bytes:
    """A complete request (POST unless told) for `url`, its query included, ready to write to a kept-alive connection."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Connection(asyncio.Protocol):
    """One connection: one request in flight at a time, answered with the response's status."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._answer: asyncio.Future[int] | None = None
        self._transport: asyncio.Transport | None = None
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(ConnectionError("connection closed by the server"))

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        end = self._buffer.find(_HEAD_END)
        if end < 0 or self._answer is None:
            return
        head = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
        length = next((int(line.split(":", 1)[1]) for line in head[1:] if line.lower().startswith("content-length:")), 0)
        if len(self._buffer) < end + len(_HEAD_END) + length:
            return  # the body is still coming
        del self._buffer[:end + len(_HEAD_END) + length]
        self._answer.set_result(int(head[0].split(" ", 2)[1]))

    async def send(self, request: bytes) -> int:
        assert self._transport is not None
        if self.lost or self._transport.is_closing():  # the server closed it after the last answer
            raise ConnectionError("connection closed by the server")
        self._answer = asyncio.get_running_loop().create_future()
        self._transport.write(request)
        try:
            return await self._answer
        finally:
            self._answer = None

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()


class KeepAliveClient:
    """Sends prebuilt requests to one host over a connection of its own per caller slot."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        # Taken oldest first: every connection carries its share, whichever server process it landed on.
        self._idle: deque[_Connection] = deque()
        self._all: list[_Connection] = []

    async def post(self, request: bytes) -> int:
        """The response's status code; raises ConnectionError when the connection broke."""
        connection = self._idle.popleft() if self._idle else await self._connect()
        try:
            status = await connection.send(request)
        except BaseException:
            connection.close()
            raise
        if not connection.lost:
            self._idle.append(connection)
        return status

    async def _connect(self) -> _Connection:
        _, connection = await asyncio.get_running_loop().create_connection(_Connection, self._host, self._port)
        self._all.append(connection)
        return connection

    async def __aenter__(self) -> KeepAliveClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        for connection in self._all:
            connection.close()
