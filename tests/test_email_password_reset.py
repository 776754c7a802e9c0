"""Forgot your password?: a link by email that sets a new password once, within the hour; the same answer for an
email with no login (and no mail); every other session ends; requests are throttled like the login."""
from __future__ import annotations

import html
import re

from aiohttp.test_utils import TestClient
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select

from app.bootstrap import bootstrap
from domain.clock import FixedClock
from domain.models import Business, PasswordReset
from runtime.resources import Runtime
from tests import mail_support
from tests.admin_support import PASSWORD, csrf_of, login, make_user
from tests.conftest import make_settings
from tests.mail_support import Inbox, send_mail, text_of
from tests.support import serving

NEW_PASSWORD = "a brand new passphrase"
SAME_ANSWER = "If that email has a login here, a link to choose a new password is on its way."
LINK = re.compile(r"https://fitzap\.test/admin/password/reset\?token=([A-Za-z0-9_-]+)")

smtp, settings = mail_support.smtp, mail_support.settings  # a real local SMTP server, and email on


async def ask_for_link(web: TestClient, email: str):  # type: ignore[no-untyped-def]
    token = await csrf_of(web, "/admin/password/forgot")
    return await web.post("/admin/password/forgot", data={"email": email, "csrf_token": token})


async def set_password(web: TestClient, token: str, password: str = NEW_PASSWORD, again: str | None = None):  # type: ignore[no-untyped-def]
    csrf = await csrf_of(web, "/admin/login")
    return await web.post("/admin/password/reset", allow_redirects=False,
                          data={"token": token, "password": password, "password_again": again or password, "csrf_token": csrf})


async def try_login(web: TestClient, password: str) -> int:
    token = await csrf_of(web)
    response = await web.post("/admin/login", allow_redirects=False,
                              data={"email": "owner@studio.test", "password": password, "csrf_token": token})
    return response.status


async def mailed_token(broker: StubBroker, runtime: Runtime, smtp: Inbox) -> str:
    await send_mail(broker, runtime)
    assert len(smtp.received) == 1
    match = LINK.search(text_of(smtp.received[-1]))
    assert match, text_of(smtp.received[-1])
    return match.group(1)


async def test_the_login_page_offers_a_reset_when_email_is_set_up(web: TestClient) -> None:
    page = await (await web.get("/admin/login")).text()
    assert 'href="/admin/password/forgot"' in page and "Forgot your password?" in page


async def test_a_reset_email_arrives_and_its_link_sets_a_new_password_once(web: TestClient, runtime: Runtime, business: Business,
                                                                           broker: StubBroker, smtp: Inbox) -> None:
    await make_user(runtime, business.id, name="Olga Owner")
    response = await ask_for_link(web, "  Owner@Studio.test ")
    assert response.status == 200 and SAME_ANSWER in html.unescape(await response.text())
    token = await mailed_token(broker, runtime, smtp)
    mail = smtp.received[0]
    assert mail["To"] == "owner@studio.test" and mail["From"] == "FitZap <no-reply@fitzap.test>"
    assert mail["Subject"] == "Reset your FitZap password"
    assert "Hello Olga Owner" in text_of(mail) and "Studio Força" in text_of(mail) and "60 minutes" in text_of(mail)

    form = await (await web.get(f"/admin/password/reset?token={token}")).text()
    assert "Choose a new password" in form and f'value="{token}"' in form
    done = await set_password(web, token)
    assert done.status == 303 and done.headers["Location"] == "/admin/login"
    assert "Your password was changed. Log in with the new one." in await (await web.get("/admin/login")).text()
    assert await try_login(web, PASSWORD) == 400
    assert await try_login(web, NEW_PASSWORD) == 302

    again = await set_password(web, token, "yet another passphrase")
    assert again.status == 400 and "This link has expired or was already used." in await again.text()
    assert await try_login(web, "yet another passphrase") == 400


async def test_only_the_token_hash_is_stored(web: TestClient, runtime: Runtime, business: Business, broker: StubBroker,
                                              smtp: Inbox) -> None:
    await make_user(runtime, business.id)
    await ask_for_link(web, "owner@studio.test")
    token = await mailed_token(broker, runtime, smtp)
    async with runtime.sessions() as session:
        stored = (await session.scalars(select(PasswordReset))).one()
    assert stored.token_hash != token and len(stored.token_hash) == 64


async def test_an_expired_link_is_refused(web: TestClient, runtime: Runtime, business: Business, broker: StubBroker,
                                          smtp: Inbox, clock: FixedClock) -> None:
    await make_user(runtime, business.id)
    await ask_for_link(web, "owner@studio.test")
    token = await mailed_token(broker, runtime, smtp)
    clock.advance(minutes=61)
    page = await web.get(f"/admin/password/reset?token={token}")
    assert page.status == 400 and "This link has expired or was already used. Ask for a new one." in await page.text()
    refused = await set_password(web, token)
    assert refused.status == 400
    assert await try_login(web, NEW_PASSWORD) == 400 and await try_login(web, PASSWORD) == 302


async def test_an_unknown_email_gets_the_same_answer_and_no_mail(web: TestClient, runtime: Runtime, business: Business,
                                                                 broker: StubBroker, smtp: Inbox) -> None:
    await make_user(runtime, business.id)
    known = await ask_for_link(web, "owner@studio.test")
    unknown = await ask_for_link(web, "nobody@studio.test")
    assert known.status == unknown.status == 200
    assert SAME_ANSWER in html.unescape(await unknown.text())
    await send_mail(broker, runtime)
    assert [m["To"] for m in smtp.received] == ["owner@studio.test"]


async def test_setting_a_new_password_ends_every_other_session(web: TestClient, runtime: Runtime, business: Business,
                                                                broker: StubBroker, smtp: Inbox) -> None:
    await make_user(runtime, business.id)
    await login(web)
    assert (await web.get("/admin/dashboard", allow_redirects=False)).status == 200
    await ask_for_link(web, "owner@studio.test")
    assert (await set_password(web, await mailed_token(broker, runtime, smtp))).status == 303
    assert (await web.get("/admin/dashboard", allow_redirects=False)).status == 302


async def test_the_two_passwords_must_match_and_be_long_enough(web: TestClient, runtime: Runtime, business: Business,
                                                                broker: StubBroker, smtp: Inbox) -> None:
    await make_user(runtime, business.id)
    await ask_for_link(web, "owner@studio.test")
    token = await mailed_token(broker, runtime, smtp)
    differ = await set_password(web, token, NEW_PASSWORD, "something else entirely")
    assert differ.status == 400 and "The two passwords differ." in await differ.text()
    short = await set_password(web, token, "short")
    assert short.status == 400 and "at least 10 characters" in await short.text()
    assert (await set_password(web, token)).status == 303  # the link still worked after the typos


async def test_a_newer_link_retires_the_older_one(web: TestClient, runtime: Runtime, business: Business, broker: StubBroker,
                                                  smtp: Inbox) -> None:
    await make_user(runtime, business.id)
    await ask_for_link(web, "owner@studio.test")
    first = await mailed_token(broker, runtime, smtp)
    smtp.received.clear()
    await ask_for_link(web, "owner@studio.test")
    second = await mailed_token(broker, runtime, smtp)
    assert (await set_password(web, first)).status == 400
    assert (await set_password(web, second)).status == 303


async def test_asking_too_often_is_throttled(web: TestClient, runtime: Runtime, business: Business, clock: FixedClock) -> None:
    await make_user(runtime, business.id)
    for _ in range(3):
        assert (await ask_for_link(web, "owner@studio.test")).status == 200
    throttled = await ask_for_link(web, "owner@studio.test")
    assert throttled.status == 429 and "Too many requests" in await throttled.text()
    clock.advance(minutes=16)
    assert (await ask_for_link(web, "owner@studio.test")).status == 200


async def test_the_forms_need_their_csrf_token(web: TestClient) -> None:
    await csrf_of(web, "/admin/password/forgot")  # the session has a token; the posts below do not carry it
    assert (await web.post("/admin/password/forgot", data={"email": "owner@studio.test"})).status == 403
    assert (await web.post("/admin/password/reset", data={"token": "x", "password": NEW_PASSWORD,
                                                          "password_again": NEW_PASSWORD})).status == 403


async def test_a_user_who_reads_portuguese_gets_the_mail_in_portuguese(web: TestClient, runtime: Runtime, business: Business,
                                                                       broker: StubBroker, smtp: Inbox) -> None:
    await make_user(runtime, business.id, locale=None)  # follows the business's pt-BR
    await ask_for_link(web, "owner@studio.test")
    await mailed_token(broker, runtime, smtp)
    assert smtp.received[0]["Subject"] == "Redefinir sua senha do FitZap"
    assert "vale por 60 minutos" in text_of(smtp.received[0])


async def test_without_smtp_there_is_no_reset_link_and_no_page(database: str, clock: FixedClock, broker: StubBroker) -> None:
    app = bootstrap(make_settings(), clock=clock, broker=broker)
    async with serving(app) as web:
        assert "Forgot your password?" not in await (await web.get("/admin/login")).text()
        assert (await web.get("/admin/password/forgot")).status == 404
