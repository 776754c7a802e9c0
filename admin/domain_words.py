"""The domain's refusals, and the machine values pages show (statuses, kinds, methods), in words a trainer reads in
the panel, in the request's language."""
from __future__ import annotations

import re
from collections.abc import Callable

from admin.i18n import _, ngettext
from admin.plan_words import refusal
from domain.errors import DomainError, InvalidTransition
from domain.platform.plans import PlanLimitReached


def _by_code() -> dict[str, str]:
    return {
        "slot_taken": _("Double booking: the trainer already has a session at that time (or in the break around it). "
                        "Pick another time or trainer."),
        "outside_availability": _("The trainer does not work at that time (outside their hours, or time off)."),
        "no_credits": _("The client has no credits left, and this studio needs one per booking. Add credits first."),
        "class_full": _("That class is full."),
    }


def _by_message() -> dict[str, str]:
    """The rules' own messages the panel shows, as sentences."""
    return {
        "that trainer does not teach this class": _("That trainer does not teach this class."),
        "that trainer does not offer this service": _("That trainer does not offer this service."),
        "group classes are booked by seat, not as personal sessions":
            _("Group classes are booked by seat, not as personal sessions."),
        "only group services are scheduled as classes": _("Only group services are scheduled as classes."),
        "a class cannot be scheduled in the past": _("A class cannot be scheduled in the past."),
        "that class has already started": _("That class has already started."),
        "that session has already started": _("That session has already started."),
        "that time has already passed": _("That time has already passed."),
        "the session has not started yet": _("The session has not started yet."),
        "to change class, cancel this seat and book another class":
            _("To change class, cancel this seat and book another class."),
        "you already have a seat in this class": _("You already have a seat in this class."),
        "the waitlist offer has expired": _("The waitlist offer has expired."),
        # The training rules' refusals (domain.training): programs, meal plans, exercises, challenges ("%%" is a "%").
        "Give the program a name.": _("Give the program a name."),
        "Pick a weekday.": _("Pick a weekday."),
        "That day of that week already is a training day: add exercises to it.":
            _("That day of that week already is a training day: add exercises to it."),
        "Pick an exercise from the library.": _("Pick an exercise from the library."),
        "Prescribe reps, a time or a distance: one of them.": _("Prescribe reps, a time or a distance: one of them."),
        "Give the load in kg, in % of 1RM or as RPE: one of them.":
            _("Give the load in kg, in %% of 1RM or as RPE: one of them.") % {},
        "A time from 1 second to 24 hours.": _("A time from 1 second to 24 hours."),
        "From 1% to 100% of 1RM.": _("From 1%% to 100%% of 1RM.") % {},
        "An RPE from 1 to 10.": _("An RPE from 1 to 10."),
        "Progression adds kg to a load in kg: give the load in kg.":
            _("Progression adds kg to a load in kg: give the load in kg."),
        "Move one place up or down.": _("Move one place up or down."),
        "This client's data was erased.": _("This client's data was erased."),
        "Assign a template; this program already is a client's own copy.":
            _("Assign a template; this program already is a client's own copy."),
        "Give the meal plan a name.": _("Give the meal plan a name."),
        "Write what the meal holds, one item a line.": _("Write what the meal holds, one item a line."),
        "Write the time as HH:MM, e.g. 07:30.": _("Write the time as HH:MM, e.g. 07:30."),
        "Pick a weekday, or every day.": _("Pick a weekday, or every day."),
        "Name the meal (e.g. Breakfast).": _("Name the meal (e.g. Breakfast)."),
        "Assign a template; this meal plan already is a client's own copy.":
            _("Assign a template; this meal plan already is a client's own copy."),
        "Give the video's web address, starting with https://.": _("Give the video's web address, starting with https://."),
        "Name the exercise (in Portuguese, English or both).": _("Name the exercise (in Portuguese, English or both)."),
        "Pick the muscles it works from the list.": _("Pick the muscles it works from the list."),
        "Pick the equipment from the list.": _("Pick the equipment from the list."),
        "Pick how it is measured from the list.": _("Pick how it is measured from the list."),
        "Clients have logged it, so it stays in the library to name their logs.":
            _("Clients have logged it, so it stays in the library to name their logs."),
        "Give the challenge a name.": _("Give the challenge a name."),
        "The challenge cannot end before it starts.": _("The challenge cannot end before it starts."),
    }


_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"bookings need (\d+) minutes' notice"),
     lambda m: _("Bookings need %(minutes)s minutes' notice.", minutes=m[1])),
    (re.compile(r"bookings open (\d+) days ahead"), lambda m: _("Bookings open %(days)s days ahead.", days=m[1])),
    (re.compile(r"a (\w+) booking cannot be rescheduled"),
     lambda m: _("A %(status)s booking cannot be rescheduled.", status=word("booking", m[1]))),
    (re.compile(r"Use at most (\d+) characters\."), lambda m: _("Use at most %(count)s characters.", count=m[1])),
    (re.compile(r"A program lasts 1 to (\d+) weeks\."), lambda m: _("A program lasts 1 to %(weeks)s weeks.", weeks=m[1])),
    (re.compile(r"Week (\d+) has training days: remove them before shortening the program\."),
     lambda m: _("Week %(week)s has training days: remove them before shortening the program.", week=m[1])),
    (re.compile(r"This program has weeks 1 to (\d+)\."), lambda m: _("This program has weeks 1 to %(weeks)s.", weeks=m[1])),
    (re.compile(r"From 1 to (\d+) sets\."), lambda m: _("From 1 to %(sets)s sets.", sets=m[1])),
    (re.compile(r"From 1 to (\d+) reps\."), lambda m: _("From 1 to %(reps)s reps.", reps=m[1])),
    (re.compile(r"A distance from 1 to (\d+) metres\."),
     lambda m: _("A distance from 1 to %(metres)s metres.", metres=m[1])),
    (re.compile(r"A load from 0\.1 to (\d+) kg\."), lambda m: _("A load from 0.1 to %(kg)s kg.", kg=m[1])),
    (re.compile(r"Rest from 0 to (\d+) seconds\."), lambda m: _("Rest from 0 to %(seconds)s seconds.", seconds=m[1])),
    (re.compile(r"A step from -(\d+) to (\d+) kg\."), lambda m: _("A step from -%(kg)s to %(kg)s kg.", kg=m[2])),
    (re.compile(r"At most (\d+) other names, of at most (\d+) characters each\."),
     lambda m: _("At most %(names)s other names, of at most %(characters)s characters each.", names=m[1],
                 characters=m[2])),
    (re.compile(r"(\d+) programs? prescribe it: take it out of them first\."),
     lambda m: ngettext("%(num)s program prescribe it: take it out of them first.",
                        "%(num)s programs prescribe it: take it out of them first.", int(m[1]))),
    (re.compile(r"The target is from 1 to (\d+) training days\."),
     lambda m: _("The target is from 1 to %(days)s training days.", days=m[1])),
]


def words(error: DomainError) -> str:
    """A sentence for the error: a fixed one for the common refusals, else the rule's own message."""
    if isinstance(error, PlanLimitReached):
        return refusal(error)
    fixed = _by_code().get(error.code)
    if fixed is not None:
        return fixed
    if isinstance(error, InvalidTransition):
        return _("A %(current)s booking cannot become %(wanted)s.", current=word("booking", error.current),
                 wanted=word("booking", error.wanted))
    text = str(error).strip()
    known = _by_message().get(text)
    if known is not None:
        return known
    for pattern, say in _PATTERNS:
        if (found := pattern.fullmatch(text)) is not None:
            return say(found)
    if not text:
        return _("That could not be done.")
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _kinds() -> dict[str, Callable[[], dict[str, str]]]:
    return {
        "booking": lambda: {
            "booked": _("booked"), "confirmed": _("confirmed"), "checked_in": _("checked-in"),
            "completed": _("completed"), "no_show": _("no-show"), "cancelled": _("cancelled"),
        },
        "client": lambda: {
            "active": _("active"), "deactivated": _("deactivated"), "opted out": _("opted out"), "erased": _("erased"),
        },
        "purchase": lambda: {
            "pending": _("pending"), "paid": _("paid"), "refunded": _("refunded"), "expired": _("expired"),
            "failed": _("failed"),
        },
        "paid_by": lambda: {
            "cash": _("cash"), "pix_manual": _("PIX to the studio"), "card_terminal": _("card machine"),
            "other": _("other"), "card": _("card"), "pix": _("PIX"),
        },
        "credit": lambda: {
            "purchase": _("purchase"), "spend": _("spend"), "refund": _("refund"), "expire": _("expire"),
            "adjust": _("adjust"), "revoke": _("revoke"),
        },
        "check_in": lambda: {"chat": _("chat"), "qr": _("qr"), "staff": _("staff")},
        "campaign": lambda: {"draft": _("draft"), "running": _("running"), "finished": _("finished")},
        "segment": lambda: {
            "at_risk": _("At risk (churn score)"), "inactive_30d": _("No visit or booking in 30 days"),
            "all_active": _("Every active client"),
        },
        "left_out": lambda: {
            "opted out": _("opted out"), "declined news": _("declined news"),
            "in a human conversation": _("in a human conversation"), "campaign finished": _("campaign finished"),
            "holdout": _("holdout"), "erased": _("erased"),
            "outside the 24-hour window, no template": _("outside the 24-hour window, no template"),
        },
        "intent": lambda: {
            "menu": _("menu"), "book": _("book"), "reschedule": _("reschedule"), "cancel": _("cancel"),
            "my_appointments": _("my appointments"), "check_in": _("check in"), "workout_today": _("workout today"),
            "log_workout": _("log workout"), "finish_workout": _("finish workout"), "meal_today": _("meal today"),
            "progress": _("progress"), "challenge": _("challenge"), "pay": _("pay"), "balance": _("balance"),
            "opt_out": _("opt out"), "opt_in": _("opt in"), "human": _("human"), "help": _("help"),
            "data_export": _("data export"), "data_erase": _("data erase"), "yes": _("yes"), "no": _("no"),
            "unknown": _("unknown"),
        },
    }


_CONTACTED = re.compile(r"contacted in the last (\d+) days")


def word(kind: str, value: str | None) -> str:
    """A machine value (a booking's status, a payment's method, an intent…) as the panel says it; unknown ones as
    they are, underscores read as spaces or hyphens."""
    if value is None:
        return ""
    said = _kinds().get(kind, dict)().get(value)
    if said is not None:
        return said
    if kind == "left_out" and (found := _CONTACTED.fullmatch(value)) is not None:
        return _("contacted in the last %(days)s days", days=found[1])
    return value.replace("_", "-" if kind == "booking" else " ")
