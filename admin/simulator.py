"""The simulator: a chat page that drives the real webhook with signed payloads (sandbox only)."""
from __future__ import annotations

import json

import aiohttp_jinja2
from aiohttp import web
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select

from admin.security import csp_nonce
from admin.simulator_payloads import inbound_message
from channels.signature import sign
from domain.models import Business
from runtime.keys import RUNTIME
from runtime.own_address import post_to_own_route


class SimulatedMessage(BaseModel):
    phone_number_id: str = Field(min_length=1, max_length=64)
    wa_id: str = Field(pattern=r"^\d{8,15}$")
    name: str = Field("Simulator", max_length=60)
    text: str | None = Field(None, max_length=4096)
    reply_id: str | None = Field(None, max_length=256)
    reply_title: str | None = Field(None, max_length=72)
    reply_kind: str = Field("button_reply", pattern=r"^(button_reply|list_reply)$")


def _require_sandbox(request: web.Request) -> None:
    if request.app[RUNTIME].settings.channel != "sandbox":
        raise web.HTTPNotFound()


@aiohttp_jinja2.template("simulator.html")
async def simulator_page(request: web.Request) -> dict[str, object]:
    _require_sandbox(request)
    async with request.app[RUNTIME].sessions() as session:
        businesses = (await session.execute(select(Business.name, Business.phone_number_id).order_by(Business.id))).all()
    return {"businesses": [{"name": n, "phone_number_id": p} for n, p in businesses], "csp_nonce": csp_nonce(request)}


async def simulator_send(request: web.Request) -> web.Response:
    """Sign a Cloud API webhook body for the simulated client and POST it to our own webhook."""
    _require_sandbox(request)
    try:
        form = SimulatedMessage.model_validate(await request.json())
    except (ValidationError, json.JSONDecodeError) as exc:
        return web.json_response({"error": f"invalid simulator message: {exc}"}, status=400)
    if not (form.text or form.reply_id):
        return web.json_response({"error": "type a message first"}, status=400)
    body = json.dumps(inbound_message(**form.model_dump())).encode()
    secret = request.app[RUNTIME].settings.whatsapp_app_secret.get_secret_value()
    status = await post_to_own_route(request, "whatsapp_webhook", body,
                                     {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)})
    return web.json_response({"webhook_status": status}, status=200 if status == 200 else 502)
