"""A realistic studio for the panel benchmark: 6 trainers, 2,000 clients, 16 weeks of sessions, chats."""
from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import (
    Appointment,
    Booking,
    Business,
    CheckIn,
    Client,
    Conversation,
    CreditBalance,
    CreditEntry,
    InboundMessage,
    OutboundMessage,
)
from domain.people.admin_users import create_user
from domain.scheduling import catalog

CLIENTS = 2_000
TRAINERS = 6
WEEKS_PAST, WEEKS_AHEAD = 12, 4
SESSIONS_PER_TRAINER_DAY = 8
MESSAGES_PER_CLIENT = 20
OWNER_EMAIL, PASSWORD = "owner@bench.test", "bench password 123"


async def seed_studio(session: AsyncSession, now: datetime) -> int:
    """Insert the whole studio in bulk; returns the business id."""
    rng = random.Random(7)
    shop = Business(name="Bench Studio", phone_number_id="bench-admin", timezone="America/Sao_Paulo", locale="pt-BR",
                    currency="BRL", created_at=now - timedelta(weeks=WEEKS_PAST))
    session.add(shop)
    await session.flush()
    trainers = [await catalog.add_staff(session, shop.id, f"Trainer {n}", now) for n in range(TRAINERS)]
    service = await catalog.add_service(session, shop.id, "Personal 60 min", now, duration_min=60,
                                        trainer_ids=[t.id for t in trainers])
    spinning = await catalog.add_service(session, shop.id, "Spinning", now, duration_min=45, capacity=12,
                                         trainer_ids=[trainers[0].id])
    for trainer in trainers:
        for weekday in range(6):
            await catalog.add_weekly_hours(session, shop.id, trainer.id, weekday, time(6), time(21))
    await create_user(session, shop.id, OWNER_EMAIL, "Bench Owner", PASSWORD, "owner", now)
    client_ids = await _bulk(session, Client, [
        {"business_id": shop.id, "contact_key": f"+55119{n:08d}", "wa_id": f"55119{n:08d}", "phone_e164": f"+55119{n:08d}",
         "profile_name": f"Cliente {n}", "locale": "pt-BR", "created_at": now - timedelta(days=rng.randint(0, 120)),
         "last_inbound_at": now - timedelta(hours=rng.randint(1, 500))} for n in range(CLIENTS)])
    await _credits(session, shop.id, client_ids, now)
    await _sessions(session, shop.id, [t.id for t in trainers], service.id, client_ids, now, rng)
    await _classes(session, shop.id, trainers[0].id, spinning.id, client_ids, now, rng)
    await _chats(session, shop.id, client_ids, now, rng)
    return shop.id


async def _bulk(session: AsyncSession, model: type, rows: list[dict[str, Any]]) -> list[int]:
    result = await session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    return list(result)


async def _credits(session: AsyncSession, business_id: int, client_ids: list[int], now: datetime) -> None:
    await session.execute(insert(CreditEntry), [
        {"business_id": business_id, "client_id": c, "kind": "purchase", "delta": 10, "created_at": now - timedelta(days=c % 80),
         "note": "Pacote 10"} for c in client_ids])
    await session.execute(insert(CreditBalance), [{"client_id": c, "business_id": business_id, "balance": 10} for c in client_ids])


async def _sessions(session: AsyncSession, business_id: int, trainer_ids: list[int], service_id: int,
                    client_ids: list[int], now: datetime, rng: random.Random) -> None:
    first_day = (now - timedelta(weeks=WEEKS_PAST)).date()
    appointments, starts = [], []
    for day in range((WEEKS_PAST + WEEKS_AHEAD) * 7):
        date = first_day + timedelta(days=day)
        if date.weekday() == 6:
            continue
        for trainer_id in trainer_ids:
            for slot in range(SESSIONS_PER_TRAINER_DAY):
                begins = datetime.combine(date, time(9 + slot + (slot >= 4) * 4), UTC)
                appointments.append({"business_id": business_id, "staff_id": trainer_id, "service_id": service_id,
                                     "kind": "personal", "starts_at": begins, "ends_at": begins + timedelta(hours=1),
                                     "blocked_from": begins, "blocked_until": begins + timedelta(hours=1), "capacity": 1,
                                     "status": "scheduled", "created_at": now, "updated_at": now})
                starts.append(begins)
    appointment_ids = await _bulk(session, Appointment, appointments)
    bookings = []
    for appointment_id, begins in zip(appointment_ids, starts):
        past = begins < now
        status = rng.choices(["completed", "no_show", "cancelled"], [88, 5, 7])[0] if past else "booked"
        bookings.append({"business_id": business_id, "appointment_id": appointment_id, "client_id": rng.choice(client_ids),
                         "status": status, "paid_with": "credit", "late_cancel": False, "created_at": begins - timedelta(days=3),
                         "updated_at": begins})
    booking_ids = await _bulk(session, Booking, bookings)
    await session.execute(insert(CheckIn), [
        {"business_id": business_id, "client_id": row["client_id"], "booking_id": booking_id, "method": "chat",
         "checked_in_at": starts[i] - timedelta(minutes=5)}
        for i, (booking_id, row) in enumerate(zip(booking_ids, bookings)) if row["status"] == "completed"])


async def _classes(session: AsyncSession, business_id: int, trainer_id: int, service_id: int, client_ids: list[int],
                   now: datetime, rng: random.Random) -> None:
    """Spinning at 06:00 UTC on Mondays, Wednesdays and Fridays (before the personal sessions), 10 riders each."""
    first_day = (now - timedelta(weeks=WEEKS_PAST)).date()
    days = [first_day + timedelta(days=d) for d in range((WEEKS_PAST + WEEKS_AHEAD) * 7)]
    starts = [datetime.combine(d, time(6), UTC) for d in days if d.weekday() in (0, 2, 4)]
    ids = await _bulk(session, Appointment, [
        {"business_id": business_id, "staff_id": trainer_id, "service_id": service_id, "kind": "class", "starts_at": s,
         "ends_at": s + timedelta(minutes=45), "blocked_from": s, "blocked_until": s + timedelta(minutes=45), "capacity": 12,
         "status": "scheduled", "created_at": now, "updated_at": now} for s in starts])
    await session.execute(insert(Booking), [
        {"business_id": business_id, "appointment_id": appointment_id, "client_id": client_id,
         "status": "completed" if begins < now else "booked", "paid_with": "credit", "late_cancel": False,
         "created_at": begins - timedelta(days=2), "updated_at": begins}
        for appointment_id, begins in zip(ids, starts) for client_id in rng.sample(client_ids, 10)])


async def _chats(session: AsyncSession, business_id: int, client_ids: list[int], now: datetime, rng: random.Random) -> None:
    await session.execute(insert(Conversation), [
        {"business_id": business_id, "client_id": c, "state": {}, "handoff": c % 97 == 0, "updated_at": now} for c in client_ids])
    inbound, outbound = [], []
    for c in client_ids:
        for m in range(MESSAGES_PER_CLIENT // 2):
            at = now - timedelta(hours=rng.randint(1, 2000))
            inbound.append({"business_id": business_id, "client_id": c, "provider_message_id": f"wamid.bench.{c}.{m}",
                            "kind": "text", "body": "quero marcar amanhã às 7", "payload": {}, "sent_at": at,
                            "received_at": at, "processed_at": at})
            failed = m == 0 and c % 50 == 0
            outbound.append({"business_id": business_id, "client_id": c, "kind": "text", "body": "Reservado! ✅",
                             "payload": {}, "status": "failed" if failed else "read", "attempts": 1,
                             "last_error": "131026 undeliverable" if failed else None, "next_attempt_at": at,
                             "created_at": at, "updated_at": at, "sent_at": at})
    for start in range(0, len(inbound), 5_000):
        await session.execute(insert(InboundMessage), inbound[start:start + 5_000])
        await session.execute(insert(OutboundMessage), outbound[start:start + 5_000])
