"""Posting a webhook to a business's endpoint: the JSON body signed like Stripe's scheme.

`FitZap-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the endpoint's secret>`; a receiver
recomputes it over the raw body and refuses a timestamp more than five minutes away (`verify`).

The host is resolved when the connection is made, every answer checked (`allowed`, the caller's policy), and the
connection made to a checked address: a name that moved into a private network since it was saved, or that answers
differently a moment later (DNS rebinding), never gets a request. TLS is still verified against the URL's host name.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import socket
import time
import typing
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpcore
import httpx

TIMEOUT_S = 10.0
TOLERANCE_S = 300
USER_AGENT = "FitZap-Webhooks/1"
MAX_ERROR = 300

# A host name and port to the addresses it resolves to now (a fake in tests: they never depend on real DNS).
Resolve = Callable[[str, int], Awaitable[Sequence[str]]]


async def system_resolve(host: str, port: int) -> list[str]:
    """The host's addresses as the system resolver answers now (an IP literal answers itself)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    answers = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in answers))


class Refused(httpcore.ConnectError):
    """The host resolves to an address the policy refuses (or to none): no connection was attempted."""


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses the host resolved to and `allowed` accepted (None accepts any: the demo)."""

    def __init__(self, resolve: Resolve, allowed: Callable[[str], bool] | None,
                 inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._resolve, self._allowed = resolve, allowed
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.AsyncNetworkStream:
        try:
            addresses = list(await asyncio.wait_for(self._resolve(host, port), timeout))
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took too long") from None
        except OSError as error:
            raise Refused(f"{host} cannot be resolved: {error}") from None
        if not addresses:
            raise Refused(f"{host} resolves to no address")
        refused = [a for a in addresses if self._allowed is not None and not self._allowed(a)]
        if refused:
            raise Refused(f"{host} resolves to a non-public address ({refused[0]}): not sent")
        error: Exception | None = None
        for address in addresses:  # each checked address in turn, never the name again
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as failed:
                error = failed
        assert error is not None
        raise error

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None
                                  ) -> httpcore.AsyncNetworkStream:
        raise Refused("webhooks are sent over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _CheckedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, backend: CheckedBackend) -> None:
        super().__init__(trust_env=False)
        # httpx offers no way to hand its pool a network backend: the same pool, built with ours.
        self._pool = httpcore.AsyncConnectionPool(ssl_context=httpx.create_ssl_context(trust_env=False),
                                                  network_backend=backend)


def client(resolve: Resolve, allowed: Callable[[str], bool] | None, *,
           inner: httpcore.AsyncNetworkBackend | None = None) -> httpx.AsyncClient:
    """The HTTP client deliveries go out through: checked addresses only, no proxy from the environment, no redirects."""
    return httpx.AsyncClient(transport=_CheckedTransport(CheckedBackend(resolve, allowed, inner)), timeout=TIMEOUT_S,
                             follow_redirects=False, trust_env=False)


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
