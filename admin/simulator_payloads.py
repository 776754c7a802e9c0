"""Webhook bodies in the Cloud API's shape, as Meta would send them for a simulated client."""
from __future__ import annotations

import time
import uuid
from typing import Any


def inbound_message(
    *, phone_number_id: str, wa_id: str, name: str, text: str | None = None,
    reply_id: str | None = None, reply_title: str | None = None, reply_kind: str = "button_reply",
    location: dict[str, Any] | None = None, image: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One inbound message from `wa_id`: a tap on a reply button / list row, a shared location
    ({latitude, longitude, name?, address?}), an image ({id, mime_type, sha256, caption?}), else a text."""
    message: dict[str, Any] = {"from": wa_id, "id": f"wamid.SIM{uuid.uuid4().hex}", "timestamp": str(int(time.time()))}
    if reply_id:
        reply = {"id": reply_id, "title": reply_title or reply_id}
        message |= {"type": "interactive", "interactive": {"type": reply_kind, reply_kind: reply}}
    elif location is not None:
        message |= {"type": "location", "location": {k: v for k, v in location.items() if v not in (None, "")}}
    elif image is not None:
        message |= {"type": "image", "image": {k: v for k, v in image.items() if v not in (None, "")}}
    else:
        message |= {"type": "text", "text": {"body": text or ""}}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": phone_number_id, "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [message],
    }
    return {"object": "whatsapp_business_account", "entry": [{"id": "simulator", "changes": [{"field": "messages", "value": value}]}]}
