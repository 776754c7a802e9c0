"""Login throttling holds under concurrency: at most the limit of guesses is ever checked against the password."""
from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.models import Business
from domain.people import login_throttle
from domain.people.admin_users import MAX_FAILURES_PER_IP, LoginRefused, LoginThrottled, authenticate, create_user
from domain.sql.db import create_engine, create_sessionmaker
from migrations.runner import upgrade
from runtime.resources import Runtime
from tests.admin_support import PASSWORD, csrf_of, make_user


async def test_forty_parallel_wrong_passwords_get_five_checked_and_the_rest_throttled(
        web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id)
    token = await csrf_of(web)

    async def guess() -> int:
        response = await web.post("/admin/login", data={"email": "owner@studio.test", "password": "guess guess guess",
                                                        "csrf_token": token}, allow_redirects=False)
        return response.status

    statuses = Counter(await asyncio.gather(*(guess() for _ in range(40))))
    assert statuses == {400: 5, 429: 35}  # 400: "Wrong email or password." (checked); 429: throttled
    locked = await web.post("/admin/login", data={"email": "owner@studio.test", "password": PASSWORD, "csrf_token": token},
                            allow_redirects=False)
    assert locked.status == 429


async def _guesses(sessions: async_sessionmaker[AsyncSession], email: str, count: int, now: datetime) -> Counter[str]:
    """`count` wrong passwords for one account at once, each from its own address: how each was answered."""
    async def guess(n: int) -> str:
        try:
            await authenticate(sessions, email, "guess guess guess", f"10.0.{n // 250}.{n % 250}", now)
        except LoginRefused:
            return "checked"
        except LoginThrottled:
            return "throttled"
        return "let in"

    return Counter(await asyncio.gather(*(guess(n) for n in range(count))))


async def test_parallel_guesses_from_many_addresses_check_five_on_postgresql(runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id)
    assert await _guesses(runtime.sessions, "owner@studio.test", 40, runtime.clock.now()) == {"checked": 5, "throttled": 35}


@pytest.fixture
async def sqlite_sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A migrated SQLite database with the demo's engine settings, as `fitzap demo` runs it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'fitzap.db'}"
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def test_parallel_guesses_check_five_on_sqlite_too(sqlite_sessions: async_sessionmaker[AsyncSession]) -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    async with sqlite_sessions.begin() as session:
        shop = Business(name="Demo", phone_number_id="1", timezone="UTC", locale="en", currency="EUR", created_at=now)
        session.add(shop)
        await session.flush()
        await create_user(session, shop.id, "owner@studio.test", "Olga", PASSWORD, "owner", now)
    assert await _guesses(sqlite_sessions, "owner@studio.test", 12, now) == {"checked": 5, "throttled": 7}
    with pytest.raises(LoginThrottled):
        await authenticate(sqlite_sessions, "owner@studio.test", PASSWORD, "10.9.9.9", now)
    user = await authenticate(sqlite_sessions, "owner@studio.test", PASSWORD, "10.9.9.9", now + timedelta(minutes=16))
    assert user.email == "owner@studio.test"


async def test_logging_in_does_not_use_up_the_address(runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id)
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:  # an office behind one address, one guess short of its limit
        for _ in range(MAX_FAILURES_PER_IP - 1):
            assert await login_throttle.take_attempt(session, "ip:10.1.1.1", MAX_FAILURES_PER_IP, now)
    await authenticate(runtime.sessions, "owner@studio.test", PASSWORD, "10.1.1.1", now)
    with pytest.raises(LoginRefused):
        await authenticate(runtime.sessions, "owner@studio.test", "guess guess guess", "10.1.1.1", now)


async def test_refused_attempts_on_a_locked_account_do_not_lock_the_address(runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id)
    await make_user(runtime, business.id, email="colleague@studio.test")
    now = runtime.clock.now()
    for _ in range(5):
        with pytest.raises(LoginRefused):
            await authenticate(runtime.sessions, "owner@studio.test", "guess guess guess", "10.1.1.1", now)
    for _ in range(30):
        with pytest.raises(LoginThrottled):
            await authenticate(runtime.sessions, "owner@studio.test", PASSWORD, "10.1.1.1", now)
    assert (await authenticate(runtime.sessions, "colleague@studio.test", PASSWORD, "10.1.1.1", now)).email == "colleague@studio.test"
