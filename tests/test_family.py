"""``benchmarks/family.py``: members picked by size, by state count, and on SymboleoPC's
obligations × powers × interdependency axis are all valid specs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from detente.language.loader import load_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from family import CALIBRATION, for_states, main, member_yaml


@pytest.mark.parametrize(
    "args",
    [(1,), (8,), (4, 8, 8, 0.5), (6, 12, 6, 0.22), (2, 16, 16, 0.14), (1, 0, 0, 0.0), (1, 0, 3)],
)
def test_members_are_valid(args: tuple[int, ...]) -> None:
    agreement = load_text(member_yaml(*args), "family.yaml")
    kinds = [c for c in agreement.clauses if c.obligation is not None]
    if len(args) > 1:
        assert len(kinds) == args[1]


def test_interdependency_links_obligations_to_powers() -> None:
    a = load_text(member_yaml(2, 10, 10, 0.4), "family.yaml")
    granting = [c for c in a.clauses if c.obligation and c.obligation.on_violation]
    assert len(granting) == 4
    granted = [c.obligation.on_violation.grants for c in granting]  # type: ignore[union-attr]
    assert len(set(granted)) == len(granted)


def test_states_picks_the_nearest_measured_member() -> None:
    for (size, obligations), states in CALIBRATION.items():
        assert for_states(states) == (size, obligations, states)
    size, _, estimate = for_states(10_000_000)
    assert size > max(s for s, _ in CALIBRATION) and estimate > 10**6


def test_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--states", "50000"]) == 0
    out = capsys.readouterr()
    assert "family-" in out.out and "states" in out.err
    with pytest.raises(SystemExit):
        main(["--states", "10", "--size", "3"])
