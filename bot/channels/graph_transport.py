"""The transport under the Cloud API channel's httpx client: aiohttp's connection handling, for throughput.

httpx's own transport (httpcore) managed ~400 requests/s against a local Graph API stand-in where
aiohttp managed ~2,600/s, which made it the first bottleneck of the send pipeline. httpx stays the
API the channel speaks, so its error handling and the respx-mocked tests are unchanged; underneath,
the maintained `httpx-aiohttp` package (by an httpx maintainer) hands each request to an aiohttp
ClientSession, so there is no hand-written transport to keep up. Its errors arrive as httpx's
(timeouts as httpx.TimeoutException, the rest as httpx.TransportError), which the channel already
turns into retries.
"""
from __future__ import annotations

from typing import Literal

import httpx
from httpx_aiohttp import AiohttpTransport

TransportName = Literal["aiohttp", "httpx"]


def graph_transport(name: TransportName, max_connections: int) -> httpx.AsyncBaseTransport | None:
    """The transport to send through; None for httpx's own (the one respx intercepts in tests).

    The aiohttp ClientSession is opened on the first request, inside the loop that sends: a session
    belongs to one event loop, and each worker thread's loop has its own channel.
    """
    if name == "httpx":
        return None
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    return AiohttpTransport(limits=limits)
