"""iCalendar: a trainer's feed (their appointments only, in UTC, cancellations kept) and a client's booking .ics."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar

from bot.ical_routes import booking_ics_path, booking_ics_signature
from domain.errors import NotFound
from domain.models import Appointment, Booking, Business, Client, Service, Staff
from domain.scheduling import ical

SECRET_KEY = "test-secret-key-0123456789"  # what tests/conftest.py gives the app


@dataclass
class Shop:
    """Rows of one business, created straight through the ORM."""

    business_id: int
    staff: dict[str, Staff] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)


async def make_shop(session, business_id: int, now: datetime, *, trainers: tuple[str, ...] = ("Ana", "Bruno"),  # type: ignore[no-untyped-def]
                    clients: tuple[str, ...] = ("Carla", "Diego", "Elis")) -> Shop:
    shop = Shop(business_id)
    for name in trainers:
        shop.staff[name] = Staff(business_id=business_id, name=name, active=True, ical_token=ical.new_ical_token(), created_at=now)
    shop.services["personal"] = Service(business_id=business_id, name="Treino personal", duration_min=60, capacity=1,
                                        buffer_after_min=10, created_at=now)
    shop.services["spinning"] = Service(business_id=business_id, name="Spinning", duration_min=45, capacity=5, created_at=now)
    for n, name in enumerate(clients):
        phone = f"+5511{business_id:03d}{n:05d}"
        shop.clients[name] = Client(business_id=business_id, contact_key=phone, phone_e164=phone, profile_name=name, created_at=now)
    session.add_all([*shop.staff.values(), *shop.services.values(), *shop.clients.values()])
    await session.flush()
    return shop


async def add_appointment(session, shop: Shop, trainer: str, service: str, starts_at: datetime, now: datetime, *,  # type: ignore[no-untyped-def]
                          status: str = "scheduled", updated_at: datetime | None = None) -> Appointment:
    svc = shop.services[service]
    ends_at = starts_at + timedelta(minutes=svc.duration_min)
    appointment = Appointment(
        business_id=shop.business_id, staff_id=shop.staff[trainer].id, service_id=svc.id,
        kind="class" if svc.capacity > 1 else "personal", capacity=svc.capacity, starts_at=starts_at, ends_at=ends_at,
        blocked_from=starts_at - timedelta(minutes=svc.buffer_before_min),
        blocked_until=ends_at + timedelta(minutes=svc.buffer_after_min),
        status=status, created_at=now, updated_at=updated_at or now,
    )
    session.add(appointment)
    await session.flush()
    return appointment


async def add_booking(session, shop: Shop, appointment: Appointment, client: str, now: datetime, *,  # type: ignore[no-untyped-def]
                      status: str = "booked") -> Booking:
    booking = Booking(business_id=shop.business_id, appointment_id=appointment.id, client_id=shop.clients[client].id,
                      status=status, paid_with="none", created_at=now, updated_at=now)
    session.add(booking)
    await session.flush()
    return booking


async def other_business(session, now: datetime) -> int:  # type: ignore[no-untyped-def]
    other = Business(name="Academia Outra", phone_number_id="other-phone-number", timezone="Europe/Lisbon", created_at=now)
    session.add(other)
    await session.flush()
    return other.id


def events(body: bytes) -> dict[str, object]:
    """The parsed VEVENTs, by UID."""
    return {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


@pytest.fixture
async def calendar(runtime, business, clock):  # type: ignore[no-untyped-def]
    """Ana: a booked personal session, a class with 2 of 5 seats, a cancelled session; Bruno and another business too."""
    now = clock.now()
    day = now.replace(minute=0, second=0) + timedelta(days=2)
    async with runtime.sessions.begin() as session:
        shop = await make_shop(session, business.id, now)
        personal = await add_appointment(session, shop, "Ana", "personal", day, now)
        await add_booking(session, shop, personal, "Diego", now)
        spin = await add_appointment(session, shop, "Ana", "spinning", day + timedelta(hours=3), now)
        for client, status in (("Carla", "booked"), ("Diego", "cancelled"), ("Elis", "confirmed")):
            await add_booking(session, shop, spin, client, now, status=status)
        cancelled = await add_appointment(session, shop, "Ana", "personal", day + timedelta(days=1), now, status="cancelled",
                                          updated_at=now + timedelta(minutes=5))
        too_old = await add_appointment(session, shop, "Ana", "personal", now - timedelta(days=31), now)
        too_far = await add_appointment(session, shop, "Ana", "personal", now + timedelta(days=181), now)
        brunos = await add_appointment(session, shop, "Bruno", "personal", day, now)
        elsewhere = await make_shop(session, await other_business(session, now), now, trainers=("Ana",), clients=("Zé",))
        foreign = await add_appointment(session, elsewhere, "Ana", "personal", day + timedelta(hours=6), now)
        foreign_booking = await add_booking(session, elsewhere, foreign, "Zé", now)
    return {"shop": shop, "personal": personal, "spin": spin, "cancelled": cancelled, "too_old": too_old,
            "too_far": too_far, "brunos": brunos, "foreign": foreign, "foreign_booking": foreign_booking, "now": now}


async def feed(runtime, token: str, now: datetime) -> bytes:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return await ical.trainer_feed(session, token, now)


async def test_trainer_feed_lists_only_that_trainers_appointments_within_the_window(runtime, calendar):
    body = await feed(runtime, calendar["shop"].staff["Ana"].ical_token, calendar["now"])
    assert set(events(body)) == {f"appointment-{calendar[k].id}@fitzap" for k in ("personal", "spin", "cancelled")}


async def test_trainer_feed_times_are_utc_and_match_the_appointment(runtime, calendar):
    body = await feed(runtime, calendar["shop"].staff["Ana"].ical_token, calendar["now"])
    event = events(body)[f"appointment-{calendar['personal'].id}@fitzap"]
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == calendar["personal"].starts_at and end == calendar["personal"].ends_at
    assert start.utcoffset() == timedelta(0)
    assert f"DTSTART:{calendar['personal'].starts_at:%Y%m%dT%H%M%S}Z".encode() in body


async def test_personal_session_summary_names_the_booked_client(runtime, calendar):
    body = await feed(runtime, calendar["shop"].staff["Ana"].ical_token, calendar["now"])
    event = events(body)[f"appointment-{calendar['personal'].id}@fitzap"]
    assert str(event["summary"]) == "Treino personal — Diego"
    assert str(event["status"]) == "CONFIRMED"


async def test_class_summary_counts_active_seats_against_capacity(runtime, calendar):
    body = await feed(runtime, calendar["shop"].staff["Ana"].ical_token, calendar["now"])
    assert str(events(body)[f"appointment-{calendar['spin'].id}@fitzap"]["summary"]) == "Spinning — 2/5 booked"


async def test_cancelled_appointment_stays_in_the_feed_as_cancelled_with_a_newer_sequence(runtime, calendar):
    body = await feed(runtime, calendar["shop"].staff["Ana"].ical_token, calendar["now"])
    found = events(body)
    cancelled = found[f"appointment-{calendar['cancelled'].id}@fitzap"]
    assert str(cancelled["status"]) == "CANCELLED"
    assert int(cancelled["sequence"]) == 300
    assert int(found[f"appointment-{calendar['personal'].id}@fitzap"]["sequence"]) == 0


async def test_trainer_feed_names_itself_and_asks_to_be_refreshed(runtime, calendar, business):
    cal = Calendar.from_ical(await feed(runtime, calendar["shop"].staff["Ana"].ical_token, calendar["now"]))
    assert str(cal["prodid"]) == "-//FitZap//Trainer calendar//EN"
    assert str(cal["x-wr-calname"]) == "Studio Força — Ana"
    assert str(cal["x-wr-timezone"]) == "America/Sao_Paulo"
    assert cal.to_ical().count(b"PT15M") == 2  # REFRESH-INTERVAL and X-PUBLISHED-TTL


async def test_another_trainers_feed_does_not_show_anas_appointments(runtime, calendar):
    body = await feed(runtime, calendar["shop"].staff["Bruno"].ical_token, calendar["now"])
    assert set(events(body)) == {f"appointment-{calendar['brunos'].id}@fitzap"}


async def test_unknown_or_inactive_trainer_token_is_not_found(runtime, calendar):
    with pytest.raises(NotFound):
        await feed(runtime, "no-such-token", calendar["now"])
    async with runtime.sessions.begin() as session:
        (await session.get(Staff, calendar["shop"].staff["Ana"].id)).active = False
    with pytest.raises(NotFound):
        await feed(runtime, calendar["shop"].staff["Ana"].ical_token, calendar["now"])


async def test_feed_route_serves_text_calendar_inline(web, calendar):
    response = await web.get(f"/ical/trainers/{calendar['shop'].staff['Ana'].ical_token}.ics")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'inline; filename="fitzap.ics"'
    assert f"appointment-{calendar['spin'].id}@fitzap" in events(await response.read())


async def test_feed_route_answers_wrong_and_inactive_tokens_with_the_same_404(runtime, web, calendar):
    wrong = await web.get("/ical/trainers/not-a-real-token.ics")
    async with runtime.sessions.begin() as session:
        (await session.get(Staff, calendar["shop"].staff["Ana"].id)).active = False
    inactive = await web.get(f"/ical/trainers/{calendar['shop'].staff['Ana'].ical_token}.ics")
    assert wrong.status == inactive.status == 404
    assert await wrong.text() == await inactive.text()


@pytest.fixture
async def client_booking(runtime, calendar):  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        return await add_booking(session, calendar["shop"], calendar["spin"], "Diego", calendar["now"])


async def test_booking_ics_is_one_event_with_an_alarm_two_hours_before(runtime, business, calendar, client_booking):
    async with runtime.sessions() as session:
        body = await ical.booking_ics(session, business.id, client_booking.id, calendar["now"])
    cal = Calendar.from_ical(body)
    assert str(cal["method"]) == "PUBLISH"
    [event] = cal.walk("VEVENT")
    assert str(event["uid"]) == f"booking-{client_booking.id}@fitzap"
    assert str(event["summary"]) == "Spinning — Studio Força"
    assert str(event["location"]) == "Studio Força"
    assert event.decoded("dtstart") == calendar["spin"].starts_at
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("trigger") == -timedelta(hours=2)


async def test_booking_ics_of_another_business_is_not_found(runtime, business, calendar):
    async with runtime.sessions() as session:
        with pytest.raises(NotFound):
            await ical.booking_ics(session, business.id, calendar["foreign_booking"].id, calendar["now"])


def test_booking_signature_is_32_hex_chars_and_depends_on_the_booking():
    signature = booking_ics_signature(SECRET_KEY, 7)
    assert len(signature) == 32 and int(signature, 16) >= 0
    assert signature != booking_ics_signature(SECRET_KEY, 8)
    assert signature != booking_ics_signature("another-secret-key-0000", 7)


async def test_booking_route_serves_a_signed_link_and_404s_a_wrong_signature(web, client_booking):
    response = await web.get(booking_ics_path(SECRET_KEY, client_booking.id))
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert f"booking-{client_booking.id}@fitzap" in events(await response.read())
    forged = await web.get(f"/ical/bookings/{client_booking.id}/{booking_ics_signature(SECRET_KEY, client_booking.id + 1)}.ics")
    assert forged.status == 404
    assert (await web.get(f"/ical/bookings/{client_booking.id}/é{'0' * 31}.ics")).status == 404


async def test_booking_route_404s_a_signed_link_to_a_missing_booking(web):
    assert (await web.get(booking_ics_path(SECRET_KEY, 999_999))).status == 404
