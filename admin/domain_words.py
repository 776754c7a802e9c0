"""The domain's refusals in words a trainer reads in the panel."""
from __future__ import annotations

from domain.errors import DomainError

WORDS = {
    "slot_taken": "Double booking: the trainer already has a session at that time (or in the break around it). "
                  "Pick another time or trainer.",
    "outside_availability": "The trainer does not work at that time (outside their hours, or time off).",
    "no_credits": "The client has no credits left, and this studio needs one per booking. Add credits first.",
    "class_full": "That class is full.",
}


def words(error: DomainError) -> str:
    """A sentence for the error: a fixed one for the common refusals, else the rule's own message."""
    if error.code in WORDS:
        return WORDS[error.code]
    text = str(error).strip() or "That could not be done."
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
