"""The Cloud API channel over the aiohttp transport, against a real local HTTP server (no respx).

respx intercepts httpx's own transport only, so these requests really cross a socket: what the
server sees, and how statuses, bodies, timeouts and refused connections come back to the channel.
"""
from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.channels.base import OutboundEnvelope, PermanentSendError, TransientSendError
from bot.channels.cloud_api import CloudApiChannel
from bot.channels.graph_transport import AiohttpGraph
from bot.runtime import build_channel
from bot.settings import Settings
from conversations.replies import Text
from tests.conftest import make_settings

TOKEN = "EAAG-real-http-token"
PHONE_ID = "106540352242922"


class Graph:
    """A Graph API messages endpoint whose answers each test sets; it keeps what it received."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], Any]] = []
        self.answer: tuple[int, dict[str, Any], dict[str, str]] = (200, {"messages": [{"id": "wamid.REAL1"}]}, {})
        self.delay_s = 0.0

    async def messages(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.json()))
        await asyncio.sleep(self.delay_s)
        status, body, headers = self.answer
        return web.json_response(body, status=status, headers=headers)


@pytest.fixture
async def graph() -> AsyncIterator[tuple[Graph, str]]:
    stand_in = Graph()
    app = web.Application()
    app.router.add_post("/v23.0/{phone_number_id}/messages", stand_in.messages)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield stand_in, str(server.make_url("")).rstrip("/")
    await server.close()


def channel_for(base_url: str, timeout_s: float = 5.0) -> CloudApiChannel:
    return CloudApiChannel(token=TOKEN, api_version="v23.0", base_url=base_url,
                           http=AiohttpGraph(max_connections=4, timeout_s=timeout_s))


def text(to: str = "5511987654321", token: str | None = None) -> OutboundEnvelope:
    return OutboundEnvelope(PHONE_ID, to, "text", Text("Até amanhã às 7h").payload(), token)


async def test_a_send_carries_the_bearer_token_and_json_body_and_returns_the_wamid(graph: tuple[Graph, str]) -> None:
    stand_in, base_url = graph
    channel = channel_for(base_url)
    try:
        assert await channel.send(text()) == "wamid.REAL1"
        assert await channel.send(text(to="5511900000000", token="EAAG-business-own")) == "wamid.REAL1"
    finally:
        await channel.aclose()
    (headers, body), (own_headers, _) = stand_in.received
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert own_headers["Authorization"] == "Bearer EAAG-business-own"
    assert headers["Content-Type"] == "application/json"
    assert body["to"] == "5511987654321" and body["messaging_product"] == "whatsapp"
    assert body["text"]["body"] == "Até amanhã às 7h"


async def test_error_statuses_and_bodies_are_classified(graph: tuple[Graph, str]) -> None:
    stand_in, base_url = graph
    channel = channel_for(base_url)
    try:
        stand_in.answer = (400, {"error": {"message": "Invalid parameter", "code": 100}}, {})
        with pytest.raises(PermanentSendError, match="HTTP 400: Invalid parameter"):
            await channel.send(text())
        stand_in.answer = (429, {"error": {"message": "Too many", "code": 130429}}, {"Retry-After": "7"})
        with pytest.raises(TransientSendError) as throttled:
            await channel.send(text())
        assert throttled.value.throttled and throttled.value.retry_after_s == 7.0
        stand_in.answer = (503, {}, {})
        with pytest.raises(TransientSendError, match="HTTP 503"):
            await channel.send(text())
    finally:
        await channel.aclose()


async def test_a_slow_answer_is_a_timeout_and_a_transient_failure(graph: tuple[Graph, str]) -> None:
    stand_in, base_url = graph
    stand_in.delay_s = 1.0
    channel = channel_for(base_url, timeout_s=0.2)
    try:
        with pytest.raises(TransientSendError, match="network error") as error:
            await channel.send(text())
        assert isinstance(error.value.__cause__, asyncio.TimeoutError)
        stand_in.delay_s = 0.0
        assert await channel.send(text()) == "wamid.REAL1"  # the pool recovers after a timed-out request
    finally:
        await channel.aclose()


async def test_a_refused_connection_is_a_transient_failure() -> None:
    with socket.socket() as sock:  # a port nobody listens on once it is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    channel = channel_for(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(TransientSendError, match="network error") as error:
            await channel.send(text())
        assert isinstance(error.value.__cause__, aiohttp.ClientConnectionError)
    finally:
        await channel.aclose()


async def test_production_settings_send_through_aiohttp(graph: tuple[Graph, str]) -> None:
    stand_in, base_url = graph
    channel = build_channel(make_settings(WHATSAPP_HTTP_TRANSPORT="aiohttp", WHATSAPP_API_BASE_URL=base_url))
    try:
        assert await channel.send(text()) == "wamid.REAL1"
    finally:
        await channel.aclose()
    assert stand_in.received[0][0]["Authorization"] == "Bearer test-token"
    assert Settings.model_fields["whatsapp_http_transport"].default == "aiohttp"  # tests opt into httpx's own
