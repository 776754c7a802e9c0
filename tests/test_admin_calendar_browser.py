"""The calendar in a real browser: book a client from the panel, and see a chat booking land in the week."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date

from tests.browser_support import launch, log_in, needs_chromium, new_page
from tests.simulator_steps import book_first_free_personal_session

pytestmark = needs_chromium
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def next_working_day() -> date:
    """Tomorrow in the demo's zone, or the Monday after when tomorrow is a Sunday (nobody works then)."""
    day = datetime.now(SAO_PAULO).date() + timedelta(days=1)
    return day + timedelta(days=1) if day.weekday() == 6 else day


def day_label(day: date) -> str:
    """How the calendar names a day for screen readers: "quinta-feira 03/12"."""
    return f"{format_date(day, 'EEEE', locale='pt_BR')} {day:%d/%m}"


def test_owner_books_a_client_from_the_calendar_and_sees_it_in_the_week(demo_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    day = next_working_day()
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = new_page(browser)
            log_in(page, demo_url)
            page.goto(f"{demo_url}/admin/calendar")
            page.get_by_role("link", name="Agendar um cliente", exact=True).click()
            page.select_option("select[name=client_id]", label="Carla Dias · +5521998765432")
            page.select_option("select[name=service_id]", label="Personal 60 min (60 min)")
            page.select_option("select[name=staff_id]", label="Ana Paula")
            page.fill("input[type=date][name=day]", day.isoformat())
            page.fill("input[name=at]", "09:00")
            page.get_by_role("button", name="Agendar", exact=True).click()
            expect(page.get_by_role("status")).to_contain_text("Agendamento de Carla Dias para Personal 60 min")
            today = page.locator(f'section.day[aria-label="{day_label(day)}"]')
            expect(today).to_contain_text("09:00–10:00")
            expect(today).to_contain_text("Carla Dias")
            page.screenshot(path=str(tmp_path / "calendar.png"), full_page=True)
        finally:
            browser.close()


def test_a_booking_made_in_the_simulator_shows_in_the_calendar(demo_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = new_page(browser)
            bot = book_first_free_personal_session(page, demo_url, name="Paula Browser", wa_id="5511912345678")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "simulator-booking.png"))  # the README's picture of a chat booking
            found = re.search(r"(\d{2})/(\d{2}) at (\d{2}:\d{2})", bot.last.inner_text())
            assert found, bot.last.inner_text()
            today = datetime.now(SAO_PAULO).date()
            booked = date(today.year, int(found.group(2)), int(found.group(1)))
            booked = booked if booked >= today else booked.replace(year=today.year + 1)

            log_in(page, demo_url)
            page.goto(f"{demo_url}/admin/calendar?week={booked.isoformat()}&trainer=all")
            day = page.locator(f'section.day[aria-label="{day_label(booked)}"]')
            expect(day).to_contain_text("Paula Browser")
            expect(day).to_contain_text(found.group(3))
            page.screenshot(path=str(tmp_path / "calendar-from-chat.png"), full_page=True)
        finally:
            browser.close()
