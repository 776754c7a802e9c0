"""What the bot can say, checked against WhatsApp's limits before it is ever queued."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_TEXT = 4096
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_ROW_ID = 200
MAX_LIST_BUTTON = 20


class ReplyLimitError(ValueError):
    """A reply breaks one of WhatsApp's interactive-message limits."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ReplyLimitError(message)


@dataclass(frozen=True)
class Text:
    body: str
    kind: str = field(default="text", init=False)

    def __post_init__(self) -> None:
        _check(0 < len(self.body) <= MAX_TEXT, f"text must be 1..{MAX_TEXT} chars")

    def payload(self) -> dict[str, Any]:
        return {"body": self.body}


@dataclass(frozen=True)
class Button:
    id: str
    title: str


@dataclass(frozen=True)
class Buttons:
    body: str
    buttons: tuple[Button, ...]
    kind: str = field(default="buttons", init=False)

    def __post_init__(self) -> None:
        _check(0 < len(self.body) <= 1024, "button message body must be 1..1024 chars")
        _check(1 <= len(self.buttons) <= MAX_BUTTONS, f"1..{MAX_BUTTONS} reply buttons")
        for button in self.buttons:
            _check(0 < len(button.title) <= MAX_BUTTON_TITLE, f"button title over {MAX_BUTTON_TITLE}: {button.title!r}")
            _check(0 < len(button.id) <= MAX_BUTTON_ID, "button id must be 1..256 chars")

    def payload(self) -> dict[str, Any]:
        return {"body": self.body, "buttons": [{"id": b.id, "title": b.title} for b in self.buttons]}


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True)
class ListMessage:
    body: str
    button: str
    rows: tuple[Row, ...]
    section_title: str | None = None
    kind: str = field(default="list", init=False)

    def __post_init__(self) -> None:
        _check(0 < len(self.body) <= 4096, "list body must be 1..4096 chars")
        _check(0 < len(self.button) <= MAX_LIST_BUTTON, f"list button label over {MAX_LIST_BUTTON}")
        _check(1 <= len(self.rows) <= MAX_LIST_ROWS, f"1..{MAX_LIST_ROWS} list rows")
        for row in self.rows:
            _check(0 < len(row.title) <= MAX_ROW_TITLE, f"row title over {MAX_ROW_TITLE}: {row.title!r}")
            _check(0 < len(row.id) <= MAX_ROW_ID, "row id must be 1..200 chars")
            _check(len(row.description or "") <= MAX_ROW_DESCRIPTION, f"row description over {MAX_ROW_DESCRIPTION}")

    def payload(self) -> dict[str, Any]:
        rows = [{"id": r.id, "title": r.title, **({"description": r.description} if r.description else {})} for r in self.rows]
        section: dict[str, Any] = {"rows": rows}
        if self.section_title:
            section["title"] = self.section_title[:24]
        return {"body": self.body, "button": self.button, "sections": [section]}


@dataclass(frozen=True)
class Template:
    """An approved template message: the only kind allowed outside the 24-hour window."""

    name: str
    language: str
    parameters: tuple[str, ...] = ()
    # Payloads of the template's quick-reply buttons, in order: a tap comes back with the payload,
    # which the engine routes like a button id ("reminder:confirm:12").
    buttons: tuple[str, ...] = ()
    kind: str = field(default="template", init=False)

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"name": self.name, "language": self.language, "parameters": list(self.parameters)}
        if self.buttons:
            payload["buttons"] = list(self.buttons)
        return payload


Reply = Text | Buttons | ListMessage | Template


def preview(reply: Reply) -> str:
    """A one-line text of a reply for the inbox, the simulator and the logs."""
    if isinstance(reply, Template):
        return f"[template {reply.name}] " + " | ".join(reply.parameters)
    return reply.body
