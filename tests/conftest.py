"""Real PostgreSQL and Redis for every test; only outbound HTTP is mocked (respx)."""
from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import asyncpg
import pytest
from aiohttp.test_utils import TestClient, TestServer
from argon2 import PasswordHasher
from dramatiq.brokers.stub import StubBroker
from redis.asyncio import Redis
from sqlalchemy import text

from app.bootstrap import App, bootstrap
from app.web import create_web_app
from domain.clock import FixedClock
from domain.models import Base, Business
from domain.people import admin_users
from domain.platform import plans
from runtime.broker import build_broker
from runtime.resources import Runtime
from runtime.settings import Settings, load_settings
from tests.support import APP_SECRET, PHONE_NUMBER_ID

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_HOST_URL = PG_ADMIN_URL.rsplit("/", 1)[0]
# Under pytest-xdist each worker ("gw0", "gw1", …) gets its own database and Redis database: tests truncate and flush.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
TEST_DB = os.environ.get("TEST_PG_DATABASE", "fitzap_test") + (f"_{WORKER}" if WORKER else "")
_REDIS_BASE, _REDIS_DB = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15").rsplit("/", 1)
REDIS_URL = f"{_REDIS_BASE}/{int(_REDIS_DB) - WORKER}"
GRAPH = "https://graph.test"
PUBLIC_URL = "https://fitzap.test"
STRIPE_WEBHOOK_SECRET = "whsec_test_fitzap"


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "FITZAP_MODE": "production",
        "DATABASE_URL": f"postgresql+asyncpg://{PG_HOST_URL.split('://', 1)[1]}/{TEST_DB}",
        "REDIS_URL": REDIS_URL,
        "WHATSAPP_TOKEN": "test-token",
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": "test-verify-token",
        "WHATSAPP_API_BASE_URL": GRAPH,
        # respx intercepts httpx's own transport; test_graph_transport covers the aiohttp one for real.
        "WHATSAPP_HTTP_TRANSPORT": "httpx",
        "SECRET_KEY": "test-secret-key-0123456789",
        "DELIVERY_BACKOFF_BASE_MS": 1,
        # Each webhook wakes the worker before it is answered, so a test can drain right after posting;
        # test_wake_ups covers the spacing production uses.
        "WAKE_UP_EVERY_MS": 0,
        # The test client speaks plain HTTP; test_admin_auth checks that production defaults to Secure.
        "ADMIN_COOKIE_SECURE": False,
        # Payments on, through Stripe's real client; respx answers for api.stripe.com (tests/stripe_support.py).
        "PUBLIC_URL": PUBLIC_URL,
        "STRIPE_SECRET_KEY": "sk_test_fitzap",
        "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """argon2id at its lowest cost in tests: at the production cost a hash and a check took a quarter of a second,
    most of a panel test's time. Production keeps the library's recommended cost."""
    with pytest.MonkeyPatch.context() as patch:
        hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        patch.setattr(admin_users, "_hasher", hasher)
        yield


@pytest.fixture(autouse=True)
def default_plans() -> Iterator[None]:
    """Each test starts on the default plans; a test (or a transcript) may set other limits for itself."""
    yield
    plans.use_plans(dict(plans.DEFAULT_PLANS))


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[str]:
    """A fresh test database, migrated to head once for the whole run."""
    conn = await asyncpg.connect(PG_ADMIN_URL)
    await conn.execute(f'DROP DATABASE IF EXISTS "{TEST_DB}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{TEST_DB}"')
    await conn.close()
    settings = make_settings()
    from migrations.runner import upgrade

    await asyncio.to_thread(upgrade, settings.database_url)
    yield settings.database_url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def settings(database: str) -> Settings:
    return make_settings()


@pytest.fixture
def app(settings: Settings, clock: FixedClock, broker: StubBroker) -> App:
    """FitZap wired as `fitzap serve` and `fitzap worker` wire it, on the stub broker and the test clock."""
    return bootstrap(settings, clock=clock, broker=broker)


@pytest.fixture
async def runtime(app: App) -> AsyncIterator[Runtime]:
    rt = await app.runtime()
    async with rt.engine.begin() as conn:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    assert rt.redis is not None
    await rt.redis.flushdb()
    yield rt
    await app.close()


@pytest.fixture
async def business(runtime: Runtime) -> Business:
    async with runtime.sessions.begin() as session:
        shop = Business(name="Studio Força", phone_number_id=PHONE_NUMBER_ID, timezone="America/Sao_Paulo",
                        locale="pt-BR", currency="BRL", created_at=runtime.clock.now())
        session.add(shop)
    return shop


@pytest.fixture
def broker() -> StubBroker:
    stub = build_broker(None)
    assert isinstance(stub, StubBroker)
    return stub


@pytest.fixture
async def web(app: App, runtime: Runtime) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_web_app(app))) as client:
        yield client


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


@pytest.fixture
def demo_url(tmp_path):  # type: ignore[no-untyped-def]
    """`fitzap demo` running in a subprocess on a temp dir (browser tests); its base URL."""
    from tests.browser_support import running_demo

    with running_demo(tmp_path) as url:
        yield url
