"""A local stand-in for the Graph API messages endpoint that notes when each reply arrives.

It answers over plain HTTP/1.1 on kept-alive connections, requests parsed by httptools on a bare
asyncio protocol: the stand-in is not part of the stack under test but shares its two cores, and
aiohttp's server (even its low-level one) took CPU the stack needed (docs/performance.md).
"""
from __future__ import annotations

import asyncio
import itertools
import time

import httptools
import orjson

_READ_ANSWER = b'{"success":true}'
_INVALID_TOKEN = orjson.dumps({"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}})


class GraphStandIn:
    """Answers POST /{version}/{phone_number_id}/messages like the Cloud API and times replies.

    A turn is identified by the recipient `to`: the bench gives every turn its own wa_id.
    Read receipts ("status": "read") are counted but never end a turn.
    """

    def __init__(self, token: str) -> None:
        self._auth = f"Bearer {token}"
        self._ids = itertools.count(1)
        self._waiting: dict[str, asyncio.Future[float]] = {}
        self._server: asyncio.Server | None = None
        self.port = 0
        self.messages = 0
        self.read_receipts = 0
        self.rejected = 0

    def expect(self, wa_id: str) -> asyncio.Future[float]:
        """A future that gets the perf_counter time of the first non-read message to `wa_id`."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[wa_id] = future
        return future

    def forget(self, wa_id: str) -> None:
        self._waiting.pop(wa_id, None)

    async def start(self) -> int:
        """Listen on a free loopback port; returns it."""
        self._server = await asyncio.get_running_loop().create_server(lambda: _Connection(self), "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def answer(self, method: str, path: str, authorization: str | None, body: bytes, arrived: float) -> tuple[int, bytes]:
        """Status and JSON body for one request."""
        parts = path.split("/")  # "", version, phone_number_id, "messages"
        if method != "POST" or len(parts) != 4 or parts[3] != "messages":
            return 404, b"{}"
        if authorization != self._auth:
            self.rejected += 1
            return 401, _INVALID_TOKEN
        message = orjson.loads(body)
        if message.get("status") == "read":
            self.read_receipts += 1
            return 200, _READ_ANSWER
        self.messages += 1
        to = str(message.get("to", ""))
        future = self._waiting.pop(to, None)
        if future is not None and not future.done():
            future.set_result(arrived)
        return 200, orjson.dumps({
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": f"wamid.BENCH{next(self._ids):012d}"}],
        })


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}


class _Connection(asyncio.Protocol):
    """One client connection: requests answered in the order they arrive."""

    def __init__(self, standin: GraphStandIn) -> None:
        self._standin = standin
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._arrived = 0.0
        self._url: list[bytes] = []
        self._authorization: str | None = None
        self._body: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._arrived = time.perf_counter()  # before parsing, so the stand-in's own work is not counted
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            self._reply(400, b"{}")
            assert self._transport is not None
            self._transport.close()

    def on_message_begin(self) -> None:
        self._url, self._authorization, self._body = [], None, []

    def on_url(self, url: bytes) -> None:
        self._url.append(url)  # a URL split across reads comes in pieces

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"authorization":
            self._authorization = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        method, path = self._parser.get_method().decode("latin-1"), b"".join(self._url).decode("latin-1")
        self._reply(*self._standin.answer(method, path, self._authorization, b"".join(self._body), self._arrived))

    def _reply(self, status: int, body: bytes) -> None:
        assert self._transport is not None
        head = (f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        self._transport.write(head.encode("latin-1") + body)
