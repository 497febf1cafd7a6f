"""The monitor reads the checker's own transition system: three disagreements that a new
user found between them, kept as regressions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import detente
from detente.language.loader import load
from detente.monitor import Event, iter_events, monitor

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "monitor_spec.yaml"

TALKS_SPEC = """
agreement:
  id: talks-then-failure
  title: Talks that agree, and a power to declare them failed
  status: in_force
  dates: {entry_into_force: 2024-01-01}
  parties:
    - {id: a, name: Side A}
    - {id: b, name: Side B}
  sources:
    - {id: s, document: "Test fixture, not a real agreement"}
  phases:
    - id: one
      name: Phase one
      starts: entry_into_force
      duration_days: 10
      at_expiry: {rule: continues_while, negotiation: "2"}
    - id: two
      name: Phase two
      starts: {after: one, upon_agreement: "2"}
      at_expiry: ends
  clauses:
    - id: "1"
      text: Neither side attacks the other.
      source: s
      prohibition: {parties: [a, b], act: hostilities, during: [one, two]}
    - id: "2"
      text: The sides negotiate phase two.
      source: s
      phase: one
      negotiation: {between: [a, b], scope: open, on_agreed: two}
    - id: "3"
      text: A may declare the talks failed.
      source: s
      phase: one
      power:
        holder: a
        action: declare_failed
        target: "2"
        available: {during: [one]}
"""


def _event(
    n: int,
    day: str,
    actor: str,
    action: str,
    *,
    clause: str | None = None,
    round: int | None = None,
    quantity: int | None = None,
    category: str | None = None,
) -> Event:
    return Event(
        id=f"x{n}",
        date=dt.date.fromisoformat(day),
        actor=actor,
        action=action,
        source="s",
        clause=clause,
        round=round,
        quantity=quantity,
        category=category,
    )


def test_every_round_breached_is_no_completed_agreement() -> None:
    """Every exchange round is violated: the agreement is not completed (semantics step 5:
    completion needs every round fulfilled), though every phase has run its course."""
    agreement = load(FIXTURE)
    events = [
        _event(1, "2024-01-01", "a", "breach", clause="2", round=1),
        _event(2, "2024-01-01", "b", "breach", clause="2", round=1),
        _event(3, "2024-01-05", "a", "breach", clause="2", round=2),
        _event(4, "2024-01-05", "b", "breach", clause="2", round=2),
        _event(5, "2024-01-05", "a", "negotiations_start", clause="3"),
        _event(6, "2024-01-05", "b", "negotiations_start", clause="3"),
        _event(7, "2024-01-12", "m", "negotiations_agree", clause="3"),
    ]
    r = monitor(agreement, events, as_of=dt.date(2024, 1, 25))
    assert [row["status"] for row in r.ledger] == ["violated", "violated"]
    assert [p["status"] for p in r.phases] == ["done", "done"]
    assert r.agreement_status == "in_force"
    # The same log with every round delivered completes the agreement.
    delivered = [e for e in events if e.action != "breach"] + [
        _event(11, "2024-01-01", "a", "release", quantity=2, category="hostages", clause="2"),
        _event(12, "2024-01-01", "b", "release", quantity=20, category="prisoners", clause="2"),
        _event(13, "2024-01-05", "a", "release", quantity=3, category="hostages", clause="2"),
        _event(14, "2024-01-05", "b", "release", quantity=30, category="prisoners", clause="2"),
    ]
    done = monitor(agreement, delivered, as_of=dt.date(2024, 1, 25))
    assert [row["status"] for row in done.ledger] == ["fulfilled", "fulfilled"]
    assert done.agreement_status == "completed"


def test_declaring_talks_failed_after_they_agreed_is_unlawful() -> None:
    """A power acts only while its talks are undecided (the checker never offers it after)."""
    agreement = detente.load_text(TALKS_SPEC, "talks.yaml")
    events = [
        _event(1, "2024-01-04", "a", "negotiations_agree", clause="2"),
        _event(2, "2024-01-04", "b", "negotiations_agree", clause="2"),
        _event(3, "2024-01-06", "a", "exercise", clause="3"),
    ]
    r = monitor(agreement, events, as_of=dt.date(2024, 1, 12))
    (use,) = r.powers
    assert use["lawful"] is False
    assert use["reason"] == "the talks of clause 2 had already agreed"
    # Talks agreed on day 4; phase two waits for phase one's ten days, then starts.
    assert r.phase is not None and r.phase["id"] == "two" and r.phase["start"] == "2024-01-11"
    # Before the talks agree, the same exercise is lawful: phase one is cut short when its
    # days run out, and phase two never starts.
    early = monitor(
        agreement,
        [_event(3, "2024-01-03", "a", "exercise", clause="3")],
        as_of=dt.date(2024, 1, 12),
    )
    assert early.powers[0]["lawful"] is True
    assert [p["status"] for p in early.phases] == ["cut_short", "pending"]


def test_a_deadline_passed_with_nothing_logged_is_not_recorded() -> None:
    """January 2025: aid deliveries were not logged, which says nothing about whether they
    happened. No duty is violated without a logged breach (the only ones logged are the
    halt of all goods on 2 March, for that day's aid and fuel)."""
    root = ROOT / "examples" / "jan-2025-ceasefire"
    agreement = load(root / "agreement.yaml")
    r = monitor(agreement, iter_events(root / "events.csv", agreement))
    statuses = [o.status for o in r.obligations]
    violated = [o.id for o in r.obligations if o.status == "violated"]
    assert violated == ["aid#43", "fuel#43"]
    assert all(o.breached for o in r.obligations if o.status == "violated")
    assert statuses.count("not_recorded") > 50
    assert all(
        o.describe().startswith("not recorded") for o in r.obligations if o.status == "not_recorded"
    )
    strict = monitor(
        agreement, iter_events(root / "events.csv", agreement), absence_is_violation=True
    )
    assert sorted(o.id for o in strict.obligations if o.status == "violated") == sorted(
        [o.id for o in r.obligations if o.status == "not_recorded"] + violated
    )
