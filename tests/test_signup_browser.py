"""A studio owner signs up in a real browser (pt-BR, on a phone): the form, the confirmation email on the demo's
sent-emails page, the studio made, then the setup checklist through connecting WhatsApp, and an upgrade through
the demo's plan checkout."""
from __future__ import annotations

import re

import httpx
import pytest

from tests.browser_support import PHONE, launch, needs_chromium, new_page, running_demo
from tests.support import inbound, signed

pytestmark = needs_chromium
PHONE_NUMBER_ID = "109876543210987"
STUDIO_APP_SECRET = "segredo-do-app-do-estudio"  # Meta signs the studio's webhooks with its own app's secret


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):  # type: ignore[no-untyped-def]
    with running_demo(tmp_path_factory.mktemp("demo")) as url:
        yield url


def test_a_studio_signs_up_and_is_walked_through_connecting_whatsapp(demo_url):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = new_page(browser, PHONE)
            page.goto(f"{demo_url}/admin/login")
            page.get_by_role("link", name="Novo no FitZap? Crie seu estúdio").click()
            page.get_by_label("Nome do estúdio").fill("Estúdio Maré")
            page.get_by_label("Seu nome").fill("Joana Lima")
            page.get_by_label("E-mail").fill("joana@mare.test")
            page.get_by_label("Senha").fill("uma senha bem comprida")
            page.get_by_role("button", name="Criar meu estúdio").click()
            expect(page.get_by_role("heading", name="Confira seu e-mail")).to_be_visible()

            page.get_by_role("link", name="Demonstração: veja o e-mail na página de e-mails enviados").click()
            mail = page.locator("article", has_text="Confirme seu e-mail para criar Estúdio Maré no FitZap").first
            link = re.search(r"http://\S+/admin/signup/confirm\?token=[\w-]+", mail.inner_text())
            assert link, mail.inner_text()
            page.goto(link.group(0))
            page.get_by_role("button", name="Criar Estúdio Maré").click()
            expect(page.get_by_text("Boas-vindas ao FitZap! Seu estúdio está no plano Grátis.")).to_be_visible()
            expect(page.locator("[data-progress]")).to_contain_text("0 de 8 passos feitos.")
            expect(page.locator('[data-step="webhook"]')).to_contain_text("/webhooks/whatsapp")

            page.locator('[data-step="number"]').get_by_role("link", name="Fazer agora").click()
            page.fill("input[name=phone_number_id]", PHONE_NUMBER_ID)
            page.fill("input[name=display_phone_number]", "+55 81 98888-0000")
            page.fill("input[name=access_token]", "EAAG-token-do-estudio-0123456789")
            page.fill("input[name=app_secret]", STUDIO_APP_SECRET)
            page.locator("form", has=page.locator("input[name=phone_number_id]")).get_by_role("button").first.click()
            page.goto(f"{demo_url}/admin/setup")
            expect(page.locator('[data-step="number"]')).to_have_class("done")
            expect(page.locator('[data-step="token"]')).to_have_class("done")
            expect(page.locator("[data-progress]")).to_contain_text("2 de 8 passos feitos.")

            # The owner sends a message to the number from their phone: Meta posts it to the webhook.
            raw, headers = signed(inbound(text="oi", phone_number_id=PHONE_NUMBER_ID), STUDIO_APP_SECRET)
            assert httpx.post(f"{demo_url}/webhooks/whatsapp", content=raw, headers=headers).status_code == 200
            page.reload()
            expect(page.locator('[data-step="webhook"]')).to_have_class("done")
            expect(page.locator("[data-progress]")).to_contain_text("3 de 8 passos feitos.")

            page.goto(f"{demo_url}/admin/plan")
            expect(page.get_by_role("heading", name="Seu plano: Grátis")).to_be_visible()
            page.get_by_role("button", name="Mudar para Starter").click()
            page.get_by_role("button", name="Assinar").click()
            expect(page.get_by_role("heading", name="Seu plano: Starter")).to_be_visible()
            page.context.close()
        finally:
            browser.close()
