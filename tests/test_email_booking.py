"""A client WhatsApp cannot reach (out of the 24-hour window with no template, or opted out) but who has an email
gets what the panel did by email: a booking or a class seat with an .ics invitation, a move with the same event
updated (same UID, higher SEQUENCE), a cancel with its METHOD:CANCEL; one WhatsApp can reach does not. A mail server
that refuses is tried again later, and the booking stands meanwhile."""
from __future__ import annotations

import html
from email.message import EmailMessage

import pytest
from dramatiq.brokers.stub import StubBroker
from icalendar import Calendar, Event
from sqlalchemy import select

from domain.clock import FixedClock
from domain.models import Booking, Client, OutgoingEmail
from domain.scheduling import classes
from runtime.resources import Runtime
from tests import mail_support
from tests.booking_setup import NOW, local
from tests.mail_support import Inbox, attachments_of, send_mail, text_of
from tests.panel_calendar_support import Panel, count_bookings, open_panel
from workers.sweeper import sweep

CLIENT_EMAIL = "cliente0@example.com"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


smtp, settings = mail_support.smtp, mail_support.settings  # a real local SMTP server, and email on


async def give_email(runtime: Runtime, client_id: int, *, wrote_today: bool = False, opted_out: bool = False) -> None:
    async with runtime.sessions.begin() as session:
        client = await session.get(Client, client_id)
        assert client is not None
        client.email, client.opted_out = CLIENT_EMAIL, opted_out
        if wrote_today:
            client.last_inbound_at = NOW


async def book_from_the_calendar(panel: Panel) -> str:
    response = await panel.post("/admin/calendar/appointments", client_id=panel.studio.clients[0],
                                service_id=panel.studio.personal, staff_id=panel.studio.ana, day="2026-11-24", at="07:00",
                                trainer="all")
    assert response.status == 303, await response.text()
    return html.unescape(await (await panel.web.get(response.headers["Location"])).text())


async def test_a_client_whatsapp_cannot_reach_gets_the_booking_by_email_with_an_ics(web, runtime, business, broker: StubBroker,
                                                                                     smtp: Inbox) -> None:
    panel = await open_panel(web, runtime, business)
    await give_email(runtime, panel.studio.clients[0])
    page = await book_from_the_calendar(panel)
    assert "a confirmation with a calendar invitation goes to their email" in page
    await send_mail(broker, runtime)
    [mail] = smtp.to(CLIENT_EMAIL)
    assert mail["Subject"] == "Agendamento confirmado: Treino personal ter 24/11 às 07:00"
    assert "Olá, Cliente 0!" in text_of(mail) and "com Ana" in text_of(mail)
    [ics] = attachments_of(mail).values()
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["summary"]).startswith("Treino personal") and event["status"] == "CONFIRMED"
    assert event.decoded("dtstart").isoformat() == "2026-11-24T10:00:00+00:00"  # 07:00 in São Paulo


async def test_a_client_who_wrote_today_is_told_in_chat_and_not_by_email(web, runtime, business, broker: StubBroker,
                                                                         smtp: Inbox) -> None:
    panel = await open_panel(web, runtime, business)
    await give_email(runtime, panel.studio.clients[0], wrote_today=True)
    page = await book_from_the_calendar(panel)
    assert "They were told in chat." in page
    await send_mail(broker, runtime)
    assert smtp.to(CLIENT_EMAIL) == []


async def test_a_client_who_opted_out_of_whatsapp_gets_the_email_too(web, runtime, business, broker: StubBroker,
                                                                     smtp: Inbox) -> None:
    panel = await open_panel(web, runtime, business)
    await give_email(runtime, panel.studio.clients[0], wrote_today=True, opted_out=True)
    await book_from_the_calendar(panel)
    await send_mail(broker, runtime)
    assert len(smtp.to(CLIENT_EMAIL)) == 1


async def test_a_client_with_no_email_is_only_said_to_be_unreachable(web, runtime, business, broker: StubBroker,
                                                                     smtp: Inbox) -> None:
    panel = await open_panel(web, runtime, business)
    page = await book_from_the_calendar(panel)
    assert "could not be told in chat" in page
    await send_mail(broker, runtime)
    assert smtp.received == []


async def test_a_refusing_mail_server_is_tried_again_and_the_booking_stands(web, runtime, business, broker: StubBroker,
                                                                            smtp: Inbox, clock: FixedClock) -> None:
    panel = await open_panel(web, runtime, business)
    await give_email(runtime, panel.studio.clients[0])
    smtp.refuse = 2
    await book_from_the_calendar(panel)
    await send_mail(broker, runtime)
    assert smtp.received == [] and await count_bookings(runtime) == 1
    async with runtime.sessions() as session:
        waiting = (await session.scalars(select(OutgoingEmail))).one()
    assert waiting.status == "queued" and waiting.attempts == 1 and "451" in (waiting.last_error or "")

    for _ in range(2):  # each retry after its pause; were its wake-up lost, the sweeper finds the mail in the database
        clock.advance(minutes=2)
        await sweep(runtime)
        await send_mail(broker, runtime)
    assert len(smtp.to(CLIENT_EMAIL)) == 1 and await count_bookings(runtime) == 1
    async with runtime.sessions() as session:
        sent = (await session.scalars(select(OutgoingEmail))).one()
    assert sent.status == "sent" and sent.attempts == 3
    assert sent.body == "" and sent.attachments == []  # a real send keeps no copy of the words


async def test_an_unreachable_mail_server_never_loses_the_booking(web, runtime, business, broker: StubBroker, smtp: Inbox,
                                                                  clock: FixedClock) -> None:
    panel = await open_panel(web, runtime, business)
    await give_email(runtime, panel.studio.clients[0])
    smtp.refuse = 100
    await book_from_the_calendar(panel)
    for _ in range(10):
        await send_mail(broker, runtime)
        clock.advance(minutes=31)
        await runtime.wake.mail()
    assert await count_bookings(runtime) == 1
    async with runtime.sessions() as session:
        given_up = (await session.scalars(select(OutgoingEmail))).one()
    assert given_up.status == "failed" and given_up.attempts == 8


def invitation(mail: EmailMessage) -> tuple[Calendar, Event]:
    """The mail's one .ics: the calendar (its METHOD) and its event."""
    [ics] = attachments_of(mail).values()
    calendar = Calendar.from_ical(ics)
    return calendar, calendar.walk("VEVENT")[0]


async def the_booking(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int((await session.scalars(select(Booking.id))).one())


async def test_a_class_seat_given_in_the_panel_reaches_an_unreachable_client_by_email(web, runtime, business, broker: StubBroker,
                                                                                       smtp: Inbox) -> None:
    panel = await open_panel(web, runtime, business)
    await give_email(runtime, panel.studio.clients[0])
    async with runtime.sessions.begin() as session:
        made = await classes.schedule_class(session, business.id, service_id=panel.studio.spinning, staff_id=panel.studio.bruno,
                                            starts_at=local(25, 18), now=NOW, capacity=5)
    response = await panel.post(f"/admin/classes/{made.id}/seats", client_id=panel.studio.clients[0])
    assert response.status == 303
    page = html.unescape(await (await web.get(response.headers["Location"])).text())
    assert "Cliente 0 has a seat. WhatsApp cannot reach them now: a confirmation with a calendar invitation goes to their email." in page
    await send_mail(broker, runtime)
    [mail] = smtp.to(CLIENT_EMAIL)
    assert mail["Subject"] == "Agendamento confirmado: Spinning qua 25/11 às 18:00"
    assert "agendou para você: Spinning qua 25/11 às 18:00, com Bruno." in text_of(mail)
    calendar, event = invitation(mail)
    assert calendar["method"] == "PUBLISH" and event["status"] == "CONFIRMED"
    assert str(event["uid"]) == f"booking-{await the_booking(runtime)}@fitzap"


async def test_a_booking_moved_in_the_panel_sends_the_same_event_updated_by_email(web, runtime, business, broker: StubBroker,
                                                                                  smtp: Inbox, clock: FixedClock) -> None:
    panel = await open_panel(web, runtime, business)
    await give_email(runtime, panel.studio.clients[0])
    await book_from_the_calendar(panel)
    clock.advance(minutes=10)
    booking_id = await the_booking(runtime)
    response = await panel.post(f"/admin/calendar/bookings/{booking_id}/move", day="2026-11-24", at="08:00")
    assert response.status == 303, await response.text()
    page = html.unescape(await (await web.get(response.headers["Location"])).text())
    assert "WhatsApp cannot reach them now: the new time, with an updated calendar invitation, goes to their email." in page
    await send_mail(broker, runtime)
    booked, moved = smtp.to(CLIENT_EMAIL)
    assert moved["Subject"] == "Agendamento remarcado: Treino personal ter 24/11 às 08:00"
    assert "remarcou seu horário: Treino personal passou de ter 24/11 às 07:00 para ter 24/11 às 08:00, com Ana." in text_of(moved)
    (_, first), (calendar, update) = invitation(booked), invitation(moved)
    assert calendar["method"] == "PUBLISH" and update["status"] == "CONFIRMED"
    assert update["uid"] == first["uid"] and update["sequence"] > first["sequence"]  # calendars replace their copy
    assert update.decoded("dtstart").isoformat() == "2026-11-24T11:00:00+00:00"  # 08:00 in São Paulo


async def test_a_booking_cancelled_in_the_panel_sends_its_cancellation_by_email(web, runtime, business, broker: StubBroker,
                                                                                smtp: Inbox, clock: FixedClock) -> None:
    panel = await open_panel(web, runtime, business)
    await give_email(runtime, panel.studio.clients[0])
    await book_from_the_calendar(panel)
    clock.advance(minutes=10)
    response = await panel.post(f"/admin/calendar/bookings/{await the_booking(runtime)}/cancel", who="studio",
                                reason="Ana está doente")
    assert response.status == 303, await response.text()
    page = html.unescape(await (await web.get(response.headers["Location"])).text())
    assert "WhatsApp cannot reach them now: the cancellation, with a calendar update that removes it, goes to their email." in page
    await send_mail(broker, runtime)
    booked, cancelled = smtp.to(CLIENT_EMAIL)
    assert cancelled["Subject"] == "Agendamento cancelado: Treino personal ter 24/11 às 07:00"
    assert "cancelou seu horário: Treino personal ter 24/11 às 07:00. Motivo: Ana está doente." in text_of(cancelled)
    (_, first), (calendar, removal) = invitation(booked), invitation(cancelled)
    assert calendar["method"] == "CANCEL" and removal["status"] == "CANCELLED"
    assert removal["uid"] == first["uid"] and removal["sequence"] > first["sequence"]
    # iTIP (RFC 5546) wants the organizer and the attendee on a CANCEL: calendars match it to the event they hold.
    for event in (first, removal):
        assert str(event["organizer"]) == "mailto:no-reply@fitzap.test" and event["organizer"].params["CN"] == "FitZap"
        assert str(event["attendee"]) == f"mailto:{CLIENT_EMAIL}" and event["attendee"].params["CN"] == "Cliente 0"


async def test_a_client_told_in_chat_gets_no_email_when_the_panel_moves_or_cancels(web, runtime, business, broker: StubBroker,
                                                                                  smtp: Inbox) -> None:
    panel = await open_panel(web, runtime, business)
    await give_email(runtime, panel.studio.clients[0], wrote_today=True)
    await book_from_the_calendar(panel)
    booking_id = await the_booking(runtime)
    moved = await panel.post(f"/admin/calendar/bookings/{booking_id}/move", day="2026-11-24", at="08:00")
    cancelled = await panel.post(f"/admin/calendar/bookings/{booking_id}/cancel", who="studio", reason="")
    assert (moved.status, cancelled.status) == (303, 303)
    assert "The client was told in chat." in html.unescape(await (await web.get(cancelled.headers["Location"])).text())
    await send_mail(broker, runtime)
    assert smtp.to(CLIENT_EMAIL) == []
