"""The simulator as a client uses it: a shared location and a photo reach the bot as Meta would send them and are
answered; images WhatsApp would not take are refused with a message; each number's chat is its own."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import func, select

from admin.simulator_media import MAX_IMAGE_BYTES
from app.bootstrap import bootstrap
from app.web import create_web_app
from domain.models import Business, CheckIn, Client, InboundMessage, Measurement
from runtime.broker import build_broker
from runtime.resources import Runtime
from tests.conftest import make_settings
from tests.simulator_steps import png
from tests.support import PHONE_NUMBER_ID, drain

CSRF_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
ANA, BRUNO = "5511912345678", "5511987650000"
# Av. Paulista, 1000: where the studio of these tests is.
STUDIO = (-23.561684, -46.655981)


@dataclass
class Simulator:
    """The simulator page's client, the demo's runtime (sandbox channel) and its broker, drained as the worker would."""

    web: TestClient
    runtime: Runtime
    broker: StubBroker
    token: str

    async def send(self, wa_id: str = ANA, **fields: Any) -> Any:
        return await self.web.post("/simulator/send", json={"phone_number_id": PHONE_NUMBER_ID, "wa_id": wa_id, **fields},
                                   headers={"X-CSRF-Token": self.token})

    async def send_image(self, content: bytes, *, wa_id: str = ANA, caption: str = "", filename: str = "me.png",
                         content_type: str = "image/png") -> Any:
        form = FormData()
        for name, value in (("phone_number_id", PHONE_NUMBER_ID), ("wa_id", wa_id), ("name", "Ana"), ("caption", caption)):
            form.add_field(name, value)
        form.add_field("image", content, filename=filename, content_type=content_type)
        return await self.web.post("/simulator/send", data=form, headers={"X-CSRF-Token": self.token})

    async def settle(self) -> None:
        """The worker answers and the sandbox 'sends' the replies."""
        await drain(self.broker, self.runtime)

    async def chat(self, wa_id: str = ANA, after_in: int = 0, after_out: int = 0) -> dict[str, Any]:
        response = await self.web.get("/simulator", params={"chat": wa_id, "business": PHONE_NUMBER_ID,
                                                             "after_in": after_in, "after_out": after_out})
        assert response.status == 200, await response.text()
        return await response.json()

    async def turn(self, wa_id: str = ANA, **fields: Any) -> None:
        """One message and its answers, a minute after the last (the test clock stands still otherwise)."""
        response = await self.send(wa_id, **fields)
        assert response.status == 200, await response.text()
        await self.settle()
        self.runtime.clock.advance(minutes=1)  # type: ignore[attr-defined]


@asynccontextmanager
async def simulator(runtime: Runtime) -> AsyncIterator[Simulator]:
    """`fitzap demo`'s web app (sandbox channel) on the test database and clock, with the simulator page opened."""
    broker = build_broker(None)
    assert isinstance(broker, StubBroker)
    app = bootstrap(make_settings(FITZAP_MODE="demo", FITZAP_CHANNEL="sandbox"), clock=runtime.clock, broker=broker)
    async with TestClient(TestServer(create_web_app(app, loopback_only=True))) as web:
        page = await web.get("/simulator")
        assert page.status == 200
        match = CSRF_TOKEN.search(await page.text())
        assert match
        yield Simulator(web, await app.runtime(), broker, match.group(1))
    await app.close()


def bot_says(chat: dict[str, Any]) -> list[str]:
    return [m["html"] for m in chat["messages"] if m["from"] == "bot"]


async def test_a_shared_location_at_the_studio_checks_the_client_in(runtime, business):
    async with runtime.sessions.begin() as session:
        studio = await session.get(Business, business.id)
        studio.latitude, studio.longitude = STUDIO
    async with simulator(runtime) as sim:
        await sim.turn(text="oi")
        place = {"latitude": STUDIO[0] + 0.0002, "longitude": STUDIO[1], "name": "Studio", "address": "Av. Paulista, 1000"}
        response = await sim.send(location=place)
        assert response.status == 200, await response.text()
        message_id = (await response.json())["message_id"]
        await sim.settle()
        chat = await sim.chat()
    async with runtime.sessions() as session:
        stored = (await session.scalars(select(InboundMessage).order_by(InboundMessage.id.desc()))).first()
        assert stored.kind == "location" and stored.provider_message_id == message_id
        assert stored.payload["location"] == place
        assert await session.scalar(select(func.count()).select_from(CheckIn)) == 1
    shared = [m for m in chat["messages"] if m["kind"] == "location"]
    assert len(shared) == 1 and shared[0]["from"] == "me" and shared[0]["location"] == place
    assert "Check-in feito ✅" in bot_says(chat)[-1]


async def test_a_location_where_the_business_has_none_is_thanked_for(runtime, business):
    async with simulator(runtime) as sim:
        await sim.turn(text="oi")
        response = await sim.send(location={"latitude": -22.9, "longitude": -43.2})
        assert response.status == 200, await response.text()
        await sim.settle()
        assert "Obrigado pela localização!" in bot_says(await sim.chat())[-1]


async def test_a_location_off_the_map_is_refused(runtime, business):
    async with simulator(runtime) as sim:
        response = await sim.send(location={"latitude": 91, "longitude": 0})
        assert response.status == 400 and "latitude" in (await response.json())["error"]
    async with runtime.sessions() as session:
        assert await session.scalar(select(InboundMessage.id)) is None


async def test_a_progress_photo_reaches_the_bot_with_a_media_id_and_shows_in_the_chat(runtime, business):
    image = png()
    async with simulator(runtime) as sim:
        await sim.turn(text="oi")
        response = await sim.send_image(image, caption="minha evolução, progresso")
        assert response.status == 200, await response.text()
        media_id = (await response.json())["media_id"]
        await sim.settle()
        chat = await sim.chat()
        sent = next(m for m in chat["messages"] if m["kind"] == "image")
        assert sent["from"] == "me" and sent["html"] == "minha evolução, progresso"
        shown = await sim.web.get(sent["image"])
        assert shown.status == 200 and shown.content_type == "image/png" and await shown.read() == image
        assert (await sim.web.get("/simulator", params={"media": "1234"})).status == 404
    assert "Foto de progresso guardada!" in bot_says(chat)[-1]
    async with runtime.sessions() as session:
        stored = (await session.scalars(select(InboundMessage).where(InboundMessage.kind == "image"))).one()
        assert stored.body == "minha evolução, progresso"
        assert stored.payload["image"]["id"] == media_id and stored.payload["image"]["mime_type"] == "image/png"
        photo = (await session.scalars(select(Measurement))).one()
        assert (photo.kind, photo.media_id) == ("photo", media_id)


async def test_a_photo_without_a_caption_is_answered(runtime, business):
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200 + b"\xff\xd9"
    async with simulator(runtime) as sim:
        await sim.turn(text="oi")
        response = await sim.send_image(jpeg, filename="me.jpg", content_type="image/jpeg")
        assert response.status == 200, await response.text()
        await sim.settle()
        chat = await sim.chat()
    assert chat["messages"][-2]["kind"] == "image" and chat["messages"][-1]["from"] == "bot"


async def test_images_whatsapp_would_not_take_are_refused_with_a_message(runtime, business):
    async with simulator(runtime) as sim:
        too_big = await sim.send_image(png(b"x" * MAX_IMAGE_BYTES))
        assert too_big.status == 413 and "over 5 MB" in (await too_big.json())["error"]
        gif = await sim.send_image(b"GIF89a\x01\x00\x01\x00", filename="me.gif", content_type="image/gif")
        assert gif.status == 415 and "Only JPEG and PNG" in (await gif.json())["error"]
        named_jpeg = await sim.send_image(b"<svg onload=alert(1)>", filename="me.jpg", content_type="image/jpeg")
        assert named_jpeg.status == 415 and "Only JPEG and PNG" in (await named_jpeg.json())["error"]
        empty = await sim.send_image(b"")
        assert empty.status == 400 and "Choose a JPEG or PNG image" in (await empty.json())["error"]
        garbled = await sim.web.post("/simulator/send", data=b"--x\r\nnonsense", headers={
            "X-CSRF-Token": sim.token, "Content-Type": "multipart/form-data; boundary=x"})
        assert garbled.status == 400 and "could not be read" in (await garbled.json())["error"]
        long_caption = await sim.send_image(png(), caption="x" * 1025)
        assert long_caption.status == 400
    async with runtime.sessions() as session:
        assert await session.scalar(select(InboundMessage.id)) is None


async def test_each_number_has_its_own_chat_and_sends_from_itself(runtime, business):
    async with simulator(runtime) as sim:
        await sim.turn(ANA, text="oi, aqui é a Ana", name="Ana Lima")
        await sim.turn(BRUNO, text="oi, aqui é o Bruno", name="Bruno Reis")
        ana, bruno = await sim.chat(ANA), await sim.chat(BRUNO)
        page = await (await sim.web.get("/simulator", params={"wa_id": BRUNO})).text()
    assert ana["messages"][0]["html"] == "oi, aqui é a Ana" and bruno["messages"][0]["html"] == "oi, aqui é o Bruno"
    assert (ana["name"], bruno["name"]) == ("Ana Lima", "Bruno Reis")  # the page writes on under the client's name
    assert "Bruno" not in str(ana) and "Ana" not in str(bruno)
    assert [m["from"] for m in ana["messages"]][:2] == ["me", "bot"] and len(bot_says(bruno)) == len(bot_says(ana))
    assert f'id="wa_id" value="{BRUNO}"' in page
    async with runtime.sessions() as session:
        senders = (await session.execute(select(Client.wa_id, InboundMessage.body).join(
            Client, Client.id == InboundMessage.client_id).order_by(InboundMessage.id))).all()
    assert senders == [(ANA, "oi, aqui é a Ana"), (BRUNO, "oi, aqui é o Bruno")]


async def test_a_chat_polled_past_its_cursors_brings_only_what_is_newer_in_order(runtime, business):
    async with simulator(runtime) as sim:
        await sim.turn(text="oi")
        opened = await sim.chat()
        await sim.turn(text="menu")
        newer = await sim.chat(after_in=opened["after_in"], after_out=opened["after_out"])
        everything = await sim.chat()
        nothing_new = await sim.chat(after_in=newer["after_in"], after_out=newer["after_out"])
    assert [m["html"] for m in newer["messages"] if m["from"] == "me"] == ["menu"]
    assert [m["key"] for m in everything["messages"]] == [m["key"] for m in opened["messages"] + newer["messages"]]
    assert newer["messages"][0]["from"] == "me" and all(m["from"] == "bot" for m in newer["messages"][1:])
    assert nothing_new["messages"] == []


async def test_bubbles_show_whatsapp_formatting_and_never_the_texts_markup(runtime, business):
    async with simulator(runtime) as sim:
        await sim.turn(text="*<script>alert(1)</script>* _oi_")
        chat = await sim.chat()
        bad = await sim.web.get("/simulator", params={"chat": "<b>", "business": PHONE_NUMBER_ID})
    assert chat["messages"][0]["html"] == "<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong> <em>oi</em>"
    assert any("<strong>Studio Força</strong>" in html for html in bot_says(chat))  # the greeting names it in bold
    assert bad.status == 400


async def test_the_page_loads_its_script_under_the_strict_policy(runtime, business):
    async with simulator(runtime) as sim:
        page = await sim.web.get("/simulator")
        html = await page.text()
        script = await sim.web.get("/admin/static/simulator.js")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert '<script src="/admin/static/simulator.js" defer></script>' in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert script.status == 200
