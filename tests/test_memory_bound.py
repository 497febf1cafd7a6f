"""``--max-memory``: a check too big for its memory bound answers ``unknown`` with the bound
it reached (which bound, how many states, how much memory), never a wrong ``holds``."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import detente
from detente.checker import explore, memory
from detente.checker.context import Context
from detente.language.loader import load_text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from family import member_yaml  # noqa: E402


def test_sizes_parse() -> None:
    assert memory.parse_size("512M") == 512 * 2**20
    assert memory.parse_size("4G") == 4 * 2**30
    assert memory.parse_size("1.5GB") == int(1.5 * 2**30)
    assert memory.parse_size("800k") == 800 * 2**10
    assert memory.parse_size("300") == 300 * 2**20
    with pytest.raises(ValueError):
        memory.parse_size("lots")


def test_the_default_bound_is_a_share_of_what_is_available() -> None:
    free = memory.available()
    bound = memory.default_max_memory()
    if free is not None:
        assert bound is not None and memory.rss() < bound <= memory.rss() + free


def test_memory_bound_stops_the_explorer_mid_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the process's memory read as 1 MB plus 1 kB a state, a 5 MB bound stops the
    explorer at the first reading past it, with the partly expanded state's edges cut."""
    agreement = load_text(member_yaml(8), "family-8.yaml")
    fake = {"ctx": None}

    def rss() -> int:
        g = fake["ctx"]
        return 2**20 + 1024 * (0 if g is None else g.size)

    monkeypatch.setattr(explore, "rss", rss)
    g = explore.Graph(Context(agreement).model, max_memory=5 * 2**20)
    fake["ctx"] = g  # type: ignore[assignment]
    g.explore()
    assert not g.complete and g.stopped is not None
    assert g.stopped.kind == "memory" and g.stopped.bound == 5 * 2**20
    assert g.stopped.states == g.size == 8192  # 1 MB + 4 MB at 4096 is not past 5 MB
    assert g.stopped.memory > g.stopped.bound
    assert len(g.offsets) - 1 <= g.size
    assert all(t < g.size for t in g.targets)


def test_the_collector_is_paused_while_exploring_and_back_after_a_stop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The explorer pauses the cyclic collector (its loop makes no cycle) and puts it
    back as it was, also when a bound stops it half way."""
    agreement = load_text(member_yaml(4), "family-4.yaml")
    seen: list[bool] = []

    def rss() -> int:
        seen.append(gc.isenabled())
        return 2**40  # past any bound: the first reading stops it

    monkeypatch.setattr(explore, "rss", rss)
    assert gc.isenabled()
    g = explore.Graph(Context(agreement).model, max_memory=2**30)
    g.explore()
    assert g.stopped is not None and g.stopped.kind == "memory"
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        explore.Graph(Context(agreement).model).explore()
        assert not gc.isenabled()  # a caller's own pause is kept
    finally:
        gc.enable()


def test_the_api_answers_unknown_with_the_memory_bound() -> None:
    agreement = load_text(member_yaml(9), "family-9.yaml")
    r = detente.check(agreement, max_memory=memory.rss() // 2)
    explored = [e for e in r.expectations if e.states or e.verdict == "unknown"]
    assert explored and all(e.verdict == "unknown" for e in explored)
    for e in explored:
        assert e.limit is not None and e.limit.kind == "memory"
        assert e.limit.memory > e.limit.bound
    assert not r.ok


def _unknown_in_cli_json(tmp_path: Path, *bound: str) -> list[dict[str, Any]]:
    """``detente check --json`` on family 9 with ``bound`` (exit code 1): its unknown
    expectations, after checking that the others say no bound."""
    spec = tmp_path / "family-9.yaml"
    spec.write_text(member_yaml(9))
    proc = subprocess.run(
        [sys.executable, "-m", "detente.cli", "check", "--json", str(spec), *bound],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    out = json.loads(proc.stdout)
    assert all(e["bound"] is None for e in out["expectations"] if e["verdict"] != "unknown")
    unknown: list[dict[str, Any]] = [e for e in out["expectations"] if e["verdict"] == "unknown"]
    assert unknown
    return unknown


def test_cli_json_says_the_bound(tmp_path: Path) -> None:
    """A family member that needs more than 1 MB checked within 1 MB: every explored
    expectation is unknown, and the JSON says which bound, the states and the memory."""
    for e in _unknown_in_cli_json(tmp_path, "--max-memory", "1M"):
        assert e["bound"]["kind"] == "memory" and e["bound"]["bound"] == 2**20
        assert e["bound"]["memory_bytes"] > 2**20 and e["bound"]["states"] == e["states"]


def test_states_bound_is_reported_as_such() -> None:
    agreement = load_text(member_yaml(4), "family-4.yaml")
    r = detente.check(agreement, max_states=50, max_memory=None)
    e = r["no_unilateral_exit(a)"]
    assert e.verdict == "unknown" and e.bound == 50
    assert e.limit is not None and e.limit.kind == "states" and e.limit.states == 50


def test_a_deadline_passed_stops_the_explorer_at_once() -> None:
    agreement = load_text(member_yaml(4), "family-4.yaml")
    g = explore.Graph(Context(agreement).model, deadline=time.monotonic() - 1, max_seconds=2.5)
    g.explore()
    assert not g.complete and g.size == 1 and not g.targets
    assert g.stopped is not None and g.stopped.kind == "time" and g.stopped.bound == 2.5


def test_the_api_answers_unknown_with_the_time_bound() -> None:
    """Family 9 (106,716 states, seconds to explore) given a quarter of a second: every
    expectation that explores is unknown, stopped by the time bound, and the states
    explored are a fraction of the member's."""
    agreement = load_text(member_yaml(9), "family-9.yaml")
    r = detente.check(agreement, max_seconds=0.25)
    explored = [e for e in r.expectations if e.states or e.verdict == "unknown"]
    assert explored and all(e.verdict == "unknown" for e in explored)
    for e in explored:
        assert e.limit is not None and e.limit.kind == "time" and e.limit.bound == 0.25
        assert e.limit.states == e.states
    assert r.states_explored < 106_716
    assert not r.ok


def test_cli_json_says_the_time_bound(tmp_path: Path) -> None:
    for e in _unknown_in_cli_json(tmp_path, "--max-seconds", "0.5"):
        assert e["bound"]["kind"] == "time" and e["bound"]["bound"] == 0.5
        assert e["bound"]["states"] == e["states"]
