"""The panel in Portuguese in a real browser, on a phone and a desktop: every section reachable, time off over a
booked session, a class cancelled after a confirmation, and the templates page. The README's dashboard picture is
taken here, so it shows the panel as it is."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.browser_support import DESKTOP, PHONE, launch, log_in, needs_chromium, new_page, running_demo

pytestmark = needs_chromium
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):  # type: ignore[no-untyped-def]
    """One demo for these tests (each changes a different trainer's week): a demo start costs seconds."""
    with running_demo(tmp_path_factory.mktemp("demo")) as url:
        yield url


SECTIONS = ("Painel", "Agenda", "Aulas", "Clientes", "Conversas", "Treinos", "Desafios", "Não entendidas", "Pagamentos",
            "Comissões", "Em risco", "Campanhas", "Falhas de envio", "Configurações", "Equipe", "Plano", "Configuração inicial")


def test_every_section_is_reachable_on_a_phone_and_a_desktop_without_sideways_scrolling(demo_url):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        sideways: list[str] = []
        try:
            for size in (PHONE, DESKTOP):
                page = new_page(browser, size)
                log_in(page, demo_url)
                nav = page.get_by_role("navigation", name="Principal")
                for section in SECTIONS:
                    link = nav.get_by_role("link", name=section, exact=True)
                    box = link.bounding_box()
                    assert box and box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (section, size, box)
                    link.click()
                    expect(page.locator("main h1").first).to_be_visible()
                    wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    if wider > 0:
                        sideways.append(f"{section} by {wider}px at {size['width']}px")
                page.get_by_role("link", name="Painel", exact=True).click()
                expect(page.locator("figure.chart").first).to_be_visible()
                if size == DESKTOP:
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
                page.context.close()
        finally:
            browser.close()
        assert not sideways, f"pages that scroll sideways: {sideways}"


def test_time_off_over_a_booked_session_lists_it_and_cancels_it_only_when_asked(demo_url):
    from playwright.sync_api import expect, sync_playwright

    first = datetime.now(SAO_PAULO).date() + timedelta(days=1)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = new_page(browser, DESKTOP)
            log_in(page, demo_url)
            page.goto(f"{demo_url}/admin/settings/hours")
            expect(page.get_by_role("heading", name="Horários da semana · Ana Paula")).to_be_visible()
            page.fill("input[name=starts]", f"{first.isoformat()}T00:00")
            page.fill("input[name=ends]", f"{(first + timedelta(days=6)).isoformat()}T23:00")
            page.fill("input[name=reason]", "Congresso")
            page.get_by_role("button", name="Adicionar ausência").click()
            hits = page.get_by_role("alert", name="Sessões durante essa ausência")
            expect(hits).to_contain_text("Essa ausência cai em")
            expect(page.get_by_role("status")).to_have_count(0)  # nothing added yet
            hits.get_by_role("button", name=re.compile(r"^Cancelar \d+ sess(ão|ões) e adicionar a ausência$")).click()
            expect(page.get_by_role("status").first).to_contain_text("Ausência adicionada; sessões canceladas:")
            expect(page.get_by_text("Congresso")).to_be_visible()
        finally:
            browser.close()


def test_cancelling_a_class_asks_first_and_tells_the_clients(demo_url):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = new_page(browser)
            log_in(page, demo_url)
            page.get_by_role("link", name="Aulas", exact=True).click()
            page.locator("table a[href^='/admin/classes/']").first.click()
            page.fill("input[name=reason]", "Professor doente")
            asked: list[str] = []
            page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
            page.get_by_role("button", name="Cancelar a aula").click()
            assert asked and asked[0].startswith("Cancelar esta aula?")
            expect(page.get_by_role("button", name="Cancelar a aula")).to_be_visible()  # said no: still on

            page.once("dialog", lambda dialog: dialog.accept())
            page.get_by_role("button", name="Cancelar a aula").click()
            expect(page.get_by_role("status").first).to_contain_text("Aula cancelada")
        finally:
            browser.close()


def test_the_templates_page_gives_the_wording_to_paste_into_meta(demo_url):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = new_page(browser)
            log_in(page, demo_url)
            page.goto(f"{demo_url}/admin/settings/templates")
            expect(page.get_by_role("heading", name="Texto sugerido, pronto para a Meta")).to_be_visible()
            expect(page.locator("main")).to_contain_text("team_booked")
            expect(page.locator("main")).to_contain_text("UTILITY")
            expect(page.locator("main textarea").first).to_have_value(re.compile(r"\{\{1\}\}"))
        finally:
            browser.close()
