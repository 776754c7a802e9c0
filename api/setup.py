"""Mount the API on the web app: its gate, every operation of the route table, the OpenAPI document, the docs page."""
from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import BaseModel, ValidationError

from api import docs, openapi
from api.gate import LIMITER, OWNER, SWEPT, TOKENS, api_gate
from api.operations import PREFIX, Call, Operation, operations
from api.problems import Problem, invalid
from api.rate_limit import ApiRateLimit
from api.token_cache import TokenCache
from domain.sql.types import MAX_BIG_ID
from runtime.keys import RUNTIME, SETTINGS


def setup_api(web_app: web.Application) -> None:
    """Add /api/v1 (every operation, /api/v1/openapi.json) and /api/docs to the web app."""
    web_app.middlewares.append(api_gate)
    web_app[SWEPT] = []
    ops = operations()
    for op in ops:
        web_app.router.add_route(op.method, op.route, _endpoint(op), name=f"api_{op.operation_id}")
    document = openapi.document(ops)
    web_app.router.add_get(f"{PREFIX}/openapi.json", openapi.handler(document), name="api_openapi")
    web_app.router.add_get("/api/docs", docs.handler(document), name="api_docs")
    web_app.router.add_get("/api/docs.css", docs.stylesheet, name="api_docs_css")

    async def limiter(web_app: web.Application) -> None:
        web_app[LIMITER] = ApiRateLimit(web_app[RUNTIME].redis, web_app[SETTINGS].api_rate_per_min)
        web_app[TOKENS] = TokenCache()

    web_app.on_startup.append(limiter)


def _endpoint(op: Operation) -> Handler:
    async def endpoint(request: web.Request) -> web.Response:
        ids = {name: _id(request.match_info[name]) for name in op.path_params}
        query = _model(op.query, dict(request.query), "query") if op.query else None
        if op.query is None and request.query:
            raise Problem(400, "invalid_request", "This operation takes no query parameters.",
                          errors=[{"in": "query", "field": name, "detail": "unknown parameter", "type": "extra_forbidden"}
                                  for name in request.query])
        body = await _body(op, request) if op.body else None
        call: Call[BaseModel | None, BaseModel | None] = Call(request, request.app[RUNTIME], request[OWNER], ids, query, body)
        answer = await op.handler(call)
        if answer is None:
            return web.Response(status=204)
        return web.Response(body=answer.model_dump_json(by_alias=True).encode(), status=op.status,
                            content_type="application/json")

    return endpoint


def _id(text: str) -> int:
    """A path id; one no row can have is simply not found."""
    value = int(text)
    if not 1 <= value <= MAX_BIG_ID:
        raise Problem(404, "not_found", "Not found in this business.")
    return value


def _model(model: type[BaseModel], values: dict[str, str], where: str) -> BaseModel:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise invalid(exc, where) from None


async def _body(op: Operation, request: web.Request) -> BaseModel:
    assert op.body is not None
    raw = await request.read()
    if request.content_type not in ("application/json", "application/octet-stream") and raw:
        raise Problem(415, "invalid_request", "Send the body as application/json.")
    try:
        return op.body.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        raise invalid(exc, "body") from None
