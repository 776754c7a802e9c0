"""Settings and staff in a real phone-sized browser against the demo (SQLite): hours, WhatsApp token, a trainer."""
from __future__ import annotations

from tests.browser_support import launch, log_in, needs_chromium, new_page

pytestmark = needs_chromium


def test_owner_sets_up_hours_whatsapp_and_a_trainer_on_a_phone(demo_url, tmp_path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = new_page(browser)
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            log_in(page, demo_url)
            page.goto(f"{demo_url}/admin/settings/hours")
            expect(page.get_by_role("heading", name="Horários da semana · Ana Paula")).to_be_visible()
            page.fill("input[name=day6]", "08:00-12:00, 11:00-13:00")
            page.get_by_role("button", name="Salvar horários").click()
            expect(page.locator(".error").first).to_contain_text("Nada foi salvo")
            expect(page.get_by_text("Domingo: 08:00–12:00 e 11:00–13:00 se sobrepõem.")).to_be_visible()
            page.fill("input[name=day6]", "08:00-12:00")
            page.get_by_role("button", name="Salvar horários").click()
            expect(page.get_by_role("status")).to_have_text("Horários da semana salvos.")
            expect(page.locator("input[name=day6]")).to_have_value("08:00-12:00")

            page.goto(f"{demo_url}/admin/settings/whatsapp")
            page.fill("input[name=access_token]", "EAAGbrowser0123456789tokenQRST")
            page.get_by_role("button", name="Salvar", exact=True).click()
            expect(page.get_by_role("status")).to_have_text("Conexão com o WhatsApp salva.")
            expect(page.get_by_text("••••QRST")).to_be_visible()
            assert "EAAGbrowser" not in page.content()

            page.goto(f"{demo_url}/admin/staff")
            page.fill("form[action='/admin/staff/trainers'] input[name=name]", "Carla Mendes")
            page.fill("form[action='/admin/staff/trainers'] input[name=whatsapp]", "+55 11 98888-7777")
            page.get_by_role("button", name="Adicionar professor").click()
            expect(page.get_by_role("status")).to_contain_text("Professor Carla Mendes adicionado.")
            expect(page.get_by_role("link", name="Carla Mendes")).to_be_visible()
            page.screenshot(path=str(tmp_path / "staff.png"), full_page=True)
            assert not [m for m in problems if "Content Security Policy" in m], problems
        finally:
            browser.close()
