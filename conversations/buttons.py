"""Exact ids from button and list replies, routed to their flow. Ids carry what they need, so old
messages' buttons still work (checked again against things as they are now)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from conversations import reply_ids as ids
from conversations.context import Ctx
from conversations.flows import account, booking, challenges, feedback, leads, manage, payments, timepick, training
from conversations.flows.common import show_menu
from domain.errors import DomainError
from domain.models import Service
from domain.scheduling import booking as bookings
from domain.scheduling.catalog import get_scoped

IntentRunner = Callable[[Ctx, str], Awaitable[None]]


async def route(ctx: Ctx, reply_id: str, intents: IntentRunner) -> None:
    """Act on a tapped button or list row; an id no button of ours carries (edited, or forged) shows the menu."""
    if not ids.well_formed(reply_id):
        show_menu(ctx)
        return
    try:
        await _route(ctx, reply_id, intents)
    except (ValueError, OverflowError, IndexError):  # parts of the wrong shape: not an id we sent
        show_menu(ctx)


async def _route(ctx: Ctx, reply_id: str, intents: IntentRunner) -> None:
    name, parts = ids.split(reply_id)
    state = ctx.state
    if name == "menu":
        await intents(ctx, ":".join(parts))
    elif name == ids.SERVICE:
        await booking.with_service(ctx, int(parts[0]))
    elif name in (ids.DAY, ids.MORE_TIMES):
        service_id, day, *paging = parts
        service = await get_scoped(ctx.session, Service, ctx.business.id, int(service_id))
        if state.flow not in ("book", "reschedule"):
            state.start("book", "time", service_id=service.id)
        offset, part = (int(paging[0]) if paging else 0), (paging[1] if len(paging) > 1 else None)
        await timepick.offer_day(ctx, service, date.fromisoformat(day), offset, part)
    elif name in (ids.SLOT, ids.CLASS):
        if state.flow == "reschedule" and state.step == "time" and name == ids.SLOT:
            await manage.picked(ctx, reply_id)
        else:
            await booking.chosen(ctx, reply_id)
    elif name in (ids.BOOK_CONFIRM, ids.CLASS_CONFIRM, ids.WAITLIST_JOIN):
        await booking.confirm(ctx, reply_id)
    elif name in (ids.RESCHEDULE, ids.CANCEL):
        flow = "reschedule" if name == ids.RESCHEDULE else "cancel"
        # The day and time asked for before "which session?" stay for once it is answered.
        state.start(flow, "which", pending=state.slots.get("pending") if state.flow == flow else None)
        await manage.chosen(ctx, reply_id)
    elif name == ids.RESCHEDULE_CONFIRM:
        await manage.confirm_reschedule(ctx, reply_id)
    elif name == ids.CANCEL_CONFIRM:
        await manage.confirm_cancel(ctx, reply_id)
    elif name == ids.CANCEL_KEEP:
        state.reset()
        ctx.say("cancel_kept")
    elif name == "series":
        await (booking.confirm_series(ctx) if parts == ["ok"] and state.step == "series" else _drop(ctx))
    elif name == ids.PRODUCT:
        await payments.chosen(ctx, int(parts[0]))
    elif name == ids.WORKOUT and parts[0] == "pick":
        await training.picked(ctx, parts[1])
    elif name == ids.WORKOUT:
        await training.guided(ctx, parts[0], parts[1:])
    elif name == ids.CHALLENGE:
        await challenges.tapped(ctx, parts[0], parts[1:])
    elif name == "trial":
        await leads.tapped(ctx, parts[0])
    elif name == "consent":
        account.consent(ctx, parts == ["yes"])
    elif name == "erase":
        await (account.erase_step(ctx, parts == ["yes"]) if state.flow == "erase" else _drop(ctx))
    elif name == "waitlist":
        answer, entry_id = parts
        await account.waitlist_answer(ctx, int(entry_id), answer == "accept")
    elif name == "reminder":
        await _reminder(ctx, *parts)
    elif name == "rate":
        booking_id, rating = parts
        await feedback.rated(ctx, int(booking_id), int(rating))
    elif name == "lang":
        locale = ":".join(parts)
        state.locale = locale if locale in ("en", "pt-BR") else state.locale
        ctx.say("language_switched")
    else:  # a button from a menu that no longer exists
        show_menu(ctx)


async def _reminder(ctx: Ctx, action: str, booking_id: str) -> None:
    """Buttons on an appointment reminder (approved templates carry these payloads): confirm, reschedule or cancel."""
    if action == "confirm":
        try:
            await bookings.set_status(ctx.session, ctx.business.id, int(booking_id), "confirmed", ctx.now, actor="client")
        except DomainError:
            ctx.say("already_confirmed")
            return
        ctx.say("confirmed_thanks")
        return
    flow = "reschedule" if action == "reschedule" else "cancel"
    ctx.state.start(flow, "which")
    await manage.chosen(ctx, ids.make(ids.RESCHEDULE if flow == "reschedule" else ids.CANCEL, booking_id))


async def _drop(ctx: Ctx) -> None:
    ctx.state.reset()
    ctx.say("nothing_pending")
