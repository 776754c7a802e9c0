"""The simulator hands a client's message to this app's own webhook, whatever the request's Host header says."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from app.bootstrap import bootstrap
from domain.models import InboundMessage
from tests.conftest import make_settings
from tests.support import PHONE_NUMBER_ID, serving

WA_ID = "5511912345678"


@asynccontextmanager
async def demo_web(runtime) -> AsyncIterator[TestClient]:  # type: ignore[no-untyped-def]
    """The web app as `fitzap demo` runs it (sandbox channel), on the test database."""
    settings = make_settings(FITZAP_MODE="demo", FITZAP_CHANNEL="sandbox")
    async with serving(bootstrap(settings, clock=runtime.clock)) as client:
        yield client


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
        response = await client.post(
            "/simulator/send", json={"phone_number_id": PHONE_NUMBER_ID, "wa_id": WA_ID, "text": "oi"},
            headers={"Host": f"127.0.0.1:{bait_port}"},
        )
        assert response.status == 200, await response.text()
        assert (await response.json())["webhook_status"] == 200
    assert hits == []
    async with runtime.sessions() as session:
        assert await session.scalar(select(InboundMessage.body).where(InboundMessage.business_id == business.id)) == "oi"


async def test_the_simulator_sends_a_tapped_button_to_the_webhook(runtime, business):
    async with demo_web(runtime) as client:
        response = await client.post("/simulator/send", json={
            "phone_number_id": PHONE_NUMBER_ID, "wa_id": WA_ID, "reply_id": "menu:book", "reply_title": "Agendar"})
        assert response.status == 200, await response.text()
    async with runtime.sessions() as session:
        assert await session.scalar(select(InboundMessage.kind).where(InboundMessage.business_id == business.id)) == "interactive"
