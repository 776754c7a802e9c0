"""Cloud API request bodies, built from outbox payloads and checked against WhatsApp's limits."""
from __future__ import annotations

from typing import Any

from channels.base import OutboundEnvelope, PermanentSendError
from conversations.replies import (
    MAX_BUTTON_ID,
    MAX_BUTTON_TITLE,
    MAX_BUTTONS,
    MAX_LIST_BUTTON,
    MAX_LIST_ROWS,
    MAX_ROW_DESCRIPTION,
    MAX_ROW_ID,
    MAX_ROW_TITLE,
    MAX_TEXT,
)

MAX_BUTTONS_BODY = 1024
MAX_LIST_SECTIONS = 10
MAX_SECTION_TITLE = 24
MAX_TEMPLATE_BUTTONS = 10


def _check(condition: bool, message: str) -> None:
    # Checked again here because outbox rows can be edited or retried long after the
    # reply was built; Meta would reject them anyway, so fail without spending a call.
    if not condition:
        raise PermanentSendError(message)


def _text(value: Any, what: str, limit: int, *, required: bool = True) -> str:
    _check(isinstance(value, str), f"{what} must be a string")
    _check(len(value) <= limit, f"{what} over {limit} chars: {value[:40]!r}")
    _check(not required or len(value) > 0, f"{what} must not be empty")
    return value


def _unique(ids: list[str], what: str) -> None:
    _check(len(ids) == len(set(ids)), f"{what} ids must be unique")


def _buttons(payload: dict[str, Any]) -> dict[str, Any]:
    buttons = payload["buttons"]
    _check(isinstance(buttons, list) and 1 <= len(buttons) <= MAX_BUTTONS, f"1..{MAX_BUTTONS} reply buttons")
    replies = [
        {
            "type": "reply",
            "reply": {
                "id": _text(b["id"], "button id", MAX_BUTTON_ID),
                "title": _text(b["title"], "button title", MAX_BUTTON_TITLE),
            },
        }
        for b in buttons
    ]
    _unique([r["reply"]["id"] for r in replies], "button")
    return {
        "type": "button",
        "body": {"text": _text(payload["body"], "button message body", MAX_BUTTONS_BODY)},
        "action": {"buttons": replies},
    }


def _row(row: dict[str, Any]) -> dict[str, Any]:
    out = {"id": _text(row["id"], "row id", MAX_ROW_ID), "title": _text(row["title"], "row title", MAX_ROW_TITLE)}
    if row.get("description"):
        out["description"] = _text(row["description"], "row description", MAX_ROW_DESCRIPTION)
    return out


def _list(payload: dict[str, Any]) -> dict[str, Any]:
    sections_in = payload["sections"]
    _check(isinstance(sections_in, list) and 1 <= len(sections_in) <= MAX_LIST_SECTIONS, f"1..{MAX_LIST_SECTIONS} list sections")
    sections: list[dict[str, Any]] = []
    for section in sections_in:
        out: dict[str, Any] = {"rows": [_row(r) for r in section["rows"]]}
        _check(len(out["rows"]) > 0, "every list section needs a row")
        if section.get("title"):
            out["title"] = _text(section["title"], "section title", MAX_SECTION_TITLE)
        else:
            # Meta requires a title on each section as soon as there are several.
            _check(len(sections_in) == 1, "sections need titles when there are several")
        sections.append(out)
    row_ids = [r["id"] for s in sections for r in s["rows"]]
    _check(len(row_ids) <= MAX_LIST_ROWS, f"list has {len(row_ids)} rows; at most {MAX_LIST_ROWS} in total")
    _unique(row_ids, "row")
    return {
        "type": "list",
        "body": {"text": _text(payload["body"], "list body", MAX_TEXT)},
        "action": {"button": _text(payload["button"], "list button label", MAX_LIST_BUTTON), "sections": sections},
    }


def _template(payload: dict[str, Any]) -> dict[str, Any]:
    template: dict[str, Any] = {
        "name": _text(payload["name"], "template name", 512),
        "language": {"code": _text(payload["language"], "template language", 32)},
    }
    parameters = payload.get("parameters") or []
    _check(isinstance(parameters, list), "template parameters must be a list")
    if parameters:
        # Meta rejects empty parameter texts with a template error after the call.
        params = [{"type": "text", "text": _text(p, "template parameter", 32768)} for p in parameters]
        template["components"] = [{"type": "body", "parameters": params}]
    buttons = payload.get("buttons") or []
    _check(isinstance(buttons, list) and len(buttons) <= MAX_TEMPLATE_BUTTONS, f"at most {MAX_TEMPLATE_BUTTONS} template buttons")
    template.setdefault("components", []).extend(
        {"type": "button", "sub_type": "quick_reply", "index": str(index),
         "parameters": [{"type": "payload", "payload": _text(b, "button payload", MAX_BUTTON_ID)}]}
        for index, b in enumerate(buttons)
    )
    if not template["components"]:
        del template["components"]
    return template


def build_request(envelope: OutboundEnvelope) -> dict[str, Any]:
    """The Cloud API JSON body for one envelope; PermanentSendError when it breaks a limit."""
    payload = envelope.payload
    try:
        if envelope.kind == "read":
            return {"messaging_product": "whatsapp", "status": "read", "message_id": _text(payload["message_id"], "message id", 512)}
        base: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": _text(envelope.to, "recipient", 64),
        }
        if envelope.kind == "text":
            return {**base, "type": "text", "text": {"preview_url": False, "body": _text(payload["body"], "text", MAX_TEXT)}}
        if envelope.kind == "buttons":
            return {**base, "type": "interactive", "interactive": _buttons(payload)}
        if envelope.kind == "list":
            return {**base, "type": "interactive", "interactive": _list(payload)}
        if envelope.kind == "template":
            return {**base, "type": "template", "template": _template(payload)}
    except (KeyError, TypeError, AttributeError) as exc:
        raise PermanentSendError(f"malformed {envelope.kind} payload: {exc!r}") from exc
    raise PermanentSendError(f"unknown message kind {envelope.kind!r}")
