"""Button and row ids: readable names now, and the short forms older messages and paused flows still carry."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from conversations import reply_ids
from domain.models import Conversation
from tests.transcript_runner import Transcript, check

OLD_TO_NEW = [
    ("svc:3", "service", ["3"]), ("more:1:2026-11-24:9", "more_times", ["1", "2026-11-24", "9"]),
    ("bookok:1:2:20261124T1000", "book_confirm", ["1", "2", "20261124T1000"]), ("classok:7", "class_confirm", ["7"]),
    ("wl:7", "waitlist_join", ["7"]), ("rs:12", "reschedule", ["12"]), ("cx:12", "cancel", ["12"]),
    ("rsok:12:20261125T1100", "reschedule_confirm", ["12", "20261125T1100"]), ("cxok:12", "cancel_confirm", ["12"]),
    ("cxno", "cancel_keep", []),
]


@pytest.mark.parametrize(("old", "name", "parts"), OLD_TO_NEW, ids=[o for o, _, _ in OLD_TO_NEW])
def test_an_old_short_id_reads_as_its_new_name(old: str, name: str, parts: list[str]) -> None:
    assert reply_ids.split(old) == (name, parts)
    assert reply_ids.split(reply_ids.make(name, *parts)) == (name, parts)


def test_ids_that_never_changed_read_as_they_are() -> None:
    assert reply_ids.split("reminder:confirm:12") == ("reminder", ["confirm", "12"])
    assert reply_ids.split("day:1:2026-11-24") == ("day", ["1", "2026-11-24"])
    assert reply_ids.split("menu:book") == ("menu", ["book"])


async def _pause_with(chat: Transcript, runtime: Any, confirm_id: str) -> None:
    """What a conversation paused before the upgrade holds: the old short confirm id."""
    async with runtime.sessions.begin() as session:
        conversation = (await session.execute(select(Conversation))).scalar_one()
        conversation.state = {**conversation.state, "slots": {**conversation.state["slots"], "confirm": confirm_id}}


async def test_a_booking_paused_before_the_upgrade_is_booked_by_a_yes(web, runtime, business, broker, clock):
    chat = Transcript(web, runtime, business, broker, clock)
    await chat.setup({"known": True})
    check(["[buttons] Confirma? *Treino personal*, ter 24/11 às 07:00, com Ana."],
          await chat.say({"client": "marcar treino amanhã às 7"}), ["book_confirm:1:1:20261124T1000"], chat.shown_ids)
    await _pause_with(chat, runtime, "bookok:1:1:20261124T1000")
    check(["✅ Marcado! *Treino personal*, ter 24/11 às 07:00, com Ana."], await chat.say({"client": "sim"}))


async def test_a_cancel_paused_before_the_upgrade_is_cancelled_by_a_yes(web, runtime, business, broker, clock):
    chat = Transcript(web, runtime, business, broker, clock)
    await chat.setup({"known": True, "bookings": [{"at": "2026-11-25T10:00:00+00:00"}]})
    check(["[buttons] Cancelar qua 25/11 às 07:00"], await chat.say({"client": "cancelar"}))
    await _pause_with(chat, runtime, "cxok:1")
    check(["Cancelado."], await chat.say({"client": "sim"}))


async def test_a_reschedule_paused_before_the_upgrade_is_moved_by_a_yes(web, runtime, business, broker, clock):
    chat = Transcript(web, runtime, business, broker, clock)
    await chat.setup({"known": True, "bookings": [{"at": "2026-11-24T10:00:00+00:00"}]})
    check(["[buttons] Remarcar de ter 24/11 às 07:00 para *qui 26/11 às 18:30*?"],
          await chat.say({"client": "quero remarcar pra quinta 18h30"}))
    await _pause_with(chat, runtime, "rsok:1:20261126T2130")
    check(["✅ Remarcado para qui 26/11 às 18:30."], await chat.say({"client": "sim"}))
