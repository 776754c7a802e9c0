"""A booking made, moved or cancelled through the REST API reaches a client WhatsApp cannot reach by email, as the
panel's do: the confirmation with its .ics, the same event updated, its METHOD:CANCEL. A client told in chat gets
no email, and `notify_client: false` tells nobody. A payment link goes by email when the chat cannot carry it."""
from __future__ import annotations

import pytest
from dramatiq.brokers.stub import StubBroker

from domain.clock import FixedClock
from tests import mail_support
from tests.api_support import NOW, Setup, open_api
from tests.mail_support import Inbox, send_mail, text_of
from tests.stripe_support import add_demo_products
from tests.test_email_booking import CLIENT_EMAIL, give_email, invitation

smtp, settings = mail_support.smtp, mail_support.settings  # a real local SMTP server, and email on


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def book(setup: Setup, **extra: object) -> dict[str, object]:
    status, made, _ = await setup.api.post("/bookings", {
        "client_id": setup.studio.clients[0], "service_id": setup.studio.personal, "staff_id": setup.studio.ana,
        "starts_at": "2026-11-24T07:00:00-03:00", **extra})
    assert status == 201, made
    return made


async def test_an_api_booking_move_and_cancel_reach_an_unreachable_client_by_email(web, runtime, business, broker: StubBroker,
                                                                                   smtp: Inbox, clock: FixedClock) -> None:
    setup = await open_api(web, runtime, business)
    await give_email(runtime, setup.studio.clients[0])
    made = await book(setup)
    clock.advance(minutes=10)
    assert (await setup.api.post(f"/bookings/{made['id']}/move", {"starts_at": "2026-11-24T08:00:00-03:00"}))[0] == 200
    clock.advance(minutes=10)
    assert (await setup.api.post(f"/bookings/{made['id']}/cancel", {"reason": "Ana está doente"}))[0] == 200
    await send_mail(broker, runtime)

    booked, moved, cancelled = smtp.to(CLIENT_EMAIL)
    assert booked["Subject"] == "Agendamento confirmado: Treino personal ter 24/11 às 07:00"
    assert "com Ana" in text_of(booked)
    assert invitation(booked)[1].decoded("dtstart").isoformat() == "2026-11-24T10:00:00+00:00"  # 07:00 in São Paulo
    assert moved["Subject"] == "Agendamento remarcado: Treino personal ter 24/11 às 08:00"
    assert "Ana está doente" in text_of(cancelled)
    (_, first), (_, update), (method, removal) = invitation(booked), invitation(moved), invitation(cancelled)
    assert first["uid"] == update["uid"] == removal["uid"] == f"booking-{made['id']}@fitzap"
    assert first["sequence"] < update["sequence"] < removal["sequence"]
    assert update.decoded("dtstart").isoformat() == "2026-11-24T11:00:00+00:00"  # 08:00 in São Paulo
    assert method["method"] == "CANCEL" and removal["status"] == "CANCELLED"


async def test_an_api_booking_for_a_client_who_wrote_today_is_told_in_chat_only(web, runtime, business, broker: StubBroker,
                                                                                smtp: Inbox) -> None:
    setup = await open_api(web, runtime, business)
    await give_email(runtime, setup.studio.clients[0], wrote_today=True)
    await book(setup)
    await send_mail(broker, runtime)
    assert smtp.to(CLIENT_EMAIL) == []


async def test_an_api_booking_that_tells_nobody_sends_no_email(web, runtime, business, broker: StubBroker,
                                                               smtp: Inbox) -> None:
    setup = await open_api(web, runtime, business)
    await give_email(runtime, setup.studio.clients[0], opted_out=True)
    await book(setup, notify_client=False)
    await send_mail(broker, runtime)
    assert smtp.received == []


async def test_a_payment_link_goes_by_email_when_the_client_has_not_written_in_24_hours(
        web, runtime, business, broker: StubBroker, smtp: Inbox) -> None:
    setup = await open_api(web, runtime, business)
    await give_email(runtime, setup.studio.clients[0])
    async with runtime.sessions.begin() as session:
        pack = (await add_demo_products(session, business.id, NOW))["pack"].id
    status, purchase, _ = await setup.api.post("/purchases", {"client_id": setup.studio.clients[0], "product_id": pack,
                                                              "notify_client": True})
    assert status == 201 and purchase["link_sent_to"] == "email"
    await send_mail(broker, runtime)
    [mail] = smtp.to(CLIENT_EMAIL)
    assert mail["Subject"] == "Link de pagamento: Pacote 10 aulas · R$ 450,00"
    assert "Olá, Cliente 0!" in text_of(mail) and purchase["payment_url"] in text_of(mail)
