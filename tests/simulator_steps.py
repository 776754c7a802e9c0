"""Steps and a sample image the simulator's tests share: a chat booking in a browser, a real PNG to send."""
from __future__ import annotations

import re
import struct
import zlib


def book_first_free_personal_session(page, base_url: str, *, name: str | None = None,  # type: ignore[no-untyped-def]
                                     wa_id: str | None = None):
    """Say hello, book 'Personal 60 min' at the first free time offered (paying for a drop-in on the demo's
    checkout page: the demo requires a credit); returns the bot's messages."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/simulator")
    if name:
        page.fill("#name", name)
    if wa_id:
        page.fill("#wa_id", wa_id)
    page.fill("#text", "Hello")
    page.locator("#composer button[type=submit]").click()  # not "text=Send": a bot's "Yes, send them" matches that
    bot = page.locator(".msg.bot")
    expect(bot.first).to_contain_text("This is Studio Demo FitZap")  # its name in bold
    page.get_by_role("button", name="Book a session").click()
    expect(bot.last).to_contain_text("What would you like to book?")
    page.get_by_role("button", name="Personal 60 min").click()
    expect(bot.last).to_contain_text("Which day would you like")
    bot.last.locator("button").first.click()
    expect(bot.last).to_contain_text("Free times for Personal 60 min")
    bot.last.locator("button").first.click()
    expect(bot.last).to_contain_text("Confirm? Personal 60 min")
    bot.last.get_by_role("button", name="Confirm").click()
    expect(bot.last).to_contain_text("I'm holding that time for you for 30 minutes")
    pay_in_the_chat(page, "Aula avulsa")
    expect(bot.last).to_contain_text("✅ Booked! Personal 60 min")
    return bot


def pay_in_the_chat(page, product: str) -> None:  # type: ignore[no-untyped-def]
    """Pick `product` from the bot's list, open the payment link and pay by card on the demo's checkout page."""
    from playwright.sync_api import expect

    bot = page.locator(".msg.bot")
    bot.last.locator("button", has_text=product).click()
    expect(bot.last).to_contain_text("Pay here")
    link = re.search(r"http://\S+/pay/\S+", bot.last.inner_text())
    assert link, bot.last.inner_text()
    checkout = page.context.browser.new_page()  # a page of its own, as a phone opens a link
    checkout.goto(link.group(0))
    expect(checkout.locator("[data-price]")).to_contain_text("R$")
    checkout.get_by_role("button", name=re.compile("^Pay R")).click()  # in the client's language
    expect(checkout.locator('[data-status="paid"]')).to_be_visible()
    checkout.close()
    expect(page.locator(".msg.bot", has_text="✅ Payment received")).to_have_count(1)


def png(extra: bytes = b"") -> bytes:
    """A real 1x1 PNG (with `extra` bytes in a comment chunk, to make it as big as a test needs)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + (chunk(b"tEXt", b"Comment\x00" + extra) if extra else b"")
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))
