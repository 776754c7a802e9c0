"""iCalendar feeds (placeholder token helper until the feed module lands)."""
from __future__ import annotations

import secrets


def new_ical_token() -> str:
    """The secret part of a trainer's calendar feed URL."""
    return secrets.token_urlsafe(32)
