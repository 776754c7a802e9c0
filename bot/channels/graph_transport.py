"""How the Cloud API channel's POSTs reach the Graph API: aiohttp in production, httpx in tests.

The channel needs only a status, a body and a Retry-After header back. httpx (even over aiohttp
underneath) cost more CPU per send than aiohttp's own request did, and sends are most of the
worker's work, so production posts through one aiohttp ClientSession per event loop, opened on the
first send inside that loop (a session belongs to one loop, and each worker thread's loop has its
own channel). httpx's own transport stays for the tests: it is the one respx intercepts. The
aiohttp path is tested against a real local server instead.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal, Mapping, Protocol

import aiohttp
import httpx

TransportName = Literal["aiohttp", "httpx"]


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    retry_after: str | None


class NetworkError(Exception):
    """The request got no answer (refused, reset, timed out); `__cause__` is the client's own error."""


class GraphHttp(Protocol):
    async def post(self, url: str, headers: Mapping[str, str], content: bytes) -> Answer:
        """POST `content`; the answer, or NetworkError."""

    async def aclose(self) -> None:
        """Close the connections."""


class AiohttpGraph:
    """Keep-alive connections (up to `max_connections`) through aiohttp."""

    def __init__(self, max_connections: int, timeout_s: float) -> None:
        self._max_connections, self._timeout = max_connections, aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, headers: Mapping[str, str], content: bytes) -> Answer:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._max_connections)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        try:
            async with self._session.post(url, data=content, headers=headers) as response:
                return Answer(response.status, await response.read(), response.headers.get("Retry-After"))
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise NetworkError(f"{type(exc).__name__}: {exc}") from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


class HttpxGraph:
    """httpx's own transport, called directly (the client's cookie, auth and redirect work is not needed)."""

    def __init__(self, max_connections: int, timeout_s: float, transport: httpx.AsyncBaseTransport | None = None) -> None:
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._transport = transport or httpx.AsyncHTTPTransport(limits=limits)
        self._timeout = httpx.Timeout(timeout_s).as_dict()

    async def post(self, url: str, headers: Mapping[str, str], content: bytes) -> Answer:
        request = httpx.Request("POST", url, headers=headers, content=content, extensions={"timeout": self._timeout})
        try:
            response = await self._transport.handle_async_request(request)
            try:
                body = await response.aread()
            finally:
                await response.aclose()
        except httpx.TransportError as exc:  # timeouts included; the text carries the URL, never our headers
            raise NetworkError(f"{type(exc).__name__}: {exc}") from exc
        return Answer(response.status_code, body, response.headers.get("Retry-After"))

    async def aclose(self) -> None:
        await self._transport.aclose()


def graph_http(name: TransportName, max_connections: int, timeout_s: float) -> GraphHttp:
    """The settings' choice of HTTP client for the channel."""
    if name == "httpx":
        return HttpxGraph(max_connections, timeout_s)
    return AiohttpGraph(max_connections, timeout_s)
