"""GET /sandbox/messages?to=<wa_id>: what the sandbox channel would have sent (demo only)."""
from __future__ import annotations

from aiohttp import web

from domain.messaging.sandbox import sent_to
from runtime.keys import RUNTIME


async def sandbox_messages(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    if runtime.settings.channel != "sandbox":
        raise web.HTTPNotFound()
    to = request.query.get("to", "").strip()
    if not to:
        return web.json_response({"error": "the 'to' query parameter (a WhatsApp id) is required"}, status=400)
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        return web.json_response({"error": "'after' must be a whole number"}, status=400)
    async with runtime.sessions() as session:
        messages = await sent_to(session, to, after)
    return web.json_response({"to": to, "messages": messages})
