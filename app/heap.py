"""Keep the garbage collector off the heap a process builds while it starts, and out of the way after.

A full (generation 2) collection walks every tracked object, and with the ORM, pydantic models,
the panel's templates and the NLU tables loaded, every request in flight waits for it. Frozen
objects are never scanned again; what the process makes later is collected as usual, but less
often: nearly everything a request or a turn makes dies by reference counting, so the default
threshold collects far more often than it finds garbage (docs/performance.md).
"""
from __future__ import annotations

import gc

# Young collections every 10,000 net allocations, a middle one every 20 of those, a full one every
# 10 middle ones: a fraction of the default's collections and of their CPU (docs/performance.md).
THRESHOLDS = (10_000, 20, 10)


def freeze_startup_heap() -> None:
    """Collect once, move every surviving object out of the collector's reach, and collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
