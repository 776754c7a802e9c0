"""API tokens: made by an owner in the panel (shown once, stored hashed), read or write, revoked, last use shown."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from domain.clock import FixedClock
from domain.models import ApiToken
from tests.admin_support import login, make_user
from tests.api_support import Api, make_token, open_api
from tests.booking_setup import NOW, local


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def _owner_panel(web, runtime, business) -> str:  # type: ignore[no-untyped-def]
    await make_user(runtime, business.id)
    return await login(web)


async def test_owner_creates_a_token_shown_once_and_stored_only_as_its_hash(web, runtime, business):
    csrf = await _owner_panel(web, runtime, business)
    response = await web.post("/admin/api-tokens", data={"csrf_token": csrf, "name": "Site do estúdio", "scope": "write"})
    page = await response.text()
    assert response.status == 200
    secret = re.search(r'<code class="api-secret">([^<]+)</code>', page).group(1)  # type: ignore[union-attr]
    async with runtime.sessions() as session:
        token = (await session.execute(select(ApiToken))).scalar_one()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (token.prefix, token.token_hash) and secret.startswith(token.prefix)
    again = await (await web.get("/admin/api-tokens")).text()
    assert secret not in again and token.prefix in again and "Site do estúdio" in again
    status, body, _ = await Api(web, secret).get("/trainers")
    assert status == 200 and body == {"data": []}


async def test_the_token_list_shows_when_each_token_was_last_used(web, runtime, business, clock):
    csrf = await _owner_panel(web, runtime, business)
    secret = await make_token(runtime, business.id, "read", name="Relatórios")
    assert "never" in await (await web.get("/admin/api-tokens")).text()
    await Api(web, secret).get("/services")
    async with runtime.sessions() as session:
        assert (await session.execute(select(ApiToken.last_used_at))).scalar_one() == NOW
    page = await (await web.get("/admin/api-tokens")).text()
    assert "Relatórios" in page and "09:00" in page
    assert csrf


async def test_last_use_is_written_at_most_once_a_minute(web, runtime, business, clock):
    secret = await make_token(runtime, business.id)
    api = Api(web, secret)
    await api.get("/services")
    clock.advance(seconds=30)
    await api.get("/services")
    async with runtime.sessions() as session:
        assert (await session.execute(select(ApiToken.last_used_at))).scalar_one() == NOW
    clock.advance(seconds=31)
    await api.get("/services")
    async with runtime.sessions() as session:
        assert (await session.execute(select(ApiToken.last_used_at))).scalar_one() == clock.now()


async def test_a_revoked_token_gets_401_problem_details(web, runtime, business):
    csrf = await _owner_panel(web, runtime, business)
    secret = await make_token(runtime, business.id)
    async with runtime.sessions() as session:
        token_id = (await session.execute(select(ApiToken.id))).scalar_one()
    response = await web.post(f"/admin/api-tokens/{token_id}/revoke", data={"csrf_token": csrf}, allow_redirects=False)
    assert response.status == 302
    status, body, response = await Api(web, secret).get("/clients")
    assert status == 401 and response.content_type == "application/problem+json"
    assert body["status"] == 401 and body["code"] == "unauthorized" and body["type"].endswith("#problem-unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "revoked" in await (await web.get("/admin/api-tokens")).text()


async def test_revoking_needs_the_forms_csrf_token_and_another_business_token_is_404(web, runtime, business):
    csrf = await _owner_panel(web, runtime, business)
    setup = await open_api(web, runtime, business)
    other_secret = await make_token(runtime, setup.other.id)
    async with runtime.sessions() as session:
        other_id = (await session.execute(select(ApiToken.id).where(ApiToken.business_id == setup.other.id))).scalar_one()
    assert (await web.post(f"/admin/api-tokens/{other_id}/revoke", data={}, allow_redirects=False)).status == 403
    assert (await web.post(f"/admin/api-tokens/{other_id}/revoke", data={"csrf_token": csrf}, allow_redirects=False)).status == 404
    assert (await Api(web, other_secret).get("/services"))[0] == 200


async def test_a_trainer_cannot_open_or_use_the_token_page(web, runtime, business):
    setup = await open_api(web, runtime, business)
    await make_user(runtime, business.id, role="trainer", email="ana@studio.test", staff_id=setup.studio.ana)
    csrf = await login(web, "ana@studio.test")
    assert (await web.get("/admin/api-tokens", allow_redirects=False)).status == 403
    response = await web.post("/admin/api-tokens", data={"csrf_token": csrf, "name": "x", "scope": "write"})
    assert response.status == 403


async def test_a_token_needs_a_name(web, runtime, business):
    csrf = await _owner_panel(web, runtime, business)
    response = await web.post("/admin/api-tokens", data={"csrf_token": csrf, "name": " ", "scope": "read"})
    assert response.status == 400 and "This is required." in await response.text()


async def test_no_token_or_an_unknown_one_is_401(web, runtime, business):
    response = await web.get("/api/v1/clients")
    body = await response.json(content_type=None)
    assert response.status == 401 and body["code"] == "unauthorized"
    assert (await Api(web, "fzk_nope").get("/clients"))[0] == 401


async def test_a_read_token_reads_but_cannot_write(web, runtime, business):
    setup = await open_api(web, runtime, business, scope="read")
    assert (await setup.api.get("/services"))[0] == 200
    status, body, response = await setup.api.post("/bookings", {
        "client_id": setup.studio.clients[0], "service_id": setup.studio.personal, "staff_id": setup.studio.ana,
        "starts_at": local(24, 7).isoformat()})
    assert status == 403 and body["code"] == "forbidden" and response.content_type == "application/problem+json"
    assert (await setup.api.get("/bookings"))[1]["data"] == []
