"""Process start-up of the `centra-pipelines` command without the cyclic garbage collector's rework.

Importing Dagster, pandas and our definitions and opening the instance create well over a million
objects that live as long as the process. CPython's cyclic collector runs every 700 allocations
and, every tenth and hundredth time, walks the older generations, so during start-up and then
throughout a sync it re-examines those same objects again and again: ~1.0–1.4 s of an unchanged
re-run of the small sandbox (gc callbacks, under load ~4). Inside `startup_heap()` nothing is
collected; at its end the objects created so far are frozen (`gc.freeze`: moved to a permanent
generation that collections skip) and collection resumes as usual for what the work allocates
afterwards, so cycles made by the sync are still collected.
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
