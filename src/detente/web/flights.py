"""Single flight: when many requests miss the same cache entry at once, one computes it.

Without it, fifty clients arriving just after the chain's head moved would each replay the
whole ledger (or parse the spec, or run the monitor) at the same time, and every one of
them would wait for all of that work.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterator
from contextlib import contextmanager


class Flights:
    """Per-key locks, created on demand and dropped when nobody holds or waits for them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[Hashable, tuple[threading.Lock, list[int]]] = {}

    @contextmanager
    def __call__(self, key: Hashable) -> Iterator[None]:
        with self._lock:
            found = self._keys.get(key)
            if found is None:
                found = self._keys[key] = (threading.Lock(), [0])
            found[1][0] += 1
        try:
            with found[0]:
                yield
        finally:
            with self._lock:
                found[1][0] -= 1
                if found[1][0] == 0:
                    del self._keys[key]
