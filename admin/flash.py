"""One-time messages shown on the next page (after a POST-redirect-GET)."""
from __future__ import annotations

from aiohttp import web
from aiohttp_session import SESSION_KEY, Session

FLASH_KEY = "flash"


def flash(request: web.Request, text: str, kind: str = "ok") -> None:
    """Queue a message ("ok" or "error") for the next page this browser renders."""
    session: Session = request[SESSION_KEY]
    session[FLASH_KEY] = [*session.get(FLASH_KEY, []), [kind, text]]


def pop_flashes(session: Session) -> list[tuple[str, str]]:
    """The queued messages, removed from the session."""
    return [tuple(item) for item in session.pop(FLASH_KEY, [])]  # type: ignore[misc]
