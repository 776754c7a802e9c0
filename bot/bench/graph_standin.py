"""A local stand-in for the Graph API messages endpoint that notes when each reply arrives."""
from __future__ import annotations

import asyncio
import itertools
import socket
import time

import orjson
from aiohttp import web


class GraphStandIn:
    """Answers POST /{version}/{phone_number_id}/messages like the Cloud API and times replies.

    A turn is identified by the recipient `to`: the bench gives every turn its own wa_id.
    Read receipts ("status": "read") are counted but never end a turn.
    """

    def __init__(self, token: str) -> None:
        self._auth = f"Bearer {token}"
        self._ids = itertools.count(1)
        self._waiting: dict[str, asyncio.Future[float]] = {}
        self._runner: web.ServerRunner | None = None
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
        """Listen on a free loopback port (bound first, so no other process can take it)."""
        # aiohttp's low-level server: no router or middleware per request, so the stand-in takes as
        # little as it can of the cores it shares with the stack it measures.
        self._runner = web.ServerRunner(web.Server(self._handle, access_log=None))
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        parts = request.path.split("/")  # "", version, phone_number_id, "messages"
        if request.method != "POST" or len(parts) != 4 or parts[3] != "messages":
            return web.Response(status=404)
        return await self._messages(request)

    async def _messages(self, request: web.BaseRequest) -> web.Response:
        arrived = time.perf_counter()  # before parsing, so the stand-in's own work is not counted
        if request.headers.get("Authorization") != self._auth:
            self.rejected += 1
            error = {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}}
            return web.Response(status=401, body=orjson.dumps(error), content_type="application/json")
        body = orjson.loads(await request.read())
        if body.get("status") == "read":
            self.read_receipts += 1
            return web.Response(body=b'{"success":true}', content_type="application/json")
        self.messages += 1
        to = str(body.get("to", ""))
        future = self._waiting.pop(to, None)
        if future is not None and not future.done():
            future.set_result(arrived)
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": f"wamid.BENCH{next(self._ids):012d}"}],
        }
        return web.Response(body=orjson.dumps(answer), content_type="application/json")
