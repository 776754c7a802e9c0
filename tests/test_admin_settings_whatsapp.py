"""Settings → WhatsApp: the number, an own access token kept encrypted and shown masked, the webhook to paste."""
from __future__ import annotations

import itertools

import httpx
import respx
from aiohttp.test_utils import TestClient

from domain.messaging import secret_box
from domain.models import Business
from runtime.resources import Runtime
from tests.conftest import GRAPH
from tests.settings_support import as_owner, as_trainer, fresh, other_business, post
from tests.support import drain, fixture, inbound, signed

TOKEN = "EAAGmeta0123456789abcdefTOKENwxyz"


async def test_whatsapp_token_is_encrypted_and_shown_masked(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    response = await post(web, "/admin/settings/whatsapp", token, phone_number_id="123456789012345",
                          display_phone_number="+55 11 93000-0000", access_token=TOKEN)
    assert response.status == 302
    saved = await fresh(runtime, Business, business.id)
    assert saved.phone_number_id == "123456789012345" and saved.display_phone_number == "5511930000000"
    assert TOKEN not in saved.whatsapp_token_encrypted
    assert secret_box.unseal("test-secret-key-0123456789", saved.whatsapp_token_encrypted) == TOKEN
    page = await (await web.get("/admin/settings/whatsapp")).text()
    assert "••••wxyz" in page and TOKEN not in page and TOKEN[:-4] not in page


async def test_saving_without_a_token_keeps_the_stored_one(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    await post(web, "/admin/settings/whatsapp", token, phone_number_id="123456789012345", access_token=TOKEN)
    await post(web, "/admin/settings/whatsapp", token, phone_number_id="123456789012345", access_token="")
    saved = await fresh(runtime, Business, business.id)
    assert secret_box.unseal("test-secret-key-0123456789", saved.whatsapp_token_encrypted) == TOKEN
    assert (await post(web, "/admin/settings/whatsapp/forget-token", token)).status == 302
    assert (await fresh(runtime, Business, business.id)).whatsapp_token_encrypted is None


async def test_phone_number_id_of_another_business_is_refused(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    other = await other_business(runtime)
    response = await post(web, "/admin/settings/whatsapp", token, phone_number_id=other.phone_number_id, access_token=TOKEN)
    page = await response.text()
    assert response.status == 400 and "already connected to another business" in page and TOKEN not in page
    saved = await fresh(runtime, Business, business.id)
    assert saved.phone_number_id != other.phone_number_id and saved.whatsapp_token_encrypted is None


async def test_malformed_connection_is_refused_in_words(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    response = await post(web, "/admin/settings/whatsapp", token, phone_number_id="abc", access_token="short token")
    page = await response.text()
    assert response.status == 400 and "digits only" in page and "does not look like an access token" in page
    assert (await fresh(runtime, Business, business.id)).phone_number_id == business.phone_number_id


async def test_page_shows_webhook_url_and_verify_token(web: TestClient, runtime: Runtime, business: Business) -> None:
    await as_owner(web, runtime, business)
    page = await (await web.get("/admin/settings/whatsapp")).text()
    assert f"{web.make_url('/webhooks/whatsapp')}" in page and "test-verify-token" in page
    proxied = await web.get("/admin/settings/whatsapp", headers={"X-Forwarded-Proto": "https",
                                                                 "X-Forwarded-Host": "fitzap.example"})
    assert "https://fitzap.example/webhooks/whatsapp" in await proxied.text()


async def test_trainer_cannot_change_the_connection(web: TestClient, runtime: Runtime, business: Business) -> None:
    token, _ = await as_trainer(web, runtime, business)
    response = await post(web, "/admin/settings/whatsapp", token, phone_number_id="123456789012345", access_token=TOKEN)
    assert response.status == 403
    assert (await post(web, "/admin/settings/whatsapp/forget-token", token)).status == 403
    assert (await fresh(runtime, Business, business.id)).whatsapp_token_encrypted is None


@respx.mock(assert_all_mocked=True)
async def test_replies_go_out_with_the_business_own_token(web: TestClient, runtime: Runtime, business: Business, broker,  # type: ignore[no-untyped-def]
                                                          respx_mock) -> None:
    async with runtime.sessions.begin() as session:
        (await session.get(Business, business.id)).whatsapp_token_encrypted = secret_box.seal("test-secret-key-0123456789", TOKEN)
    wamids = itertools.count()

    def ok(_request: object) -> httpx.Response:
        body = fixture("send_response_ok")
        body["messages"][0]["id"] = f"wamid.OWN{next(wamids)}"
        return httpx.Response(200, json=body)

    route = respx_mock.post(f"{GRAPH}/v23.0/{business.phone_number_id}/messages").mock(side_effect=ok)
    raw, headers = signed(inbound("text", message_id="wamid.IN1", text="oi"))
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    await drain(broker, runtime)
    assert route.calls and {c.request.headers["Authorization"] for c in route.calls} == {f"Bearer {TOKEN}"}
