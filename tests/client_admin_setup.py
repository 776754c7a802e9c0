"""Shared set-up for the client, inbox and delivery page tests: logins, bookings, another business."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

from aiohttp.test_utils import TestClient

from domain.models import Booking, Business, Client, Service
from domain.scheduling import appointments
from domain.scheduling.booking_rules import Span
from runtime.resources import Runtime
from tests.admin_support import login, make_user
from tests.booking_setup import Studio

TRAINER_EMAIL = "ana@studio.test"


async def as_owner(web: TestClient, runtime: Runtime, business_id: int) -> str:
    """Log in as the business's owner; returns the CSRF token."""
    await make_user(runtime, business_id)
    return await login(web)


async def as_trainer(web: TestClient, runtime: Runtime, business_id: int, staff_id: int) -> str:
    """Log in as a trainer of the business (their Staff row is `staff_id`); returns the CSRF token."""
    await make_user(runtime, business_id, role="trainer", email=TRAINER_EMAIL, staff_id=staff_id, name="Ana Trainer")
    return await login(web, TRAINER_EMAIL)


async def book(runtime: Runtime, studio: Studio, client_id: int, staff_id: int, starts_at: datetime) -> int:
    """A booked personal session of the client with that trainer (rules skipped: this is set-up)."""
    async with runtime.sessions.begin() as session:
        service = await session.get(Service, studio.personal)
        assert service is not None
        appointment = await appointments.place(session, service, staff_id, Span.of(service, starts_at), starts_at)
        booking = Booking(business_id=studio.business.id, appointment_id=appointment.id, client_id=client_id,
                          status="booked", paid_with="none", created_at=starts_at, updated_at=starts_at)
        session.add(booking)
        await session.flush()
        return booking.id


async def other_business_client(runtime: Runtime) -> int:
    """A client of a different business, for the 'another business's id is 404' tests."""
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:
        other = Business(name="Other Gym", phone_number_id="999000999", timezone="UTC", locale="en", currency="USD",
                         created_at=now)
        session.add(other)
        await session.flush()
        client = Client(business_id=other.id, contact_key="+14155550100", wa_id="14155550100",
                        phone_e164="+14155550100", profile_name="Outsider", last_inbound_at=now, created_at=now)
        session.add(client)
        await session.flush()
        return client.id


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def visible_text(page: str) -> str:
    """The page's text without tags, to assert on what a person reads."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
