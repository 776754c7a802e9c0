"""The approved templates FitZap itself sends outside WhatsApp's 24-hour window.

Meta refuses a template it has not approved under that exact name and language, and the send is
marked failed; this list tells a studio what to register, with the variables in FitZap's order.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from conversations.automations.digest import DIGEST_TEMPLATE
from conversations.automations.dunning import DUNNING_TEMPLATE
from conversations.automations.session_notices import FOLLOWUP_TEMPLATE, NO_SHOW_TEMPLATE
from conversations.automations.weekly_summary import WEEKLY_TEMPLATE
from conversations.notices import WAITLIST_TEMPLATE
from conversations.texts import DEFAULT_LOCALE, LOCALES, say

PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")


@dataclass(frozen=True)
class NeededTemplate:
    name: str
    used_for: str
    purpose: str  # one of domain.messaging.message_templates.PURPOSES
    variables: tuple[str, ...]
    # The suggested wording is the chat's own message (conversations/templates) of this name ("" = the template's),
    # called with `params` (default: the variables' names) in the place of {{1}}, {{2}} … and `fixed` for the rest.
    message: str = ""
    params: tuple[str, ...] = ()
    fixed: tuple[tuple[str, object], ...] = ()
    buttons: tuple[str, ...] = ()  # the messages titling its quick-reply buttons, in the order FitZap fills them
    category: str = "UTILITY"  # Meta's category; MARKETING for news only clients who accepted them get

    @property
    def quick_replies(self) -> int:
        return len(self.buttons)

    def body(self, locale: str) -> str:
        """The suggested body in `locale`, with {{1}}, {{2}} … where Meta puts the variables."""
        names = self.params or self.variables
        text = say(locale, self.message or self.name, **dict(self.fixed),
                   **{name: f"{{{{{i}}}}}" for i, name in enumerate(names, 1)})
        text = text[:1].upper() + text[1:]  # a template stands alone: no "Reminder: " before a day 0 card notice
        # Meta refuses a body that ends with a variable (a link, a receipt): a full stop closes it.
        return text + "." if text.endswith("}}") else text

    def button_titles(self, locale: str) -> list[str]:
        return [say(locale, button) for button in self.buttons]

    def filled(self, locale: str, values: Sequence[str]) -> str | None:
        """The body as a client reads it with `values` in its variables; None when they do not fit."""
        if len(values) != len(self.variables):
            return None
        return PLACEHOLDER.sub(lambda found: str(values[int(found.group(1)) - 1]), self.body(locale))


# The panel's changes reach the client through conversations.team_notices.tell, named by these
# keys, with the variables the panel passes (yes/no values are left out of a template).
_TEAM = (
    NeededTemplate("team_booked", "A trainer booked the client from the panel", "generic", ("service", "when", "trainer")),
    NeededTemplate("team_moved", "A trainer moved the client's session", "generic", ("service", "old_time", "new_time"),
                   params=("service", "old", "new")),
    NeededTemplate("team_cancelled", "A trainer cancelled the client's session", "generic", ("service", "when"),
                   fixed=(("refunded", False),)),
    NeededTemplate("team_marked", "A session marked completed or no-show", "generic", ("service", "when", "status"),
                   message="team_marked_template"),
    NeededTemplate("class_cancelled", "The studio cancelled a class", "generic", ("service", "when"),
                   fixed=(("refunded", False),)),
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
                       ("client_name", "service", "when", "trainer"), message="reminder",
                       params=("name", "service", "when", "trainer"),
                       buttons=("reminder_confirm_button", "reminder_reschedule_button", "reminder_cancel_button")),
        NeededTemplate(FOLLOWUP_TEMPLATE, "“How was the session? 1–5” after a session", "generic", ("client_name", "service"),
                       message="followup", params=("name", "service")),
        NeededTemplate(NO_SHOW_TEMPLATE, "A missed session, with a button to book again", "generic",
                       ("client_name", "service", "when"), message="no_show", params=("name", "service", "when"),
                       buttons=("no_show_rebook_button",)),
        NeededTemplate(WAITLIST_TEMPLATE, "A class seat held for a waiting client", "waitlist", ("service", "when", "held_until"),
                       params=("service", "when", "until")),
        NeededTemplate(DIGEST_TEMPLATE, "The trainer's daily digest (to the trainer's WhatsApp)", "generic",
                       ("day", "sessions_today", "first_session", "waiting_for_you", "no_shows_yesterday"),
                       message="digest_template", params=("day", "sessions", "first", "handoffs", "no_shows")),
        NeededTemplate(WEEKLY_TEMPLATE, "Sunday evening's training summary (clients who accepted news)", "generic",
                       ("first_name", "workouts", "records", "streak_weeks"), message="weekly_summary_template",
                       params=("name", "sessions", "records", "streak"), category="MARKETING"),
        NeededTemplate(DUNNING_TEMPLATE, "A membership's card failed (days 0, 3 and 7), with the link to update it", "generic",
                       ("plan", "card_link"), params=("plan", "link"), fixed=(("day", 0),)),
        *_TEAM,
    ]


def locale_of_language(language: str | None, fallback: str) -> str:
    """The texts' locale of a template's Meta language ("pt_BR" → "pt-BR", "en_US" → "en"); `fallback` if none fits."""
    code = (language or "").replace("_", "-")
    if code in LOCALES:
        return code
    for locale in LOCALES:
        if code.split("-")[0] and code.split("-")[0] == locale.split("-")[0]:
            return locale
    return fallback if fallback in LOCALES else DEFAULT_LOCALE


def template_text(name: str, parameters: Sequence[str], language: str | None, *, reminder_template: str,
                  fallback_locale: str) -> str | None:
    """What a client read from template `name` sent with `parameters`, in the suggested wording of its language.

    None for a template FitZap does not send itself (a campaign's, one a trainer picked) or whose values do not fit."""
    wanted = next((t for t in needed_templates(reminder_template) if t.name == name), None)
    if wanted is None:
        return None
    return wanted.filled(locale_of_language(language, fallback_locale), parameters)
