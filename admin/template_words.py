"""The templates FitZap sends, in the panel's words: what each is for, what its variables hold, and who a
change in the panel could not reach in chat for want of one."""
from __future__ import annotations

from collections.abc import Sequence

from admin.i18n import _, ngettext
from conversations.reach import Reach
from conversations.template_catalogue import NeededTemplate


def used_for(t: NeededTemplate) -> str:
    """What the template is sent for (the reminders' template is named by each business)."""
    words = {
        "reminder": _("Session reminders (Confirm / Reschedule / Cancel)"),
        "session_followup": _("“How was the session? 1–5” after a session"),
        "missed_session": _("A missed session, with a button to book again"),
        "waitlist_offer": _("A class seat held for a waiting client"),
        "trainer_daily_digest": _("The trainer's daily digest (to the trainer's WhatsApp)"),
        "weekly_summary": _("Sunday evening's training summary (clients who accepted news)"),
        "membership_payment_failed": _("A membership's card failed (days 0, 3 and 7), with the link to update it"),
        "team_booked": _("A trainer booked the client from the panel"),
        "team_moved": _("A trainer moved the client's session"),
        "team_cancelled": _("A trainer cancelled the client's session"),
        "team_marked": _("A session marked completed or no-show"),
        "class_cancelled": _("The studio cancelled a class"),
        "paid_credits": _("A payment arrived: the new balance"),
        "paid_membership": _("A payment arrived: the plan's end"),
        "plan_renewed": _("A membership renewed"),
        "plan_ending": _("A membership cancelled: it runs until"),
        "payment_refunded": _("A payment refunded"),
        "booked_after_payment": _("The time held while paying, booked once paid"),
        "hold_released": _("A time held for a payment let go"),
        "staff_refund_notice": _("To owners on the staff: a payment refunded or lost in a dispute"),
        "resume_booking_failed": _("Paid, but the time wanted was taken meanwhile"),
    }
    return words.get("reminder" if t.purpose == "reminder" else t.name, t.used_for)


def variable(name: str) -> str:
    """What a template variable holds, for whoever registers the template in Meta."""
    words = {
        "client_name": _("the client's name, as on WhatsApp"),
        "first_name": _("the client's first name"),
        "client": _("the client's name"),
        "service": _("the service or class, e.g. Pilates"),
        "when": _("the session's day and time"),
        "old_time": _("the session's old day and time"),
        "new_time": _("the session's new day and time"),
        "trainer": _("the trainer's name"),
        "status": _("how the session was recorded (completed or no_show)"),
        "held_until": _("the time the seat is held until"),
        "day": _("the day of the digest"),
        "sessions_today": _("how many sessions there are today"),
        "first_session": _("the time of the first session (- when none)"),
        "waiting_for_you": _("how many clients wait for a person in the chat"),
        "no_shows_yesterday": _("how many no-shows there were yesterday"),
        "workouts": _("workouts logged this week"),
        "records": _("new records this week"),
        "streak_weeks": _("weeks in a row with enough workouts"),
        "plan": _("the plan's name"),
        "card_link": _("the link that updates the card"),
        "product": _("what was bought"),
        "price": _("the price paid"),
        "balance": _("the credits the client has now"),
        "expires": _("the date the pack is valid until"),
        "receipt": _("the receipt's link"),
        "until": _("the date the plan runs until"),
        "taken": _("the unused credits taken back"),
    }
    return words.get(name, name)


def not_told(missed: Sequence[Reach]) -> str:
    """Why these clients were not told in chat: out of the 24-hour window, with no template to reach them."""
    templates = sorted({f"{r.template} ({r.language})" for r in missed})
    why = ngettext("the template %(templates)s is not set up", "the templates %(templates)s are not set up",
                   len(templates), templates=", ".join(templates))
    if len(missed) == 1:
        return _("%(name)s could not be told in chat: they have not written in 24 hours and %(why)s "
                 "(Settings → Templates).", name=missed[0].name or _("The client"), why=why)
    return ngettext("%(num)s client could not be told in chat: they have not written in 24 hours and %(why)s "
                    "(Settings → Templates).",
                    "%(num)s clients could not be told in chat: they have not written in 24 hours and %(why)s "
                    "(Settings → Templates).", len(missed), why=why)
