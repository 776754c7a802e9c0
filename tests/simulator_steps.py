"""Steps a browser test takes in the simulator, shared by the tests that need a chat booking."""
from __future__ import annotations


def book_first_free_personal_session(page, base_url: str, *, name: str | None = None,  # type: ignore[no-untyped-def]
                                     wa_id: str | None = None):
    """Say hello, book 'Personal 60 min' at the first free time offered; returns the bot's messages."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/simulator")
    if name:
        page.fill("#name", name)
    if wa_id:
        page.fill("#wa_id", wa_id)
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
    return bot
