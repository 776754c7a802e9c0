"""Small pieces every flow uses: the menu, yes/no buttons, error words, the client's upcoming bookings."""
from __future__ import annotations

from datetime import datetime
from functools import cache

from conversations import reply_ids as ids
from conversations.context import Ctx
from conversations.replies import Button, Buttons, ListMessage, Row
from conversations.texts import DEFAULT_LOCALE, LOCALES, say
from domain.errors import DomainError
from domain.scheduling.upcoming import UpcomingBooking, upcoming_bookings

MENU_ITEMS = ("book", "my_appointments", "reschedule", "cancel", "check_in", "workout_today", "pay", "balance", "human", "help")


def menu(ctx: Ctx) -> ListMessage:
    """The main menu as a WhatsApp list (10 rows, WhatsApp's maximum); numbers 1-10 also work."""
    locale = ctx.locale
    return _menu(locale if locale in LOCALES else DEFAULT_LOCALE)


@cache  # one per locale: rendering its twelve texts was a sixth of a first contact's engine time
def _menu(locale: str) -> ListMessage:
    rows = tuple(Row(id=f"menu:{key}", title=say(locale, "menu_item", key=key), description=str(n))
                 for n, key in enumerate(MENU_ITEMS, start=1))
    return ListMessage(body=say(locale, "menu_body"), button=say(locale, "menu_button"), rows=rows)


def show_menu(ctx: Ctx) -> None:
    ctx.state.reset()
    ctx.send(menu(ctx))


def yes_no(ctx: Ctx, body: str, yes_id: str, no_id: str, yes: str = "yes_button", no: str = "no_button") -> Buttons:
    return Buttons(body, (Button(yes_id, ctx.t(yes)), Button(no_id, ctx.t(no))))


def explain(ctx: Ctx, error: DomainError) -> None:
    """Turn a domain refusal into words the client understands."""
    ctx.say("error", code=error.code)


async def upcoming(ctx: Ctx, limit: int = 10) -> list[UpcomingBooking]:
    """The client's live bookings that have not started yet, soonest first."""
    return await upcoming_bookings(ctx.session, ctx.business.id, ctx.client.id, ctx.now, limit=limit)


def booking_line(ctx: Ctx, item: UpcomingBooking) -> str:
    return ctx.t("booking_line", when=ctx.when(item.appointment.starts_at), service=item.service.name,
                 trainer=item.trainer.name)


def booking_rows(ctx: Ctx, items: list[UpcomingBooking], id_name: str) -> ListMessage:
    rows = tuple(Row(id=ids.make(id_name, u.booking.id), title=ctx.when(u.appointment.starts_at)[:24],
                     description=f"{u.service.name} · {u.trainer.name}"[:72]) for u in items[:10])
    return ListMessage(body=ctx.t("choose_booking"), button=ctx.t("choose_button"), rows=rows)


def iso(at: datetime) -> str:
    """A compact UTC timestamp for button ids."""
    return at.strftime("%Y%m%dT%H%M")
