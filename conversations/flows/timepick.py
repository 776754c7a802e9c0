"""Finding and offering times: days with room, a day's free times (paged), nearest alternatives.

Button ids carry everything they need (service, trainer, time), so a tap on an old message
still works: it is checked again against the calendar as it is now.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from conversations import reply_ids as ids
from conversations.context import Ctx
from conversations.dates import clock_time, day_label
from conversations.flows.common import iso
from conversations.replies import ListMessage, Row
from domain.models import Service
from domain.people.staff_roster import staff_of
from domain.scheduling import slots

DAYS_AHEAD = 7
PAGE = 9  # list rows per page; the 10th row is "more times"
PARTS = {"early": (0, 6), "morning": (5, 12), "afternoon": (12, 18), "night": (18, 24)}  # local hours [from, to)


async def options(ctx: Ctx, service: Service, first: date, days: int) -> list[tuple[str, str, str, datetime]]:
    """(button id, title, description, start) for every bookable time in the days, soonest first."""
    if service.capacity > 1:
        start = datetime.combine(first, datetime.min.time(), ctx.tz)
        found = await slots.open_classes(ctx.session, ctx.business.id, service.id, start=start,
                                         end=start + timedelta(days=days), now=ctx.now)
        return [(ids.make(ids.CLASS, c.appointment.id), ctx.when(c.appointment.starts_at),
                 ctx.t("seats_left", n=c.seats_left), c.appointment.starts_at) for c in found]
    free = await slots.personal_slots(ctx.session, ctx.business.id, service.id, window_start=first, days=days, now=ctx.now)
    names = await _trainer_names(ctx)
    one_per_start = {s.slot.start: s for s in reversed(free)}  # the first free trainer takes each time
    return [(ids.make(ids.SLOT, service.id, s.staff_id, iso(s.slot.start)), ctx.when(s.slot.start), names.get(s.staff_id, ""),
             s.slot.start) for s in sorted(one_per_start.values(), key=lambda s: s.slot.start)]


async def ask_day(ctx: Ctx, service: Service) -> None:
    """A list of the next days that still have room."""
    found = await options(ctx, service, ctx.local_now.date(), DAYS_AHEAD)
    per_day: dict[date, int] = {}
    for *_, start in found:
        day = start.astimezone(ctx.tz).date()
        per_day[day] = per_day.get(day, 0) + 1
    if not per_day:
        ctx.say("no_times_soon", service=service.name, days=DAYS_AHEAD)
        return
    rows = tuple(Row(id=ids.make(ids.DAY, service.id, day.isoformat()), title=_day_title(ctx, day),
                     description=ctx.t("n_times", n=n)) for day, n in sorted(per_day.items())[:10])
    ctx.send(ListMessage(ctx.t("ask_day", service=service.name), ctx.t("choose_button"), rows))


async def offer_day(ctx: Ctx, service: Service, day: date, offset: int = 0, part: str | None = None) -> None:
    """The day's free times as a list, only those of a part of the day when asked ("amanhã de tarde"); the last
    row pages on."""
    found = await options(ctx, service, day, 1)
    if not found:
        ctx.say("day_full", day=_day_title(ctx, day))
        await ask_day(ctx, service)
        return
    if part in PARTS:
        first, last = PARTS[part]
        within = [o for o in found if first <= o[3].astimezone(ctx.tz).hour < last]
        if not within:
            ctx.say("part_full", day=_day_title(ctx, day), part=part)
        found, part = (within, part) if within else (found, None)
    ctx.state.slots["day"] = day.isoformat()  # a time typed next ("19h") is on this day
    page = found[offset:offset + PAGE]
    rows = [Row(id=i, title=clock_time(start, ctx.business.timezone), description=d[:72]) for i, _, d, start in page]
    if len(found) > offset + PAGE:
        more = (service.id, day.isoformat(), offset + PAGE, *((part,) if part in PARTS else ()))
        rows.append(Row(id=ids.make(ids.MORE_TIMES, *more), title=ctx.t("more_times")))
    ctx.send(ListMessage(ctx.t("pick_time", day=_day_title(ctx, day), service=service.name), ctx.t("choose_button"), tuple(rows)))


async def nearest(ctx: Ctx, service: Service, target: datetime, limit: int = 5) -> None:
    """The free times closest to what the client asked for."""
    first = max(ctx.local_now.date(), (target - timedelta(days=2)).astimezone(ctx.tz).date())
    found = await options(ctx, service, first, 5)
    ranked = sorted(found, key=lambda o: abs((o[3] - target).total_seconds()))[:limit]
    if not ranked:
        await ask_day(ctx, service)
        return
    rows = tuple(Row(id=i, title=t[:24], description=d[:72]) for i, t, d, _ in sorted(ranked, key=lambda o: o[3]))
    ctx.send(ListMessage(ctx.t("nearest_times"), ctx.t("choose_button"), rows))


async def exact(ctx: Ctx, service: Service, target: datetime) -> tuple[str, str] | None:
    """The (button id, description) of a bookable time exactly at `target`, if there is one."""
    for button_id, _, description, start in await options(ctx, service, target.astimezone(ctx.tz).date(), 1):
        if start == target:
            return button_id, description
    return None


def _day_title(ctx: Ctx, day: date) -> str:
    today = ctx.local_now.date()
    if day == today:
        return ctx.t("today_label", day=f"{day:%d/%m}")
    if day == today + timedelta(days=1):
        return ctx.t("tomorrow_label", day=f"{day:%d/%m}")
    return day_label(day, ctx.locale)


async def _trainer_names(ctx: Ctx) -> dict[int, str]:
    return {staff.id: staff.name for staff in await staff_of(ctx.session, ctx.business.id)}
