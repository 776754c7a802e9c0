"""Booking in chat: service → day → time (or all in one message) → confirm → booked. Classes, waitlist, series."""
from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from conversations import reply_ids as ids
from conversations.context import Ctx
from conversations.flows import payments, timepick
from conversations.flows.common import explain, iso, show_menu, upcoming, yes_no
from conversations.nlu import Understanding
from conversations.nlu.entities import names_a_session, services_named
from conversations.normalise import normalise
from conversations.replies import ListMessage, Row
from domain.errors import AlreadyBooked, ClassFull, DomainError, NoCredits, SlotTaken
from domain.models import Service, Staff
from domain.platform import plans
from domain.scheduling import booking, classes, series
from domain.scheduling.appointment_details import appointment_details, scheduled_class
from domain.scheduling.catalog import active_services, get_scoped, trainers_for


async def start(ctx: Ctx, u: Understanding | None = None) -> None:
    """Begin booking: pick the service (unless there is one, or the message names it)."""
    services = await active_services(ctx.session, ctx.business.id)
    if not services:
        ctx.say("no_services")
        return
    chosen = services[0] if len(services) == 1 else _named(services, u.text if u else "")
    if chosen is not None:
        await with_service(ctx, chosen.id, u)
        return
    ctx.state.start("book", "service", pending=pending_of(u))
    rows = tuple(Row(id=ids.make(ids.SERVICE, s.id), title=s.name[:24], description=_service_line(ctx, s)) for s in services[:10])
    ctx.send(ListMessage(ctx.t("ask_service"), ctx.t("choose_button"), rows))


async def with_service(ctx: Ctx, service_id: int, u: Understanding | None = None) -> None:
    """The service is known: go straight to the stated time, the stated day, or ask for a day."""
    service = await get_scoped(ctx.session, Service, ctx.business.id, service_id)
    pending = pending_of(u) or ctx.state.slots.get("pending") or {}
    ctx.state.start("book", "time", service_id=service.id)
    if pending.get("recurring") and service.capacity == 1:
        await _propose_series(ctx, service, pending["recurring"], pending.get("weeks") or 4)
    elif pending.get("datetime"):
        await _at(ctx, service, datetime.fromisoformat(pending["datetime"]))
    elif pending.get("date"):
        await timepick.offer_day(ctx, service, datetime.fromisoformat(pending["date"]).date(), part=pending.get("part"))
    else:
        await timepick.ask_day(ctx, service)


async def _at(ctx: Ctx, service: Service, target: datetime) -> None:
    found = await timepick.exact(ctx, service, target.astimezone(UTC))
    if found is None:
        ctx.say("time_not_free", when=ctx.when(target))
        await timepick.nearest(ctx, service, target.astimezone(UTC))
        return
    button_id, _ = found
    await chosen(ctx, button_id)


async def chosen(ctx: Ctx, button_id: str) -> None:
    """A time was picked (slot:… or class:…): ask to confirm, or offer the waitlist for a full class."""
    name, parts = ids.split(button_id)
    if name == ids.CLASS:
        await _class_chosen(ctx, int(parts[0]))
        return
    service_id, staff_id, stamp = parts
    service = await get_scoped(ctx.session, Service, ctx.business.id, int(service_id))
    trainer = await get_scoped(ctx.session, Staff, ctx.business.id, int(staff_id))
    starts_at = ids.stamp_time(stamp)
    confirm_id = ids.make(ids.BOOK_CONFIRM, service.id, trainer.id, stamp)
    ctx.state.start("book", "confirm", confirm=confirm_id, service_id=service.id)
    body = ctx.t("confirm_booking", service=service.name, when=ctx.when(starts_at), trainer=trainer.name)
    ctx.send(yes_no(ctx, body, confirm_id, ids.make(ids.SERVICE, service.id), "confirm_button", "other_time_button"))


async def _class_chosen(ctx: Ctx, appointment_id: int) -> None:
    appointment = await scheduled_class(ctx.session, ctx.business.id, appointment_id)
    service = await get_scoped(ctx.session, Service, ctx.business.id, appointment.service_id)
    left = await classes.seats_left(ctx.session, appointment, ctx.now, for_client=ctx.client.id)
    other_time = ids.make(ids.SERVICE, service.id)
    if left <= 0:
        join = ids.make(ids.WAITLIST_JOIN, appointment.id)
        ctx.state.start("book", "waitlist", confirm=join, service_id=service.id)
        body = ctx.t("class_full", service=service.name, when=ctx.when(appointment.starts_at))
        ctx.send(yes_no(ctx, body, join, other_time, "join_waitlist_button", "other_time_button"))
        return
    confirm_id = ids.make(ids.CLASS_CONFIRM, appointment.id)
    ctx.state.start("book", "confirm", confirm=confirm_id, service_id=service.id)
    body = ctx.t("confirm_class", service=service.name, when=ctx.when(appointment.starts_at), n=left)
    ctx.send(yes_no(ctx, body, confirm_id, other_time, "confirm_button", "other_time_button"))


async def confirm(ctx: Ctx, confirm_id: str) -> None:
    """Make the booking the client confirmed (a tapped id, or the one a paused flow kept); refusals get words."""
    name, parts = ids.split(confirm_id)
    try:
        # Without a credit, the time (or seat) is held while the client pays, when the chat can sell.
        hold = timedelta(minutes=ctx.business.payment_hold_min) if await payments.can_sell(ctx) else None
        if name == ids.BOOK_CONFIRM:
            service_id, staff_id, stamp = parts
            made = await booking.book_personal(ctx.session, ctx.business.id, client_id=ctx.client.id,
                                               service_id=int(service_id), staff_id=int(staff_id), starts_at=ids.stamp_time(stamp),
                                               now=ctx.now, hold_for=hold)
        elif name == ids.CLASS_CONFIRM:
            made = await classes.book_seat(ctx.session, ctx.business.id, client_id=ctx.client.id,
                                           appointment_id=int(parts[0]), now=ctx.now, hold_for=hold)
        else:
            entry = await classes.join_waitlist(ctx.session, ctx.business.id, client_id=ctx.client.id,
                                                appointment_id=int(parts[0]), now=ctx.now)
            ctx.state.reset()
            ctx.say("waitlist_joined", position=await classes.waitlist_position(ctx.session, entry))
            return
    except (SlotTaken, ClassFull, AlreadyBooked) as error:
        await _refused(ctx, name, parts, error)
        return
    except NoCredits:  # nothing to sell in the chat
        ctx.say("no_credits")
        await payments.offer(ctx)
        return
    if made.status == "held":
        ctx.state.reset()
        ctx.say("no_credits")
        await payments.offer(ctx, resume_booking=f"held:{made.id}", held_min=ctx.business.payment_hold_min)
        return
    ctx.state.reset()
    ctx.state.last_booking_id = made.id
    await summary(ctx, made.appointment_id, made.paid_with)


async def plan_full(ctx: Ctx) -> None:
    """The studio's plan takes no more active clients: say so kindly, and put the chat before a person."""
    ctx.state.reset()
    ctx.handoff = True
    ctx.say("plan_full", business=ctx.business.name)
    await plans.count(ctx.session, ctx.business, ctx.now, clients_refused=1)


async def summary(ctx: Ctx, appointment_id: int, paid_with: str) -> None:
    appointment, service, trainer = await appointment_details(ctx.session, ctx.business.id, appointment_id)
    ctx.say("booked", service=service.name, when=ctx.when(appointment.starts_at), trainer=trainer.name, paid_with=paid_with)


async def _refused(ctx: Ctx, name: str, parts: list[str], error: DomainError) -> None:
    if await _already_mine(ctx, name, parts):
        ctx.state.reset()
        ctx.say("already_booked_that")
        return
    explain(ctx, error)
    if name == ids.BOOK_CONFIRM:
        service_id, _, stamp = parts
        await timepick.nearest(ctx, await get_scoped(ctx.session, Service, ctx.business.id, int(service_id)), ids.stamp_time(stamp))


async def _already_mine(ctx: Ctx, name: str, parts: list[str]) -> bool:
    """A double tap on a confirm button: the client already holds that booking (or that class's seat)."""
    mine = await upcoming(ctx, limit=50)
    if name != ids.BOOK_CONFIRM:  # a class seat or the class's waitlist: parts are the class
        return any(u.appointment.id == int(parts[0]) for u in mine)
    _, staff_id, stamp = parts
    return any(iso(u.appointment.starts_at) == stamp and u.appointment.staff_id == int(staff_id) for u in mine)


async def _propose_series(ctx: Ctx, service: Service, recurring: dict, weeks: int) -> None:  # type: ignore[type-arg]
    trainers = [t for t in await _trainers(ctx, service.id)]
    if not trainers:
        show_menu(ctx)
        return
    ctx.state.start("book", "series", service_id=service.id, staff_id=trainers[0].id, recurring=recurring, weeks=weeks)
    days = ", ".join(ctx.t("weekday_name", n=d) for d in recurring["weekdays"])
    body = ctx.t("confirm_series", service=service.name, days=days, at=recurring["time"], weeks=weeks, trainer=trainers[0].name)
    ctx.send(yes_no(ctx, body, "series:ok", "series:no", "confirm_button", "no_button"))


async def confirm_series(ctx: Ctx) -> None:
    slots = ctx.state.slots
    hour, minute = map(int, slots["recurring"]["time"].split(":"))
    at = time(hour, minute)
    today = ctx.local_now.date()
    # A series starts with the first occurrence that can still be booked.
    too_late_today = datetime.combine(today, at, ctx.tz) < ctx.local_now + timedelta(minutes=ctx.business.min_notice_min)
    result = await series.book_series(
        ctx.session, ctx.business.id, client_id=ctx.client.id, service_id=slots["service_id"], staff_id=slots["staff_id"],
        weekdays=slots["recurring"]["weekdays"], at=at, starts_on=today + timedelta(days=1 if too_late_today else 0),
        weeks=int(slots["weeks"]), now=ctx.now)
    ctx.state.reset()
    missed = "\n".join(f"• {ctx.when(at)}" for at, _ in result.conflicts)
    ctx.say("series_booked", n=len(result.booked), missed=missed)


async def _trainers(ctx: Ctx, service_id: int) -> list[Staff]:
    return await trainers_for(ctx.session, ctx.business.id, service_id)


# Words that ask for a personal session without naming one: the business's first one is meant.
def _named(services: list[Service], text: str) -> Service | None:
    """The service the message names ('spinning', 'avaliação', 'spin'), or the first personal one for 'treino'."""
    found = services_named(text, services)
    if len(found) == 1:
        return found[0]
    personal = [s for s in services if s.capacity == 1]
    return personal[0] if not found and personal and names_a_session(text) else None


def _service_line(ctx: Ctx, service: Service) -> str:
    price = f"{ctx.business.currency} {service.price_cents / 100:.2f}".replace(".", "," if ctx.locale == "pt-BR" else ".")
    kind = ctx.t("group_class") if service.capacity > 1 else ctx.t("minutes", n=service.duration_min)
    return f"{kind} · {price}"[:72]


def pending_of(u: Understanding | None) -> dict | None:  # type: ignore[type-arg]
    """What a message said about when, kept for once the service is known."""
    if u is None:
        return None
    pending = {"datetime": u.datetime.isoformat() if u.datetime else None, "date": u.date.isoformat() if u.date else None,
               "part": u.part_of_day if u.date and not u.datetime else None}
    if u.recurring and u.time:
        pending["recurring"] = {"weekdays": sorted(u.recurring), "time": u.time.strftime("%H:%M")}
        pending["weeks"] = _weeks(u.text)
        pending["datetime"] = pending["date"] = None
    return pending if any(pending.values()) else None


def _weeks(text: str) -> int | None:
    """'por 8 semanas' / 'for 6 weeks' (1-12); None when unsaid."""
    found = re.search(r"(\d{1,2}) (?:semanas?|weeks?)", normalise(text))
    return min(12, max(1, int(found.group(1)))) if found else None
