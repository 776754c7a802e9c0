"""GET .ics files: a trainer's calendar feed (secret token URL) and one client's booking (signed URL)."""
from __future__ import annotations

import hashlib
import hmac

from aiohttp import web

from domain.errors import NotFound
from domain.scheduling import ical
from runtime.keys import RUNTIME

ICS_HEADERS = {
    "Content-Type": "text/calendar; charset=utf-8",
    "Content-Disposition": 'inline; filename="fitzap.ics"',
    # The URL is the credential: keep the feed out of shared caches.
    "Cache-Control": "private, max-age=300",
}
SIGNATURE_CHARS = 32


def booking_ics_signature(secret_key: str, booking_id: int) -> str:
    """HMAC-SHA256 of "booking:<id>" under the app's secret key, hex, first 32 characters."""
    digest = hmac.new(secret_key.encode(), f"booking:{booking_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:SIGNATURE_CHARS]


def booking_ics_path(secret_key: str, booking_id: int) -> str:
    """The path of a booking's .ics, to send to the client."""
    return f"/ical/bookings/{booking_id}/{booking_ics_signature(secret_key, booking_id)}.ics"


def _ics(body: bytes) -> web.Response:
    return web.Response(body=body, headers=ICS_HEADERS)


def _not_found() -> web.HTTPNotFound:
    # One body for every miss, so a probe cannot tell a wrong token from a deactivated trainer.
    return web.HTTPNotFound(text="calendar not found")


async def trainer_calendar(request: web.Request) -> web.Response:
    """GET /ical/trainers/{token}.ics: the trainer's appointments, for Google/Apple Calendar subscriptions."""
    runtime = request.app[RUNTIME]
    async with runtime.sessions() as session:
        try:
            body = await ical.trainer_feed(session, request.match_info["token"], runtime.clock.now())
        except NotFound:
            raise _not_found() from None
    return _ics(body)


async def booking_calendar(request: web.Request) -> web.Response:
    """GET /ical/bookings/{booking_id}/{signature}.ics: one booking, for the client to add to a calendar."""
    runtime = request.app[RUNTIME]
    try:
        booking_id = int(request.match_info["booking_id"])
    except ValueError:
        raise _not_found() from None
    expected = booking_ics_signature(runtime.settings.secret_key.get_secret_value(), booking_id)
    # Bytes: compare_digest refuses non-ASCII str, and the path is attacker-chosen.
    if not hmac.compare_digest(expected.encode(), request.match_info["signature"].encode()):
        raise _not_found()
    async with runtime.sessions() as session:
        try:
            business_id = await ical.booking_business_id(session, booking_id)
            body = await ical.booking_ics(session, business_id, booking_id, runtime.clock.now())
        except NotFound:
            raise _not_found() from None
    return _ics(body)
