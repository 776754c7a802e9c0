"""What a panel user may see: the owner the whole business, a trainer their own calendar and clients."""
from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin.identity import Identity
from admin.read_models.client_directory import get_visible
from domain.errors import NotFound
from domain.models import Business, Client
from domain.scheduling.catalog import Scoped, get_scoped


def staff_scope(me: Identity) -> int | None:
    """None for an owner; the trainer's own staff id otherwise (0, matching nothing, if they have none)."""
    return None if me.is_owner else (me.staff_id or 0)


async def business_of(session: AsyncSession, me: Identity) -> Business:
    business = await session.get(Business, me.business_id)
    if business is None:
        raise web.HTTPNotFound()
    return business


async def in_business(session: AsyncSession, me: Identity, model: type[Scoped], row_id: int) -> Scoped:
    """A row of the user's business (service, trainer, …); another business's id is a 404."""
    try:
        return await get_scoped(session, model, me.business_id, row_id)
    except NotFound:
        raise web.HTTPNotFound() from None


async def check_client(session: AsyncSession, me: Identity, client_id: int) -> Client:
    """The client, if this user may act for them; another business's (or trainer's) client is a 404."""
    try:
        return await get_visible(session, me.business_id, staff_scope(me), client_id)
    except NotFound:
        raise web.HTTPNotFound() from None
