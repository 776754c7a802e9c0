"""The sandbox channel: checks messages like the Cloud API would, then sends nothing."""
from __future__ import annotations

import uuid

from channels.base import OutboundEnvelope
from channels.cloud_api import build_request


class SandboxChannel:
    """A channel for demos and tests: nothing leaves the process."""

    name = "sandbox"

    async def send(self, envelope: OutboundEnvelope) -> str | None:
        """Validate like the Cloud API; a fake "sandbox.<hex>" id, or None for read receipts."""
        # Same checks as the real channel, so a payload that passes here won't fail there.
        build_request(envelope)
        if envelope.kind == "read":
            return None
        return "sandbox." + uuid.uuid4().hex

    async def aclose(self) -> None:
        """Nothing to close."""
