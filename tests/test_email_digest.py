"""A trainer who prefers email gets the daily digest there (set on their staff page); one who prefers WhatsApp does not."""
from __future__ import annotations

import pytest

from domain.clock import FixedClock
from domain.models import Staff
from tests import mail_support
from tests.booking_setup import NOW, local, make_studio
from tests.mail_support import Inbox, text_of
from tests.panel_calendar_support import open_panel
from tests.scheduled_setup import book, run_due_at
from workers.mail import send_emails


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


smtp, settings = mail_support.smtp, mail_support.settings  # a real local SMTP server, and email on


async def digest_for_ana(runtime, studio, *, channel: str, wa_id: str | None = None) -> None:  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        ana = await session.get(Staff, studio.ana)
        ana.email, ana.wa_id, ana.digest_at_min, ana.digest_channel = "ana@studio.test", wa_id, 8 * 60 + 30, channel


async def test_a_trainer_who_prefers_email_gets_the_digest_by_email(runtime, business, broker, clock, smtp: Inbox) -> None:
    studio = await make_studio(runtime, business)
    await digest_for_ana(runtime, studio, channel="email")
    await book(runtime, studio, local(24, 9), NOW)
    whatsapp = await run_due_at(runtime, broker, clock, local(24, 8, 30))
    assert {row.client_id for row in whatsapp} <= {studio.clients[0]}  # the client's reminder; nothing for Ana
    assert await send_emails(runtime) == 1
    [mail] = smtp.to("ana@studio.test")
    assert mail["Subject"] == "Seu resumo de ter 24/11 — Studio Força"
    assert "Hoje (1):\n• 09:00 — Treino personal: Cliente 0" in text_of(mail)
    assert "*" not in text_of(mail)


async def test_a_trainer_who_prefers_whatsapp_gets_no_email(runtime, business, broker, clock, smtp: Inbox) -> None:
    studio = await make_studio(runtime, business)
    await digest_for_ana(runtime, studio, channel="whatsapp", wa_id="5511955550000")
    sent = await run_due_at(runtime, broker, clock, local(24, 8, 30))
    assert len(sent) == 1  # to her WhatsApp
    assert await send_emails(runtime) == 0 and smtp.received == []


async def test_the_staff_page_sets_where_the_digest_goes(web, runtime, business) -> None:  # type: ignore[no-untyped-def]
    panel = await open_panel(web, runtime, business)
    status, page = await panel.page(f"/admin/staff/trainers/{panel.studio.ana}")
    assert status == 200 and 'name="digest_channel"' in page
    response = await panel.post(f"/admin/staff/trainers/{panel.studio.ana}", name="Ana", email="ana@studio.test",
                                digest_at="08:30", digest_channel="email")
    assert response.status in (302, 303), await response.text()
    async with runtime.sessions() as session:
        ana = await session.get(Staff, panel.studio.ana)
        assert ana is not None and ana.digest_channel == "email" and ana.email == "ana@studio.test"
