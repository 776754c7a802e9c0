"""Keep the garbage collector off the heap a process builds while it starts, and out of the way after.

A full (generation 2) collection walks every tracked object. With the ORM, pydantic models,
the panel's templates and the NLU tables loaded that is ~135,000 objects and 70-90 ms, during
which every request in flight waits: it was the whole p99 of `fitzap bench ingest`. Frozen
objects are never scanned again; what the process makes later is collected as usual, but less
often: nearly everything a request or a turn makes dies by reference counting, and at the default
threshold (700) a worker ran ~500 young collections and 5 full ones in 3,000 turns, 3% of its CPU.
"""
from __future__ import annotations

import gc

# Young collections every 10,000 net allocations, a middle one every 20 of those, a full one every
# 10 middle ones: in the same 3,000 turns, 7 young and 1 full, about 1% of the worker's CPU.
THRESHOLDS = (10_000, 20, 10)


def freeze_startup_heap() -> None:
    """Collect once, move every surviving object out of the collector's reach, and collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
