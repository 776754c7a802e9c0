"""A first contact becomes a lead (with its source), and is offered the business's trial class.

The offer goes out on the first conversation when the business chose a trial service and the lead came
from an ad or a link, asked for a trial, or only said hello; a first message that already asks for
something (a booking at a time, the prices) is answered as it is. Booking the trial is the usual booking
flow for that service; the pipeline moves on from the booking itself (domain.people.leads).
"""
from __future__ import annotations

from conversations.context import Ctx, Incoming
from conversations.flows import booking
from conversations.flows.common import menu
from conversations.normalise import normalise
from conversations.replies import Button, Buttons
from domain.models import Lead
from domain.people import leads

BOOK_ID, INFO_ID = "trial:book", "trial:info"
# Words that ask for a trial class ("aula experimental", "aula grátis", "trial class"), read after normalise().
_ASKS_TRIAL = ("experimental", "aula gratis", "aula gratuita", "trial", "free class", "primeira aula")
# A first message that only says hello: the trial is the best answer to it.
_HELLOS = frozenset({"oi", "ola", "oie", "opa", "eai", "e ai", "bom dia", "boa tarde", "boa noite", "hello", "hi", "hey",
                     "good morning", "good afternoon", "good evening", "oi tudo bem", "ola tudo bem", "informacoes",
                     "quero saber mais", "info"})


async def first_contact(ctx: Ctx, incoming: Incoming) -> Lead | None:
    """Make the lead a first conversation is, with its source; None for a client or a lead already."""
    return await leads.first_contact(ctx.session, ctx.business.id, ctx.client, text=incoming.text,
                                     referral=incoming.referral, now=ctx.now)


async def offer_trial(ctx: Ctx, lead: Lead, incoming: Incoming) -> bool:
    """Offer the trial class to a new lead when it fits (see the module's docstring); True when offered."""
    if ctx.state.flow is not None or incoming.reply_id:  # asked for their name first, or tapped something
        return False
    words = normalise(incoming.text or "")
    wants = lead.source in ("ad", "link") or any(w in words for w in _ASKS_TRIAL) or words in _HELLOS or not words
    service = await leads.trial_service(ctx.session, ctx.business) if wants else None
    if service is None:
        return False
    ctx.send(Buttons(ctx.t("trial_offer", business=ctx.business.name, service=service.name),
                     (Button(BOOK_ID, ctx.t("trial_book_button")), Button(INFO_ID, ctx.t("trial_info_button")))))
    return True


async def tapped(ctx: Ctx, action: str) -> None:
    """"Book a trial class": the booking flow for the trial service; "Just information": what the chat does, and the menu."""
    if action == "book":
        service = await leads.trial_service(ctx.session, ctx.business)
        await (booking.with_service(ctx, service.id) if service is not None else booking.start(ctx))
        return
    ctx.say("trial_info", business=ctx.business.name)
    ctx.send(menu(ctx))
