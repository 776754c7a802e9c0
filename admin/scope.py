"""What a panel user may see: the owner the whole business, a trainer their own calendar and clients."""
from __future__ import annotations

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.identity import Identity
from domain.catalog import Scoped, get_scoped
from domain.errors import NotFound
from domain.models import Booking, Business, Client
from domain.panel_choices import trainer_client_ids


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
    client = await in_business(session, me, Client, client_id)
    scope = staff_scope(me)
    if scope is not None:
        mine = select(trainer_client_ids(me.business_id, scope).where(Booking.client_id == client_id).exists())
        if not (await session.execute(mine)).scalar():
            raise web.HTTPNotFound()
    return client
