"""The client's account: credits, check-in, talking to a person, consent, opting out, their data."""
from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

from conversations.context import Ctx
from conversations.flows.booking import summary
from conversations.flows.common import explain, upcoming, yes_no
from domain.errors import DomainError
from domain.people import privacy
from domain.scheduling import booking, checkins, classes, credits, waitlist_offers

EARTH_RADIUS_M = 6_371_000


async def check_in(ctx: Ctx, method: str = "chat") -> None:
    visit = await checkins.check_in(ctx.session, ctx.business.id, ctx.client.id, ctx.now, method=method)
    ctx.state.reset()
    ctx.say("checked_in", walk_in=visit.booking_id is None)


async def location(ctx: Ctx, latitude: float, longitude: float) -> None:
    """A shared location near the studio is a check-in."""
    b = ctx.business
    if b.latitude is None or b.longitude is None:
        ctx.say("location_thanks")
        return
    if _distance_m(latitude, longitude, b.latitude, b.longitude) <= b.checkin_radius_m:
        await check_in(ctx, "chat")
    else:
        ctx.say("location_far")


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): accurate to metres at a studio's scale."""
    dlat, dlon = radians(lat2 - lat1), radians(lon2 - lon1)
    a = sin(dlat / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(sqrt(a))


def human(ctx: Ctx) -> None:
    """Hand the conversation to the trainer; the bot stays quiet until it is handed back."""
    ctx.state.reset()
    ctx.handoff = True
    ctx.say("handoff")


def opt_out(ctx: Ctx) -> None:
    ctx.client.opted_out = True
    ctx.state.reset()
    ctx.say("opted_out")


def opt_in(ctx: Ctx) -> None:
    ctx.client.opted_out = False
    ctx.state.reset()
    ctx.say("opted_in")


def consent(ctx: Ctx, given: bool) -> None:
    ctx.client.marketing_consent, ctx.client.consent_at = given, ctx.now
    ctx.say("consent_thanks", given=given)


async def data_export(ctx: Ctx) -> None:
    """A summary of everything stored about the client (LGPD/GDPR access request)."""
    stored = await privacy.stored_counts(ctx.session, ctx.business.id, ctx.client.id)
    ctx.say("data_export", name=ctx.client.profile_name, phone=ctx.client.phone_e164 or ctx.client.wa_id,
            since=f"{ctx.client.created_at.astimezone(ctx.tz):%d/%m/%Y}",
            bookings=stored.bookings, checkins=stored.checkins, messages=stored.messages,
            credits=await credits.balance(ctx.session, ctx.business.id, ctx.client.id),
            consent=ctx.client.marketing_consent, opted_out=ctx.client.opted_out)


def ask_erase(ctx: Ctx) -> None:
    """Erasure is confirmed twice: a button, then typing the word."""
    ctx.state.start("erase", "first")
    ctx.send(yes_no(ctx, ctx.t("erase_first"), "erase:yes", "erase:no", "erase_yes_button", "keep_button"))


async def erase_step(ctx: Ctx, confirmed: bool, typed: str | None = None) -> None:
    if not confirmed:
        ctx.state.reset()
        ctx.say("erase_kept")
        return
    if ctx.state.step == "first":
        ctx.state.go("second")
        ctx.say("erase_second", word=ctx.t("erase_word"))
        return
    if typed is not None and typed.strip().upper() != ctx.t("erase_word"):
        ctx.state.reset()
        ctx.say("erase_kept")
        return
    ctx.state.reset()
    for item in await upcoming(ctx, limit=100):  # free the trainer's time before the identity goes
        try:
            await booking.cancel(ctx.session, ctx.business.id, item.booking.id, ctx.now, by="client", reason="erasure")
        except DomainError:
            continue
    await privacy.erase_client(ctx.session, ctx.business.id, ctx.client.id, ctx.now)
    ctx.say("erased")


async def waitlist_answer(ctx: Ctx, entry_id: int, accept: bool) -> None:
    entry = await waitlist_offers.client_entry(ctx.session, ctx.business.id, ctx.client.id, entry_id)
    if entry is None:
        ctx.say("offer_gone")
        return
    if not accept:
        ctx.offers += await waitlist_offers.decline(ctx.session, ctx.business, entry, ctx.now)
        ctx.say("offer_declined")
        return
    try:
        made = await classes.accept_offer(ctx.session, ctx.business.id, entry_id, ctx.now)
    except DomainError as error:
        explain(ctx, error)
        return
    await summary(ctx, made.appointment_id, made.paid_with)
