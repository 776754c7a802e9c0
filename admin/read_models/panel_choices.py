"""What the panel's booking forms offer: clients, services and trainers of one business (a query each)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.read_models.calendar_week import client_label
from admin.read_models.client_directory import search_filter, visible
from domain.models import Client, Service, ServiceTrainer, Staff


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True)
class ServiceChoice:
    id: int
    label: str
    duration_min: int
    capacity: int
    staff_ids: tuple[int, ...]  # the trainers who offer it


CLIENT_CHOICES = 100


async def clients(session: AsyncSession, business_id: int, *, staff_id: int | None = None, query: str = "",
                  include: int | None = None) -> list[Choice]:
    """Clients to pick from by name (a trainer's own only; erased and deactivated left out).

    At most CLIENT_CHOICES: those matching `query`, else the most recently active, plus `include`.
    """
    # A gym with thousands of members cannot render them all in one <select>; the form searches instead.
    filters = [*visible(business_id, staff_id), Client.erased_at.is_(None), Client.deactivated_at.is_(None)]
    if (condition := search_filter(query)) is not None:
        filters.append(condition)
    recent = select(Client.id).where(*filters).order_by(Client.last_inbound_at.desc().nulls_last(), Client.id.desc())
    wanted = Client.id.in_(recent.limit(CLIENT_CHOICES).scalar_subquery())
    if include is not None:
        wanted = or_(wanted, Client.id == include)
    stmt = select(Client.id, Client.profile_name, Client.phone_e164).where(*visible(business_id, staff_id), wanted)
    rows = (await session.execute(stmt)).all()
    labelled = [Choice(i, f"{name} · {phone}" if name and phone else str(client_label(name, phone, i)))
                for i, name, phone in rows]
    return sorted(labelled, key=lambda c: c.label.casefold())


async def services(session: AsyncSession, business_id: int, *, classes: bool) -> list[ServiceChoice]:
    """Active personal services (or group classes) with the trainers who offer each."""
    stmt = (select(Service.id, Service.name, Service.duration_min, Service.capacity, ServiceTrainer.staff_id)
            .outerjoin(ServiceTrainer, ServiceTrainer.service_id == Service.id)
            .where(Service.business_id == business_id, Service.active.is_(True),
                   Service.capacity > 1 if classes else Service.capacity == 1)
            .order_by(Service.name, Service.id))
    found: dict[int, ServiceChoice] = {}
    for service_id, name, duration, capacity, staff_id in (await session.execute(stmt)).all():
        prior = found.get(service_id)
        ids = (prior.staff_ids if prior else ()) + ((staff_id,) if staff_id is not None else ())
        found[service_id] = ServiceChoice(service_id, name, duration, capacity, ids)
    return list(found.values())


async def trainers(session: AsyncSession, business_id: int) -> list[Choice]:
    """The business's active trainers by name."""
    stmt = (select(Staff.id, Staff.name).where(Staff.business_id == business_id, Staff.active.is_(True))
            .order_by(Staff.name, Staff.id))
    return [Choice(i, name) for i, name in (await session.execute(stmt)).all()]
