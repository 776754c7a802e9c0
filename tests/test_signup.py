"""Studios sign up on their own: the form, the confirmation by email (a real local SMTP server), the studio made on
the Free plan with its owner logged in, and the setup checklist that walks them through connecting WhatsApp."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from aiohttp.test_utils import TestClient
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select

from app.bootstrap import bootstrap
from domain.clock import FixedClock
from domain.models import AdminUser, Business, InboundMessage, Signup
from runtime.resources import Runtime
from runtime.settings import Settings
from tests.admin_support import csrf_of, make_user
from tests.conftest import make_settings
from tests.mail_support import Inbox, mail_settings, send_mail, smtp_server, text_of
from tests.support import drain, inbound, serving, signed
from workers import due_work

LINK = re.compile(r"https://fitzap\.test/admin/signup/confirm\?token=([A-Za-z0-9_-]+)")
FORM = {"business_name": "Estúdio Movimento", "name": "Carla Dias", "email": "Carla@Movimento.test",
        "password": "a long enough passphrase", "locale": "en", "timezone": "America/Recife"}
SENT = "We sent a message to carla@movimento.test."
STUDIO_APP_SECRET = "the-studios-own-meta-app-secret"


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def settings(database: str, smtp: Inbox) -> Settings:
    return mail_settings(smtp)


async def sign_up(web: TestClient, **changes: str):  # type: ignore[no-untyped-def]
    token = await csrf_of(web, "/admin/signup")
    return await web.post("/admin/signup", data={**FORM, **changes, "csrf_token": token})


async def mailed_link(broker: StubBroker, runtime: Runtime, smtp: Inbox) -> str:
    await send_mail(broker, runtime)
    match = LINK.search(text_of(smtp.received[-1]))
    assert match, text_of(smtp.received[-1])
    return match.group(1)


async def confirm(web: TestClient, token: str):  # type: ignore[no-untyped-def]
    csrf = await csrf_of(web, f"/admin/signup/confirm?token={token}")
    return await web.post("/admin/signup/confirm", data={"token": token, "csrf_token": csrf}, allow_redirects=False)


async def test_a_studio_signs_up_confirms_its_email_and_lands_logged_in_on_the_checklist(
        web: TestClient, runtime: Runtime, broker: StubBroker, smtp: Inbox) -> None:
    login_page = await (await web.get("/admin/login")).text()
    assert 'href="/admin/signup"' in login_page
    answer = await sign_up(web)
    assert answer.status == 200 and SENT in html.unescape(await answer.text())
    token = await mailed_link(broker, runtime, smtp)
    mail = smtp.received[-1]
    assert mail["To"] == "carla@movimento.test" and mail["Subject"] == "Confirm your email to create Estúdio Movimento on FitZap"
    async with runtime.sessions() as session:
        assert (await session.scalars(select(Business).where(Business.name == "Estúdio Movimento"))).first() is None

    page = await web.get(f"/admin/signup/confirm?token={token}")
    assert page.status == 200 and "Create Estúdio Movimento" in html.unescape(await page.text())
    made = await confirm(web, token)
    assert made.status == 303 and made.headers["Location"] == "/admin/setup?welcome=1"
    checklist = html.unescape(await (await web.get("/admin/setup?welcome=1")).text())
    assert "Welcome to FitZap! Your studio is on the Free plan." in checklist
    assert "0 of 8 steps done." in checklist
    assert 'data-step="number"' in checklist and "Callback URL" in checklist and "test-verify-token" in checklist

    async with runtime.sessions() as session:
        owner = (await session.scalars(select(AdminUser).where(AdminUser.email == "carla@movimento.test"))).one()
        studio = await session.get(Business, owner.business_id)
    assert owner.role == "owner" and owner.name == "Carla Dias"
    assert studio is not None and studio.plan == "free" and studio.phone_number_id is None
    assert (studio.timezone, studio.locale, studio.currency) == ("America/Recife", "en", "USD")
    dashboard = html.unescape(await (await web.get("/admin/dashboard")).text())
    assert "Finish setting up your studio" in dashboard

    again = await confirm(web, token)
    assert again.status == 400 and "This link has expired or was already used." in await again.text()


async def test_only_hashes_are_stored_and_the_link_expires_after_a_day(web: TestClient, runtime: Runtime, broker: StubBroker,
                                                                      smtp: Inbox, clock: FixedClock) -> None:
    await sign_up(web)
    token = await mailed_link(broker, runtime, smtp)
    async with runtime.sessions() as session:
        stored = (await session.scalars(select(Signup))).one()
    assert stored.token_hash != token and token not in stored.password_hash and stored.password_hash.startswith("$argon2")
    clock.advance(hours=25)
    page = await web.get(f"/admin/signup/confirm?token={token}")
    assert page.status == 400 and "This link has expired or was already used." in await page.text()
    assert (await confirm(web, token)).status == 400


async def test_a_sign_up_is_forgotten_once_its_link_has_expired(web: TestClient, runtime: Runtime, broker: StubBroker,
                                                                 smtp: Inbox, clock: FixedClock) -> None:
    await sign_up(web)
    await confirm(web, await mailed_link(broker, runtime, smtp))
    clock.advance(hours=1)
    await sign_up(web, email="bia@movimento.test")
    await due_work.plan_due(runtime)
    async with runtime.sessions() as session:
        assert len((await session.scalars(select(Signup))).all()) == 2  # both links still live
    clock.advance(hours=24)
    await due_work.plan_due(runtime)
    async with runtime.sessions() as session:
        assert (await session.scalars(select(Signup))).all() == []  # the confirmed one and the one never confirmed
        assert (await session.scalars(select(AdminUser).where(AdminUser.email == "carla@movimento.test"))).one()


async def test_an_email_with_a_login_gets_the_same_answer_and_a_mail_saying_so(
        web: TestClient, runtime: Runtime, business: Business, broker: StubBroker, smtp: Inbox) -> None:
    await make_user(runtime, business.id, email="carla@movimento.test")
    answer = await sign_up(web)
    assert answer.status == 200 and SENT in html.unescape(await answer.text())
    await send_mail(broker, runtime)
    mail = smtp.received[-1]
    assert mail["Subject"] == "You already have a FitZap login"
    assert "https://fitzap.test/admin/login" in text_of(mail) and "/admin/signup/confirm" not in text_of(mail)
    async with runtime.sessions() as session:
        assert (await session.scalars(select(Signup))).first() is None


async def test_a_bad_form_is_answered_field_by_field_and_nothing_is_kept(web: TestClient, runtime: Runtime) -> None:
    answer = await sign_up(web, email="not-an-email", password="short", timezone="Mars/Olympus")
    page = html.unescape(await answer.text())
    assert answer.status == 400 and "Nothing was saved" in page
    assert 'value="short"' not in page and 'name="email" value="not-an-email"' in page
    async with runtime.sessions() as session:
        assert (await session.scalars(select(Signup))).first() is None


async def test_sign_ups_from_one_address_are_throttled(web: TestClient) -> None:
    statuses = [(await sign_up(web, email=f"owner{n}@studio{n}.test")).status for n in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


async def test_the_checklist_follows_what_the_studio_connects(web: TestClient, runtime: Runtime, broker: StubBroker,
                                                             smtp: Inbox) -> None:
    await sign_up(web)
    await confirm(web, await mailed_link(broker, runtime, smtp))
    csrf = await csrf_of(web, "/admin/settings/whatsapp")
    saved = await web.post("/admin/settings/whatsapp", allow_redirects=False, data={
        "phone_number_id": "123456789012345", "display_phone_number": "+55 81 99999-0000",
        "access_token": "EAAG-a-token-of-the-studio-0123456789", "app_secret": STUDIO_APP_SECRET, "csrf_token": csrf})
    assert saved.status == 302, await saved.text()
    page = await (await web.get("/admin/setup")).text()
    assert '<li class="done" data-step="number">' in page and '<li class="done" data-step="token">' in page
    assert '<li class="todo" data-step="webhook">' in page

    # Meta signs the studio's webhooks with the studio's own app's secret.
    raw, headers = signed(inbound(text="oi, é um teste", phone_number_id="123456789012345"), STUDIO_APP_SECRET)
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    await drain(broker, runtime)
    page = await (await web.get("/admin/setup")).text()
    assert '<li class="done" data-step="webhook">' in page


async def test_sign_up_is_closed_without_email(database: str) -> None:
    async with serving(bootstrap(make_settings())) as web:
        page = await web.get("/admin/signup")
        assert page.status == 404 and "Sign-up is not open on this server" in await page.text()
        assert 'href="/admin/signup"' not in await (await web.get("/admin/login")).text()


async def test_a_studios_app_secret_signs_for_its_own_number_only(web: TestClient, runtime: Runtime, business: Business,
                                                                 broker: StubBroker, smtp: Inbox) -> None:
    await sign_up(web)
    await confirm(web, await mailed_link(broker, runtime, smtp))
    csrf = await csrf_of(web, "/admin/settings/whatsapp")
    await web.post("/admin/settings/whatsapp", data={"phone_number_id": "123456789012345", "app_secret": STUDIO_APP_SECRET,
                                                     "csrf_token": csrf})
    page = await (await web.get("/admin/settings/whatsapp")).text()
    assert "••••cret" in page and STUDIO_APP_SECRET not in page
    # Signed with the studio's secret, but naming the other business's number: refused, nothing stored.
    raw, headers = signed(inbound(text="oi"), STUDIO_APP_SECRET)
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 401
    raw, headers = signed(inbound(text="oi", phone_number_id="123456789012345"), "a-guess-at-the-secret")
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 401
    async with runtime.sessions() as session:
        assert (await session.scalars(select(InboundMessage))).first() is None
