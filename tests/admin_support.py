"""Panel helpers for tests: make a user, log a test client in, read the CSRF token of a page."""
from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from domain.models import AdminUser
from domain.people.admin_users import create_user
from runtime.resources import Runtime

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


async def make_user(
    runtime: Runtime, business_id: int, *, role: str = "owner", email: str = "owner@studio.test",
    password: str = PASSWORD, staff_id: int | None = None, name: str = "Olga Owner", locale: str | None = "en",
) -> AdminUser:
    """A panel user of the business, committed; the panel's own tests read it in English unless told otherwise."""
    async with runtime.sessions.begin() as session:
        return await create_user(session, business_id, email, name, password, role, runtime.clock.now(),
                                 staff_id=staff_id, locale=locale)


async def csrf_of(client: TestClient, path: str = "/admin/login") -> str:
    """The CSRF token the page at `path` carries for this client's session."""
    response = await client.get(path)
    match = _CSRF.search(await response.text())
    assert match, f"no csrf token on {path} ({response.status})"
    return match.group(1)


async def login(client: TestClient, email: str = "owner@studio.test", password: str = PASSWORD) -> str:
    """Log the client in (asserting it worked); returns the CSRF token to post forms with."""
    token = await csrf_of(client)
    response = await client.post(
        "/admin/login", data={"email": email, "password": password, "csrf_token": token}, allow_redirects=False
    )
    assert response.status == 302, await response.text()
    return await csrf_of(client, "/admin/dashboard")
