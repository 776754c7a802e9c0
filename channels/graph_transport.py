"""How the Cloud API channel's POSTs reach the Graph API: what it needs back, and httpx's transport.

The channel needs only a status, a body and a Retry-After header back. Production posts through
graph_connections' pool, which costs a fraction of httpx's (or aiohttp's) CPU per send; httpx's
own transport stays for the tests, as it is the one respx intercepts. The pool is tested against
a real local server instead.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import httpx


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

