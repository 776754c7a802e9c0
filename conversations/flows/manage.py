"""The client's own bookings: list them, reschedule one, cancel one (the late-cancel policy said first)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

from conversations import reply_ids as ids
from conversations.context import Ctx
from conversations.flows import timepick
from conversations.flows.booking import pending_of
from conversations.flows.common import booking_line, booking_rows, explain, iso, show_menu, upcoming, yes_no
from conversations.nlu import Understanding
from domain.errors import DomainError, SlotTaken
from domain.models import Service
from domain.scheduling import booking
from domain.scheduling.catalog import get_scoped
from domain.scheduling.upcoming import UpcomingBooking


async def my_appointments(ctx: Ctx) -> None:
    items = await upcoming(ctx)
    if not items:
        ctx.say("no_upcoming")
        return
    ctx.say("upcoming_list", lines="\n".join(f"• {booking_line(ctx, u)}" for u in items))


async def start_reschedule(ctx: Ctx, u: Understanding | None = None) -> None:
    await _choose(ctx, "reschedule", ids.RESCHEDULE, u)


async def start_cancel(ctx: Ctx, u: Understanding | None = None) -> None:
    await _choose(ctx, "cancel", ids.CANCEL, u)


async def _choose(ctx: Ctx, flow: str, id_name: str, u: Understanding | None) -> None:
    items = [i for i in await upcoming(ctx) if flow == "cancel" or i.appointment.kind == "personal"]
    if not items:
        ctx.say("no_upcoming")
        return
    ctx.state.start(flow, "which", pending=pending_of(u))
    named = [i for i in items if u and u.moved_from and _starts_at(ctx, i, u.moved_from, None if u.time_only else u.date)]
    if len(items) == 1 or len(named) == 1:  # "das 18h pras 19h": the 18:00 session, no need to ask which
        await chosen(ctx, ids.make(id_name, (named or items)[0].booking.id))
        return
    ctx.send(booking_rows(ctx, items, id_name))


async def chosen(ctx: Ctx, button_id: str) -> None:
    """reschedule:<booking> asks for the new time; cancel:<booking> states the policy and asks to confirm."""
    name, (booking_id, *_) = ids.split(button_id)
    item = await _mine(ctx, int(booking_id))
    if item is None:
        ctx.say("booking_gone")
        show_menu(ctx)
        return
    if name == ids.CANCEL:
        await _ask_cancel(ctx, item)
        return
    pending = ctx.state.slots.get("pending") or {}
    if isinstance(pending, str):  # kept by a flow paused before pending became a dict: its datetime
        pending = {"datetime": pending}
    ctx.state.start("reschedule", "time", booking_id=item.booking.id, service_id=item.service.id)
    if pending.get("datetime"):
        await new_time(ctx, datetime.fromisoformat(pending["datetime"]))
    elif pending.get("date"):  # "remarca pra sexta de tarde": that day's times
        ctx.say("reschedule_from", when=ctx.when(item.appointment.starts_at))
        await timepick.offer_day(ctx, item.service, date.fromisoformat(pending["date"][:10]), part=pending.get("part"))
    else:
        ctx.say("reschedule_from", when=ctx.when(item.appointment.starts_at))
        await timepick.ask_day(ctx, item.service)


async def typed_choice(ctx: Ctx, u: Understanding) -> bool:
    """An answer typed to "which session?": its number in the list, or its day and/or time ("a de quarta",
    "the 7am one"). False when it fits none or several, so the message is read on its own."""
    flow = ctx.state.flow
    items = [i for i in await upcoming(ctx) if flow == "cancel" or i.appointment.kind == "personal"][:10]
    if u.numbers and not (u.date or u.time) and len(u.numbers) == 1 and 1 <= u.numbers[0] <= len(items):
        fits = [items[u.numbers[0] - 1]]
    elif u.date or u.time:
        fits = [i for i in items if _starts_at(ctx, i, u.time, None if u.time_only else u.date)]
    else:
        return False
    if len(fits) != 1:
        return False
    await chosen(ctx, ids.make(ids.RESCHEDULE if flow == "reschedule" else ids.CANCEL, fits[0].booking.id))
    return True


def _starts_at(ctx: Ctx, item: UpcomingBooking, at: time | None, on: date | None) -> bool:
    local = item.appointment.starts_at.astimezone(ctx.tz)
    return (at is None or local.time() == at) and (on is None or local.date() == on)


async def new_time(ctx: Ctx, target: datetime) -> None:
    """The client named the new time: confirm it if free, else show the nearest free times."""
    service = await get_scoped(ctx.session, Service, ctx.business.id, ctx.state.slots["service_id"])
    found = await timepick.exact(ctx, service, target.astimezone(UTC))
    if found is None:
        ctx.say("time_not_free", when=ctx.when(target))
        await timepick.nearest(ctx, service, target.astimezone(UTC))
        return
    await picked(ctx, found[0])


async def picked(ctx: Ctx, slot_id: str) -> None:
    """A slot button while rescheduling: ask to confirm the move."""
    item = await _mine(ctx, int(ctx.state.slots["booking_id"]))
    if item is None:
        ctx.say("booking_gone")
        show_menu(ctx)
        return
    stamp = slot_id.split(":")[-1]
    confirm_id = ids.make(ids.RESCHEDULE_CONFIRM, item.booking.id, stamp)
    ctx.state.go("confirm", confirm=confirm_id)
    new = ids.stamp_time(stamp)
    body = ctx.t("confirm_reschedule", old=ctx.when(item.appointment.starts_at), new=ctx.when(new))
    ctx.send(yes_no(ctx, body, confirm_id, ids.make(ids.RESCHEDULE, item.booking.id), "confirm_button", "other_time_button"))


async def confirm_reschedule(ctx: Ctx, confirm_id: str) -> None:
    _, (booking_id, stamp) = ids.split(confirm_id)
    new = ids.stamp_time(stamp)
    item = await _mine(ctx, int(booking_id))
    if item is not None and iso(item.appointment.starts_at) == stamp:
        ctx.state.reset()
        ctx.say("already_booked_that")
        return
    try:
        await booking.reschedule(ctx.session, ctx.business.id, int(booking_id), new, ctx.now)
    except SlotTaken as error:
        explain(ctx, error)
        ctx.state.start("reschedule", "time", booking_id=int(booking_id), service_id=item.service.id if item else None)
        if item is not None:
            await timepick.nearest(ctx, item.service, new)
        return
    except DomainError as error:
        ctx.state.reset()
        explain(ctx, error)
        return
    ctx.state.reset()
    ctx.say("rescheduled", when=ctx.when(new))


async def _ask_cancel(ctx: Ctx, item: UpcomingBooking) -> None:
    late = booking.is_late(ctx.business, item.appointment, ctx.now)
    policy = "late" if late and item.booking.paid_with == "credit" else ("refund" if item.booking.paid_with == "credit" else "free")
    confirm_id = ids.make(ids.CANCEL_CONFIRM, item.booking.id)
    ctx.state.start("cancel", "confirm", confirm=confirm_id)
    body = ctx.t("confirm_cancel", line=booking_line(ctx, item), policy=policy, hours=ctx.business.late_cancel_window_min // 60)
    ctx.send(yes_no(ctx, body, confirm_id, ids.CANCEL_KEEP, "yes_cancel_button", "keep_button"))


async def confirm_cancel(ctx: Ctx, confirm_id: str) -> None:
    booking_id = int(ids.split(confirm_id)[1][0])
    ctx.state.reset()
    try:
        outcome = await booking.cancel(ctx.session, ctx.business.id, booking_id, ctx.now, by="client")
    except DomainError as error:
        if await _mine(ctx, booking_id) is None:
            ctx.say("already_cancelled")
        else:
            explain(ctx, error)
        return
    ctx.offers += outcome.offers
    ctx.say("cancelled", late=outcome.late, refunded=outcome.refunded)


async def _mine(ctx: Ctx, booking_id: int) -> UpcomingBooking | None:
    return next((u for u in await upcoming(ctx, limit=50) if u.booking.id == booking_id), None)
