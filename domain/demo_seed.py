"""The demo business that `fitzap demo` starts with: a small studio with twelve weeks behind it and a week ahead."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.demo_history import seed_history
from domain.demo_past import seed_past_weeks
from domain.demo_training import seed_training
from domain.errors import DomainError
from domain.models import AdminUser, Business, Client, Staff
from domain.payments import products
from domain.people.admin_users import create_user, hash_password
from domain.people.business_settings import new_checkin_code
from domain.scheduling import booking, catalog, classes, credits

DEMO_BUSINESS_NAME = "Studio Demo FitZap"
DEMO_LOGINS = (("owner@fitzap.demo", "Dona do Studio", "owner", None), ("ana@fitzap.demo", "Ana Paula", "trainer", "Ana Paula"))
# Name, WhatsApp id and how many days ago each became a client (they have months of sessions behind them).
DEMO_CLIENTS = [("Maria Souza", "5511987654321", 160), ("João Lima", "5511976543210", 130),
                ("Carla Dias", "5521998765432", 110)]


async def seed_demo(session: AsyncSession, phone_number_id: str, now: datetime) -> Business:
    """Create the demo business once, with its week; later runs find it and keep its data."""
    existing = (await session.execute(select(Business).where(Business.phone_number_id == phone_number_id))).scalar_one_or_none()
    if existing is not None:
        return existing
    shop = Business(name=DEMO_BUSINESS_NAME, phone_number_id=phone_number_id, display_phone_number="5511930000000",
                    timezone="America/Sao_Paulo", locale="pt-BR", currency="BRL", created_at=now,
                    booking_requires_credit=True,  # the demo sells: a booking spends a credit or needs a plan
                    checkin_code=new_checkin_code(),  # the QR poster on Settings has something to show
                    plan="pro")  # the Plan page shows usage against limits, with plans either side to move to
    session.add(shop)
    await session.flush()
    ana = await catalog.add_staff(session, shop.id, "Ana Paula", now)
    bruno = await catalog.add_staff(session, shop.id, "Bruno Costa", now)
    personal = await catalog.add_service(session, shop.id, "Personal 60 min", now, duration_min=60, buffer_after_min=10,
                                         price_cents=15000, trainer_ids=[ana.id, bruno.id])
    await catalog.add_service(session, shop.id, "Avaliação física", now, duration_min=45, price_cents=9000,
                              trainer_ids=[ana.id])
    await catalog.add_service(session, shop.id, "Personal 30 min", now, duration_min=30, buffer_after_min=5,
                              price_cents=9000, trainer_ids=[bruno.id])
    spinning = await catalog.add_service(session, shop.id, "Spinning", now, duration_min=45, capacity=12,
                                         price_cents=4000, trainer_ids=[bruno.id], aliases="spin, bike")
    for staff, (morning, evening) in ((ana, (time(6), time(12))), (bruno, (time(7), time(11)))):
        for weekday in range(5):
            await catalog.add_weekly_hours(session, shop.id, staff.id, weekday, morning, evening)
            await catalog.add_weekly_hours(session, shop.id, staff.id, weekday, time(16), time(21))
        await catalog.add_weekly_hours(session, shop.id, staff.id, 5, time(8), time(12))
    await _products(session, shop.id, now)
    clients = [await _client(session, shop.id, name, wa_id, now - timedelta(days=days)) for name, wa_id, days in DEMO_CLIENTS]
    for client in clients:
        await credits.add_pack(session, shop.id, client.id, 8, now, expires_at=now + timedelta(days=60), note="Pacote 8 aulas")
    await _week(session, shop, ana.id, bruno.id, personal.id, spinning.id, [c.id for c in clients], now)
    today = now.astimezone(ZoneInfo(shop.timezone)).date()
    await seed_training(session, shop.id, [c.id for c in clients], today, now)
    await seed_past_weeks(session, shop, clients, now)  # before the churn model: it learns from these weeks too
    await seed_history(session, shop, today, now)
    return shop


async def reset_demo_logins(session: AsyncSession, business: Business, passwords: dict[str, str],
                            now: datetime) -> list[tuple[str, str, str]]:
    """The demo's owner and trainer logins, (re)set to this run's password for each role; returns
    (email, role, password) triples."""
    logins = []
    for email, name, role, trainer in DEMO_LOGINS:
        password = passwords[role]
        user = await session.scalar(select(AdminUser).where(AdminUser.email == email))
        if user is not None:
            user.password_hash, user.active = hash_password(password), True
        else:
            staff_id = await session.scalar(select(Staff.id).where(Staff.business_id == business.id, Staff.name == trainer))
            await create_user(session, business.id, email, name, password, role, now, staff_id=staff_id)
        logins.append((email, role, password))
    return logins


async def _products(session: AsyncSession, business_id: int, now: datetime) -> None:
    for kind, name, cents, extra in (
        ("drop_in", "Aula avulsa", 6000, {"validity_days": 30}),
        ("pack", "Pacote 4 aulas", 22000, {"credits": 4, "validity_days": 30}),
        ("pack", "Pacote 8 aulas", 40000, {"credits": 8, "validity_days": 60}),
        ("membership", "Plano mensal ilimitado", 29900, {"period": "month"}),
    ):
        await products.add_product(session, business_id, now, kind=kind, name=name, price_cents=cents, **extra)


async def _client(session: AsyncSession, business_id: int, name: str, wa_id: str, since: datetime) -> Client:
    client = Client(business_id=business_id, contact_key=f"+{wa_id}", wa_id=wa_id, phone_e164=f"+{wa_id}",
                    profile_name=name, locale="pt-BR", created_at=since)
    session.add(client)
    await session.flush()
    return client


async def _week(session: AsyncSession, shop: Business, ana: int, bruno: int, personal: int, spinning: int,
                clients: list[int], now: datetime) -> None:
    """Evening spinning classes and a few personal sessions over the next days."""
    zone = ZoneInfo(shop.timezone)
    today: date = now.astimezone(zone).date()
    for offset in range(1, 8):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        at = lambda hour, day=day: datetime.combine(day, time(hour), zone).astimezone(ZoneInfo("UTC"))  # noqa: E731
        try:
            made = await classes.schedule_class(session, shop.id, service_id=spinning, staff_id=bruno, starts_at=at(19), now=now)
            for client in clients[: 1 + offset % 3]:
                await classes.book_seat(session, shop.id, client_id=client, appointment_id=made.id, now=now)
            await booking.book_personal(session, shop.id, client_id=clients[offset % len(clients)], service_id=personal,
                                        staff_id=ana, starts_at=at(7), now=now)
        except DomainError:  # a policy the demo cannot meet today (notice, horizon): skip that day
            continue
