"""Runs a transcript (client says → bot answers) through the webhook, the engine and a real database."""
from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from conversations.notices import queue_waitlist_offers
from domain.messaging import handoff
from domain.models import Booking, Business, CheckIn, Client, OutboundMessage
from domain.platform import plans
from domain.scheduling import booking, catalog, classes, credits
from domain.training import challenges
from tests.booking_setup import make_studio
from tests.stripe_support import add_demo_products, pay_last_purchase
from tests.support import drain, inbound, signed
from tests.training_setup import add_challenge, add_meal_plan, add_program

_ids = itertools.count()
# Monday 23 Nov 2026, 09:00 in São Paulo.
DEFAULT_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CLIENT_WA = "5511987654321"


def shown(row: OutboundMessage) -> str:
    """How a reply reads in a transcript: text as is, others with their kind and choices."""
    if row.kind == "text":
        return str(row.body)
    choices = [b["title"] for b in row.payload.get("buttons", [])] + [
        r["title"] for s in row.payload.get("sections", []) for r in s["rows"]]
    return f"[{row.kind}] {row.body} " + " | ".join(choices)


class Transcript:
    """One conversation: setup, then turns; remembers the buttons the bot last showed."""

    def __init__(self, web: Any, runtime: Any, business: Business, broker: Any, clock: Any) -> None:
        self.web, self.runtime, self.business, self.broker, self.clock = web, runtime, business, broker, clock
        self.seen = 0
        self.choices: dict[str, str] = {}
        self.shown_ids: list[str] = []  # the button and row ids of the last turn's replies
        self.studio: Any = None
        self.anonymous = False

    async def setup(self, spec: dict[str, Any]) -> None:
        self.clock._now = datetime.fromisoformat(spec["now"]) if "now" in spec else DEFAULT_NOW
        self.anonymous = bool(spec.get("no_profile_name"))
        self.studio = await make_studio(self.runtime, self.business, clients=3, requires_credit=spec.get("requires_credit", False))
        async with self.runtime.sessions.begin() as session:
            shop = await session.get(Business, self.business.id)
            shop.checkin_code, shop.latitude, shop.longitude = "STUDIO-QR-1234", -23.561684, -46.655981
            if "plan" in spec:  # the studio's plan, with some of its limits set for the case (conftest restores them)
                shop.plan = spec["plan"]["name"]
                plans.use_plans(plans.with_overrides({shop.plan: spec["plan"].get("limits", {})}))
            if not spec.get("new_client", True) or spec.get("credits") or spec.get("bookings") or spec.get("known"):
                me = await session.get(Client, self.studio.clients[0])
                me.wa_id, me.contact_key, me.phone_e164 = CLIENT_WA, f"+{CLIENT_WA}", f"+{CLIENT_WA}"
                me.profile_name, me.marketing_consent = "Maria Souza", True
                me.locale = spec.get("locale")
                me.last_inbound_at = self.clock.now()
            if spec.get("credits"):
                await credits.add_pack(session, self.business.id, self.studio.clients[0], spec["credits"], self.clock.now())
            for item in spec.get("bookings", []):
                await self._book(session, item)
            for item in spec.get("classes", []):
                await self._class(session, item)
            if spec.get("products"):
                await add_demo_products(session, self.business.id, self.clock.now())
            if spec.get("opens_at_5"):  # Ana starts at 05:00 every weekday
                for weekday in range(6):
                    await catalog.add_weekly_hours(session, self.business.id, self.studio.ana, weekday, time(5), time(6))
            await self._training(session, spec)
        if spec.get("known"):
            await self.say({"client": "oi"}, check=False)
        if spec.get("deactivated"):  # by the studio, after the client's first chat
            async with self.runtime.sessions.begin() as session:
                (await session.get(Client, self.studio.clients[0])).deactivated_at = self.clock.now()

    async def _training(self, session: Any, spec: dict[str, Any]) -> None:
        me, now = self.studio.clients[0], self.clock.now()
        today = now.astimezone(ZoneInfo(spec.get("client_timezone", "America/Sao_Paulo"))).date()
        if spec.get("client_timezone"):
            (await session.get(Client, me)).timezone = spec["client_timezone"]
        if spec.get("program"):
            await add_program(session, self.business.id, me, today - timedelta(days=today.weekday()), now)
        if spec.get("meal_plan"):
            await add_meal_plan(session, self.business.id, me, now)
        if spec.get("challenge"):
            challenge = await add_challenge(session, self.business.id, today, now)
            for n, name in enumerate(spec.get("challengers", [])):  # other clients in it, on the leaderboard
                other = await session.get(Client, self.studio.clients[n + 1])
                other.profile_name = name
                await challenges.join(session, self.business.id, challenge.id, other.id, True, now)
                session.add(CheckIn(business_id=self.business.id, client_id=other.id, method="staff", checked_in_at=now))

    async def _book(self, session: Any, item: dict[str, Any]) -> None:
        client = self.studio.clients[item.get("client", 0)]
        trainer = self.studio.bruno if item.get("trainer") == "bruno" else self.studio.ana
        await booking.book_personal(session, self.business.id, client_id=client, service_id=self.studio.personal,
                                    staff_id=trainer, starts_at=datetime.fromisoformat(item["at"]), now=self.clock.now())

    async def _class(self, session: Any, item: dict[str, Any]) -> None:
        made = await classes.schedule_class(session, self.business.id, service_id=self.studio.spinning,
                                            staff_id=self.studio.bruno, starts_at=datetime.fromisoformat(item["at"]),
                                            now=self.clock.now(), capacity=item.get("capacity"))
        for client in item.get("taken_by", []):
            await classes.book_seat(session, self.business.id, client_id=self.studio.clients[client],
                                    appointment_id=made.id, now=self.clock.now())

    async def say(self, turn: dict[str, Any], check: bool = True) -> list[str]:
        if "wait" in turn:
            self.clock.advance(minutes=turn["wait"])
        if "book_behind" in turn:  # someone else books while this client is still deciding
            async with self.runtime.sessions.begin() as session:
                await self._book(session, turn["book_behind"])
        if turn.get("hand_back"):
            async with self.runtime.sessions.begin() as session:
                await handoff.hand_back(session, self.business.id, self.studio.clients[0], self.clock.now())
        if "seat_freed_by" in turn:
            await self._free_seat(self.studio.clients[turn["seat_freed_by"]])
        elif "pays" in turn:  # the client pays the last link on Stripe's page; Stripe's events arrive
            await pay_last_purchase(self.web, self.runtime, self.broker, turn["pays"])
        else:
            raw, headers = signed(self._message(turn))
            response = await self.web.post("/webhooks/whatsapp", data=raw, headers=headers)
            assert response.status == 200, await response.text()
            await drain(self.broker, self.runtime, only_inbound=True)
        async with self.runtime.sessions() as session:
            rows = (await session.execute(select(OutboundMessage).where(OutboundMessage.kind != "read")
                                          .order_by(OutboundMessage.id))).scalars().all()
        new, self.seen = rows[self.seen:], len(rows)
        self.shown_ids = []
        for row in new:
            for b in row.payload.get("buttons", []):
                self.choices[b["title"]] = b["id"]
                self.shown_ids.append(b["id"])
            for s in row.payload.get("sections", []):
                for r in s["rows"]:
                    self.choices[r["title"]] = r["id"]
                    self.shown_ids.append(r["id"])
        return [shown(r) for r in new]

    async def _free_seat(self, client_id: int) -> None:
        """Another client cancels their class seat; the waitlist offer goes out as the chat flow sends it."""
        async with self.runtime.sessions.begin() as session:
            seat = (await session.execute(select(Booking).where(Booking.client_id == client_id))).scalars().first()
            outcome = await booking.cancel(session, self.business.id, seat.id, self.clock.now())
            await queue_waitlist_offers(session, await session.get(Business, self.business.id), outcome.offers, self.clock.now())

    def _message(self, turn: dict[str, Any]) -> dict[str, Any]:
        message_id = turn.get("id") or f"wamid.T{next(_ids)}"
        stamp = int(self.clock.now().timestamp())
        if "client" in turn:
            body = inbound("text", message_id=message_id, text=turn["client"], timestamp=stamp, wa_id=CLIENT_WA)
            if self.anonymous:  # WhatsApp sends no profile name for some users
                del body["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]
            return body
        if "tap" in turn:
            title = turn["tap"]
            reply_id = self.choices.get(title) or next((i for t, i in self.choices.items() if re.fullmatch(title, t)), None)
            assert reply_id, f"no button or row titled {title!r} among {sorted(self.choices)}"
            body = inbound("interactive_list_reply", message_id=message_id, timestamp=stamp, wa_id=CLIENT_WA)
            body["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]["list_reply"] = {"id": reply_id, "title": title}
            return body
        if "tap_id" in turn:
            body = inbound("interactive_button_reply", message_id=message_id, timestamp=stamp, wa_id=CLIENT_WA)
            body["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]["button_reply"] = {"id": turn["tap_id"], "title": "x"}
            return body
        body = inbound(turn["send"], message_id=message_id, timestamp=stamp, wa_id=CLIENT_WA)
        if "caption" in turn:
            body["entry"][0]["changes"][0]["value"]["messages"][0]["image"]["caption"] = turn["caption"]
        return body


def check(expected: list[str], replies: list[str], expected_ids: Sequence[str] = (), shown_ids: Sequence[str] = ()) -> None:
    """Each expected line must appear, in order, in its reply; the reply count must match; the
    expected button and row ids must be among those the replies carry."""
    assert len(replies) == len(expected), f"expected {len(expected)} replies, got {replies}"
    for want, got in zip(expected, replies):
        assert want in got, f"{want!r} not in {got!r}"
    missing = [i for i in expected_ids if i not in shown_ids]
    assert not missing, f"ids {missing} not among {shown_ids}"
