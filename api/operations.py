"""The route table: each operation once, read both by the router (api.setup) and by the OpenAPI document (api.openapi)."""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from aiohttp import web
from pydantic import BaseModel

from domain.platform.api_tokens import TokenOwner
from runtime.resources import Runtime

PREFIX = "/api/v1"
Q = TypeVar("Q", bound=BaseModel | None)
B = TypeVar("B", bound=BaseModel | None)
_PARAM = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Call(Generic[Q, B]):
    """One validated request: the token's business, the path's ids, the query and the body as their models."""

    request: web.Request
    runtime: Runtime
    owner: TokenOwner
    ids: Mapping[str, int]
    query: Q
    body: B

    @property
    def business_id(self) -> int:
        return self.owner.business_id


# A handler answers its response model, or None for a 204 (the operation's `response` is then None too).
Handler = Callable[[Call[Any, Any]], Awaitable[BaseModel | None]]


@dataclass(frozen=True)
class Operation:
    """An API operation. `path` is relative to /api/v1 in OpenAPI's form; its parameters are ids (digits)."""

    method: Literal["GET", "POST", "PATCH", "DELETE"]
    path: str
    operation_id: str
    summary: str
    tag: str
    handler: Handler
    response: type[BaseModel] | None  # None: answered 204 with no body
    status: int = 200
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    # An example request: path ids, query values and body, as a client would send them.
    example_ids: Mapping[str, int] = field(default_factory=dict)
    example_query: Mapping[str, Any] | None = None
    example_body: Mapping[str, Any] | None = None
    errors: tuple[int, ...] = ()  # problem statuses this operation may answer, beyond 400/401/403/429

    @property
    def scope(self) -> Literal["read", "write"]:
        return "read" if self.method == "GET" else "write"

    @property
    def path_params(self) -> list[str]:
        return _PARAM.findall(self.path)

    @property
    def route(self) -> str:
        """aiohttp's pattern: ids match digits only (anything else is a 404)."""
        return PREFIX + _PARAM.sub(lambda m: "{" + m.group(1) + r":\d+}", self.path)

    @property
    def full_path(self) -> str:
        return PREFIX + self.path


def operations() -> list[Operation]:
    """Every operation of the API, in the order the docs list them."""
    from api.resources import bookings, catalog, checkins, classes, clients, credits, leads, training

    return [*clients.OPERATIONS, *catalog.OPERATIONS, *bookings.OPERATIONS, *classes.OPERATIONS, *checkins.OPERATIONS,
            *credits.OPERATIONS, *training.OPERATIONS, *leads.OPERATIONS]
