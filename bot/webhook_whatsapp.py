"""POST/GET /webhooks/whatsapp: verify, parse, store durably, wake the workers, answer."""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from bot.inbound_store import Received
from bot.keys import INBOUND_STORE, METRICS
from channels.signature import is_valid
from channels.webhook_payloads import Change, Message, WebhookBody, message_json, parse_body
from domain.clock import Clock
from domain.messaging import secret_box
from domain.messaging.inbox import IncomingMessage
from domain.messaging.statuses import StatusUpdate
from domain.people.businesses import BusinessRef, by_phone_number_id
from runtime.failures import log_failure, service_away
from runtime.keys import RUNTIME
from runtime.resources import Runtime

log = logging.getLogger(__name__)
_BUSINESS_TTL_S = 60.0
# Unknown numbers are cached too (each would cost a query); past this many the cache starts again.
BUSINESS_CACHE_SIZE = 10_000
RETRY_AFTER_S = 5
PROFILE_NAME_MAX = 120  # the clients.profile_name column
_OK = b'{"ok":true}'  # the same answer for every stored webhook: built once, not serialised per request


async def verify_subscription(request: web.Request) -> web.Response:
    """Meta's hub.challenge handshake when the webhook URL is registered."""
    settings = request.app[RUNTIME].settings
    query = request.query
    token_ok = query.get("hub.verify_token") == settings.whatsapp_verify_token.get_secret_value()
    if query.get("hub.mode") == "subscribe" and token_ok and "hub.challenge" in query:
        return web.Response(text=query["hub.challenge"])
    return web.json_response({"error": "verification failed"}, status=403)


async def receive(request: web.Request) -> web.Response:
    """Store every message and status durably (group commit), then answer 200; count the outcome."""
    started = time.perf_counter()
    runtime = request.app[RUNTIME]
    raw = await request.read()
    signature = request.headers.get("X-Hub-Signature-256")
    studio: int | None = None  # signed by a studio's own Meta app rather than the platform's
    if not is_valid(raw, signature, runtime.settings.whatsapp_app_secret.get_secret_value()):
        studio = await _signed_by_studio(runtime, raw, signature)
        if studio is None:
            return _counted(request, started, "invalid_signature", web.json_response({"error": "invalid signature"}, status=401))
    try:
        body = parse_body(raw)
    except ValidationError as exc:
        detail = exc.errors(include_url=False, include_input=False)[:3]
        return _counted(request, started, "malformed",
                        web.json_response({"error": "malformed webhook body", "detail": detail}, status=400))

    try:
        received = await _received(runtime, body)
        if studio is not None:  # a studio's app speaks for its own number only
            received = [r for r in received if r.business_id == studio]
        if received:
            await request.app[INBOUND_STORE].store(received)
    except Exception as error:
        if not service_away(error):
            raise
        # Meta sends it again later; one line per interval, not a traceback per webhook.
        log_failure(log, "webhook not stored, the database is away; answered 503", error)
        return _counted(request, started, "unavailable", web.json_response(
            {"error": "temporarily unavailable"}, status=503, headers={"Retry-After": str(RETRY_AFTER_S)}))
    return _counted(request, started, "stored" if received else "ignored", web.Response(body=_OK, content_type="application/json"))


async def _received(runtime: Runtime, body: WebhookBody) -> list[Received]:
    """What the webhook brought, by business; a change for a phone number no business has is ignored."""
    received: list[Received] = []
    for change in (c for entry in body.entry for c in entry.changes if c.field == "messages"):
        business = await _business(runtime, change.value.metadata.phone_number_id)
        if business is None:
            log.warning("webhook for unknown phone_number_id %.40s ignored", change.value.metadata.phone_number_id)
            continue
        received.append(Received(business.id, _messages(change, runtime.clock), _statuses(change, runtime.clock)))
    return received


async def _signed_by_studio(runtime: Runtime, raw: bytes, signature: str | None) -> int | None:
    """The business whose own Meta app signed this webhook: the one number it names must have that app's secret.
    Nothing is stored before this says yes; a body that is not even JSON names no number."""
    if not signature:
        return None
    try:
        numbers = {change["value"]["metadata"]["phone_number_id"] for entry in json.loads(raw)["entry"]
                   for change in entry["changes"]}
    except (ValueError, TypeError, KeyError):
        return None
    if len(numbers) != 1 or not isinstance(number := numbers.pop(), str) or len(number) > 64:
        return None
    business = await _business(runtime, number)
    if business is None or business.app_secret_sealed is None:
        return None
    secret = secret_box.unseal(runtime.settings.secret_key.get_secret_value(), business.app_secret_sealed)
    return business.id if secret and is_valid(raw, signature, secret) else None


def _counted(request: web.Request, started: float, outcome: str, response: web.Response) -> web.Response:
    figures = request.app[METRICS]
    figures.webhooks[outcome].inc()
    figures.webhook_seconds.observe(time.perf_counter() - started)
    return response


async def _business(runtime: Runtime, phone_number_id: str) -> BusinessRef | None:
    cached = runtime.business_cache.get(phone_number_id)
    if isinstance(cached, tuple) and cached[1] > time.monotonic():
        return cached[0]  # type: ignore[no-any-return]
    async with runtime.sessions() as session:
        business = await by_phone_number_id(session, phone_number_id)
    if len(runtime.business_cache) >= BUSINESS_CACHE_SIZE:
        runtime.business_cache.clear()
    runtime.business_cache[phone_number_id] = (business, time.monotonic() + _BUSINESS_TTL_S)
    return business


def _profile_name(name: str | None) -> str | None:
    """What clients.profile_name holds: SQLite would keep a longer one, which then overflows the greeting."""
    return name[:PROFILE_NAME_MAX] if name else None


def _messages(change: Change, clock: Clock) -> list[IncomingMessage]:
    contacts = change.value.contacts
    by_wa_id = {c.wa_id: c for c in contacts if c.wa_id}
    result = []
    for message in change.value.messages:
        contact = by_wa_id.get(message.from_ or "") or (contacts[0] if len(contacts) == 1 else None)
        result.append(
            IncomingMessage(
                provider_message_id=message.id,
                wa_id=message.from_ or (contact.wa_id if contact else None),
                user_id=(contact.user_id if contact else None) or message.from_user_id,
                profile_name=_profile_name(contact.profile.name) if contact and contact.profile else None,
                kind=_kind(message),
                body=message.body_text(),
                payload=message_json(message),
                sent_at=message.sent_at or _arrived(clock, "message", message.id, message.timestamp),
            )
        )
    return result


def _kind(message: Message) -> str:
    known = {"text", "interactive", "button", "location", "image", "audio", "video", "document", "sticker", "reaction", "unsupported"}
    return message.type if message.type in known else "unknown"


def _statuses(change: Change, clock: Clock) -> list[StatusUpdate]:
    return [
        StatusUpdate(
            provider_message_id=s.id,
            status=s.status,
            occurred_at=s.occurred_at or _arrived(clock, "status of", s.id, s.timestamp),
            error=s.errors[0].model_dump(exclude_none=True) if s.errors else None,
        )
        for s in change.value.statuses
    ]


def _arrived(clock: Clock, what: str, provider_id: str, timestamp: Any) -> datetime:
    """The time a message or status arrived, for one whose timestamp is no usable time."""
    log.warning("%s %s has no usable timestamp (%.60r): kept with the time it arrived", what, provider_id, timestamp)
    return clock.now()
