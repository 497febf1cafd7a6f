"""Figures that are not exact (issue 11, item 6): a stock's count given as `about` or a
`range`, each source's figure kept, read as its lower bound."""

from __future__ import annotations

from pathlib import Path

import pytest

import detente
from detente.errors import SpecError
from detente.language.loader import load_located, load_text

SPEC = """
agreement:
  id: figures
  title: A release of detainees whose number is known only roughly
  status: draft
  parties:
    - {id: a, name: Side A}
    - {id: b, name: Side B}
  sources:
    - {id: s, document: "Test fixture, not a real agreement"}
    - {id: t, document: "Another report"}
  stocks:
    - id: detainees
      holder: b
      name: detainees
      count: COUNT
      figures:
        - {about: 1700, source: t}
  phases:
    - {id: one, name: Phase one, starts: entry_into_force, duration_days: 10, at_expiry: ends}
  clauses:
    - id: "1"
      text: Side B releases the detainees in two rounds.
      source: s
      exchange:
        phase: one
        releasing: b
        counterpart: a
        rounds:
          - {day: 2, release: {detainees: 20}}
          - {day: 4, release: {detainees: 2}}
  expectations:
    - {template: consistent}
"""


def spec(count: str) -> str:
    return SPEC.replace("COUNT", count)


def test_a_ranged_count_is_kept_and_read_as_its_lower_bound() -> None:
    a = load_text(spec("{range: [20, 22], source: s}"))
    stock = a.stock("detainees")
    assert stock.count == 20
    assert [str(f) for f in stock.figures] == ["20 to 22", "about 1,700"]


def test_the_reading_decides_a_verdict() -> None:
    # 22 released from a stock read as 20 (the range's lower bound): the rounds cannot
    # all be carried out in the checker's reading; with an exact 22 they can.
    ranged = detente.check(load_text(spec("{range: [20, 22]}")))
    assert {e.name: e.verdict for e in ranged.expectations}["consistent"] == "violated"
    exact = detente.check(load_text(spec("22")))
    assert {e.name: e.verdict for e in exact.expectations}["consistent"] == "holds"
    # an exact count too low is an error; a ranged one, a warning at the round
    with pytest.raises(SpecError, match="holds only 21"):
        load_text(spec("21"))


def test_releases_beyond_an_approximate_count_are_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(spec("{range: [20, 22]}"))
    loaded = load_located(path)
    assert any(
        "more than the 20 the checker reads from the figures (20 to 22; about 1,700)" in w.message
        for w in loaded.warnings
    )


def test_a_bad_range_is_one_clear_error() -> None:
    with pytest.raises(SpecError, match="a range runs from low to high"):
        load_text(spec("{range: [22, 20]}"))
