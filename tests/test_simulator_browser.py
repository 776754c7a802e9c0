"""The simulator in a real browser: type like a client, tap the menu, see the bot's replies."""
from __future__ import annotations

from tests.browser_support import launch, log_in, needs_chromium
from tests.simulator_steps import book_first_free_personal_session

pytestmark = needs_chromium


def test_client_books_a_session_in_the_simulator(demo_url, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 400, "height": 800})
            book_first_free_personal_session(page, demo_url)
            page.screenshot(path=str(tmp_path / "simulator.png"))
        finally:
            browser.close()


def test_a_client_pays_in_the_simulator_and_the_payment_shows_in_the_panel(demo_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 400, "height": 800})
            book_first_free_personal_session(page, demo_url, name="Paula Pays", wa_id="5511944443333")
            log_in(page, demo_url)
            page.goto(f"{demo_url}/admin/payments?client=Paula")
            row = page.locator("tbody tr").first
            expect(row).to_contain_text("Paula Pays")
            expect(row).to_contain_text("Aula avulsa")
            expect(row).to_contain_text("paid")
            page.screenshot(path=str(tmp_path / "payments.png"), full_page=True)
        finally:
            browser.close()
