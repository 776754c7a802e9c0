"""Every API error as RFC 9457 problem details (application/problem+json)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from aiohttp import web
from pydantic import ValidationError

from domain.errors import BookingError, DomainError, NotFound
from domain.people.client_records import ClientRecordError, DuplicatePhone
from domain.platform.plans import PlanLimitReached

PROBLEM_JSON = "application/problem+json"
# Problem types are relative URI references into the docs page, where each is described.
TYPE_BASE = "/api/docs#problem-"
TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    409: "Conflict", 413: "Payload Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
    429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
}
# What each problem code means, for the docs page.
CODES = {
    "invalid_request": "The query, path or body does not match the operation's schema; `errors` says where.",
    "unauthorized": "No bearer token, an unknown one, or a revoked one.",
    "forbidden": "A read token used for a write.",
    "not_found": "No such resource in the token's business (another business's ids are not found too).",
    "method_not_allowed": "The path exists but not with this method.",
    "rate_limited": "Too many requests for this token in the current minute; wait `Retry-After` seconds.",
    "idempotency_key_reused": "The Idempotency-Key was used before with a different request.",
    "idempotency_in_progress": "A request with this Idempotency-Key is still being answered; retry shortly.",
    "duplicate_phone": "The business already has a client with that phone.",
    "already_client": "The phone typed in for a lead is already one of the business's clients (or leads).",
    "client_erased": "The client asked to be forgotten: nothing about them may be changed.",
    "phone_unknown": "The client has no phone yet (known only by their WhatsApp id): send one with the change.",
    "class_not_full": "The class has free seats: give the client a seat instead of a place on the waitlist.",
    "payments_off": "This server takes no online payments, so it makes no payment links; record desk payments instead.",
    "plan_limit": "The studio's FitZap plan does not allow this (more active clients, or the API itself); the owner can "
                  "upgrade on the panel's Plan page.",
    "conflict": "The domain refused the change (its `code` says which rule).",
    "internal": "Something failed on our side; nothing the request asked for was kept.",
}


class Problem(Exception):
    """An error answer: raise it anywhere under /api/v1 and the middleware turns it into problem details."""

    def __init__(self, status: int, code: str, detail: str, *, errors: Sequence[Mapping[str, Any]] = (),
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.errors = list(errors)
        self.headers = dict(headers or {})

    def body(self, instance: str) -> dict[str, Any]:
        body: dict[str, Any] = {"type": TYPE_BASE + self.code, "title": TITLES.get(self.status, "Error"),
                                "status": self.status, "detail": self.detail, "instance": instance, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body

    def response(self, instance: str) -> web.Response:
        return web.Response(status=self.status, body=orjson.dumps(self.body(instance)), content_type=PROBLEM_JSON,
                            headers=self.headers)


def invalid(exc: ValidationError, where: str) -> Problem:
    """A pydantic refusal as a 400 with one entry per field: `{"in": "body", "field": "starts_at", "detail": …}`."""
    errors = [{"in": where, "field": ".".join(str(p) for p in e["loc"]) or None, "detail": e["msg"], "type": e["type"]}
              for e in exc.errors(include_url=False)]
    return Problem(400, "invalid_request", f"The request's {where} is not valid.", errors=errors)


def from_domain(error: DomainError) -> Problem:
    """The domain's refusal: 404 for what the business does not have, 403 for what its plan does not allow, 409 for
    a rule the change would break."""
    if isinstance(error, NotFound):
        return Problem(404, "not_found", "Not found in this business.")
    if isinstance(error, PlanLimitReached):
        return Problem(403, "plan_limit", f"{str(error)[0].upper()}{str(error)[1:]}; the owner can upgrade on the Plan page.")
    if isinstance(error, DuplicatePhone):
        return Problem(409, "duplicate_phone", str(error))
    if isinstance(error, BookingError | ClientRecordError):
        return Problem(409, error.code, str(error))
    return Problem(409, error.code if error.code != "domain_error" else "conflict", str(error))
