"""The simulator in a real browser: type like a client, tap the menu, see the bot's replies."""
from __future__ import annotations

from tests.browser_support import launch, needs_chromium

pytestmark = needs_chromium


def test_client_books_a_session_in_the_simulator(demo_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 400, "height": 800})
            page.goto(f"{demo_url}/simulator")
            page.fill("#text", "Hello")
            page.click("text=Send")
            bot = page.locator(".msg.bot")
            expect(bot.first).to_contain_text("This is *Studio Demo FitZap*", timeout=10_000)
            page.get_by_role("button", name="Book a session").click()
            expect(bot.last).to_contain_text("What would you like to book?", timeout=10_000)
            page.get_by_role("button", name="Personal 60 min").click()
            expect(bot.last).to_contain_text("Which day would you like", timeout=10_000)
            bot.last.locator("button").first.click()
            expect(bot.last).to_contain_text("Free times for *Personal 60 min*", timeout=10_000)
            bot.last.locator("button").first.click()
            expect(bot.last).to_contain_text("Confirm? *Personal 60 min*", timeout=10_000)
            bot.last.get_by_role("button", name="Confirm").click()
            expect(bot.last).to_contain_text("✅ Booked! *Personal 60 min*", timeout=10_000)
            page.screenshot(path=str(tmp_path / "simulator.png"))
        finally:
            browser.close()
