"""The cyclic garbage collector kept from pausing the server for long.

A full collection walks every object the collector tracks. Under writers the server's heap
keeps growing objects that live long (the folded ledger, the compiled tables the monitor
keeps per agreement and horizon) and promotes short-lived ones (the report and page of
each new head) into the oldest generation, so full collections came every two or three
seconds and each walked some 200,000 objects: pauses of 110-140 ms on the event loop,
the p99 of every reader while 10 writers posted.

So what survives a full collection is frozen (``gc.freeze``): the next full collection
walks only what was promoted since, a few tens of milliseconds at most. Frozen objects
are still freed by reference counting as soon as nothing refers to them; only a cycle
among them would stay, so every ``deep_every`` seconds the freeze is lifted before a
full collection, which then walks (and frees) everything once.
"""

from __future__ import annotations

import gc
import time
from typing import Any

#: Seconds between full collections that walk the whole heap, frozen part included.
DEEP_EVERY = 600.0

_installed: list[Any] = []


class _FreezeSurvivors:
    def __init__(self, deep_every: float) -> None:
        self.deep_every = deep_every
        self.last_deep = time.monotonic()
        self.full = 0
        self.deep = 0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase != "stop" or info.get("generation") != 2:
            return
        self.full += 1
        now = time.monotonic()
        if now - self.last_deep >= self.deep_every:
            # The next full collection walks the whole heap: cycles among objects frozen
            # earlier are found and freed. Its survivors are frozen again after it.
            gc.unfreeze()
            self.last_deep = now
            self.deep += 1
        else:
            gc.freeze()  # the young generations are empty after a full collection


def freeze_survivors(deep_every: float = DEEP_EVERY) -> None:
    """Install the collector callback (once per process)."""
    if not _installed:
        callback = _FreezeSurvivors(deep_every)
        gc.callbacks.append(callback)
        _installed.append(callback)
