"""Tokens a web process has looked up are kept (no query per request), and a revocation still counts from the very
next request, in every process: the rate limit's Redis round trip reads back a stamp each revocation changes."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from app.bootstrap import App
from app.web import create_web_app
from domain.models import ApiToken
from domain.platform import api_tokens
from runtime.resources import Runtime
from tests.admin_support import login, make_user
from tests.api_support import Api, make_token


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every database look-up of a token."""
    seen: list[str] = []
    look_up = api_tokens.owner_of_digest

    async def counted(session, digest):  # type: ignore[no-untyped-def]
        seen.append(digest)
        return await look_up(session, digest)

    monkeypatch.setattr(api_tokens, "owner_of_digest", counted)
    return seen


@pytest.fixture
async def second_process(app: App, runtime: Runtime) -> AsyncIterator[TestClient]:
    """Another web app on the same database and Redis, as a second `fitzap serve` process would be."""
    async with TestClient(TestServer(create_web_app(app))) as client:
        yield client


async def test_a_known_token_is_looked_up_once(web, runtime, business, lookups):
    api = Api(web, await make_token(runtime, business.id))
    for _ in range(4):
        assert (await api.get("/trainers"))[0] == 200
    assert len(lookups) <= 2  # the first request learns the stamp; from the next one on the token is kept


async def test_a_kept_token_revoked_in_the_panel_fails_at_once_in_every_process(web, second_process, runtime, business,
                                                                                 lookups):
    await make_user(runtime, business.id)
    csrf = await login(web)
    secret = await make_token(runtime, business.id)
    here, there = Api(web, secret), Api(second_process, secret)
    for _ in range(3):
        assert (await here.get("/trainers"))[0] == 200 and (await there.get("/trainers"))[0] == 200
    kept_lookups = len(lookups)
    assert (await here.get("/trainers"))[0] == 200 and (await there.get("/trainers"))[0] == 200
    assert len(lookups) == kept_lookups
    async with runtime.sessions() as session:
        token_id = (await session.execute(select(ApiToken.id))).scalar_one()
    response = await web.post(f"/admin/api-tokens/{token_id}/revoke", data={"csrf_token": csrf}, allow_redirects=False)
    assert response.status == 302
    assert (await there.get("/trainers"))[0] == 401
    assert (await here.get("/trainers"))[0] == 401
    other = Api(second_process, await make_token(runtime, business.id, name="another"))
    assert (await other.get("/trainers"))[0] == 200  # a token made after it works at once too
