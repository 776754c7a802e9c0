"""Exact ids from button and list replies, routed to their flow. Ids carry what they need, so old
messages' buttons still work (checked again against things as they are now)."""
from __future__ import annotations

from datetime import date
from typing import Awaitable, Callable

from conversations.context import Ctx
from conversations.flows import account, booking, feedback, manage, timepick
from conversations.flows.common import show_menu
from domain.scheduling import booking as bookings
from domain.scheduling.catalog import get_scoped
from domain.errors import DomainError
from domain.models import Service


IntentRunner = Callable[[Ctx, str], Awaitable[None]]


async def route(ctx: Ctx, reply_id: str, intents: IntentRunner) -> None:
    """Act on a tapped button or list row."""
    kind, _, rest = reply_id.partition(":")
    state = ctx.state
    if kind == "menu":
        await intents(ctx, rest)
    elif kind == "svc":
        await booking.with_service(ctx, int(rest))
    elif kind in ("day", "more"):
        service_id, day, *offset = rest.split(":")
        service = await get_scoped(ctx.session, Service, ctx.business.id, int(service_id))
        if state.flow not in ("book", "reschedule"):
            state.start("book", "time", service_id=service.id)
        await timepick.offer_day(ctx, service, date.fromisoformat(day), int(offset[0]) if offset else 0)
    elif kind in ("slot", "class"):
        if state.flow == "reschedule" and state.step == "time" and kind == "slot":
            await manage.picked(ctx, reply_id)
        else:
            await booking.chosen(ctx, reply_id)
    elif kind in ("bookok", "classok", "wl"):
        await booking.confirm(ctx, reply_id)
    elif kind in ("rs", "cx"):
        state.start("reschedule" if kind == "rs" else "cancel", "which")
        await manage.chosen(ctx, reply_id)
    elif kind == "rsok":
        await manage.confirm_reschedule(ctx, reply_id)
    elif kind == "cxok":
        await manage.confirm_cancel(ctx, reply_id)
    elif kind == "cxno":
        state.reset()
        ctx.say("cancel_kept")
    elif kind == "series":
        await (booking.confirm_series(ctx) if rest == "ok" and state.step == "series" else _drop(ctx))
    elif kind == "consent":
        account.consent(ctx, rest == "yes")
    elif kind == "erase":
        await (account.erase_step(ctx, rest == "yes") if state.flow == "erase" else _drop(ctx))
    elif kind == "waitlist":
        answer, entry_id = rest.split(":")
        await account.waitlist_answer(ctx, int(entry_id), answer == "accept")
    elif kind == "reminder":
        await _reminder(ctx, rest)
    elif kind == "rate":
        booking_id, rating = rest.split(":")
        await feedback.rated(ctx, int(booking_id), int(rating))
    elif kind == "lang":
        state.locale = rest if rest in ("en", "pt-BR") else state.locale
        ctx.say("language_switched")
    else:  # a button from a menu that no longer exists
        show_menu(ctx)


async def _reminder(ctx: Ctx, rest: str) -> None:
    """Buttons on an appointment reminder: confirm, reschedule or cancel that booking."""
    action, booking_id = rest.split(":")
    if action == "confirm":
        try:
            await bookings.set_status(ctx.session, ctx.business.id, int(booking_id), "confirmed", ctx.now, actor="client")
        except DomainError:
            ctx.say("already_confirmed")
            return
        ctx.say("confirmed_thanks")
        return
    prefix = "rs" if action == "reschedule" else "cx"
    ctx.state.start("reschedule" if prefix == "rs" else "cancel", "which")
    await manage.chosen(ctx, f"{prefix}:{booking_id}")


async def _drop(ctx: Ctx) -> None:
    ctx.state.reset()
    ctx.say("nothing_pending")
