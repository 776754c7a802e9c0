"""The simulator: a chat page that drives the real webhook with signed payloads (sandbox only).

Everything goes through its two guarded routes (see admin.security.SANDBOX_PATHS):

- GET /simulator: the page; `?chat=<wa_id>&business=<phone_number_id>&after_in=&after_out=` is that client's chat as
  JSON (both sides, formatted, newer than the two cursors); `?media=<id>` is an image a simulated client sent.
- POST /simulator/send: JSON for a text, a tapped button or list row, or a shared location; multipart/form-data
  for an image with its caption.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.i18n import _, clock, local
from admin.simulator_format import whatsapp_html
from admin.simulator_media import MAX_CAPTION, MAX_IMAGE_BYTES, MEDIA, image_type
from admin.simulator_payloads import inbound_message
from channels.signature import sign
from domain.models import Business, Client, InboundMessage, OutboundMessage
from domain.people.phones import canonical_phone
from runtime.keys import RUNTIME
from runtime.own_address import post_to_own_route

WA_ID = re.compile(r"[0-9]{8,15}")
DEFAULT_WA_ID, DEFAULT_NAME = "5511999990000", "Ana Teste"
CHAT_LIMIT = 100  # messages of each side when a chat opens; polls then bring what is newer
MAX_CURSOR = 2**63 - 1
FIELD_BYTES = 8 * 1024  # a text field of the image form; the caption is at most 1024 characters
# Where a shared location starts when the business has no coordinates: the fixture's spot on Av. Paulista.
EXAMPLE_PLACE = {"latitude": -23.561684, "longitude": -46.655981, "name": "", "address": "Av. Paulista, 1000 - São Paulo"}


class SimulatedLocation(BaseModel):
    latitude: float = Field(ge=-90, le=90, allow_inf_nan=False)
    longitude: float = Field(ge=-180, le=180, allow_inf_nan=False)
    name: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=300)


class SimulatedMessage(BaseModel):
    phone_number_id: str = Field(min_length=1, max_length=64)
    wa_id: str = Field(pattern=r"^\d{8,15}$")
    name: str = Field("Simulator", max_length=60)
    text: str | None = Field(None, max_length=4096)
    reply_id: str | None = Field(None, max_length=256)
    reply_title: str | None = Field(None, max_length=72)
    reply_kind: str = Field("button_reply", pattern=r"^(button_reply|list_reply)$")
    location: SimulatedLocation | None = None


class ImageForm(BaseModel):
    phone_number_id: str = Field(min_length=1, max_length=64)
    wa_id: str = Field(pattern=r"^\d{8,15}$")
    name: str = Field("Simulator", max_length=60)
    caption: str | None = Field(None, max_length=MAX_CAPTION)


@dataclass(frozen=True)
class Chat:
    lines: list[dict[str, Any]]  # what the page shows, oldest first
    after_in: int  # the cursors of the next poll: the last message of each side shown
    after_out: int
    name: str | None  # the client's name, as the business knows them; None for a number it does not know yet


class Refused(Exception):
    """A send the simulator will not make: its status and the message the page shows."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _require_sandbox(request: web.Request) -> None:
    if request.app[RUNTIME].settings.channel != "sandbox":
        raise web.HTTPNotFound()


async def simulator_page(request: web.Request) -> web.StreamResponse:
    """The page; a client's chat as JSON with `?chat=`; a sent image with `?media=`."""
    _require_sandbox(request)
    if "chat" in request.query:
        return await _chat(request)
    if "media" in request.query:
        return _media(request)
    return await _page(request)


async def _page(request: web.Request) -> web.StreamResponse:
    async with request.app[RUNTIME].sessions() as session:
        # A studio that signed up but has not connected its number yet cannot be written to.
        businesses = (await session.scalars(select(Business).where(Business.phone_number_id.is_not(None))
                                            .order_by(Business.id))).all()
        clients = (await session.execute(
            select(Business.phone_number_id, Client.wa_id, Client.profile_name)
            .join(Business, Business.id == Client.business_id)
            .where(Client.wa_id.is_not(None), Client.erased_at.is_(None))
            .order_by(Client.id.desc()).limit(200))).all()
    known = [{"business": pnid, "wa_id": wa_id, "name": name or ""} for pnid, wa_id, name in clients]
    wa_id = request.query.get("wa_id", "")
    wa_id = wa_id if WA_ID.fullmatch(wa_id) else DEFAULT_WA_ID
    name = next((c["name"] for c in known if c["wa_id"] == wa_id and c["name"]), DEFAULT_NAME)
    places = {b.phone_number_id: _place(b) for b in businesses}
    data = {
        "businesses": places,
        "clients": known,
        "example_place": EXAMPLE_PLACE,
        "max_image_bytes": MAX_IMAGE_BYTES,
        "strings": {
            "not_accepted": _("The webhook did not accept the message."),
            "bad_number": _("Your number is 8 to 15 digits, country code first (5511…)."),
            "empty_chat": _("No messages with this number yet. Say hi!"),
            "photo": _("Photo"),
            "open_map": _("Open in map"),
            "choose_image": _("Choose a JPEG or PNG image first."),
            "wrong_type": _("Only JPEG and PNG images can be sent."),
            "too_big": _("That image is over 5 MB, the most WhatsApp takes."),
            "bad_place": _("Give a latitude from -90 to 90 and a longitude from -180 to 180."),
            "unreachable": _("The simulator could not reach the server. Is the demo still running?"),
        },
    }
    # No inline script or style: the page's own are static files, its data a JSON block no browser runs.
    context = {"businesses": businesses, "wa_id": wa_id, "name": name, "data": data}
    return aiohttp_jinja2.render_template("simulator.html", request, context)


def _place(business: Business) -> dict[str, Any]:
    """The studio's own spot, when its settings give coordinates."""
    if business.latitude is None or business.longitude is None:
        return {"name": business.name}
    return {"name": business.name, "latitude": business.latitude, "longitude": business.longitude,
            "address": business.address or ""}


def _media(request: web.Request) -> web.Response:
    image = MEDIA.get(request.query.get("media", ""))
    if image is None:
        raise web.HTTPNotFound(text=_("That image is no longer kept: the demo keeps sent images until it stops."))
    return web.Response(body=image.content, content_type=image.mime_type, headers={"Cache-Control": "private, max-age=86400"})


async def _chat(request: web.Request) -> web.Response:
    query = request.query
    wa_id = query.get("chat", "")
    try:
        after_in, after_out = int(query.get("after_in", "0")), int(query.get("after_out", "0"))
    except ValueError:
        after_in = after_out = -1
    if not WA_ID.fullmatch(wa_id) or not (0 <= after_in <= MAX_CURSOR and 0 <= after_out <= MAX_CURSOR):
        return web.json_response({"error": _("Your number is 8 to 15 digits, country code first (5511…).")}, status=400)
    async with request.app[RUNTIME].sessions() as session:
        business = await session.scalar(select(Business).where(Business.phone_number_id == query.get("business", "")))
        if business is None:
            return web.json_response({"error": _("No business has that phone number id.")}, status=404)
        chat = await chat_lines(session, business, wa_id, after_in, after_out)
    return web.json_response({"messages": chat.lines, "after_in": chat.after_in, "after_out": chat.after_out,
                              "name": chat.name})


async def chat_lines(session: AsyncSession, business: Business, wa_id: str, after_in: int = 0, after_out: int = 0) -> Chat:
    """The client's messages and what the sandbox sent them, newer than the cursors, in the order they happened.

    A cursor at 0 opens the chat: the newest CHAT_LIMIT of that side. Read receipts are left out."""
    phone = canonical_phone(wa_id)
    same_person = or_(Client.wa_id == wa_id, Client.phone_e164 == phone) if phone else Client.wa_id == wa_id
    clients = select(Client.id).where(Client.business_id == business.id, same_person)
    inbound = select(InboundMessage).where(InboundMessage.business_id == business.id,
                                           InboundMessage.client_id.in_(clients), InboundMessage.id > after_in)
    outbound = select(OutboundMessage).where(
        OutboundMessage.business_id == business.id, OutboundMessage.client_id.in_(clients),
        OutboundMessage.kind != "read", OutboundMessage.provider_message_id.like("sandbox.%"), OutboundMessage.id > after_out)
    received = await _newest_or_next(session, inbound, InboundMessage.id, after_in)
    sent = await _newest_or_next(session, outbound, OutboundMessage.id, after_out)
    tz = business.timezone
    timeline = [(m.received_at, False, m.id, _client_line(m, tz)) for m in received]
    timeline += [(m.created_at, True, m.id, _bot_line(m, tz)) for m in sent]
    # A reply is made after the message it answers; at the same instant (a test's clock) the client's goes first.
    timeline.sort(key=lambda entry: entry[:3])
    name = await session.scalar(select(Client.profile_name).where(Client.business_id == business.id, same_person)
                                .order_by(Client.id).limit(1))
    return Chat([line for *_order, line in timeline], max([after_in, *(m.id for m in received)]),
                max([after_out, *(m.id for m in sent)]), name)


async def _newest_or_next(session: AsyncSession, stmt: Any, id_column: Any, after: int) -> list[Any]:
    if after == 0:
        return list(reversed((await session.scalars(stmt.order_by(id_column.desc()).limit(CHAT_LIMIT))).all()))
    return list((await session.scalars(stmt.order_by(id_column).limit(CHAT_LIMIT))).all())


def _client_line(message: InboundMessage, tz: str) -> dict[str, Any]:
    payload = message.payload or {}
    line: dict[str, Any] = {"key": f"in:{message.id}", "from": "me", "kind": message.kind,
                            "time": clock(local(message.received_at, tz)), "message_id": message.provider_message_id}
    text = message.body
    if message.kind == "location" and isinstance(place := payload.get("location"), dict):
        line["location"] = {k: place.get(k) for k in ("latitude", "longitude", "name", "address")}
        text = None  # its name and address are on the location card
    elif message.kind == "image":
        media_id = str((payload.get("image") or {}).get("id") or "")
        line["image"] = f"/simulator?media={quote(media_id)}" if media_id and MEDIA.get(media_id) else None
    elif text is None:
        text = f"[{message.kind}]"
    line["html"] = str(whatsapp_html(text)) if text else ""
    return line


def _bot_line(message: OutboundMessage, tz: str) -> dict[str, Any]:
    payload = message.payload or {}
    choices: list[dict[str, Any]] = []
    if message.kind == "buttons":
        choices = [{"id": b.get("id"), "title": b.get("title"), "kind": "button_reply"} for b in payload.get("buttons", [])]
    elif message.kind == "list":
        choices = [{"id": r.get("id"), "title": r.get("title"), "description": r.get("description"), "kind": "list_reply"}
                   for s in payload.get("sections", []) for r in s.get("rows", [])]
    text = message.body if message.body is not None else f"[{message.kind}]"
    return {"key": f"out:{message.id}", "from": "bot", "kind": message.kind, "time": clock(local(message.created_at, tz)),
            "html": str(whatsapp_html(text)), "choices": choices}


async def simulator_send(request: web.Request) -> web.Response:
    """Sign a Cloud API webhook body for the simulated client and POST it to our own webhook."""
    _require_sandbox(request)
    if request.content_type == "multipart/form-data":
        return await _send_image(request)
    try:
        form = SimulatedMessage.model_validate(await request.json())
    except ValidationError as exc:
        if any(error["loc"][:1] == ("location",) for error in exc.errors()):
            return web.json_response({"error": _("Give a latitude from -90 to 90 and a longitude from -180 to 180.")}, status=400)
        return web.json_response({"error": f"invalid simulator message: {exc}"}, status=400)
    except ValueError as exc:  # not JSON, or not UTF-8
        return web.json_response({"error": f"invalid simulator message: {exc}"}, status=400)
    if not (form.text or form.reply_id or form.location):
        return web.json_response({"error": _("Type a message first.")}, status=400)
    fields = form.model_dump(exclude={"location"})
    location = form.location.model_dump() if form.location else None
    return await _deliver(request, inbound_message(**fields, location=location))


async def _send_image(request: web.Request) -> web.Response:
    """An image message: the file checked as WhatsApp would take it, kept in the sandbox's media store, and its media
    id sent in the webhook as Meta sends it."""
    try:
        fields, content = await _read_image_form(request)
        form = ImageForm.model_validate(fields)
    except Refused as refused:
        return web.json_response({"error": refused.message}, status=refused.status)
    except ValidationError as exc:
        return web.json_response({"error": f"invalid simulator message: {exc}"}, status=400)
    if not content:
        return web.json_response({"error": _("Choose a JPEG or PNG image first.")}, status=400)
    mime_type = image_type(content)
    if mime_type is None:
        return web.json_response({"error": _("Only JPEG and PNG images can be sent.")}, status=415)
    image = MEDIA.put(content, mime_type)
    body = inbound_message(phone_number_id=form.phone_number_id, wa_id=form.wa_id, name=form.name,
                           image={"id": image.media_id, "mime_type": mime_type, "sha256": image.sha256, "caption": form.caption})
    return await _deliver(request, body, media_id=image.media_id)


async def _read_image_form(request: web.Request) -> tuple[dict[str, str], bytes]:
    """The form's text fields and the image's bytes, read no further than the limits."""
    fields: dict[str, str] = {}
    content = b""
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                raise Refused(400, _("The image form could not be read."))
            if part.name == "image":
                content = await _read_part(part, MAX_IMAGE_BYTES, _("That image is over 5 MB, the most WhatsApp takes."))
            elif part.name in ImageForm.model_fields:
                raw = await _read_part(part, FIELD_BYTES, _("The image form could not be read."))
                fields[part.name] = raw.decode()
    except (ValueError, AssertionError, RuntimeError, HttpProcessingError):  # a malformed body or a field not UTF-8
        raise Refused(400, _("The image form could not be read.")) from None
    return fields, content


async def _read_part(part: BodyPartReader, limit: int, too_big: str) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk(64 * 1024):
        data += chunk
        if len(data) > limit:
            raise Refused(413, too_big)
    return bytes(data)


async def _deliver(request: web.Request, body: dict[str, Any], **extra: str) -> web.Response:
    raw = json.dumps(body).encode()
    secret = request.app[RUNTIME].settings.whatsapp_app_secret.get_secret_value()
    status = await post_to_own_route(request, "whatsapp_webhook", raw,
                                     {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, secret)})
    message_id = body["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    return web.json_response({"webhook_status": status, "message_id": message_id, **extra}, status=200 if status == 200 else 502)
