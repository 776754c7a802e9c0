"""Helpers for the settings and staff page tests: logged-in owner and trainer, a second business."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient

from domain.models import Business
from domain.scheduling import catalog
from runtime.resources import Runtime
from tests.admin_support import login, make_user

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def as_owner(web: TestClient, runtime: Runtime, business: Business) -> str:
    """Log `web` in as the business's owner; the CSRF token to post with."""
    await make_user(runtime, business.id)
    return await login(web)


async def as_trainer(web: TestClient, runtime: Runtime, business: Business, name: str = "Tina") -> tuple[str, int]:
    """Log `web` in as a trainer with a staff row of their own; (CSRF token, staff id)."""
    async with runtime.sessions.begin() as session:
        staff = await catalog.add_staff(session, business.id, name, NOW)
    email = f"{name.lower()}@studio.test"
    await make_user(runtime, business.id, role="trainer", email=email, staff_id=staff.id, name=name)
    return await login(web, email), staff.id


async def other_business(runtime: Runtime) -> Business:
    """A second tenant, whose ids must be 404 for the first."""
    async with runtime.sessions.begin() as session:
        other = Business(name="Other Gym", phone_number_id="999000111", timezone="Europe/Lisbon", locale="en",
                         currency="EUR", created_at=NOW)
        session.add(other)
    return other


async def post(web: TestClient, path: str, token: str, **fields: Any):  # type: ignore[no-untyped-def]
    """POST a form without following the redirect."""
    return await web.post(path, data={"csrf_token": token, **fields}, allow_redirects=False)


async def fresh(runtime: Runtime, model: type, row_id: int) -> Any:
    """The row as stored now."""
    async with runtime.sessions() as session:
        return await session.get(model, row_id)
