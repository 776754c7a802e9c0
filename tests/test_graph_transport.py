"""The Cloud API channel over the kept-alive pool, against a real local HTTP server (no respx).

respx intercepts httpx's own transport only, so these requests really cross a socket: what the
server sees, and how statuses, bodies, timeouts and refused connections come back to the channel.
"""
from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import trustme
from aiohttp import web
from aiohttp.test_utils import TestServer

from app.bootstrap import build_channel
from channels.base import OutboundEnvelope, PermanentSendError, TransientSendError
from channels.cloud_api import CloudApiChannel
from channels.graph_connections import KeepAliveGraph
from conversations.replies import Text
from runtime.settings import Settings
from tests.conftest import make_settings

TOKEN = "EAAG-real-http-token"
PHONE_ID = "106540352242922"


class Graph:
    """A Graph API messages endpoint whose answers each test sets; it keeps what it received."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], Any]] = []
        self.answer: tuple[int, dict[str, Any], dict[str, str]] = (200, {"messages": [{"id": "wamid.REAL1"}]}, {})
        self.delay_s = 0.0
        self.chunked = False
        self.peers: list[tuple[str, int]] = []  # the client end of the connection each request came on

    async def messages(self, request: web.Request) -> web.StreamResponse:
        self.received.append((dict(request.headers), await request.json()))
        assert request.transport is not None
        self.peers.append(request.transport.get_extra_info("peername"))
        await asyncio.sleep(self.delay_s)
        status, body, headers = self.answer
        if not self.chunked:
            return web.json_response(body, status=status, headers=headers)
        response = web.StreamResponse(status=status, headers=headers)
        response.enable_chunked_encoding()
        await response.prepare(request)
        text = json.dumps(body).encode()
        for i in range(0, len(text), 5):  # many small chunks
            await response.write(text[i:i + 5])
        await response.write_eof()
        return response


@asynccontextmanager
async def serving(stand_in: Graph, **server_options: Any) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/v23.0/{phone_number_id}/messages", stand_in.messages)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server(**server_options)
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@pytest.fixture
async def graph() -> AsyncIterator[tuple[Graph, str]]:
    stand_in = Graph()
    async with serving(stand_in) as base_url:
        yield stand_in, base_url


def channel_for(base_url: str, timeout_s: float = 5.0, ssl_context: ssl.SSLContext | None = None) -> CloudApiChannel:
    return CloudApiChannel(token=TOKEN, api_version="v23.0", base_url=base_url,
                           http=KeepAliveGraph(max_connections=4, timeout_s=timeout_s, ssl_context=ssl_context))


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
        assert isinstance(error.value.__cause__, ConnectionRefusedError)
    finally:
        await channel.aclose()


async def test_production_settings_send_through_the_kept_alive_pool(graph: tuple[Graph, str]) -> None:
    stand_in, base_url = graph
    channel = build_channel(make_settings(WHATSAPP_HTTP_TRANSPORT="httptools", WHATSAPP_API_BASE_URL=base_url))
    try:
        assert await channel.send(text()) == "wamid.REAL1"
    finally:
        await channel.aclose()
    assert stand_in.received[0][0]["Authorization"] == "Bearer test-token"
    assert Settings.model_fields["whatsapp_http_transport"].default == "httptools"  # tests opt into httpx's own


async def test_sends_one_after_another_share_one_kept_alive_connection(graph: tuple[Graph, str]) -> None:
    stand_in, base_url = graph
    channel = channel_for(base_url)
    try:
        for _ in range(3):
            assert await channel.send(text()) == "wamid.REAL1"
    finally:
        await channel.aclose()
    assert len(stand_in.peers) == 3 and len(set(stand_in.peers)) == 1


async def test_a_chunked_answer_is_read_whole(graph: tuple[Graph, str]) -> None:
    stand_in, base_url = graph
    stand_in.chunked = True
    channel = channel_for(base_url)
    try:
        assert await channel.send(text()) == "wamid.REAL1"
        stand_in.answer = (429, {"error": {"message": "Too many", "code": 130429}}, {"Retry-After": "3"})
        with pytest.raises(TransientSendError) as throttled:
            await channel.send(text())
        assert throttled.value.retry_after_s == 3.0
    finally:
        await channel.aclose()


async def test_an_answer_that_closes_its_connection_is_followed_on_a_new_one(graph: tuple[Graph, str]) -> None:
    stand_in, base_url = graph
    stand_in.answer = (200, {"messages": [{"id": "wamid.REAL1"}]}, {"Connection": "close"})
    channel = channel_for(base_url)
    try:
        assert await channel.send(text()) == "wamid.REAL1"
        assert await channel.send(text()) == "wamid.REAL1"
    finally:
        await channel.aclose()
    assert len(set(stand_in.peers)) == 2


async def test_a_connection_the_server_dropped_while_idle_is_not_used_again() -> None:
    stand_in = Graph()
    async with serving(stand_in, keepalive_timeout=0.05) as base_url:
        channel = channel_for(base_url)
        try:
            assert await channel.send(text()) == "wamid.REAL1"
            await asyncio.sleep(0.3)  # the server closes the idle connection meanwhile
            assert await channel.send(text()) == "wamid.REAL1"
        finally:
            await channel.aclose()
    assert len(set(stand_in.peers)) == 2


async def test_a_malformed_answer_is_a_transient_failure_and_the_next_send_reconnects() -> None:
    answers = [b"HTTP/1.1 200 OK\r\nContent-Length: soon\r\n\r\n", b"HTTP/1.1 200 OK\r\nContent-Length: 35\r\n\r\n"
               b'{"messages": [{"id": "wamid.OK2"}]}']

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answers.pop(0))
        await writer.drain()
        await reader.read()  # until the client hangs up
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    channel = channel_for(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")
    try:
        with pytest.raises(TransientSendError, match="network error"):
            await channel.send(text())
        assert await channel.send(text()) == "wamid.OK2"
    finally:
        await channel.aclose()
        server.close()


async def test_sends_go_over_tls_to_a_certificate_the_client_trusts() -> None:
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(server_context)
    client_context = ssl.create_default_context()
    authority.configure_trust(client_context)
    stand_in = Graph()
    async with serving(stand_in, ssl=server_context) as base_url:
        secure_url = base_url.replace("127.0.0.1", "localhost")
        channel = channel_for(secure_url, ssl_context=client_context)
        untrusting = channel_for(secure_url)  # the system's authorities do not know this one
        try:
            assert secure_url.startswith("https://")
            assert await channel.send(text()) == "wamid.REAL1"
            with pytest.raises(TransientSendError, match="network error"):
                await untrusting.send(text())
        finally:
            await channel.aclose()
            await untrusting.aclose()
    assert len(stand_in.received) == 1


async def test_a_token_with_a_line_break_is_refused_before_anything_is_sent(graph: tuple[Graph, str]) -> None:
    stand_in, base_url = graph
    channel = channel_for(base_url)
    try:
        with pytest.raises(ValueError, match="line break"):
            await channel.send(text(token="EAAG-own\r\nX-Injected: yes"))
    finally:
        await channel.aclose()
    assert stand_in.received == []
