"""Services, trainers, and the free times a personal session can be booked at."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from api.operations import Call, Operation
from api.schemas import AvailabilityQuery, ServiceList, ServiceOut, SlotList, TrainerList, TrainerOut
from domain.models import Service, ServiceTrainer, Staff
from domain.scheduling.slots import personal_slots


async def list_services(call: Call[None, None]) -> ServiceList:
    async with call.runtime.sessions() as session:
        services = (await session.execute(select(Service).where(Service.business_id == call.business_id, Service.active)
                                          .order_by(Service.id))).scalars().all()
        links = (await session.execute(select(ServiceTrainer.service_id, ServiceTrainer.staff_id)
                                       .where(ServiceTrainer.business_id == call.business_id)
                                       .order_by(ServiceTrainer.staff_id))).all()
    trainers: dict[int, list[int]] = defaultdict(list)
    for service_id, staff_id in links:
        trainers[service_id].append(staff_id)
    return ServiceList(data=[ServiceOut(id=s.id, name=s.name, kind="class" if s.capacity > 1 else "personal",
                                        duration_min=s.duration_min, capacity=s.capacity, price_cents=s.price_cents,
                                        credits_required=s.credits_required, trainer_ids=trainers[s.id]) for s in services])


async def list_trainers(call: Call[None, None]) -> TrainerList:
    async with call.runtime.sessions() as session:
        staff = (await session.execute(select(Staff).where(Staff.business_id == call.business_id).order_by(Staff.id))).scalars().all()
    return TrainerList(data=[TrainerOut(id=s.id, name=s.name, active=s.active) for s in staff])


async def availability(call: Call[AvailabilityQuery, None]) -> SlotList:
    q = call.query
    days = ((q.to or q.from_) - q.from_).days + 1
    async with call.runtime.sessions() as session:
        slots = await personal_slots(session, call.business_id, q.service_id, window_start=q.from_, days=days,
                                     now=call.runtime.clock.now(), staff_id=q.staff_id)
    # Validated as one document: a week holds about a hundred slots, and making a model for each is the slower way.
    return SlotList.model_validate({"data": [{"staff_id": s.staff_id, "starts_at": s.slot.start, "ends_at": s.slot.end}
                                             for s in slots]})


OPERATIONS = [
    Operation("GET", "/services", "listServices", "Active services (personal sessions and classes)", "catalog", list_services,
              ServiceList),
    Operation("GET", "/trainers", "listTrainers", "Trainers", "catalog", list_trainers, TrainerList),
    Operation("GET", "/availability", "getAvailability", "Free starts of a personal service", "catalog", availability, SlotList,
              query=AvailabilityQuery, example_query={"service_id": 1, "from": "2026-11-24", "to": "2026-11-30"},
              errors=(404, 409)),
]
