"""The channel interface: how an outbox row leaves the building."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class SendError(Exception):
    """A send did not go through; `code` is the provider's error code when there is one."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code

    def describe(self) -> str:
        return f"{self.code}: {self}" if self.code is not None else str(self)


class TransientSendError(SendError):
    """Worth retrying later (5xx, 429, throughput or pair rate limits, network trouble)."""

    def __init__(self, message: str, *, code: int | None = None, retry_after_s: float | None = None,
                 throttled: bool = False) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s
        self.throttled = throttled  # the whole number is sending too fast, not just this message


class PermanentSendError(SendError):
    """Will never go through as it is (invalid recipient, outside the 24-hour window, bad request)."""


@dataclass(frozen=True)
class OutboundEnvelope:
    """Everything a channel needs to send one outbox row."""

    phone_number_id: str
    to: str
    kind: str  # text | buttons | list | template | read
    payload: dict[str, Any]
    # The business's own Cloud API token when it set one in the panel; None means the deployment's.
    access_token: str | None = field(default=None, repr=False)


class Channel(Protocol):
    name: str

    async def send(self, envelope: OutboundEnvelope) -> str | None:
        """Send one message; return the provider's message id (None for read receipts)."""
        ...

    async def aclose(self) -> None: ...
