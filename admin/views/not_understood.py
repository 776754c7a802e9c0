"""Not understood (staff): the messages the bot was unsure of, with its guess; one click says what each meant,
and from then on the bot reads a message like it that way for every client of the business."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from admin.domain_words import word
from admin.i18n import _
from admin.identity import identity
from admin.page_support import business_of, local_time
from admin.views.settings_support import done, form_data, not_found_as_404, row_id
from conversations.nlu import INTENTS
from domain.messaging import unclear
from runtime.keys import RUNTIME

routes = web.RouteTableDef()


@routes.get("/admin/not-understood", name="not_understood")
async def not_understood_page(request: web.Request) -> web.Response:
    me, runtime = identity(request), request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        messages = await unclear.recent(session, me.business_id)
    return aiohttp_jinja2.render_template("admin/not_understood.html", request, {
        "messages": messages, "intents": INTENTS, "at": local_time(business.timezone), "word": word,
        "choices": {m.id: list(dict.fromkeys([*m.options, m.guess] if m.guess != "unknown" else m.options)) for m in messages}})


@routes.post(r"/admin/not-understood/{message_id:\d+}", name="not_understood_teach")
async def teach(request: web.Request) -> web.Response:
    me, runtime = identity(request), request.app[RUNTIME]
    intent = (await form_data(request)).get("intent", "")
    if intent not in INTENTS:
        raise web.HTTPBadRequest(text=_("Pick one of the listed meanings."))
    async with runtime.sessions.begin() as session:
        with not_found_as_404():
            message = await unclear.teach(session, me.business_id, row_id(request, "message_id"), intent, me.user_id,
                                          runtime.clock.now())
    raise done(request, _("Saved: “%(text)s” means %(meaning)s.", text=message.text[:60], meaning=word("intent", intent)),
               "not_understood")
