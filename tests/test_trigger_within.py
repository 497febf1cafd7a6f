"""A triggered duty's time from its trigger: `within: {days|hours}` beside `once`, and the
old spelling `within_days` kept as an alias, read by one rule (language/calendar.py,
`trigger_days`; docs/semantics.md, Conditions)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import detente
from detente.language.calendar import trigger_days
from detente.language.loader import load, load_text
from detente.monitor import Event, monitor
from detente.semantics import System

TRIGGERS = Path(__file__).resolve().parent / "fixtures" / "constructs" / "triggers.yaml"
TEXT = TRIGGERS.read_text()
OLD = "within_days: 3}"


def _spelt(within: str) -> str:
    assert OLD in TEXT
    return TEXT.replace(OLD, within + "}")


def _verdicts(text: str) -> dict[str, str]:
    return {e.name: e.verdict for e in detente.check(load_text(text)).expectations}


def test_both_spellings_are_one_duty() -> None:
    old = load(TRIGGERS).clause("2").obligation
    new = load_text(_spelt("within: {days: 3}")).clause("2").obligation
    hours = load_text(_spelt("within: {hours: 72}")).clause("2").obligation
    assert old is not None and new is not None and hours is not None
    assert trigger_days(old) == trigger_days(new) == trigger_days(hours) == 3
    # hours round up to whole days, as every deadline counted from an anchor
    odd = load_text(_spelt("within: {hours: 49}")).clause("2").obligation
    assert odd is not None and trigger_days(odd) == 3
    # one compiled system: the same trigger, the same states
    a, b = System(load(TRIGGERS)), System(load_text(_spelt("within: {hours: 72}")))
    assert a.triggers == b.triggers
    assert a.initial == b.initial


def test_both_spellings_give_the_same_verdicts() -> None:
    old = _verdicts(TEXT)
    assert old == _verdicts(_spelt("within: {days: 3}"))
    assert old == _verdicts(_spelt("within: {hours: 72}"))
    assert old["prisoners_in_phase_two"] == "holds"


def test_a_shorter_time_changes_the_verdict() -> None:
    """24 hours after the hostages (due on day 5) falls inside phase one (7 days)."""
    assert _verdicts(_spelt("within: {hours: 24}"))["prisoners_in_phase_two"] == "violated"
    assert _verdicts(_spelt("within_days: 1"))["prisoners_in_phase_two"] == "violated"


def test_the_story_and_the_text_say_the_time_as_written() -> None:
    r = detente.check(load_text(_spelt("within: {hours: 72}")))
    told = " ".join(s.text for e in r.expectations for s in e.story)
    assert "it falls due within 72 hours" in told


def test_the_monitor_reads_both_spellings_alike() -> None:
    def ev(n: int, date: str, actor: str, category: str, q: int) -> Event:
        return Event(
            id=f"e{n}",
            date=dt.date.fromisoformat(date),
            actor=actor,
            action="release",
            category=category,
            quantity=q,
            source="https://example.org/log",
        )

    log = [ev(1, "2025-01-04", "a", "hostages", 4), ev(2, "2025-01-09", "b", "prisoners", 40)]
    kw = {"entry_into_force": dt.date(2025, 1, 1), "as_of": dt.date(2025, 1, 20)}
    seen = []
    for text in (TEXT, _spelt("within: {days: 3}"), _spelt("within: {hours: 72}")):
        o = monitor(load_text(text), log, **kw).obligation("2")  # type: ignore[arg-type]
        seen.append((o.due, o.status, o.late_days))
    # the hostages are decided at their deadline (day 5), so the prisoners are due on day 8
    assert seen[0] == seen[1] == seen[2] == (dt.date(2025, 1, 8), "late", 1)
