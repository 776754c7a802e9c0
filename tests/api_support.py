"""API helpers for tests: a token of a business, and a client speaking the API with it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from domain.models import Business
from domain.platform import api_tokens
from runtime.resources import Runtime
from tests.booking_setup import NOW, Studio, make_studio
from tests.panel_calendar_support import other_business


async def make_token(runtime: Runtime, business_id: int, scope: str = "write", name: str = "site") -> str:
    async with runtime.sessions.begin() as session:
        return (await api_tokens.create_token(session, business_id, name, scope, runtime.clock.now())).secret


@dataclass
class Api:
    web: TestClient
    token: str

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    async def get(self, path: str, **params: Any) -> tuple[int, Any, ClientResponse]:
        response = await self.web.get(f"/api/v1{path}", params={k: str(v) for k, v in params.items()},
                                      headers=self._headers(None))
        return response.status, await response.json(content_type=None), response

    async def post(self, path: str, body: dict[str, Any] | None = None, *, headers: dict[str, str] | None = None
                   ) -> tuple[int, Any, ClientResponse]:
        response = await self.web.post(f"/api/v1{path}", json=body or {}, headers=self._headers(headers))
        return response.status, await response.json(content_type=None), response

    async def patch(self, path: str, body: dict[str, Any]) -> tuple[int, Any, ClientResponse]:
        response = await self.web.patch(f"/api/v1{path}", json=body, headers=self._headers(None))
        return response.status, await response.json(content_type=None), response

    async def delete(self, path: str) -> tuple[int, Any, ClientResponse]:
        """A DELETE; its body is None when the answer has none (204)."""
        response = await self.web.delete(f"/api/v1{path}", headers=self._headers(None))
        raw = await response.read()
        return response.status, (await response.json(content_type=None)) if raw else None, response


@dataclass
class Setup:
    api: Api
    studio: Studio
    other: Business


async def open_api(web: TestClient, runtime: Runtime, business: Business, *, scope: str = "write", clients: int = 3) -> Setup:
    """The booking tests' studio (at its fixed Monday 09:00), a token of it, and a second business."""
    studio = await make_studio(runtime, business, clients=clients)
    token = await make_token(runtime, business.id, scope)
    return Setup(Api(web, token), studio, await other_business(runtime))


def iso(moment: Any) -> str:
    return moment.isoformat()


__all__ = ["NOW", "Api", "Setup", "iso", "make_token", "open_api"]
