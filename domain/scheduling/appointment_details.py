"""Looking up one appointment of a business together with its service and trainer."""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import Appointment, Service, Staff


class AppointmentDetails(NamedTuple):
    appointment: Appointment
    service: Service
    trainer: Staff


async def appointment_details(session: AsyncSession, business_id: int, appointment_id: int) -> AppointmentDetails:
    """The appointment with its service and trainer; NotFound for another business's id."""
    # By primary key: right after a booking all three are usually in the session already, costing no query.
    appointment = await session.get(Appointment, appointment_id)
    if appointment is None or appointment.business_id != business_id:
        raise NotFound(f"appointment {appointment_id} not found")
    service = await session.get(Service, appointment.service_id)
    trainer = await session.get(Staff, appointment.staff_id)
    assert service is not None and trainer is not None  # foreign keys
    return AppointmentDetails(appointment, service, trainer)


async def scheduled_class(session: AsyncSession, business_id: int, appointment_id: int) -> Appointment:
    """A class session of the business that still takes place (not locked: only for showing and asking)."""
    appointment = await session.get(Appointment, appointment_id)
    if (appointment is None or appointment.business_id != business_id or appointment.kind != "class"
            or appointment.status != "scheduled"):
        raise NotFound(f"class {appointment_id} not found")
    return appointment
