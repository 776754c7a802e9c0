"""The inbox: conversations waiting for a person first; take over, reply as the trainer, hand back."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

import aiohttp_jinja2
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.flash import flash
from admin.forms.inbox import ReplyForm, TemplateForm
from admin.i18n import _
from admin.identity import Identity, identity
from admin.page_support import business_of, form_errors, local_time, page_number, staff_scope
from admin.read_models.chat_history import chat_history
from admin.read_models.client_directory import get_visible
from admin.read_models.inbox_overview import inbox
from conversations.replies import Reply, Template, Text, preview
from domain.errors import NotFound
from domain.messaging import handoff, message_templates, outbox, trainer_replies
from domain.models import Client, Conversation
from runtime.keys import RUNTIME

routes = web.RouteTableDef()
CHAT = r"/admin/inbox/{client_id:\d+}"


@routes.get("/admin/inbox", name="inbox")
@aiohttp_jinja2.template("admin/inbox.html")
async def inbox_page(request: web.Request) -> dict[str, Any]:
    me, runtime = identity(request), request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        listing = await inbox(session, me.business_id, staff_scope(me), page=page_number(request))
    return {"listing": listing, "at": local_time(business.timezone)}


@routes.get(CHAT, name="inbox_chat")
async def chat_page(request: web.Request) -> web.Response:
    return await _render_chat(request)


@routes.get(CHAT + "/messages", name="inbox_messages")
async def chat_messages(request: web.Request) -> web.Response:
    """Just the timeline, for the page's script to refresh while the trainer waits for an answer."""
    return await _render_chat(request, template="admin/_chat.html")


@routes.post(CHAT + "/take-over", name="inbox_take_over")
async def take_over(request: web.Request) -> web.Response:
    await _switch(request, handoff.take_over)
    flash(request, _("You have the conversation: the bot stays quiet until you hand it back."))
    _back(request)


@routes.post(CHAT + "/hand-back", name="inbox_hand_back")
async def hand_back(request: web.Request) -> web.Response:
    await _switch(request, handoff.hand_back)
    flash(request, _("Handed back to the bot."))
    _back(request)


@routes.post(CHAT + "/reply", name="inbox_reply")
async def reply(request: web.Request) -> web.Response:
    """Send free text as the trainer (inside the 24-hour window only)."""
    raw = dict(await request.post())
    try:
        form = ReplyForm.model_validate(raw)
    except ValidationError as exc:
        return await _render_chat(request, errors={"body": form_errors(exc)["body"]}, form=raw, status=400)
    return await _send(request, Text(form.body), raw)


@routes.post(CHAT + "/template", name="inbox_template")
async def send_template(request: web.Request) -> web.Response:
    """Send an approved template (the only kind WhatsApp allows outside the 24-hour window)."""
    me, runtime = identity(request), request.app[RUNTIME]
    raw = dict(await request.post())
    async with runtime.sessions() as session:
        allowed = await message_templates.active_names(session, me.business_id)
        client = await _client(session, me, request)
    try:
        form = TemplateForm.model_validate(raw, context={"allowed": allowed})
    except ValidationError as exc:
        return await _render_chat(request, errors=form_errors(exc), form=raw, status=400)
    language = (client.locale or "pt-BR").replace("-", "_")
    return await _send(request, Template(form.template, language, form.parameters), raw)


async def _send(request: web.Request, message: Reply, raw: Mapping[str, Any]) -> web.Response:
    me, runtime = identity(request), request.app[RUNTIME]
    try:
        async with runtime.sessions.begin() as session:
            client = await _client(session, me, request)
            outgoing = outbox.OutgoingMessage(message.kind, preview(message), message.payload())
            await trainer_replies.send_as_trainer(session, client, outgoing, runtime.clock.now(), me.name)
    except trainer_replies.ReplyRefused as exc:
        field = "body" if isinstance(message, Text) else "template"
        return await _render_chat(request, errors={field: _refusal(exc)}, form=raw, status=400)
    await request.app[RUNTIME].wake.deliver([client.id])  # after commit: the row is there for the worker
    flash(request, _("Sent.") if isinstance(message, Text) else _("Template sent."))
    _back(request)


def _refusal(exc: trainer_replies.ReplyRefused) -> str:
    """Why the message could not go, in the request's language."""
    if isinstance(exc, trainer_replies.OutsideWindow):
        return _("more than 24 hours since the client's last message: choose an approved template")
    if isinstance(exc, trainer_replies.Unreachable):
        return _("this client cannot receive messages")
    return str(exc)


async def _switch(request: web.Request, change: Any) -> None:
    me, runtime = identity(request), request.app[RUNTIME]
    async with runtime.sessions.begin() as session:
        client = await _client(session, me, request)
        await change(session, me.business_id, client.id, runtime.clock.now(), **({"by": me.name} if change is handoff.take_over else {}))


async def _render_chat(request: web.Request, *, errors: Mapping[str, str] | None = None,
                       form: Mapping[str, Any] | None = None, status: int = 200,
                       template: str = "admin/inbox_chat.html") -> web.Response:
    me, runtime = identity(request), request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        client = await _client(session, me, request)
        handoff_on, taken_by = (await session.execute(select(Conversation.handoff, Conversation.taken_by)
                                                      .where(Conversation.client_id == client.id))).one_or_none() or (False, None)
        ctx = {
            "c": client, "handoff": bool(handoff_on), "taken_by": taken_by, "chat": await chat_history(session, me.business_id, client.id),
            "inside_window": outbox.inside_window(client.last_inbound_at, runtime.clock.now()),
            "templates": await message_templates.active_names(session, me.business_id),
            "errors": errors or {}, "form": form or {}, "at": local_time(business.timezone),
        }
    return aiohttp_jinja2.render_template(template, request, ctx, status=status)


async def _client(session: AsyncSession, me: Identity, request: web.Request) -> Client:
    """The conversation's client if this user may see it; 404 otherwise (erased ones have no chat)."""
    try:
        client = await get_visible(session, me.business_id, staff_scope(me), int(request.match_info["client_id"]))
    except NotFound:
        raise web.HTTPNotFound(text=_("No such conversation.")) from None
    if client.erased_at is not None:
        raise web.HTTPNotFound(text=_("This client's data was erased."))
    return client


def _back(request: web.Request) -> NoReturn:
    raise web.HTTPFound(request.app.router["inbox_chat"].url_for(client_id=request.match_info["client_id"]))
