"""The simulator in a real browser: type like a client, tap the menu, see the bot's replies."""
from __future__ import annotations

import re

from tests.browser_support import launch, log_in, needs_chromium
from tests.simulator_steps import book_first_free_personal_session, png

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
            expect(row).to_contain_text(re.compile(r"\bpaid\b|\bpago\b"))  # the panel speaks the owner's language
            page.screenshot(path=str(tmp_path / "payments.png"), full_page=True)
        finally:
            browser.close()


def test_bubbles_are_formatted_and_each_number_opens_its_own_chat(demo_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(f"{demo_url}/simulator?wa_id=5511955550003")
            send = page.locator("#composer button[type=submit]")
            expect(page.locator(".notice")).to_contain_text("No messages with this number yet")
            page.fill("#text", "*<img src=x onerror=alert(1)>* _oi_")
            send.click()
            mine = page.locator(".msg.me")
            expect(mine.first.locator("strong")).to_have_text("<img src=x onerror=alert(1)>")  # shown, never run
            expect(mine.first.locator("em")).to_have_text("oi")
            bot = page.locator(".msg.bot")
            expect(bot.first.locator("strong").first).to_have_text("Studio Demo FitZap")
            assert "*" not in bot.first.inner_text()

            # Maria, a client of the demo: her own (empty) chat, her name, and what is sent goes from her number.
            page.fill("#wa_id", "5511987654321")
            page.locator("#wa_id").press("Enter")
            expect(page.locator(".notice")).to_contain_text("No messages with this number yet")
            expect(page.locator(".msg")).to_have_count(0)
            expect(page.locator("#name")).to_have_value("Maria Souza")
            page.fill("#text", "Oi, sou a Maria")
            send.click()
            expect(mine).to_have_count(1)
            expect(mine.first).to_contain_text("Oi, sou a Maria")
            expect(bot.first).to_contain_text("Studio Demo FitZap")
            page.wait_for_timeout(1500)  # a poll or two more
            expect(mine).to_have_count(1)
            expect(page.locator("#chat")).not_to_contain_text("onerror")  # nothing of the first number's chat

            # Back to the first number: its history, and only it.
            page.fill("#wa_id", "5511955550003")
            page.locator("#wa_id").press("Enter")
            expect(mine.first.locator("em")).to_have_text("oi")
            expect(mine).to_have_count(1)
            expect(page.locator("#chat")).not_to_contain_text("Maria")
            expect(page.locator("#name")).to_have_value("Ana Teste")
            page.screenshot(path=str(tmp_path / "simulator-switch.png"))
        finally:
            browser.close()


def test_a_client_shares_a_location_and_a_photo_in_the_simulator(demo_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(f"{demo_url}/simulator?wa_id=5511955550002")
            send = page.locator("#composer button[type=submit]")
            page.fill("#text", "Hello")
            send.click()
            bot = page.locator(".msg.bot")
            expect(bot.first).to_contain_text("Studio Demo FitZap")
            answers = bot.count()

            page.get_by_role("button", name="Location").click()
            page.get_by_role("button", name="Share location").click()
            expect(page.locator(".msg.me .place")).to_contain_text("Av. Paulista, 1000")
            expect(bot.last).to_contain_text("Thanks for the location!")
            expect(bot).not_to_have_count(answers)

            page.get_by_role("button", name="Photo").click()
            page.set_input_files("#photo-file", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hi"}])
            expect(page.locator("#error")).to_contain_text("Only JPEG and PNG images can be sent.")
            page.set_input_files("#photo-file", files=[{"name": "me.png", "mimeType": "image/png", "buffer": png()}])
            page.fill("#photo-caption", "progress")
            page.get_by_role("button", name="Share photo").click()
            photo = page.locator(".msg.me img.photo")
            expect(photo).to_be_visible()
            assert photo.evaluate("img => img.naturalWidth") == 1
            expect(bot.last).to_contain_text("Progress photo saved!")
            page.screenshot(path=str(tmp_path / "simulator-media.png"))
        finally:
            browser.close()

