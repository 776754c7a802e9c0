"""The simulator hands a client's message to this app's own webhook, whatever the request's Host header says;
a demo reachable beyond this machine asks for a panel login before the simulator and the sandbox outbox."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from app.bootstrap import bootstrap
from app.demo import is_loopback, print_banner
from app.web import create_web_app
from domain.models import InboundMessage
from runtime.settings import demo_settings
from tests.admin_support import csrf_of, login, make_user
from tests.conftest import make_settings
from tests.support import PHONE_NUMBER_ID

CSRF_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')

WA_ID = "5511912345678"


@asynccontextmanager
async def demo_web(runtime, *, loopback_only: bool = True) -> AsyncIterator[TestClient]:  # type: ignore[no-untyped-def]
    """The web app as `fitzap demo` runs it (sandbox channel), on the test database."""
    app = bootstrap(make_settings(FITZAP_MODE="demo", FITZAP_CHANNEL="sandbox"), clock=runtime.clock)
    async with TestClient(TestServer(create_web_app(app, loopback_only=loopback_only))) as client:
        yield client
    await app.close()


async def simulator_token(client: TestClient) -> str:
    """The CSRF token the simulator page carries for this client's session."""
    response = await client.get("/simulator")
    assert response.status == 200
    match = CSRF_TOKEN.search(await response.text())
    assert match
    return match.group(1)


async def simulate(client: TestClient, text: str = "oi", **headers: str):  # type: ignore[no-untyped-def]
    return await client.post("/simulator/send", json={"phone_number_id": PHONE_NUMBER_ID, "wa_id": WA_ID, "text": text},
                             headers=headers, allow_redirects=False)


@asynccontextmanager
async def bait_server() -> AsyncIterator[tuple[int, list[str]]]:
    """A server on another port that records every request it gets: its port and the requests."""
    hits: list[str] = []

    async def record(request: web.Request) -> web.Response:
        hits.append(f"{request.method} {request.path}")
        return web.json_response({"ok": True})

    bait = web.Application()
    bait.router.add_route("*", "/{tail:.*}", record)
    async with TestServer(bait) as server:
        assert server.port is not None
        yield server.port, hits


async def test_a_forged_host_header_does_not_make_the_simulator_contact_that_host(runtime, business):
    async with bait_server() as (bait_port, hits), demo_web(runtime) as client:
        token = await simulator_token(client)
        response = await client.post(
            "/simulator/send", json={"phone_number_id": PHONE_NUMBER_ID, "wa_id": WA_ID, "text": "oi"},
            headers={"Host": f"127.0.0.1:{bait_port}", "X-CSRF-Token": token},
        )
        assert response.status == 200, await response.text()
        assert (await response.json())["webhook_status"] == 200
    assert hits == []
    async with runtime.sessions() as session:
        assert await session.scalar(select(InboundMessage.body).where(InboundMessage.business_id == business.id)) == "oi"


async def test_the_simulator_sends_a_tapped_button_to_the_webhook(runtime, business):
    async with demo_web(runtime) as client:
        response = await client.post("/simulator/send", json={
            "phone_number_id": PHONE_NUMBER_ID, "wa_id": WA_ID, "reply_id": "menu:book", "reply_title": "Agendar"},
            headers={"X-CSRF-Token": await simulator_token(client)})
        assert response.status == 200, await response.text()
    async with runtime.sessions() as session:
        assert await session.scalar(select(InboundMessage.kind).where(InboundMessage.business_id == business.id)) == "interactive"


async def test_a_demo_on_loopback_keeps_the_simulator_and_outbox_open(runtime, business):
    async with demo_web(runtime, loopback_only=True) as client:
        assert (await simulate(client, **{"X-CSRF-Token": await simulator_token(client)})).status == 200
        outbox = await client.get("/sandbox/messages", params={"to": WA_ID})
        assert outbox.status == 200 and (await outbox.json())["messages"] == []


async def test_the_simulator_refuses_a_message_without_its_pages_csrf_token(runtime, business):
    async with demo_web(runtime, loopback_only=True) as client:
        response = await simulate(client)
        assert response.status == 403 and "reload" in (await response.json())["error"].lower()
    async with runtime.sessions() as session:
        assert await session.scalar(select(InboundMessage.id)) is None


async def test_an_exposed_demo_asks_for_a_panel_login_before_the_simulator_and_outbox(runtime, business):
    await make_user(runtime, business.id)
    async with demo_web(runtime, loopback_only=False) as client:
        page = await client.get("/simulator", allow_redirects=False)
        assert page.status == 302 and page.headers["Location"].startswith("/admin/login")
        anonymous = await simulate(client, **{"X-CSRF-Token": await csrf_of(client)})
        assert anonymous.status == 401 and "log in" in (await anonymous.json())["error"]
        outbox = await client.get("/sandbox/messages", params={"to": WA_ID}, allow_redirects=False)
        assert outbox.status == 401
        async with runtime.sessions() as session:
            assert await session.scalar(select(InboundMessage.id)) is None

        await login(client)
        assert (await simulate(client, **{"X-CSRF-Token": await simulator_token(client)})).status == 200
        assert (await client.get("/sandbox/messages", params={"to": WA_ID})).status == 200


def test_only_loopback_addresses_keep_the_demo_on_this_machine():
    assert all(is_loopback(host) for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "::", "192.168.1.20", "demo.example"))


def test_the_banner_says_when_the_demo_is_reachable_beyond_this_machine(tmp_path, capsys):
    settings = demo_settings(tmp_path)
    logins = [("owner@fitzap.demo", "owner", "pw-owner"), ("ana@fitzap.demo", "trainer", "pw-trainer")]
    print_banner(settings, "0.0.0.0", 8080, "Studio", "1", tmp_path, logins)
    exposed = capsys.readouterr().out
    assert "reachable beyond this machine" in exposed and "need a panel login" in exposed
    assert "login (owner): owner@fitzap.demo  password: pw-owner" in exposed
    assert "login (trainer): ana@fitzap.demo  password: pw-trainer" in exposed
    print_banner(settings, "127.0.0.1", 8080, "Studio", "1", tmp_path, logins)
    assert "beyond this machine" not in capsys.readouterr().out


async def test_a_studio_without_a_number_yet_is_left_out_of_the_simulator(runtime, business):
    from domain.models import Business

    async with runtime.sessions.begin() as session:
        session.add(Business(name="Signed up, not connected", phone_number_id=None, created_at=runtime.clock.now()))
    async with demo_web(runtime) as client:
        page = await client.get("/simulator")
        assert page.status == 200 and "Signed up, not connected" not in await page.text()
