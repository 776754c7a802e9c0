"""Helpers the tests share: fixture payloads, signing, draining the stub broker."""
from __future__ import annotations

import copy
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from dramatiq import Message
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import dq_name

from app.bootstrap import App
from app.web import create_web_app
from channels.signature import sign
from runtime.broker import INBOUND_QUEUE, MAINTENANCE_QUEUE, OUTBOUND_QUEUE, SCHEDULED_QUEUE
from runtime.resources import Runtime
from workers.actors import WORK

# WhatsApp Cloud API payloads, kept in the repository (see tests/fixtures/whatsapp/README.md).
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "whatsapp"
APP_SECRET = "test-app-secret"
PHONE_NUMBER_ID = "106540352242922"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def inbound(name: str = "text", *, message_id: str | None = None, text: str | None = None,
            wa_id: str | None = None, timestamp: int | None = None, phone_number_id: str = PHONE_NUMBER_ID) -> dict[str, Any]:
    """A fixture webhook body with its first message's id, text, sender and time replaced."""
    body = copy.deepcopy(fixture(name))
    value = body["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = phone_number_id
    for message in value.get("messages", []):
        message["timestamp"] = str(timestamp or int(time.time()))
    first = value["messages"][0]
    if message_id:
        first["id"] = message_id
    if text is not None:
        first["text"]["body"] = text
    if wa_id:
        first["from"] = wa_id
        value["contacts"][0]["wa_id"] = wa_id
    return body


@asynccontextmanager
async def serving(app: App) -> AsyncIterator[TestClient]:
    """A test client on the web app of `app` (an App of its own, say with other settings); closes its runtime."""
    async with TestClient(TestServer(create_web_app(app))) as client:
        yield client
    await app.close()


def signed(body: dict[str, Any] | bytes, secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return raw, {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, secret)}


async def drain(broker: StubBroker, runtime: Runtime, *, delayed: bool = False, only_inbound: bool = False,
                max_steps: int = 1000) -> int:
    """Run every queued actor message in this loop, as a worker would; return how many ran."""
    names = [INBOUND_QUEUE] if only_inbound else [INBOUND_QUEUE, OUTBOUND_QUEUE, MAINTENANCE_QUEUE, SCHEDULED_QUEUE]
    if delayed:
        names += [dq_name(n) for n in names]
    ran = 0
    while ran < max_steps:
        encoded = next((broker.queues[n].get_nowait() for n in names if not broker.queues[n].empty()), None)
        if encoded is None:
            return ran
        message = Message.decode(encoded)
        work, _queue = WORK[message.actor_name]
        await work(runtime, *message.args)
        ran += 1
    raise AssertionError("the broker never went quiet")
