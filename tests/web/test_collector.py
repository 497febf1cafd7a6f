"""The server's garbage-collector settings: survivors of a full collection are frozen, and
the freeze is lifted now and then so that a full collection walks everything again."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator

import pytest

from detente.web.collector import _FreezeSurvivors


@pytest.fixture
def callback() -> Iterator[_FreezeSurvivors]:
    frozen_before = gc.get_freeze_count()
    cb = _FreezeSurvivors(deep_every=3600.0)
    gc.callbacks.append(cb)
    try:
        yield cb
    finally:
        gc.callbacks.remove(cb)
        gc.unfreeze()
        if frozen_before:
            gc.freeze()


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_what_survives_a_full_collection_is_frozen_and_young_collections_freeze_nothing(
    callback: _FreezeSurvivors,
) -> None:
    gc.unfreeze()
    gc.collect(0)
    assert gc.get_freeze_count() == 0 and callback.full == 0
    kept = [Node() for _ in range(100)]
    gc.collect()
    assert callback.full == 1
    assert gc.get_freeze_count() > 0
    assert len(gc.get_objects(2)) == 0  # the next full collection walks none of them
    assert kept[0] not in gc.get_objects()  # frozen: out of every generation


def test_now_and_then_the_freeze_is_lifted_and_frozen_cycles_are_freed(
    callback: _FreezeSurvivors,
) -> None:
    gone: list[int] = []

    class Watched(Node):
        def __del__(self) -> None:
            gone.append(1)

    node = Watched()
    gc.collect()  # node survives and is frozen
    del node  # now a cycle of garbage among frozen objects: no collection sees it
    gc.collect()
    assert gone == []
    callback.last_deep = time.monotonic() - callback.deep_every  # a deep pass is due
    gc.collect()  # lifts the freeze after it
    assert callback.deep == 1
    gc.collect()  # walks the whole heap: the cycle is freed
    assert gone == [1]
