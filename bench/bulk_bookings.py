"""Many bookings at once, written straight to the tables (for the reminder bench and the load tests).

They bypass the booking service on purpose, as an import would: the scheduler's reconcile step is
what plans their reminders.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Appointment, Booking, Client
from domain.scheduling import catalog


async def load_bookings(session: AsyncSession, business_id: int, *, bookings: int, clients: int, first_start: datetime,
                        booked_at: datetime, trainers: int = 1, phone_base: int = 0) -> list[int]:
    """`bookings` one-minute sessions, a minute apart per trainer, shared round-robin by trainers and clients."""
    staff = [await catalog.add_staff(session, business_id, f"Trainer {n}", booked_at) for n in range(trainers)]
    service = await catalog.add_service(session, business_id, "Treino", booked_at, duration_min=1,
                                        trainer_ids=[s.id for s in staff])
    phones = [f"55119{phone_base + n:08d}" for n in range(clients)]
    client_ids = await _insert(session, Client, [
        {"business_id": business_id, "contact_key": f"+{p}", "wa_id": p, "phone_e164": f"+{p}",
         "profile_name": f"Cliente {n}", "created_at": booked_at} for n, p in enumerate(phones)])
    slots = [(staff[i % trainers].id, first_start + timedelta(minutes=i // trainers)) for i in range(bookings)]
    appointment_ids = await _insert(session, Appointment, [
        {"business_id": business_id, "staff_id": staff_id, "service_id": service.id, "kind": "personal", "starts_at": s,
         "ends_at": s + timedelta(minutes=1), "blocked_from": s, "blocked_until": s + timedelta(minutes=1), "capacity": 1,
         "status": "scheduled", "created_at": booked_at, "updated_at": booked_at} for staff_id, s in slots])
    return await _insert(session, Booking, [
        {"business_id": business_id, "appointment_id": a, "client_id": client_ids[i % clients], "status": "booked",
         "paid_with": "none", "created_at": booked_at, "updated_at": booked_at} for i, a in enumerate(appointment_ids)])


async def _insert(session: AsyncSession, model: type, rows: list[dict[str, object]]) -> list[int]:
    table = model.__table__  # type: ignore[attr-defined]
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list((await session.execute(stmt, rows)).scalars().all())
