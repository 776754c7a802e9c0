"""A logged-in panel over the booking tests' studio, at the studio's fixed 'now' (Monday 23/11 09:00)."""
from __future__ import annotations

from dataclasses import dataclass

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from domain.models import Booking, Business, OutboundMessage
from domain.scheduling import booking
from runtime.resources import Runtime
from tests.admin_support import login, make_user
from tests.booking_setup import NOW, Studio, make_studio


@dataclass
class Panel:
    web: TestClient
    studio: Studio
    token: str

    async def post(self, path: str, **data: object):  # type: ignore[no-untyped-def]
        return await self.web.post(path, data={"csrf_token": self.token, **{k: str(v) for k, v in data.items()}},
                                   allow_redirects=False)

    async def page(self, path: str) -> tuple[int, str]:
        response = await self.web.get(path, allow_redirects=False)
        return response.status, await response.text()


async def open_panel(web: TestClient, runtime: Runtime, business: Business, *, role: str = "owner",
                     requires_credit: bool = False) -> Panel:
    """The studio, an owner and a trainer (Ana) login; logged in as `role`."""
    studio = await make_studio(runtime, business, requires_credit=requires_credit)
    await make_user(runtime, business.id)
    await make_user(runtime, business.id, role="trainer", email="ana@studio.test", staff_id=studio.ana, name="Ana")
    token = await login(web, "owner@studio.test" if role == "owner" else "ana@studio.test")
    return Panel(web, studio, token)


async def book(runtime: Runtime, studio: Studio, starts_at, *, client: int = 0, trainer: int | None = None,  # type: ignore[no-untyped-def]
               now=NOW) -> Booking:
    async with runtime.sessions.begin() as session:
        return await booking.book_personal(session, studio.business.id, client_id=studio.clients[client],
                                           service_id=studio.personal, staff_id=trainer or studio.ana,
                                           starts_at=starts_at, now=now)


async def other_business(runtime: Runtime) -> Business:
    async with runtime.sessions.begin() as session:
        shop = Business(name="Elsewhere Gym", phone_number_id="999000111", timezone="Europe/Lisbon", locale="en",
                        currency="EUR", created_at=NOW)
        session.add(shop)
    return shop


async def outbox(runtime: Runtime) -> list[OutboundMessage]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(OutboundMessage).order_by(OutboundMessage.id))).scalars().all())


async def count_bookings(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Booking)) or 0)


def week_html(page: str) -> str:
    """The calendar's week grid alone (the booking form below lists clients too)."""
    return page[page.index('<div class="week"'):page.index('</main>')]
