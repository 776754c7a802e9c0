"""Posting to one of our own routes (the demo's simulator and sandbox checkout drive the real webhooks)."""
from __future__ import annotations

import aiohttp
from aiohttp import web
from yarl import URL


async def post_to_own_route(request: web.Request, route: str, body: bytes, headers: dict[str, str]) -> int:
    """POST `body` to the named route at the local address this request came in on; returns the status."""
    async with aiohttp.ClientSession() as http, http.post(own_url(request, route), data=body, headers=headers) as response:
        return response.status


def own_url(request: web.Request, route: str) -> URL:
    """The route at the socket this request arrived on: that socket is ours, the Host header is the client's."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    if not isinstance(sockname, tuple):
        raise web.HTTPServiceUnavailable(text="the connection closed")
    path = str(request.app.router[route].url_for())
    return URL.build(scheme=request.scheme, host=sockname[0], port=sockname[1], path=path)
