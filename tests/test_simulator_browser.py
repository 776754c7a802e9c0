"""The simulator in a real browser: type like a client, tap the menu, see the bot's replies."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest

from tests.test_demo import REPO, free_port, wait_until

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="Debian's chromium is not installed")


@pytest.fixture
def demo_url(tmp_path):  # type: ignore[no-untyped-def]
    import httpx

    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", "demo", "--port", str(port), "--data-dir", str(tmp_path)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: httpx.get(f"{url}/healthz").status_code == 200)
        yield url
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        demo.wait(timeout=15)


def test_client_books_a_session_in_the_simulator(demo_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
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
