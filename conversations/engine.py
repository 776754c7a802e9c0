"""The conversation engine: given the saved state and one inbound message, decide what to say.

Pure: no I/O. The processing worker loads state, calls `handle`, and saves what comes back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from conversations.normalise import normalise
from conversations.replies import ListMessage, Reply, Row, Text
from conversations.texts import DEFAULT_LOCALE, LOCALES, say

MENU_ITEMS = (
    "book", "my_appointments", "reschedule", "cancel", "check_in",
    "workout_today", "pay", "balance", "human", "help",
)
MEDIA_KINDS = frozenset({"audio", "voice", "sticker", "image", "video", "document", "unsupported", "unknown"})
SILENT_KINDS = frozenset({"reaction"})

_MENU_WORDS = {
    "pt-BR": ["oi", "ola", "bom dia", "boa tarde", "boa noite", "menu", "inicio", "opcoes", "e ai", "oie"],
    "en": ["hi", "hello", "hey", "good morning", "good afternoon", "good evening", "menu", "start", "options"],
}
_SWITCH_LOCALE = {"english": "en", "ingles": "en", "portugues": "pt-BR", "portuguese": "pt-BR"}
_FUZZ_CUTOFF = 85


@dataclass(frozen=True)
class IncomingTurn:
    """What the client sent, reduced to what the engine needs."""

    kind: str
    text: str | None = None
    reply_id: str | None = None


@dataclass(frozen=True)
class TurnContext:
    business_name: str
    default_locale: str
    client_name: str | None = None
    client_locale: str | None = None


@dataclass
class Turn:
    state: dict[str, Any]
    replies: list[Reply] = field(default_factory=list)


def handle(state: dict[str, Any], incoming: IncomingTurn, ctx: TurnContext) -> Turn:
    """Decide the replies to one message and the state that follows it."""
    new_state = dict(state)
    words = normalise(incoming.text or "")
    locale = _locale_for(new_state, words, ctx)
    new_state["locale"] = locale

    if incoming.kind in SILENT_KINDS:
        return Turn(new_state)
    if not new_state.get("greeted"):
        new_state.update(greeted=True, misunderstood=0)
        return Turn(new_state, [Text(say(locale, "greeting", business=ctx.business_name, name=ctx.client_name)), menu(locale)])
    if words in _SWITCH_LOCALE:
        new_state["misunderstood"] = 0
        return Turn(new_state, [Text(say(locale, "language_switched")), menu(locale)])
    if incoming.reply_id and incoming.reply_id.startswith("menu:"):
        return _menu_choice(new_state, incoming.reply_id.removeprefix("menu:"), locale)
    if incoming.kind in MEDIA_KINDS:
        return Turn(new_state, [Text(say(locale, "media_unsupported"))])
    if words and _matches(words, _MENU_WORDS[locale] + _MENU_WORDS["pt-BR" if locale == "en" else "en"]):
        new_state["misunderstood"] = 0
        return Turn(new_state, [menu(locale)])
    return _not_understood(new_state, locale)


def menu(locale: str) -> ListMessage:
    """The main menu as a WhatsApp list (10 rows, WhatsApp's maximum)."""
    rows = tuple(Row(id=f"menu:{key}", title=say(locale, "menu_item", key=key)) for key in MENU_ITEMS)
    return ListMessage(body=say(locale, "menu_body"), button=say(locale, "menu_button"), rows=rows)


def _menu_choice(state: dict[str, Any], key: str, locale: str) -> Turn:
    state["misunderstood"] = 0
    if key not in MENU_ITEMS:  # a stale button from an older menu
        return Turn(state, [menu(locale)])
    item = say(locale, "menu_item", key=key)
    return Turn(state, [Text(say(locale, "coming_soon", item=item)), menu(locale)])


def _not_understood(state: dict[str, Any], locale: str) -> Turn:
    state["misunderstood"] = state.get("misunderstood", 0) + 1
    if state["misunderstood"] >= 2:
        state["misunderstood"] = 0
        return Turn(state, [Text(say(locale, "not_understood_again")), menu(locale)])
    return Turn(state, [Text(say(locale, "not_understood"))])


def _locale_for(state: dict[str, Any], words: str, ctx: TurnContext) -> str:
    if words in _SWITCH_LOCALE:
        return _SWITCH_LOCALE[words]
    if state.get("locale") in LOCALES:
        return str(state["locale"])
    if ctx.client_locale in LOCALES:
        return str(ctx.client_locale)
    if words and _matches(words, _MENU_WORDS["en"]) and not _matches(words, _MENU_WORDS["pt-BR"]):
        return "en"
    return ctx.default_locale if ctx.default_locale in LOCALES else DEFAULT_LOCALE


def _matches(words: str, choices: list[str]) -> bool:
    return process.extractOne(words, choices, scorer=fuzz.ratio, score_cutoff=_FUZZ_CUTOFF) is not None
