"""Trainers' commissions: a percentage (per trainer, or per trainer and service) of the sessions they
delivered, valued at the service's price, and of the packs and plans they sold (recorded by their login)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import AdminUser, Appointment, Booking, CommissionRate, Purchase, Service, Staff
from domain.scheduling.catalog import get_scoped
from domain.sql.upsert import insert_for

DELIVERED = ("checked_in", "completed")


@dataclass
class CommissionLine:
    """One trainer's month: what they delivered and sold, and what it earns them, in cents."""

    staff_id: int
    trainer: str
    percent: int
    sessions: int = 0
    sessions_value: int = 0
    sessions_commission: int = 0
    sales: int = 0
    sales_value: int = 0
    sales_commission: int = 0
    by_service: dict[str, int] = field(default_factory=dict)  # service name → sessions

    @property
    def total(self) -> int:
        return self.sessions_commission + self.sales_commission


async def set_rates(session: AsyncSession, business_id: int, staff_id: int, percent: int, per_service: dict[int, int | None]) -> None:
    """The trainer's own percentage, and per service an override (None removes it)."""
    if not 0 <= percent <= 100 or any(p is not None and not 0 <= p <= 100 for p in per_service.values()):
        raise ValueError("a commission is 0 to 100 percent")
    trainer = await get_scoped(session, Staff, business_id, staff_id)
    trainer.commission_percent = percent
    for service_id, rate in per_service.items():
        await get_scoped(session, Service, business_id, service_id)
        existing = await session.get(CommissionRate, (staff_id, service_id))
        if rate is None:
            if existing is not None:
                await session.delete(existing)
            continue
        table = CommissionRate.__table__
        stmt = insert_for(session, table).values(staff_id=staff_id, service_id=service_id, business_id=business_id, percent=rate)
        await session.execute(stmt.on_conflict_do_update(index_elements=["staff_id", "service_id"], set_={"percent": rate}))
    await session.flush()


async def rates_of(session: AsyncSession, business_id: int, staff_id: int) -> dict[int, int]:
    """The trainer's per-service overrides, by service id."""
    rows = await session.execute(select(CommissionRate.service_id, CommissionRate.percent)
                                 .where(CommissionRate.business_id == business_id, CommissionRate.staff_id == staff_id))
    return {service_id: percent for service_id, percent in rows.all()}


async def month_report(session: AsyncSession, business_id: int, start: datetime, end: datetime) -> list[CommissionLine]:
    """Every trainer's commission for sessions that started, and sales paid, in [start, end)."""
    trainers = (await session.execute(select(Staff).where(Staff.business_id == business_id).order_by(Staff.name))).scalars().all()
    if not trainers:
        raise NotFound("no trainers")
    lines = {t.id: CommissionLine(t.id, t.name, t.commission_percent) for t in trainers}
    overrides = {(r.staff_id, r.service_id): r.percent for r in
                 (await session.execute(select(CommissionRate).where(CommissionRate.business_id == business_id))).scalars()}
    delivered = await session.execute(
        select(Appointment.staff_id, Service.id, Service.name, Service.price_cents)
        .join(Booking, Booking.appointment_id == Appointment.id).join(Service, Service.id == Appointment.service_id)
        .where(Appointment.business_id == business_id, Booking.status.in_(DELIVERED),
               Appointment.starts_at >= start, Appointment.starts_at < end))
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for staff_id, service_id, name, price in delivered.all():
        line = lines[staff_id]
        rate = overrides.get((staff_id, service_id), line.percent)
        line.sessions += 1
        line.sessions_value += price
        line.sessions_commission += round(price * rate / 100)
        counts[staff_id][name] += 1
    for staff_id, by_service in counts.items():
        lines[staff_id].by_service = dict(by_service)
    sold = await session.execute(
        select(AdminUser.staff_id, Purchase.amount_cents).join(AdminUser, AdminUser.id == Purchase.recorded_by)
        .where(Purchase.business_id == business_id, Purchase.status == "paid", AdminUser.staff_id.is_not(None),
               Purchase.paid_at >= start, Purchase.paid_at < end))
    for staff_id, amount in sold.all():
        if staff_id in lines:
            line = lines[staff_id]
            line.sales += 1
            line.sales_value += amount
            line.sales_commission += round(amount * line.percent / 100)
    return list(lines.values())
