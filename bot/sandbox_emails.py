"""GET /sandbox/emails: the mails the demo would have sent (newest first), kept in its database (demo only).

?to=<address> shows one recipient's; ?format=json gives the same as JSON. Guarded like the other sandbox pages
(admin.security.SANDBOX_PATHS): past loopback it needs a panel login, as the mails hold reset links."""
from __future__ import annotations

from aiohttp import web

from bot.pages import page
from domain.messaging.emails import sent_lately
from runtime.keys import RUNTIME


async def sandbox_emails(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    if runtime.settings.mail != "sandbox":
        raise web.HTTPNotFound()
    to = request.query.get("to", "").strip()[:254] or None
    async with runtime.sessions() as session:
        rows = await sent_lately(session, to=to)
    mails = [{"id": row.id, "kind": row.kind, "to": row.to_address, "subject": row.subject, "body": row.body,
              "status": row.status, "created_at": row.created_at.isoformat(),
              "sent_at": row.sent_at.isoformat() if row.sent_at else None,
              "attachments": [{"filename": a["filename"], "content_type": a["content_type"], "content": a["content"]}
                              for a in row.attachments]} for row in rows]
    if request.query.get("format") == "json":
        return web.json_response({"emails": mails}, headers={"Cache-Control": "no-store"})
    en = not request.headers.get("Accept-Language", "").lower().startswith("pt")
    return page("sandbox_emails.html", mails=mails, to=to, en=en)
