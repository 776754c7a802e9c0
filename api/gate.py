"""What every /api/v1 request passes: the bearer token, its scope, its rate limit, and Idempotency-Key on POST."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from datetime import datetime, timedelta

from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api.operations import PREFIX
from api.problems import PROBLEM_JSON, Problem, from_domain
from api.rate_limit import ApiRateLimit, Verdict
from api.token_cache import TokenCache
from domain.errors import DomainError
from domain.platform import api_tokens, idempotency, plans
from domain.platform.api_tokens import TokenOwner
from domain.platform.plans import PlanLimitReached
from runtime.keys import RUNTIME

OWNER = web.RequestKey("api_owner", TokenOwner)
LIMITER = web.AppKey("api_rate_limit", ApiRateLimit)
TOKENS = web.AppKey("api_tokens", TokenCache)
# When this process last dropped idempotency keys past their day (one list item, so the app key holds a mutable box).
SWEPT = web.AppKey("api_idempotency_swept", list[datetime])
SWEEP_EVERY = timedelta(minutes=10)
PUBLIC_PATHS = frozenset({f"{PREFIX}/openapi.json"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_KEY_CHARS = 255
log = logging.getLogger(__name__)


@web.middleware
async def api_gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Under /api/v1: every answer that is not a success is problem details; nothing else is touched."""
    if not request.path.startswith(PREFIX + "/") or request.path in PUBLIC_PATHS:
        return await handler(request)
    verdict: Verdict | None = None
    try:
        owner, verdict = await _authenticate(request)
        try:
            plans.check_api(owner.plan)
        except PlanLimitReached as refused:
            raise from_domain(refused) from None
        if request.method not in READ_METHODS and owner.scope != "write":
            raise Problem(403, "forbidden", "This token may only read; changes need a write token.")
        if not verdict.allowed:
            raise Problem(429, "rate_limited", f"At most {verdict.limit} requests a minute per token.",
                          headers={"Retry-After": str(verdict.reset_s)})
        request[OWNER] = owner
        key = request.headers.get("Idempotency-Key")
        if request.method == "POST" and key is not None:
            response = await _idempotent(request, handler, owner, key)
        else:
            response = await _answer(request, handler)
    except Problem as problem:
        response = problem.response(request.path)
    except (DBAPIError, PoolTimeout):
        log.exception("API gate could not reach the database: %s %s", request.method, request.path)
        response = Problem(503, "internal", "The database could not answer; try again.", headers={"Retry-After": "1"}
                           ).response(request.path)
    response.headers["Cache-Control"] = "no-store"  # clients' data: never kept by a proxy
    if verdict is not None:
        response.headers["RateLimit-Limit"] = str(verdict.limit)
        response.headers["RateLimit-Remaining"] = str(verdict.remaining)
        response.headers["RateLimit-Reset"] = str(verdict.reset_s)
    return response


async def _authenticate(request: web.Request) -> tuple[TokenOwner, Verdict]:
    """The token's owner and its request counted against its limit. A token this process already knows costs no
    query while no token has been revoked since (api.token_cache)."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    unauthorized = {"WWW-Authenticate": 'Bearer realm="fitzap"'}
    if scheme.lower() != "bearer" or not secret.strip() or len(secret) > 200:
        raise Problem(401, "unauthorized", "Send `Authorization: Bearer <token>` with a token made in the panel.",
                      headers=unauthorized)
    runtime, tokens, limiter = request.app[RUNTIME], request.app[TOKENS], request.app[LIMITER]
    digest = api_tokens.hash_secret(secret.strip())
    verdict: Verdict | None = None
    owner = tokens.get(digest)
    if owner is not None:
        verdict = await limiter.take(owner.token_id)
        tokens.observe(verdict.tokens_stamp)
        owner = tokens.get(digest)  # gone if a token was revoked since it was kept
    if owner is None:
        stamp = tokens.stamp
        async with runtime.single_statements() as session:
            owner = await api_tokens.owner_of_digest(session, digest)
        if owner is None:
            raise Problem(401, "unauthorized", "The token is unknown or was revoked.", headers=unauthorized)
        if verdict is None:
            verdict = await limiter.take(owner.token_id)
            tokens.observe(verdict.tokens_stamp)
        tokens.keep(digest, owner, stamp)
    now = runtime.clock.now()
    if api_tokens.needs_touch(owner, now):
        async with runtime.single_statements.begin() as session:
            await api_tokens.touch(session, owner.token_id, now)
        if tokens.get(digest) is not None:  # only what is kept: one read before a revocation is not
            tokens.keep(digest, replace(owner, last_used_at=now), tokens.stamp)
    return owner, verdict


async def _answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The handler's answer, with every failure as problem details."""
    try:
        return await handler(request)
    except Problem as problem:
        return problem.response(request.path)
    except DomainError as error:
        return from_domain(error).response(request.path)
    except web.HTTPNotFound:
        return Problem(404, "not_found", "No such resource in this API.").response(request.path)
    except web.HTTPMethodNotAllowed as exc:
        return Problem(405, "method_not_allowed", f"{request.method} is not allowed here.",
                       headers={"Allow": ", ".join(sorted(exc.allowed_methods))}).response(request.path)
    except web.HTTPRequestEntityTooLarge:
        return Problem(413, "invalid_request", "The body is too large.").response(request.path)
    except web.HTTPClientError as exc:
        return Problem(exc.status, "invalid_request", exc.reason).response(request.path)
    except (DBAPIError, PoolTimeout):
        log.exception("API request failed in the database: %s %s", request.method, request.path)
        return Problem(503, "internal", "The database could not answer; try again.", headers={"Retry-After": "1"}
                       ).response(request.path)
    except Exception:
        log.exception("API request failed: %s %s", request.method, request.path)
        return Problem(500, "internal", "Something failed on our side.").response(request.path)


async def _idempotent(request: web.Request, handler: Handler, owner: TokenOwner, key: str) -> web.StreamResponse:
    """The first request under the key is answered and its answer kept; the same request again gets that answer,
    a different one under the same key a 422."""
    if not 1 <= len(key) <= MAX_KEY_CHARS or not key.isprintable():
        raise Problem(400, "invalid_request", f"Idempotency-Key must be 1 to {MAX_KEY_CHARS} printable characters.",
                      errors=[{"in": "header", "field": "Idempotency-Key", "detail": "invalid", "type": "header"}])
    digest = hashlib.sha256(f"{request.method} {request.path_qs}\n".encode() + await request.read()).hexdigest()
    runtime = request.app[RUNTIME]
    now, swept = runtime.clock.now(), request.app[SWEPT]
    async with runtime.sessions.begin() as session:
        if not swept or now - swept[0] >= SWEEP_EVERY:
            swept[:] = [now]
            await idempotency.forget_old(session, now)
        seen = await idempotency.reserve(session, owner.token_id, key, digest, now)
    if seen is not None:
        if seen.request_hash != digest:
            raise Problem(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request.")
        if seen.status is None:
            raise Problem(409, "idempotency_in_progress", "A request with this Idempotency-Key is still being answered.",
                          headers={"Retry-After": "1"})
        content_type = PROBLEM_JSON if seen.status >= 400 else "application/json"
        return web.Response(status=seen.status, body=(seen.body or "").encode(), content_type=content_type,
                            headers={"Idempotent-Replayed": "true"})
    try:
        response = await _answer(request, handler)
    except BaseException:
        async with runtime.sessions.begin() as session:
            await idempotency.release(session, owner.token_id, key)
        raise
    async with runtime.sessions.begin() as session:
        if response.status >= 500 or not isinstance(response, web.Response) or response.body is None:
            await idempotency.release(session, owner.token_id, key)
        else:
            body = response.body if isinstance(response.body, bytes) else b""
            await idempotency.record(session, owner.token_id, key, response.status, body.decode())
    return response
