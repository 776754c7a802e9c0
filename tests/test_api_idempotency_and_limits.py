"""Idempotent POSTs (a retry gets the first answer, never a second booking) and the per-token rate limit."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from domain.clock import FixedClock
from domain.models import Booking
from runtime.settings import Settings
from tests.api_support import Api, make_token, open_api
from tests.booking_setup import NOW
from tests.conftest import make_settings

RATE = 5


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def settings(database: str) -> Settings:
    return make_settings(API_RATE_PER_MIN=RATE)


async def _bookings(runtime) -> int:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Booking)) or 0)


def _request(setup, client: int = 0) -> dict[str, object]:  # type: ignore[no-untyped-def]
    studio = setup.studio
    return {"client_id": studio.clients[client], "service_id": studio.personal, "staff_id": studio.ana,
            "starts_at": "2026-11-24T07:00:00-03:00"}


async def test_a_retried_post_with_the_same_key_replays_the_same_booking(web, runtime, business):
    setup = await open_api(web, runtime, business)
    key = {"Idempotency-Key": "order-123"}
    status, first, response = await setup.api.post("/bookings", _request(setup), headers=key)
    assert status == 201 and "Idempotent-Replayed" not in response.headers
    status, again, response = await setup.api.post("/bookings", _request(setup), headers=key)
    assert status == 201 and again == first and response.headers["Idempotent-Replayed"] == "true"
    assert await _bookings(runtime) == 1


async def test_the_same_key_with_another_body_is_a_422_problem(web, runtime, business):
    setup = await open_api(web, runtime, business)
    key = {"Idempotency-Key": "order-123"}
    assert (await setup.api.post("/bookings", _request(setup), headers=key))[0] == 201
    status, problem, _ = await setup.api.post("/bookings", _request(setup, client=1), headers=key)
    assert status == 422 and problem["code"] == "idempotency_key_reused"
    assert await _bookings(runtime) == 1


async def test_a_refusal_is_replayed_too_and_keys_belong_to_one_token(web, runtime, business):
    setup = await open_api(web, runtime, business)
    assert (await setup.api.post("/bookings", _request(setup)))[0] == 201
    key = {"Idempotency-Key": "k"}
    status, problem, _ = await setup.api.post("/bookings", _request(setup, client=1), headers=key)
    assert status == 409 and problem["code"] == "slot_taken"
    status, replay, response = await setup.api.post("/bookings", _request(setup, client=1), headers=key)
    assert status == 409 and replay == problem and response.content_type == "application/problem+json"
    other = Api(web, await make_token(runtime, business.id))
    assert (await other.post("/bookings", _request(setup, client=1), headers=key))[0] == 409  # its own key, run again


async def test_concurrent_retries_make_one_booking(web, runtime, business):
    setup = await open_api(web, runtime, business)
    key = {"Idempotency-Key": "burst"}
    answers = await asyncio.gather(*[setup.api.post("/bookings", _request(setup), headers=key) for _ in range(4)])
    statuses = sorted(a[0] for a in answers)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
    assert all(a[1]["code"] == "idempotency_in_progress" for a in answers if a[0] == 409)
    assert await _bookings(runtime) == 1


async def test_an_idempotency_key_too_long_is_a_400(web, runtime, business):
    setup = await open_api(web, runtime, business)
    status, problem, _ = await setup.api.post("/bookings", _request(setup), headers={"Idempotency-Key": "x" * 256})
    assert status == 400 and problem["errors"][0]["field"] == "Idempotency-Key"
    assert await _bookings(runtime) == 0


async def test_past_the_per_token_limit_requests_get_429_with_retry_after(web, runtime, business):
    setup = await open_api(web, runtime, business)
    for n in range(RATE):
        status, _, response = await setup.api.get("/services")
        assert status == 200 and response.headers["RateLimit-Remaining"] == str(RATE - n - 1)
    status, problem, response = await setup.api.get("/services")
    assert status == 429 and problem["code"] == "rate_limited" and response.content_type == "application/problem+json"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    other = Api(web, await make_token(runtime, business.id))
    assert (await other.get("/services"))[0] == 200  # the limit is per token
