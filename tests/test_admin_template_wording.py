"""The templates FitZap needs: the wording to paste into Meta on the templates page, and the dashboard's warning
while any is missing."""
from __future__ import annotations

import html

import pytest

from conversations.template_catalogue import needed_templates
from domain.clock import FixedClock
from domain.messaging import message_templates
from domain.models import Business
from runtime.resources import Runtime
from tests.booking_setup import NOW
from tests.client_admin_setup import visible_text
from tests.panel_calendar_support import open_panel
from tests.settings_support import as_owner, post


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def wording(page: str, name: str) -> str:
    """The HTML of the suggested wording of template `name`, unescaped (what a person copies)."""
    start = page.index(f'id="wording-{name}"')
    return html.unescape(page[start:page.index("</details>", start)])


def warning(page: str) -> str:
    start = page.index('id="missing-templates"')
    return visible_text(page[start:page.index("</section>", start)])


async def list_all(runtime: Runtime, business: Business, *, but: str = "") -> None:
    """List every template FitZap sends in the business's language (all but `but`)."""
    async with runtime.sessions.begin() as session:
        for t in needed_templates(business.reminder_template):
            if t.name != but:
                await message_templates.save_template(session, business.id, NOW, name=t.name, language="pt_BR",
                                                      purpose=t.purpose, variables=t.variables)


async def test_templates_page_gives_the_pt_br_and_english_wording_of_every_needed_template(web, runtime, business):
    await as_owner(web, runtime, business)
    page = await (await web.get("/admin/settings/templates")).text()
    for t in needed_templates(business.reminder_template):
        block = wording(page, t.name)
        assert t.category in block and block.count("<textarea readonly") == 2, t.name
        assert t.body("pt-BR") in block and t.body("en") in block, t.name
        assert "missing" in block, t.name

    reminder = wording(page, "appointment_reminder")
    assert "UTILITY" in reminder
    assert "Oi {{1}}! ⏰ Lembrete: *{{2}}* com {{4}} {{3}}. Você confirma?" in reminder
    assert "Hi {{1}}! ⏰ Reminder: *{{2}}* with {{4}} {{3}}. Can you confirm?" in reminder
    assert "{{1}} = the client's name, as on WhatsApp" in visible_text(reminder)
    assert "{{4}} = the trainer's name" in visible_text(reminder)
    assert "Confirmo · Remarcar · Cancelar" in visible_text(reminder)
    assert "I'll be there · Reschedule · Cancel" in visible_text(reminder)

    booked = wording(page, "team_booked")
    assert "📅 {{3}} marcou *{{1}}* pra você {{2}}. Até lá! 💪" in booked
    assert "📅 {{3}} booked you for *{{1}}* on {{2}}. See you there! 💪" in booked
    assert "{{2}} = the session's day and time" in visible_text(booked)

    digest = visible_text(wording(page, "trainer_daily_digest"))
    assert "Sessions today: {{2}} (the first at {{3}})" in digest and "Treinos hoje: {{2}} (o primeiro às {{3}})" in digest
    assert "MARKETING" in wording(page, "weekly_summary")
    card = wording(page, "membership_payment_failed")  # Meta refuses a body ending with a variable
    assert "Update your card here: {{2}}." in card and "Não consegui cobrar" in card


async def test_templates_page_shows_which_templates_are_set_up(web, runtime, business):
    token = await as_owner(web, runtime, business)
    await post(web, "/admin/settings/templates", token, name="team_booked", language="pt_BR", purpose="generic",
               variables="service, when, trainer")
    await post(web, "/admin/settings/templates", token, name="waitlist_offer", language="en", purpose="waitlist",
               variables="service, when, held_until")
    page = await (await web.get("/admin/settings/templates")).text()
    assert "set up: pt_BR" in visible_text(wording(page, "team_booked"))
    assert "missing in pt_BR" in visible_text(wording(page, "waitlist_offer"))
    assert "missing" in visible_text(wording(page, "team_moved"))


async def test_dashboard_warns_which_automatic_messages_cannot_reach_clients(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    await list_all(runtime, business, but="waitlist_offer")
    status, page = await panel.page("/admin/dashboard")
    assert status == 200
    said = warning(page)
    assert "1 automatic message has no approved template in pt_BR" in said
    assert "cannot reach a client who has not written in the last 24 hours" in said
    assert "A class seat held for a waiting client waitlist_offer" in said
    assert "appointment_reminder" not in said
    assert 'href="/admin/settings/templates#suggested-wording"' in page


async def test_dashboard_lists_every_missing_template_for_a_new_studio(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    said = warning((await panel.page("/admin/dashboard"))[1])
    assert f"{len(needed_templates(business.reminder_template))} automatic messages have no approved template" in said
    assert "Session reminders (Confirm / Reschedule / Cancel) appointment_reminder" in said


async def test_dashboard_stops_warning_once_every_template_is_set_up(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    await list_all(runtime, business)
    _, page = await panel.page("/admin/dashboard")
    assert 'id="missing-templates"' not in page and "automatic message" not in page


async def test_a_trainer_is_not_warned_about_templates(web, runtime, business):
    panel = await open_panel(web, runtime, business, role="trainer")
    _, page = await panel.page("/admin/dashboard")
    assert 'id="missing-templates"' not in page
