"""Editing the catalogue from the panel: list services with their trainers, change, deactivate."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Service, ServiceTrainer, Staff
from domain.scheduling.catalog import check_service_values, get_scoped


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    trainer_ids: list[int]


async def services_of(session: AsyncSession, business_id: int) -> list[ServiceRow]:
    """Every service of the business (active first, then by name) with the trainers who offer it."""
    services = (await session.execute(
        select(Service).where(Service.business_id == business_id).order_by(Service.active.desc(), Service.name)
    )).scalars().all()
    pairs = (await session.execute(
        select(ServiceTrainer.service_id, ServiceTrainer.staff_id).where(ServiceTrainer.business_id == business_id)
    )).all()
    by_service: dict[int, list[int]] = {}
    for service_id, staff_id in pairs:
        by_service.setdefault(service_id, []).append(staff_id)
    return [ServiceRow(s, sorted(by_service.get(s.id, []))) for s in services]


async def update_service(session: AsyncSession, business_id: int, service_id: int, *, name: str, duration_min: int,
                         price_cents: int, capacity: int, buffer_before_min: int, buffer_after_min: int,
                         credits_required: int, trainer_ids: Sequence[int], aliases: str = "") -> Service:
    """Change a service; bookings already made keep their times (appointments hold their own span)."""
    check_service_values(duration_min, capacity, price_cents, buffer_before_min, buffer_after_min, credits_required)
    service = await get_scoped(session, Service, business_id, service_id)
    for staff_id in trainer_ids:
        await get_scoped(session, Staff, business_id, staff_id)
    service.name, service.duration_min, service.price_cents = name, duration_min, price_cents
    service.capacity, service.buffer_before_min, service.buffer_after_min = capacity, buffer_before_min, buffer_after_min
    service.credits_required, service.aliases = credits_required, aliases
    await session.execute(delete(ServiceTrainer).where(ServiceTrainer.service_id == service.id,
                                                       ServiceTrainer.business_id == business_id))
    session.add_all(ServiceTrainer(service_id=service.id, staff_id=s, business_id=business_id) for s in set(trainer_ids))
    await session.flush()
    return service

