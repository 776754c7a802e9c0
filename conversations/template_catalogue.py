"""The approved templates FitZap itself sends outside WhatsApp's 24-hour window.

Meta refuses a template it has not approved under that exact name and language, and the send is
marked failed; this list tells a studio what to register, with the variables in FitZap's order.
"""
from __future__ import annotations

from dataclasses import dataclass

from conversations.automations.digest import DIGEST_TEMPLATE
from conversations.automations.dunning import DUNNING_TEMPLATE
from conversations.automations.session_notices import FOLLOWUP_TEMPLATE, NO_SHOW_TEMPLATE
from conversations.automations.weekly_summary import WEEKLY_TEMPLATE
from conversations.notices import WAITLIST_TEMPLATE


@dataclass(frozen=True)
class NeededTemplate:
    name: str
    used_for: str
    purpose: str  # one of domain.messaging.message_templates.PURPOSES
    variables: tuple[str, ...]
    quick_replies: int = 0  # quick-reply buttons the template must carry, in the order FitZap fills them


# The panel's changes reach the client through conversations.team_notices.tell, named by these
# keys, with the variables the panel passes (yes/no values are left out of a template).
_TEAM = (
    NeededTemplate("team_booked", "A trainer booked the client from the panel", "generic", ("service", "when", "trainer")),
    NeededTemplate("team_moved", "A trainer moved the client's session", "generic", ("service", "old_time", "new_time")),
    NeededTemplate("team_cancelled", "A trainer cancelled the client's session", "generic", ("service", "when")),
    NeededTemplate("team_marked", "A session marked completed or no-show", "generic", ("service", "when", "status")),
    NeededTemplate("class_cancelled", "The studio cancelled a class", "generic", ("service", "when")),
    NeededTemplate("paid_credits", "A payment arrived: the new balance", "generic", ("product", "price", "balance", "expires", "receipt")),
    NeededTemplate("paid_membership", "A payment arrived: the plan's end", "generic", ("product", "price", "until", "receipt")),
    NeededTemplate("plan_renewed", "A membership renewed", "generic", ("plan", "until")),
    NeededTemplate("plan_ending", "A membership cancelled: it runs until", "generic", ("plan", "until")),
    NeededTemplate("payment_refunded", "A payment refunded", "generic", ("product", "price", "taken")),
    NeededTemplate("booked_after_payment", "The time held while paying, booked once paid", "generic", ("service", "when", "trainer")),
    NeededTemplate("hold_released", "A time held for a payment let go", "generic", ("service", "when")),
    NeededTemplate("staff_refund_notice", "To owners on the staff: a payment refunded or lost in a dispute", "generic",
                   ("client", "product", "price", "taken")),
    NeededTemplate("resume_booking_failed", "Paid, but the time wanted was taken meanwhile", "generic", ()),
)


def needed_templates(reminder_template: str) -> list[NeededTemplate]:
    """Every template FitZap may send for a business whose reminders use `reminder_template`."""
    return [
        NeededTemplate(reminder_template, "Session reminders (Confirm / Reschedule / Cancel)", "reminder",
                       ("client_name", "service", "when", "trainer"), quick_replies=3),
        NeededTemplate(FOLLOWUP_TEMPLATE, "“How was the session? 1–5” after a session", "generic", ("client_name", "service")),
        NeededTemplate(NO_SHOW_TEMPLATE, "A missed session, with a button to book again", "generic",
                       ("client_name", "service", "when"), quick_replies=1),
        NeededTemplate(WAITLIST_TEMPLATE, "A class seat held for a waiting client", "waitlist", ("service", "when", "held_until")),
        NeededTemplate(DIGEST_TEMPLATE, "The trainer's daily digest (to the trainer's WhatsApp)", "generic",
                       ("day", "sessions_today", "first_session", "waiting_for_you", "no_shows_yesterday")),
        NeededTemplate(WEEKLY_TEMPLATE, "Sunday evening's training summary (clients who accepted news)", "generic",
                       ("first_name", "workouts", "records", "streak_weeks")),
        NeededTemplate(DUNNING_TEMPLATE, "A membership's card failed (days 0, 3 and 7), with the link to update it", "generic",
                       ("plan", "card_link")),
        *_TEAM,
    ]
