"""The conversation engine: one inbound message in, replies and the next state out.

Order of understanding: exact button/list ids, then menu numbers, then free text (intents and
dates). Global words (menu, human, STOP, data requests) work in any step. Domain changes go
through domain services on the turn's session, so they commit with the replies or not at all.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from conversations import buttons
from conversations.context import Ctx, Incoming
from conversations.flows import account, booking, challenges, feedback, leads, manage, payments, training
from conversations.flows.common import MENU_ITEMS, explain, menu, show_menu, yes_no
from conversations.nlu import Understanding, locale_of, taught_intent, understand
from conversations.nlu.datetimes import DAY_STARTS
from conversations.normalise import normalise
from conversations.replies import Button, Buttons, Text
from domain.errors import DomainError
from domain.messaging import unclear
from domain.platform.plans import PlanLimitReached
from domain.scheduling.weekly_hours import opening_hour

MEDIA_KINDS = frozenset({"audio", "voice", "sticker", "image", "video", "document", "unsupported", "unknown"})
SWITCH_LOCALE = {"english": "en", "ingles": "en", "in english": "en", "portugues": "pt-BR", "portuguese": "pt-BR", "em portugues": "pt-BR"}
YES_NO, YES_NO_STEPS = frozenset({"yes", "no"}), frozenset({"confirm", "waitlist", "series"})
GLOBAL_INTENTS = frozenset({"menu", "human", "opt_out", "opt_in", "help", "data_export", "data_erase"})
# What a client the studio deactivated can still do in the chat: their rights over their data and messages.
RIGHTS = frozenset({"opt_out", "opt_in", "data_export", "data_erase"})


async def handle(ctx: Ctx, incoming: Incoming) -> None:
    """Decide the replies to one message; ctx.state, ctx.replies and ctx.handoff carry the outcome."""
    state = ctx.state
    if state.idle_since(ctx.now):
        state.reset()
    if incoming.kind == "reaction":
        return
    if not state.locale:
        state.locale = ctx.client.locale or locale_of(incoming.text or "") or ctx.business.locale
    if ctx.client.deactivated_at is not None and not _exercises_a_right(ctx, incoming):
        _hand_over_inactive(ctx)
        return
    first = not state.greeted
    lead = await leads.first_contact(ctx, incoming) if first else None  # a number that is not a client yet
    if first:
        _greet(ctx)
    try:
        if lead is None or not await leads.offer_trial(ctx, lead, incoming):
            await _route(ctx, incoming, first)
    except PlanLimitReached:
        await booking.plan_full(ctx)
    except DomainError as error:
        state.reset()
        explain(ctx, error)
    state.updated_at = ctx.now.isoformat()


def _exercises_a_right(ctx: Ctx, incoming: Incoming) -> bool:
    if ctx.state.flow == "erase" or (incoming.reply_id or "").startswith("erase:"):
        return True
    return understand(incoming.text or "", ctx.state.locale or ctx.business.locale, ctx.local_now).intent in RIGHTS


def _hand_over_inactive(ctx: Ctx) -> None:
    """No bookings for a client the studio deactivated: a person answers them (they may be coming back)."""
    ctx.state.reset()
    ctx.handoff = True
    ctx.say("inactive_client", business=ctx.business.name)


def _greet(ctx: Ctx) -> None:
    ctx.state.greeted = True
    greeting = ctx.t("greeting", business=ctx.business.name, name=ctx.client.profile_name)
    if ctx.client.marketing_consent is None:  # asked in the greeting itself: a first contact's replies are few
        body = f"{greeting}\n\n{ctx.t('consent_question')}"
        ctx.send(yes_no(ctx, body, "consent:yes", "consent:no", "consent_yes_button", "consent_no_button"))
    else:
        ctx.send(Text(greeting))
    if not ctx.client.profile_name:
        ctx.state.start("name", "ask")
        ctx.say("ask_name")


def _take_name(ctx: Ctx, text: str) -> bool:
    """The answer to "what should I call you?": a short line of letters becomes the client's name."""
    name = " ".join(text.split())[:60]
    if not name or len(name.split()) > 4 or any(ch.isdigit() for ch in name):
        return False
    ctx.client.profile_name = name.title() if name.islower() else name
    ctx.state.reset()
    ctx.say("name_thanks", name=ctx.client.profile_name)
    ctx.send(menu(ctx))
    return True


async def _route(ctx: Ctx, incoming: Incoming, first: bool) -> None:
    state = ctx.state
    if incoming.reply_id:
        await buttons.route(ctx, incoming.reply_id, run_intent)
        return
    if incoming.kind == "location" and incoming.latitude is not None and incoming.longitude is not None:
        await account.location(ctx, incoming.latitude, incoming.longitude)
        return
    if incoming.kind == "image" and incoming.media_id and training.is_progress_photo(incoming.text, state.flow):
        await training.photo(ctx, incoming.media_id)
        return
    if incoming.kind in MEDIA_KINDS and not incoming.text:
        ctx.say("media_unsupported")
        return
    text = incoming.text or ""
    words = normalise(text)
    if words in SWITCH_LOCALE:
        state.locale = SWITCH_LOCALE[words]
        ctx.say("language_switched")
        ctx.send(menu(ctx))
        return
    if ctx.business.checkin_code and ctx.business.checkin_code.lower() in text.lower():
        await account.check_in(ctx, "qr")
        return
    if state.flow == "erase" and state.step == "second":
        await account.erase_step(ctx, True, typed=text)
        return
    if await feedback.typed(ctx, words):
        return
    if state.flow == "clarify":  # typed instead of tapping a "did you mean" button: this message is what counts
        state.reset()
    u = await _understood(ctx, text)
    if state.flow == "name":
        if first and u.intent in ("menu", "unknown", "yes", "no"):
            return  # the greeting just asked for the name
        if not first and u.intent in ("unknown", "yes", "no") and _take_name(ctx, text):
            return
        state.reset()
    if u.options and state.flow is None:
        await _ask_which(ctx, u)
        return
    if u.intent in GLOBAL_INTENTS:
        await run_intent(ctx, u.intent, u)
        return
    if words.isdigit() and 1 <= int(words) <= len(MENU_ITEMS) and state.flow is None:
        await run_intent(ctx, MENU_ITEMS[int(words) - 1])
        return
    if u.intent in ("log_workout", "progress", "unknown") and (await training.typed_measurement(ctx, text)
                                                   or await training.typed_log(ctx, text, u)):
        return  # "peso 62kg", "supino 3x10 40kg", "corri 5km em 28 min"
    if state.flow and await _in_flow(ctx, u):
        return
    if u.invalid_datetime and u.intent in ("book", "reschedule", "unknown"):
        ctx.say("invalid_date")
        return
    if u.intent == "unknown" and (u.datetime or u.date or u.recurring):
        await run_intent(ctx, "book", u)  # "spinning amanhã", "toda quarta às 7": a time alone means booking
        return
    if first and u.intent in ("unknown", "yes", "no"):
        ctx.send(menu(ctx))
        return
    await run_intent(ctx, u.intent, u)


async def run_intent(ctx: Ctx, intent: str, u: Understanding | None = None) -> None:
    """Start what the client asked for."""
    state = ctx.state
    if u is None and state.flow == "clarify":  # the meaning tapped under "did you mean": of the kept message
        u = replace(understand(state.slots.get("text", ""), state.locale or ctx.business.locale, ctx.local_now), intent=intent)
        state.reset()
    if intent != "unknown":
        state.misunderstood = 0
    if intent == "book":
        await booking.start(ctx, u)
    elif intent == "reschedule":
        await manage.start_reschedule(ctx, u)
    elif intent == "cancel":
        await manage.start_cancel(ctx, u)
    elif intent == "my_appointments":
        await manage.my_appointments(ctx)
    elif intent == "check_in":
        await account.check_in(ctx)
    elif intent == "balance":
        await payments.balance(ctx)
    elif intent == "pay":
        await payments.offer(ctx)
    elif intent == "human":
        account.human(ctx)
    elif intent == "opt_out":
        account.opt_out(ctx)
    elif intent == "opt_in":
        account.opt_in(ctx)
    elif intent == "data_export":
        await account.data_export(ctx)
    elif intent == "data_erase":
        account.ask_erase(ctx)
    elif intent == "help":
        ctx.say("help")
    elif intent == "workout_today":
        await training.workout(ctx, u)
    elif intent == "log_workout":
        ctx.say("log_how")
    elif intent == "finish_workout":
        await training.finish(ctx)
    elif intent == "meal_today":
        await training.meals_today(ctx, u)
    elif intent == "progress":
        await training.progress(ctx)
    elif intent == "challenge":
        await (challenges.ranking(ctx) if u is not None and "rank" in normalise(u.text) else challenges.show(ctx))
    elif intent == "menu":
        show_menu(ctx)
    elif intent in ("yes", "no"):
        ctx.say("nothing_pending")
    else:
        await _not_understood(ctx, u)


async def _understood(ctx: Ctx, text: str) -> Understanding:
    """The message read in the light of the bot's last question, and of what the studio's staff taught it."""
    state = ctx.state
    expecting = YES_NO if state.step in YES_NO_STEPS or state.flow == "erase" else frozenset()
    # Only a message with a number can hold a bare hour ("às 5") that the studio's opening hour decides.
    opens = await opening_hour(ctx.session, ctx.business.id) if any(c.isdigit() for c in text) else None
    u = understand(text, state.locale or ctx.business.locale, ctx.local_now, expecting, opens or DAY_STARTS)
    taught = taught_intent(u, await unclear.taught(ctx.session, ctx.business.id)) if u.key else None
    return replace(u, intent=taught, confidence=1.0, options=()) if taught else u


async def _ask_which(ctx: Ctx, u: Understanding) -> None:
    """Unsure: the likeliest meanings as buttons, and the message kept for staff to teach."""
    await _keep_unclear(ctx, u)
    ctx.state.start("clarify", "which", text=u.text)  # a tapped meaning acts on this message's day and time
    ctx.send(Buttons(ctx.t("which_did_you_mean"), tuple(Button(f"menu:{i}", ctx.t("intent_label", key=i)) for i in u.options)))


async def _keep_unclear(ctx: Ctx, u: Understanding | None) -> None:
    if u is not None and u.text.strip():
        await unclear.keep(ctx.session, ctx.business.id, ctx.client.id, u.text, u.key, u.locale, u.intent, u.confidence,
                           u.options, ctx.now)


async def _in_flow(ctx: Ctx, u: Understanding) -> bool:
    """Let the flow in progress take the message; False when it is about something else."""
    state, slots = ctx.state, ctx.state.slots
    if state.step == "which" and state.flow in ("reschedule", "cancel") and await manage.typed_choice(ctx, u):
        return True  # "a de quarta" answers "which session?", whatever else it might read as
    if state.flow in ("book", "reschedule", "cancel") and u.intent == "cancel" and state.flow != "cancel" and not u.datetime:
        state.reset()
        ctx.say("flow_dropped")
        return True
    if state.step in YES_NO_STEPS and u.intent in YES_NO:
        if u.intent == "no":
            await _declined(ctx)
        elif state.step == "series":
            await booking.confirm_series(ctx)
        elif state.flow == "reschedule":
            await manage.confirm_reschedule(ctx, slots["confirm"])
        elif state.flow == "cancel":
            await manage.confirm_cancel(ctx, slots["confirm"])
        else:
            await booking.confirm(ctx, slots["confirm"])
        return True
    if state.flow == "erase" and u.intent in ("yes", "no"):
        await account.erase_step(ctx, u.intent == "yes")
        return True
    if state.step == "time" and slots.get("day") and u.time_only and u.intent in ("unknown", "book", "reschedule"):
        u = replace(u, datetime=datetime.combine(date.fromisoformat(slots["day"]), u.time, ctx.tz))  # the day on the list
    if u.intent in ("unknown", "book", "reschedule") and (u.datetime or u.date):
        if state.flow == "reschedule" and slots.get("booking_id") and u.datetime:
            await manage.new_time(ctx, u.datetime)
            return True
        if state.flow == "book" and slots.get("service_id"):
            slots["pending"] = booking.pending_of(u)
            await booking.with_service(ctx, slots["service_id"])
            return True
    if u.invalid_datetime:
        ctx.say("invalid_date")
        return True
    return False


async def _declined(ctx: Ctx) -> None:
    state = ctx.state
    if state.flow == "cancel":
        state.reset()
        ctx.say("cancel_kept")
    elif state.flow == "book" and state.slots.get("service_id") and state.step != "series":
        await booking.with_service(ctx, state.slots["service_id"])
    else:
        state.reset()
        ctx.say("ok_then")


async def _not_understood(ctx: Ctx, u: Understanding | None) -> None:
    await _keep_unclear(ctx, u)
    state = ctx.state
    state.misunderstood += 1
    if state.misunderstood >= 2:
        state.misunderstood = 0
        ctx.say("not_understood_again")
        ctx.send(menu(ctx))
    else:
        ctx.say("not_understood")
