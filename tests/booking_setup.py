"""A small studio for booking tests: two trainers, a personal session, a group class, clients."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from domain.models import Business, Client
from domain.scheduling import catalog

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
# Monday 2026-11-23 09:00 in São Paulo (UTC-3, no DST).
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def local(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    """A São Paulo wall-clock time as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=SAO_PAULO).astimezone(UTC)


@dataclass
class Studio:
    business: Business
    ana: int  # trainer ids
    bruno: int
    personal: int  # service ids
    spinning: int
    clients: list[int]


async def make_client(session, business_id: int, n: int) -> int:  # type: ignore[no-untyped-def]
    phone = f"+55119{n:08d}"
    client = Client(business_id=business_id, contact_key=phone, wa_id=phone[1:], phone_e164=phone,
                    profile_name=f"Cliente {n}", created_at=NOW)
    session.add(client)
    await session.flush()
    return client.id


async def make_studio(runtime, business: Business, *, clients: int = 3, requires_credit: bool = False) -> Studio:  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        shop = await session.get(Business, business.id)
        shop.booking_requires_credit = requires_credit
        ana = await catalog.add_staff(session, business.id, "Ana", NOW)
        bruno = await catalog.add_staff(session, business.id, "Bruno", NOW)
        personal = await catalog.add_service(session, business.id, "Treino personal", NOW, duration_min=60,
                                             buffer_after_min=10, price_cents=12000, trainer_ids=[ana.id, bruno.id])
        spinning = await catalog.add_service(session, business.id, "Spinning", NOW, duration_min=45, capacity=5,
                                             price_cents=4000, trainer_ids=[bruno.id])
        for staff in (ana, bruno):
            for weekday in range(6):  # Monday to Saturday
                await catalog.add_weekly_hours(session, business.id, staff.id, weekday, time(6), time(12))
                await catalog.add_weekly_hours(session, business.id, staff.id, weekday, time(14), time(21))
        client_ids = [await make_client(session, business.id, n) for n in range(clients)]
        return Studio(shop, ana.id, bruno.id, personal.id, spinning.id, client_ids)
