"""A conversation's saved state: which flow and step it is in, and what has been collected so far."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

IDLE_RESET = timedelta(minutes=30)


@dataclass
class State:
    flow: str | None = None  # book | reschedule | cancel | erase | name | None (the menu)
    step: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    locale: str | None = None
    greeted: bool = False
    misunderstood: int = 0
    last_booking_id: int | None = None  # for a double tap on an already-used confirm button
    updated_at: str | None = None

    @classmethod
    def load(cls, raw: dict[str, Any] | None) -> State:
        known = {k: v for k, v in (raw or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def dump(self) -> dict[str, Any]:
        return asdict(self)

    def start(self, flow: str, step: str, **slots: Any) -> None:
        self.flow, self.step, self.slots, self.misunderstood = flow, step, dict(slots), 0

    def go(self, step: str, **slots: Any) -> None:
        self.step = step
        self.slots.update(slots)

    def reset(self) -> None:
        self.flow, self.step, self.slots = None, None, {}

    def idle_since(self, now: datetime) -> bool:
        """A flow left alone for 30 minutes starts over."""
        return bool(self.flow and self.updated_at and now - datetime.fromisoformat(self.updated_at) > IDLE_RESET)
