"""Process start-up of the `centra-pipelines` command without the cyclic garbage collector's rework.

Importing Dagster, pandas and our definitions and opening the instance leave ~430,000 objects
tracked by the cyclic collector, nearly all of which live as long as the process. The collector runs
every 700 allocations and, every tenth and hundredth time, walks the older generations, so during
start-up and then throughout a sync it re-examined those same objects again and again: 1.0–1.4 s of
an unchanged re-run of the small sandbox (gc callbacks, load ~4; docs/sync.md "Process start").
Inside `startup_heap()` nothing is collected; at its end the objects created so far are frozen
(`gc.freeze`: moved to a permanent generation that collections skip) and collection resumes for
what the work allocates afterwards, so the cycles a sync makes are still collected. The ~9,000
objects of cyclic garbage that start-up leaves are frozen with the rest (a few MB for the life of
the process) rather than found by a full collection (~0.3 s).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def startup_heap() -> Iterator[None]:
    """No cyclic collection inside; what exists at its end is never examined again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
