"""Who is using the panel: the logged-in user's business, role and trainer row."""
from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from admin.i18n import panel_locale
from domain.models import AdminUser

IDENTITY_KEY = web.RequestKey("identity", "Identity")


@dataclass(frozen=True)
class Identity:
    """The logged-in panel user; every query a page makes is scoped by `business_id`."""

    user_id: int
    business_id: int
    role: str
    staff_id: int | None
    name: str
    email: str
    locale: str = "en"  # the panel's language for this user: their pick, else their business's

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"

    @classmethod
    def of(cls, user: AdminUser, business_locale: str = "en") -> Identity:
        return cls(user.id, user.business_id, user.role, user.staff_id, user.name, user.email,
                   panel_locale(user.locale or business_locale))


def identity(request: web.Request) -> Identity:
    """The logged-in user (the guard middleware has already refused anonymous requests)."""
    found = request.get(IDENTITY_KEY)
    if found is None:
        raise web.HTTPForbidden(text="log in first")
    return found


def require_owner(request: web.Request) -> Identity:
    """The logged-in user if they are an owner; trainers get 403."""
    me = identity(request)
    if not me.is_owner:
        raise web.HTTPForbidden(text="Only the business owner can do this.")
    return me
