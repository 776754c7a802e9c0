"""The ids of the buttons and list rows the bot sends: `<name>:<parts>`, named in words.

Each id carries what its action needs, so a tap on an old message still works. Messages sent
before the names became words carry the short forms of OLD_NAMES, read as the new names.
"""
from __future__ import annotations

from datetime import UTC, datetime

SERVICE = "service"                        # service:<service>
DAY = "day"                                # day:<service>:<date>
MORE_TIMES = "more_times"                  # more_times:<service>:<date>:<offset>[:<part of day>]
SLOT = "slot"                              # slot:<service>:<trainer>:<start>
CLASS = "class"                            # class:<appointment>
BOOK_CONFIRM = "book_confirm"              # book_confirm:<service>:<trainer>:<start>
CLASS_CONFIRM = "class_confirm"            # class_confirm:<appointment>
WAITLIST_JOIN = "waitlist_join"            # waitlist_join:<appointment>
RESCHEDULE = "reschedule"                  # reschedule:<booking>
CANCEL = "cancel"                          # cancel:<booking>
RESCHEDULE_CONFIRM = "reschedule_confirm"  # reschedule_confirm:<booking>:<start>
CANCEL_CONFIRM = "cancel_confirm"          # cancel_confirm:<booking>
CANCEL_KEEP = "cancel_keep"                # cancel_keep
PRODUCT = "product"                        # product:<product>
WORKOUT = "wk"                             # wk:start:<day>:<date> | wk:done|note|skip:<item>:<date> | wk:pick:<exercise>
CHALLENGE = "ch"                           # ch:join:<challenge> | ch:rank:<challenge>:<1|0>

# Clients tap buttons on messages sent before the upgrade, and a paused flow keeps its confirm id.
OLD_NAMES: dict[str, str] = {
    "svc": SERVICE, "more": MORE_TIMES, "bookok": BOOK_CONFIRM, "classok": CLASS_CONFIRM, "wl": WAITLIST_JOIN,
    "rs": RESCHEDULE, "cx": CANCEL, "rsok": RESCHEDULE_CONFIRM, "cxok": CANCEL_CONFIRM, "cxno": CANCEL_KEEP,
}


def make(name: str, *parts: int | str) -> str:
    """An id to send: the name, then its parts, joined by colons."""
    return ":".join((name, *(str(part) for part in parts)))


def split(reply_id: str) -> tuple[str, list[str]]:
    """The (name, parts) of an id that came back; an old short name is read as its new one."""
    name, *parts = reply_id.split(":")
    return OLD_NAMES.get(name, name), parts


# The largest id a row can have (PostgreSQL's bigint): a bigger number in an id was never sent by us.
MAX_ROW_ID = 2**63 - 1


def well_formed(reply_id: str) -> bool:
    """Whether every number in the id could be a row's id."""
    return all(not part.isdigit() or int(part) <= MAX_ROW_ID for part in reply_id.split(":")[1:])


def stamp_time(text: str) -> datetime:
    """The UTC start time an id carries; ValueError when it is not one."""
    return datetime.strptime(text, "%Y%m%dT%H%M").replace(tzinfo=UTC)
