"""The panel in a real browser, in pt-BR: log in to the demo, see who is at risk and what the demo's campaign did, be asked
before deactivating a client, log out."""
from __future__ import annotations

from tests.browser_support import launch, log_in, needs_chromium, new_page

pytestmark = needs_chromium


def test_owner_logs_in_and_out_of_the_panel(demo_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = new_page(browser)
            page.goto(f"{demo_url}/admin/clients")
            expect(page).to_have_url(f"{demo_url}/admin/login?next=/admin/clients")
            page.fill("input[name=email]", "owner@fitzap.demo")
            page.fill("input[name=password]", "wrong password")
            page.click("button[type=submit]")
            expect(page.get_by_role("alert")).to_have_text("E-mail ou senha incorretos.")
            log_in(page, demo_url)
            expect(page.get_by_role("navigation")).to_contain_text("Configurações")
            page.screenshot(path=str(tmp_path / "panel.png"))
            page.goto(f"{demo_url}/admin/settings")
            expect(page.get_by_role("img", name="Código QR de check-in")).to_be_visible()  # the poster to print
            page.goto(f"{demo_url}/admin/at-risk")
            expect(page.get_by_role("main")).to_contain_text("dias sem vir")
            page.goto(f"{demo_url}/admin/campaigns")
            page.get_by_role("link", name="Volta pra academia").click()
            expect(page.get_by_role("main")).to_contain_text("A mensagem trouxe gente de volta.")
            page.goto(f"{demo_url}/admin/clients?q=maria souza")
            page.get_by_role("link", name="Maria Souza").first.click()
            asked: list[str] = []
            page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
            page.get_by_role("button", name="Desativar").click()
            expect(page.get_by_role("button", name="Desativar")).to_be_visible()  # said no: still active
            assert asked and asked[0].startswith("Desativar Maria Souza?")
            page.get_by_role("button", name="Sair").click()
            expect(page).to_have_url(f"{demo_url}/admin/login")
        finally:
            browser.close()
