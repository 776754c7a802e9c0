"""An owner sends a client a payment link from the client page: in the chat when the client wrote in the last 24
hours, else to their email, else shown to copy; a product of another studio makes none, and a server that takes no
online payments says so."""
from __future__ import annotations

import html
import re

import pytest
from aiohttp.test_utils import TestClient
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select

from domain.clock import FixedClock
from domain.models import Business, Client, OutboundMessage, Purchase
from runtime.resources import Runtime
from runtime.settings import Settings
from tests import mail_support
from tests.conftest import PUBLIC_URL, make_settings
from tests.mail_support import Inbox, send_mail, text_of
from tests.settings_support import NOW, as_owner, as_trainer, other_business, post
from tests.stripe_support import add_demo_products

smtp, settings = mail_support.smtp, mail_support.settings  # a real local SMTP server, and email on


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)

LINK = re.compile(re.escape(PUBLIC_URL) + r"/pay/[A-Za-z0-9_\-]+")


async def a_client(runtime: Runtime, business: Business, *, wrote_today: bool = False, email: str | None = None) -> int:
    async with runtime.sessions.begin() as session:
        client = Client(business_id=business.id, contact_key="+5511987654321", wa_id="5511987654321",
                        phone_e164="+5511987654321", profile_name="Maria Souza", created_at=NOW, email=email,
                        last_inbound_at=NOW if wrote_today else None)
        session.add(client)
        await session.flush()
        return client.id


async def a_pack(runtime: Runtime, business: Business) -> int:
    async with runtime.sessions.begin() as session:
        return (await add_demo_products(session, business.id, NOW))["pack"].id


async def send_link(web: TestClient, token: str, client_id: int, product_id: int) -> str:
    """Post the form; the client page it lands on."""
    response = await post(web, f"/admin/clients/{client_id}/payment-link", token, product_id=str(product_id))
    assert response.status == 302
    return html.unescape(await (await web.get(response.headers["Location"])).text())


async def test_a_client_who_wrote_today_gets_the_link_in_the_chat(web: TestClient, runtime: Runtime, business: Business) -> None:
    client_id, pack = await a_client(runtime, business, wrote_today=True), await a_pack(runtime, business)
    token = await as_owner(web, runtime, business)
    page = await send_link(web, token, client_id, pack)
    assert "Payment link for Pacote 10 aulas (R$450.00) sent in the chat." in page
    async with runtime.sessions() as session:
        [sent] = (await session.scalars(select(OutboundMessage).where(OutboundMessage.client_id == client_id))).all()
        purchase = (await session.scalars(select(Purchase))).one()
    assert purchase.status == "pending" and f"{PUBLIC_URL}/pay/{purchase.token}" in sent.payload["body"]


async def test_a_client_who_has_not_written_gets_it_by_email(web: TestClient, runtime: Runtime, business: Business,
                                                            broker: StubBroker, smtp: Inbox) -> None:
    client_id = await a_client(runtime, business, email="maria@example.com")
    token = await as_owner(web, runtime, business)
    page = await send_link(web, token, client_id, await a_pack(runtime, business))
    assert "sent to their email: they have not written in the last 24 hours" in page
    await send_mail(broker, runtime)
    [mail] = smtp.to("maria@example.com")
    assert mail["Subject"] == "Link de pagamento: Pacote 10 aulas · R$ 450,00" and LINK.search(text_of(mail))


async def test_with_neither_the_link_is_shown_to_send_by_hand(web: TestClient, runtime: Runtime, business: Business) -> None:
    client_id = await a_client(runtime, business)
    token = await as_owner(web, runtime, business)
    page = await send_link(web, token, client_id, await a_pack(runtime, business))
    assert "made, but not sent: they have not written in the last 24 hours and gave no email." in page
    assert LINK.search(page)
    async with runtime.sessions() as session:
        assert (await session.scalars(select(OutboundMessage))).first() is None


async def test_another_studios_product_or_client_makes_no_link(web: TestClient, runtime: Runtime, business: Business) -> None:
    client_id = await a_client(runtime, business, wrote_today=True)
    other = await other_business(runtime)
    theirs = await a_pack(runtime, other)
    token = await as_owner(web, runtime, business)
    assert "No payment link was made" in await send_link(web, token, client_id, theirs)
    assert (await post(web, "/admin/clients/99999/payment-link", token, product_id=str(await a_pack(runtime, business)))).status == 404
    response = await post(web, f"/admin/clients/{client_id}/payment-link", token, product_id="x")
    assert response.status == 302
    assert "No payment link was made: choose a product." in html.unescape(await (await web.get(response.headers["Location"])).text())
    async with runtime.sessions() as session:
        assert (await session.scalars(select(Purchase))).first() is None


async def test_a_trainer_cannot_send_one(web: TestClient, runtime: Runtime, business: Business) -> None:
    client_id, pack = await a_client(runtime, business, wrote_today=True), await a_pack(runtime, business)
    token, _staff = await as_trainer(web, runtime, business)
    assert (await post(web, f"/admin/clients/{client_id}/payment-link", token, product_id=str(pack))).status == 403


class TestWithoutOnlinePayments:
    @pytest.fixture
    def settings(self, database: str) -> Settings:
        return make_settings(STRIPE_SECRET_KEY="", STRIPE_WEBHOOK_SECRET="")

    async def test_the_form_is_not_offered_and_a_post_says_why(self, web: TestClient, runtime: Runtime,
                                                               business: Business) -> None:
        client_id, pack = await a_client(runtime, business, wrote_today=True), await a_pack(runtime, business)
        token = await as_owner(web, runtime, business)
        assert "Send a payment link" not in await (await web.get(f"/admin/clients/{client_id}")).text()
        assert "This server takes no online payments" in await send_link(web, token, client_id, pack)
