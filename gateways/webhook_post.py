"""Posting a webhook to a business's endpoint: the JSON body signed like Stripe's scheme.

`FitZap-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the endpoint's secret>`; a receiver
recomputes it over the raw body and refuses a timestamp more than five minutes away (`verify`).
"""
from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

import httpx

TIMEOUT_S = 10.0
TOLERANCE_S = 300
USER_AGENT = "FitZap-Webhooks/1"
MAX_ERROR = 300


@dataclass(frozen=True)
class Outcome:
    """What one POST came to: a status code (any) or an error (no answer), and how long it took."""

    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance_s: int = TOLERANCE_S) -> bool:
    """What a receiver does: the header's v1 matches the body under the secret, and its t is within tolerance."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))


def headers(secret: str, timestamp: int, body: bytes, event_type: str, delivery_id: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": USER_AGENT, "FitZap-Event": event_type,
            "FitZap-Delivery": delivery_id, "FitZap-Signature": signature(secret, timestamp, body)}


async def post(http: httpx.AsyncClient, url: str, body: bytes, *, secret: str, timestamp: int, event_type: str,
               delivery_id: str) -> Outcome:
    """POST once (no redirects followed, the answer's body not read); never raises for the network's sake."""
    started = time.monotonic()
    try:
        async with http.stream("POST", url, content=body, headers=headers(secret, timestamp, body, event_type, delivery_id),
                               follow_redirects=False, timeout=TIMEOUT_S) as response:
            status: int | None = response.status_code
            error = None
    except httpx.TimeoutException:
        status, error = None, "timeout"
    except httpx.HTTPError as exc:
        status, error = None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
    return Outcome(status, error, int((time.monotonic() - started) * 1000))
