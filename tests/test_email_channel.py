"""Email's settings, the SMTP mailer against a real server, and the demo's page of the mails it would have sent."""
from __future__ import annotations

import html

import pytest
from dramatiq.brokers.stub import StubBroker

from app.bootstrap import bootstrap, build_mailer
from domain.clock import FixedClock
from domain.models import Business
from gateways.mail import Attachment, Mail, MailError, SmtpMailer
from runtime.broker import build_broker
from runtime.resources import Runtime
from runtime.settings import ConfigError
from tests import mail_support
from tests.admin_support import csrf_of, login, make_user
from tests.conftest import make_settings
from tests.mail_support import MAIL_FROM, Inbox, attachments_of, free_port, send_mail, text_of
from tests.support import serving

smtp = mail_support.smtp  # a real local SMTP server


def test_email_is_off_without_smtp_host() -> None:
    settings = make_settings()
    assert settings.mail == "off" and build_mailer(settings) is None


@pytest.mark.parametrize(("extra", "says"), [
    ({}, "MAIL_FROM"),
    ({"MAIL_FROM": MAIL_FROM, "SMTP_TLS": "true", "SMTP_STARTTLS": "true"}, "SMTP_TLS and SMTP_STARTTLS"),
    ({"MAIL_FROM": MAIL_FROM, "SMTP_USERNAME": "fitzap"}, "SMTP_USERNAME and SMTP_PASSWORD go together"),
])
def test_an_incomplete_smtp_setting_is_one_clear_line(extra: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError) as refused:
        make_settings(SMTP_HOST="smtp.example.com", **extra)
    assert says in str(refused.value) and "\n" not in str(refused.value)


async def test_the_smtp_mailer_delivers_text_and_attachments_to_a_real_server(smtp: Inbox) -> None:
    mailer = SmtpMailer("127.0.0.1", smtp.port, MAIL_FROM)
    invitation = Attachment("booking.ics", "text/calendar; method=PUBLISH", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    await mailer.send(Mail("ana@example.com", "Olá, Ana ✓", "Até amanhã!\n", (invitation,)))
    [mail] = smtp.received
    assert mail["Subject"] == "Olá, Ana ✓" and mail["From"] == MAIL_FROM and text_of(mail) == "Até amanhã!\n"
    assert attachments_of(mail) == {"booking.ics": b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"}
    assert [p.get_content_type() for p in mail.iter_attachments()] == ["text/calendar"]


async def test_a_server_nobody_listens_on_is_a_mail_error() -> None:
    with pytest.raises(MailError):
        await SmtpMailer("127.0.0.1", free_port(), MAIL_FROM).send(Mail("ana@example.com", "hi", "hi"))


async def test_the_demo_lists_the_emails_it_would_have_sent(runtime: Runtime, business: Business, clock: FixedClock) -> None:
    broker = build_broker(None)
    assert isinstance(broker, StubBroker)
    demo = bootstrap(make_settings(FITZAP_MODE="demo", FITZAP_CHANNEL="sandbox"), clock=clock, broker=broker)
    await make_user(runtime, business.id, name="Olga Owner")
    async with serving(demo) as web:
        token = await csrf_of(web, "/admin/password/forgot")
        await web.post("/admin/password/forgot", data={"email": "owner@studio.test", "csrf_token": token})
        assert await send_mail(broker, await demo.runtime()) == 1
        await login(web)
        page = html.unescape(await (await web.get("/sandbox/emails")).text())
        assert "Sent emails" in page and "Reset your FitZap password" in page and "owner@studio.test" in page
        assert "/admin/password/reset?token=" in page  # the demo keeps the words, link and all
        listed = (await (await web.get("/sandbox/emails?format=json&to=owner@studio.test")).json())["emails"]
        assert [(m["subject"], m["status"]) for m in listed] == [("Reset your FitZap password", "sent")]


async def test_outside_the_demo_there_is_no_email_page(web, runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    assert (await web.get("/sandbox/emails")).status == 404
