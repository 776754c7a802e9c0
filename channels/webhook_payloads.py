"""Pydantic models of the WhatsApp Cloud API webhook body; unknown fields are kept.

A message is parsed here once at the webhook (`parse_body`), stored as its model's dump, and read
back into the same model by the worker, which asks it what the conversation engine needs (`incoming`).
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import from_json

from conversations.context import Incoming

_LAST_SECOND = 253402300799  # 9999-12-31 23:59:59 UTC, the last a datetime holds
# Seconds since 1970. Any other value (letters, a number no date holds) is kept as received, and the
# message or status gets the time it arrived: it is not lost for a bad clock.
Timestamp = Annotated[Annotated[int, Field(ge=0, le=_LAST_SECOND)] | Any, Field(union_mode="left_to_right")]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Metadata(_Open):
    phone_number_id: str
    display_phone_number: str | None = None


class Profile(_Open):
    name: str | None = None


class Contact(_Open):
    wa_id: str | None = None
    user_id: str | None = None
    profile: Profile | None = None


class Text(_Open):
    body: str


class ButtonReply(_Open):
    id: str
    title: str = ""


class ListReply(_Open):
    id: str
    title: str = ""
    description: str | None = None


class Interactive(_Open):
    type: str
    button_reply: ButtonReply | None = None
    list_reply: ListReply | None = None


class TemplateButton(_Open):
    payload: str | None = None
    text: str = ""


class Location(_Open):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class Media(_Open):
    id: str | None = None
    mime_type: str | None = None
    caption: str | None = None


class Reaction(_Open):
    message_id: str | None = None
    emoji: str | None = None


class Referral(_Open):
    """What a click-to-WhatsApp ad (or a boosted post) says about itself on the first message it brings."""

    source_url: str | None = None
    source_id: str | None = None
    source_type: str | None = None  # "ad" | "post"
    headline: str | None = None
    body: str | None = None
    ctwa_clid: str | None = None


class Message(_Open):
    """One inbound message of any type; types we do not know are kept as 'unknown'."""

    id: str = Field(min_length=1, max_length=255)
    from_: str | None = Field(None, alias="from")
    from_user_id: str | None = None
    timestamp: Timestamp = None
    type: str
    text: Text | None = None
    interactive: Interactive | None = None
    button: TemplateButton | None = None
    location: Location | None = None
    image: Media | None = None
    audio: Media | None = None
    video: Media | None = None
    document: Media | None = None
    sticker: Media | None = None
    reaction: Reaction | None = None
    referral: Referral | None = None

    @property
    def sent_at(self) -> datetime | None:
        """None when the timestamp is no usable time."""
        return _moment(self.timestamp)

    def reply_id(self) -> str | None:
        """The id of the button or list row tapped; a template's quick-reply payload only when it has
        our id shape ("reminder:confirm:12")."""
        if self.interactive is not None:
            reply = self.interactive.button_reply or self.interactive.list_reply
            return reply.id if reply else None
        payload = (self.button.payload if self.button is not None else None) or ""
        return payload if ":" in payload else None

    def body_text(self) -> str | None:
        """What the client typed or tapped, as text."""
        if self.text is not None:
            return self.text.body
        if self.interactive is not None:
            reply = self.interactive.button_reply or self.interactive.list_reply
            return reply.title if reply else None
        if self.button is not None:
            return self.button.text
        media = self.image or self.video or self.document
        if media is not None:
            return media.caption
        if self.reaction is not None:
            return self.reaction.emoji
        if self.location is not None:
            return self.location.name or self.location.address
        return None


class StatusError(_Open):
    code: int | str | None = None
    title: str | None = None
    message: str | None = None


class Status(_Open):
    id: str = Field(min_length=1, max_length=255)
    status: str = Field(max_length=16)
    timestamp: Timestamp = None
    recipient_id: str | None = None
    errors: list[StatusError] = Field(default_factory=list)

    @property
    def occurred_at(self) -> datetime | None:
        """None when the timestamp is no usable time."""
        return _moment(self.timestamp)


class Value(_Open):
    messaging_product: str | None = None
    metadata: Metadata
    contacts: list[Contact] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    statuses: list[Status] = Field(default_factory=list)


class Change(_Open):
    field: str
    value: Value


class Entry(_Open):
    id: str
    changes: list[Change] = Field(default_factory=list)


class WebhookBody(_Open):
    object: str
    entry: list[Entry]


def parse_body(raw: bytes) -> WebhookBody:
    """The webhook body, every string in it fit to store; raises ValidationError when it is not one.

    PostgreSQL refuses U+0000 in text and in JSON, so it becomes U+FFFD (the character that stands for
    one that could not be kept) everywhere: ids, names, texts, unknown fields and their keys.
    """
    body = WebhookBody.model_validate_json(raw)
    if b"\\u0000" not in raw:  # JSON can only carry NUL escaped: the usual body is parsed once and never walked
        return body
    return WebhookBody.model_validate(_without_nul(from_json(raw)))


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def _moment(timestamp: Any) -> datetime | None:
    usable = type(timestamp) is int and 0 <= timestamp <= _LAST_SECOND
    return datetime.fromtimestamp(timestamp, tz=UTC) if usable else None


def message_json(message: Message) -> dict[str, Any]:
    """The raw message as received, for the inbox's payload column."""
    return message.model_dump(mode="json", by_alias=True, exclude_none=True)


def incoming(kind: str, body: str | None, stored: dict[str, Any]) -> Incoming:
    """What the engine needs from a stored message: its kind and text (their own columns), the reply
    tapped and the location shared (read from the stored message)."""
    try:
        message = Message.model_validate(stored)
    except ValidationError:  # emptied by an erasure: nothing but the columns is left
        return Incoming(kind=kind, text=body)
    location, media = message.location, message.image or message.video or message.document
    return Incoming(kind=kind, text=body, reply_id=message.reply_id(),
                    latitude=location.latitude if location else None, longitude=location.longitude if location else None,
                    media_id=media.id if media else None,
                    referral=message.referral.model_dump(mode="json", exclude_none=True) if message.referral else None)
