"""Setting up a business: trainers, services, weekly hours and time off; scoped look-ups."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import TypeVar

from sqlalchemy import and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import (
    AvailabilityRule,
    Business,
    Client,
    MessageTemplate,
    Product,
    Purchase,
    Service,
    ServiceTrainer,
    Staff,
    TimeOff,
)
from domain.platform import plans
from domain.scheduling.ical import new_ical_token

Scoped = TypeVar("Scoped", Business, Client, MessageTemplate, Product, Purchase, Service, Staff, TimeOff)
# Together under the calendar's one-day bound on an appointment's blocked range.
MAX_DURATION_MIN = 12 * 60
MAX_BUFFER_MIN = 4 * 60


async def get_scoped(session: AsyncSession, model: type[Scoped], business_id: int, row_id: int) -> Scoped:
    """The row with that id in this business; any other business's id is NotFound."""
    row = await session.get(model, row_id)
    owner = row.id if isinstance(row, Business) else getattr(row, "business_id", None)
    if row is None or owner != business_id:
        raise NotFound(f"{model.__name__.lower()} {row_id} not found")
    return row


# Who and what a personal booking names, each only if it is the business's (else None), in one round trip.
_PARTIES = (
    select(Business, Service, Staff, Client, ServiceTrainer)
    .outerjoin(Service, and_(Service.id == bindparam("service_id"), Service.business_id == Business.id))
    .outerjoin(Staff, and_(Staff.id == bindparam("staff_id"), Staff.business_id == Business.id))
    .outerjoin(Client, and_(Client.id == bindparam("client_id"), Client.business_id == Business.id))
    .outerjoin(ServiceTrainer, and_(ServiceTrainer.service_id == bindparam("service_id"),
                                    ServiceTrainer.staff_id == bindparam("staff_id"), ServiceTrainer.business_id == Business.id))
    .where(Business.id == bindparam("business_id"))
)


async def load_booking_parties(session: AsyncSession, business_id: int, *, service_id: int, staff_id: int,
                               client_id: int) -> tuple[object, ...]:
    """The business, service, trainer, client and their service link, in one query instead of one each: `get_scoped`
    and `offers` then find them in the session. The caller keeps the result while it books (the session holds
    its rows weakly); one missing is looked up again by whoever needs it, and refused as usual."""
    row = (await session.execute(_PARTIES, {"business_id": business_id, "service_id": service_id, "staff_id": staff_id,
                                            "client_id": client_id})).one_or_none()
    return tuple(row) if row is not None else ()


async def set_active(session: AsyncSession, model: type[Scoped], business_id: int, row_id: int, active: bool) -> Scoped:
    """Deactivate (or bring back) a trainer, service, product or template: it stops being offered, its history stays."""
    row = await get_scoped(session, model, business_id, row_id)
    if model is Staff and active and not row.active:  # type: ignore[union-attr]
        await plans.check_new_trainer(session, await get_scoped(session, Business, business_id, business_id))
    row.active = active  # type: ignore[union-attr]
    await session.flush()
    return row


async def add_staff(session: AsyncSession, business_id: int, name: str, now: datetime, *, wa_id: str | None = None,
                    email: str | None = None) -> Staff:
    await plans.check_new_trainer(session, await get_scoped(session, Business, business_id, business_id))
    staff = Staff(business_id=business_id, name=name, wa_id=wa_id, email=email, active=True,
                  ical_token=new_ical_token(), created_at=now)
    session.add(staff)
    await session.flush()
    return staff


async def add_service(
    session: AsyncSession, business_id: int, name: str, now: datetime, *, duration_min: int, trainer_ids: Sequence[int],
    price_cents: int = 0, capacity: int = 1, buffer_before_min: int = 0, buffer_after_min: int = 0, credits_required: int = 1,
    aliases: str = "",
) -> Service:
    """A service and the trainers who offer it (each must belong to the business)."""
    check_service_values(duration_min, capacity, price_cents, buffer_before_min, buffer_after_min, credits_required)
    for staff_id in trainer_ids:
        await get_scoped(session, Staff, business_id, staff_id)
    service = Service(business_id=business_id, name=name, duration_min=duration_min, price_cents=price_cents,
                      capacity=capacity, buffer_before_min=buffer_before_min, buffer_after_min=buffer_after_min,
                      credits_required=credits_required, aliases=aliases, active=True, created_at=now)
    session.add(service)
    await session.flush()
    session.add_all(ServiceTrainer(service_id=service.id, staff_id=s, business_id=business_id) for s in trainer_ids)
    await session.flush()
    return service


def check_service_values(duration_min: int, capacity: int, price_cents: int, buffer_before_min: int,
                         buffer_after_min: int, credits_required: int) -> None:
    """ValueError unless the numbers fit the calendar and the ledger."""
    if not 0 < duration_min <= MAX_DURATION_MIN or not 0 <= buffer_before_min <= MAX_BUFFER_MIN \
            or not 0 <= buffer_after_min <= MAX_BUFFER_MIN:
        raise ValueError(f"duration must be 1..{MAX_DURATION_MIN} min and buffers 0..{MAX_BUFFER_MIN} min")
    if capacity < 1 or price_cents < 0 or credits_required < 0:
        raise ValueError("capacity must be at least 1; price and credits cannot be negative")


async def add_weekly_hours(session: AsyncSession, business_id: int, staff_id: int, weekday: int, start: time, end: time, *,
                           valid_from: date | None = None, valid_until: date | None = None) -> AvailabilityRule:
    """The trainer works on `weekday` (0 = Monday) from `start` to `end`, local time."""
    await get_scoped(session, Staff, business_id, staff_id)
    if not 0 <= weekday <= 6 or end <= start:
        raise ValueError("weekday must be 0..6 and the end after the start")
    rule = AvailabilityRule(business_id=business_id, staff_id=staff_id, weekday=weekday, start_local=start,
                            end_local=end, valid_from=valid_from, valid_until=valid_until)
    session.add(rule)
    await session.flush()
    return rule


async def add_time_off(session: AsyncSession, business_id: int, starts_at: datetime, ends_at: datetime, *,
                       staff_id: int | None = None, reason: str | None = None) -> TimeOff:
    """Time off for one trainer, or (no trainer) the whole business closed."""
    if staff_id is not None:
        await get_scoped(session, Staff, business_id, staff_id)
    if ends_at <= starts_at:
        raise ValueError("time off must end after it starts")
    off = TimeOff(business_id=business_id, staff_id=staff_id, starts_at=starts_at, ends_at=ends_at, reason=reason)
    session.add(off)
    await session.flush()
    return off


async def trainers_for(session: AsyncSession, business_id: int, service_id: int) -> list[Staff]:
    """Active trainers who offer the service."""
    stmt = (
        select(Staff)
        .join(ServiceTrainer, ServiceTrainer.staff_id == Staff.id)
        .where(ServiceTrainer.service_id == service_id, ServiceTrainer.business_id == business_id, Staff.active.is_(True))
        .order_by(Staff.id)
    )
    return list((await session.execute(stmt)).scalars().all())


async def offers(session: AsyncSession, business_id: int, service_id: int, staff_id: int) -> bool:
    row = await session.get(ServiceTrainer, (service_id, staff_id))
    return row is not None and row.business_id == business_id


async def active_services(session: AsyncSession, business_id: int) -> list[Service]:
    """The services the business offers now, oldest first (the first is the default for a vague ask)."""
    stmt = select(Service).where(Service.business_id == business_id, Service.active.is_(True)).order_by(Service.id)
    return list((await session.execute(stmt)).scalars().all())
