"""The inbox in a real browser: a client writes, the trainer logs in, takes over and replies in the chat."""
from __future__ import annotations

from tests.browser_support import launch, log_in, needs_chromium, new_page, running_demo

pytestmark = needs_chromium


def test_trainer_takes_over_a_conversation_and_replies(tmp_path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect, sync_playwright

    with running_demo(tmp_path) as demo_url, sync_playwright() as p:
        browser = launch(p)
        try:
            client = browser.new_page(viewport={"width": 400, "height": 800})
            client.goto(f"{demo_url}/simulator")
            client.fill("#text", "Oi, tudo bem? <b>teste</b>")
            client.click("text=Send")
            expect(client.locator(".msg.bot").first).to_be_visible()

            trainer = new_page(browser)
            log_in(trainer, demo_url)
            trainer.goto(f"{demo_url}/admin/inbox")
            expect(trainer.locator("h1")).to_contain_text("Conversas")
            trainer.locator(".inbox-list a").first.click()
            expect(trainer.locator("#chat")).to_contain_text("Oi, tudo bem? <b>teste</b>")
            trainer.get_by_role("button", name="Assumir").click()
            expect(trainer.locator("#handoff-state")).to_contain_text("o robô está em silêncio")
            trainer.fill("textarea[name=body]", "Oi! Aqui é a dona do studio, como posso ajudar?")
            trainer.get_by_role("button", name="Enviar", exact=True).click()
            expect(trainer.locator("#chat .msg-out").last).to_contain_text("Aqui é a dona do studio")
            # The delivery worker sends it; the chat refreshes itself past "queued" without a reload.
            expect(trainer.locator("#chat .msg-out").last).not_to_contain_text("queued")
            expect(client.locator(".msg.bot").last).to_contain_text("Aqui é a dona do studio")
            trainer.screenshot(path=str(tmp_path / "inbox.png"))
        finally:
            browser.close()
