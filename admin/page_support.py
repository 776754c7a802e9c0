"""Small helpers the client, inbox and delivery pages share: scoping, local times, form errors."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from admin.forms.form_errors import field_errors
from admin.i18n import moment_label
from admin.identity import Identity
from domain.models import Business

# A trainer whose login has no staff row must see no one: an id no row has.
NO_STAFF = -1


def staff_scope(me: Identity) -> int | None:
    """None for an owner (every client); the trainer's staff id otherwise (only their clients)."""
    if me.is_owner:
        return None
    return me.staff_id if me.staff_id is not None else NO_STAFF


def local_time(tz: str) -> Callable[[datetime | None], str]:
    """A template function showing UTC datetimes as the business's wall-clock time, in the panel's language."""
    zone = ZoneInfo(tz)

    def at(moment: datetime | None) -> str:
        return moment_label(moment, zone)

    return at


def form_errors(exc: ValidationError) -> dict[str, str]:
    """The first error of each field, in words in the panel's language, for showing next to the field."""
    return field_errors(exc)


async def business_of(session: AsyncSession, me: Identity) -> Business:
    """The logged-in user's business row (for its time zone and locale)."""
    business = await session.get(Business, me.business_id)
    if business is None:
        raise web.HTTPNotFound()
    return business


def page_number(request: web.Request) -> int:
    """The ?page= of a paged list; anything odd is page 1."""
    value = request.query.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 7 else 1


def public_origin(request: web.Request) -> str:
    """This server as the outside world reaches it; behind a proxy, what it forwarded (display only)."""
    scheme = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
    host = request.headers.get("X-Forwarded-Host", request.host).split(",")[0].strip()
    return f"{scheme}://{host}"
