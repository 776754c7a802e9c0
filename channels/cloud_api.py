"""The WhatsApp Cloud API channel: one POST per outbox row, errors sorted into retry or give up."""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import orjson

from channels.base import OutboundEnvelope, PermanentSendError, SendError, TransientSendError
from channels.cloud_api_requests import build_request
from channels.graph_transport import GraphHttp, HttpxGraph, NetworkError

__all__ = ["CloudApiChannel", "build_request", "classify", "parse_retry_after"]

log = logging.getLogger(__name__)

MARKETING_USER_LIMIT_WAIT_S = 24 * 3600.0

# Codes Meta documents as temporary: throughput (130429), pair rate limit (131056),
# marketing per-user limit (131049), generic/unknown/service errors (1, 2, 4, 131000..131004),
# service unavailable or maintenance (131016, 131057, 133004) and the rate limit 80007.
TRANSIENT_CODES = frozenset(
    {1, 2, 4, 80007, 130429, 131000, 131001, 131002, 131004, 131016, 131049, 131056, 131057, 133004}
)

MAX_CONNECTIONS = 64  # to the Graph API, per process
# The number's own throughput limits (not a single recipient's): every send on it should slow down.
THROUGHPUT_CODES = frozenset({80007, 130429})


def parse_retry_after(header: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent or bad."""
    if not header or not header.strip():
        return None
    value = header.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def classify(status_code: int, body: dict[str, Any] | None, retry_after_header: str | None) -> SendError:
    """Turn a failed Cloud API answer into a TransientSendError (retry) or PermanentSendError."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    data = error.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    message = f"HTTP {status_code}: {error.get('message') or 'no error body'}"
    if details:
        message = f"{message} ({details})"

    if status_code == 429 or status_code >= 500 or code in TRANSIENT_CODES:
        retry_after_s = parse_retry_after(retry_after_header)
        if code == 131049:
            # Meta asks for at least a day before the same user gets marketing again.
            retry_after_s = max(retry_after_s or 0.0, MARKETING_USER_LIMIT_WAIT_S)
        throttled = status_code == 429 or code in THROUGHPUT_CODES
        return TransientSendError(message, code=code, retry_after_s=retry_after_s, throttled=throttled)
    return PermanentSendError(message, code=code)


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def _json_or_none(body: bytes) -> dict[str, Any] | None:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


class CloudApiChannel:
    """Sends envelopes through Meta's Graph API `/{phone_number_id}/messages` endpoint."""

    name = "cloud_api"

    def __init__(
        self,
        token: str,
        api_version: str,
        base_url: str = "https://graph.facebook.com",
        timeout_s: float = 10.0,
        http: GraphHttp | None = None,
    ) -> None:
        self._auth = _headers(token)
        self._root = f"{base_url.rstrip('/')}/{api_version.strip('/')}"
        self._urls: dict[str, str] = {}
        # Every connection kept alive: with a smaller pool, senders side by side beyond it open and
        # close a TCP (and TLS) connection per message. None: httpx's own, which respx intercepts.
        self._http = http if http is not None else HttpxGraph(MAX_CONNECTIONS, timeout_s)

    def __repr__(self) -> str:
        # Spelled out so the token can never reach a log through repr().
        return f"CloudApiChannel(root={self._root!r})"

    def url_for(self, phone_number_id: str) -> str:
        """The messages endpoint of one business number."""
        if not phone_number_id:
            raise PermanentSendError("WhatsApp is not connected: the business has no phone number id yet (Settings → WhatsApp)")
        url = self._urls.get(phone_number_id)
        if url is None:
            url = self._urls[phone_number_id] = f"{self._root}/{quote(phone_number_id, safe='')}/messages"
        return url

    async def send(self, envelope: OutboundEnvelope) -> str | None:
        """Send one envelope; the wamid for messages, None for read receipts."""
        body = build_request(envelope)
        url = self.url_for(envelope.phone_number_id)
        headers = _headers(envelope.access_token) if envelope.access_token else self._auth
        try:
            # orjson: the stdlib encoder costs more CPU per send (docs/performance.md).
            answer = await self._http.post(url, headers, orjson.dumps(body))
        except NetworkError as exc:
            log.warning("cloud api %s send via %s: network error %s", envelope.kind, envelope.phone_number_id,
                        type(exc.__cause__).__name__)
            raise TransientSendError(f"network error: {exc}") from exc.__cause__

        data = _json_or_none(answer.body)
        if not 200 <= answer.status < 300:
            error = classify(answer.status, data, answer.retry_after)
            log.warning("cloud api %s send via %s failed: %s", envelope.kind, envelope.phone_number_id, error.describe())
            raise error
        if envelope.kind == "read":
            return None
        try:
            return str(data["messages"][0]["id"])  # type: ignore[index]
        except (KeyError, IndexError, TypeError) as exc:
            # Accepted but unreadable: retrying could send twice, so leave it to a human.
            raise PermanentSendError(f"HTTP {answer.status} answer without messages[0].id") from exc

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()
