"""A program built in a real phone-sized browser against the demo (SQLite) and assigned to a client."""
from __future__ import annotations

from tests.browser_support import launch, log_in, needs_chromium, new_page

pytestmark = needs_chromium


def test_owner_builds_a_program_and_assigns_it_to_a_client(demo_url, tmp_path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = new_page(browser)
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            log_in(page, demo_url)
            page.get_by_role("link", name="Treinos").click()
            expect(page.get_by_role("heading", name="Programas", exact=True)).to_be_visible()
            page.fill("form[action='/admin/programs'] input[name=name]", "Força iniciante")
            page.fill("form[action='/admin/programs'] input[name=weeks]", "2")
            page.get_by_role("button", name="Criar programa").click()
            expect(page.get_by_role("status")).to_contain_text("Programa Força iniciante criado")

            page.select_option("#add-day select[name=week]", "1")
            page.select_option("#add-day select[name=weekday]", "2")
            page.fill("#add-day input[name=title]", "Full body")
            page.get_by_role("button", name="Adicionar dia").click()
            expect(page.get_by_role("heading", name="Semana 1 · Quarta-feira · Full body")).to_be_visible()

            form = page.locator("#add-exercise form")
            form.locator("select[name=exercise_key]").select_option("back_squat")
            form.locator("input[name=sets]").fill("4")
            form.locator("input[name=amount]").fill("8")
            form.locator("input[name=load]").fill("40")
            form.locator("input[name=rest_s]").fill("1:30")
            form.get_by_role("button", name="Adicionar exercício").click()
            expect(page.get_by_role("status")).to_have_text("Exercício adicionado: Agachamento livre.")

            form.locator("select[name=exercise_key]").select_option("plank")
            form.locator("input[name=sets]").fill("3")
            form.locator("input[name=amount]").fill("45")
            form.locator("select[name=amount_unit]").select_option("seconds")
            form.get_by_role("button", name="Adicionar exercício").click()
            expect(page.get_by_role("status")).to_have_text("Exercício adicionado: Prancha.")

            page.fill("#assign input[name=client_q]", "Maria Souza")  # the demo has more clients than a list shows
            page.locator("#assign").get_by_role("button", name="Buscar").click()
            assign = page.locator("#assign form[method=post]")
            assign.locator("select[name=client_id]").select_option(label="Maria Souza · +5511987654321")
            assign.locator("input[name=starts_on]").fill("2026-12-07")
            assign.get_by_role("button", name="Atribuir programa").click()
            expect(page.get_by_role("status")).to_contain_text("Atribuído a partir de 07/12/2026")
            expect(page.locator("#program-owner")).to_contain_text("Programa próprio de Maria Souza, desde 07/12/2026")
            day = page.locator(".day").filter(has_text="Full body")
            expect(day.get_by_role("row").nth(1)).to_contain_text("Agachamento livre")
            expect(day.get_by_role("row").nth(1)).to_contain_text("4 × 8")
            expect(day.get_by_role("row").nth(1)).to_contain_text("40 kg")
            expect(day.get_by_role("row").nth(2)).to_contain_text("Prancha")
            expect(day.get_by_role("row").nth(2)).to_contain_text("3 × 45 s")

            page.goto(f"{demo_url}/admin/programs")
            expect(page.locator("#client-programs")).to_contain_text("Maria Souza")
            page.screenshot(path=str(tmp_path / "programs.png"), full_page=True)
            assert not [m for m in problems if "Content Security Policy" in m], problems
        finally:
            browser.close()
