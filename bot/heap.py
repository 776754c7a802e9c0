"""Keep the garbage collector off the heap a process builds while it starts.

A full (generation 2) collection walks every tracked object. With the ORM, pydantic models,
the panel's templates and the NLU tables loaded that is ~135,000 objects and 70-90 ms, during
which every request in flight waits: it was the whole p99 of `fitzap bench ingest`. Frozen
objects are never scanned again; what the process makes later is collected as usual.
"""
from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect once, then move every surviving object out of the collector's reach."""
    gc.collect()
    gc.freeze()
