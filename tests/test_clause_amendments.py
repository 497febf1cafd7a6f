"""Amendments of a clause (issue 11, item 4): "an agreed extension to a new date", and a
round settled anew. A dated joint act changes one clause's deadline or a round's contents.

Validate's checks, the checker (verdicts that could fail, and the rule that an amendment
made on the very day the text's deadline falls voids that day's violation), and the
monitor (statuses before and after a logged ``amend``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import detente
from detente.errors import SpecError
from detente.language.loader import load, load_text
from detente.language.model import Agreement
from detente.monitor import Event, monitor
from detente.semantics import System
from detente.semantics.events import Exercised, Fulfilled, Reached, StepEvent, Violated

SPEC = Path(__file__).resolve().parent / "fixtures" / "constructs" / "clause_amendment.yaml"
EIF = dt.date(2024, 1, 1)


def _on(day: int) -> dt.date:
    return EIF + dt.timedelta(days=day - 1)


def _event(
    n: int,
    day: int,
    actor: str,
    action: str,
    clause: str,
    *,
    quantity: int | None = None,
    category: str | None = None,
    publisher: str | None = None,
) -> Event:
    return Event(
        id=f"e{n}",
        date=_on(day),
        actor=actor,
        action=action,
        source="s",
        clause=clause,
        quantity=quantity,
        category=category,
        publisher=publisher,
    )


def _problems(text: str) -> list[str]:
    try:
        load_text(text, "spec.yaml")
    except SpecError as exc:
        return [str(p) for p in exc.problems]
    return []


def _verdicts(agreement: Agreement) -> dict[str, str]:
    return {e.name: e.verdict for e in detente.check(agreement).expectations}


# --------------------------------------------------------------------------- validate


def test_validate_clause_amendment() -> None:
    text = SPEC.read_text()
    assert _problems(text) == []
    assert _problems(text.replace('amends: "2", days: 5', 'amends: "22", days: 5')) == [
        "spec.yaml:28:44: error: no clause '22' in this agreement; did you mean '2'?"
    ]
    assert _problems(text.replace('amends: "2", days: 5', 'amends: "1", days: 5')) == [
        "spec.yaml:28:44: error: clause '1' is a prohibition: an amendment changes an "
        "obligation's deadline or quantity, or an exchange's rounds"
    ]
    assert _problems(
        text.replace("[{day: 5, release: {held: 6}}]", "[{day: 6, release: {held: 6}}]")
    ) == ["spec.yaml:41:67: error: clause '4' has no round on day 6 (its rounds fall on days 5)"]
    assert _problems(text.replace('amends: "4", rounds', 'amends: "4", days: 3, rounds')) == [
        "spec.yaml:41:58: error: clause '4' is an exchange: an amendment changes its `rounds`, "
        "not `days`"
    ]
    assert _problems(text.replace('amends: "2", days: 5', 'amends: "2", by: onne day 8')) == [
        "spec.yaml:28:53: error: no phase 'onne' in this agreement; did you mean 'one'?"
    ]
    observer = text.replace(
        "    - {id: m, name: Mediator, role: mediator}",
        "    - {id: m, name: Mediator, role: mediator}\n    - {id: o, name: Observer, role: observer}",
    ).replace('parties: [a, b], amends: "2"', 'parties: [a, o], amends: "2"')
    assert _problems(observer) == [
        "spec.yaml:29:32: error: 'o' is an observer: an amendment of clause '2' is agreed by "
        "the clause's parties or the text's signatories"
    ]
    twice = text.replace('amends: "4", rounds', 'amends: "2", rounds')
    assert any("already amended by clause '3'" in p for p in _problems(twice))


# --------------------------------------------------------------------------- checker


def test_checker_verdicts_on_clause_amendments() -> None:
    a = load(SPEC)
    assert _verdicts(a) == {
        # the settled round asks six of a stock of four: only the amendment makes it so
        "consistent": "violated",
        "completes_if_all_comply": "holds",
        # a new date can be missed too
        "amended_withdrawal_can_still_be_missed": "violated",
        "amended_round_releases_six": "holds",
        "text_round_releases_three": "holds",
        "settled_only_before_the_round": "holds",
        "withdrawal_open_to_amendment_until_done": "holds",
    }
    # the same text without the settlement, or with a stock of six, is consistent
    without = a.model_copy(update={"clauses": [c for c in a.clauses if c.id != "5"]})
    stock = a.stocks[0].model_copy(update={"count": 6})
    enough = a.model_copy(update={"stocks": [stock, *a.stocks[1:]]})
    for b in (without, enough):
        e = next(x for x in detente.check(b).expectations if x.name == "consistent")
        assert e.verdict == "holds"


def _steps(m: System) -> list[tuple[tuple[StepEvent, ...], tuple[int, ...]]]:
    """Every step of every run (events, next state), breadth first."""
    seen, todo, out = {m.initial}, [m.initial], []
    while todo:
        s = todo.pop()
        for evs, t in m.steps(s):
            out.append((evs, t))
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return out


def test_checker_an_amendment_on_the_deadline_day_voids_its_violation() -> None:
    a = load(SPEC)
    a = a.model_copy(update={"clauses": [c for c in a.clauses if c.id not in ("4", "5")]})
    m = System(a)
    k = m.widx["3"]
    days: dict[int, set[tuple[bool, bool, bool]]] = {}
    for evs, _ in _steps(m):
        day = next((e.day for e in evs if isinstance(e, Reached)), None)
        if day is None:
            continue
        made = any(isinstance(e, Exercised) and e.power == k for e in evs)
        bad = any(isinstance(e, Violated) and e.clause == "2" for e in evs)
        done = any(isinstance(e, Fulfilled) and e.clause == "2" for e in evs)
        days.setdefault(day, set()).add((made, bad, done))
    # day 3, the text's deadline: amended (no violation), or done, or violated, never both
    assert (True, False, False) in days[3] and (True, True, False) not in days[3]
    assert (False, True, False) in days[3] and (False, False, True) in days[3]
    # after day 3 nobody can amend; on day 8 the amended deadline falls due
    assert all(not made for d, outs in days.items() if d > 3 for made, _, _ in outs)
    assert (False, True, False) in days[8] and (False, False, True) in days[8]


# --------------------------------------------------------------------------- monitor


def _clause(report: object, clause: str) -> list[tuple[str, str]]:
    rows = report.obligations  # type: ignore[attr-defined]
    return [(o.id, o.describe()) for o in rows if o.clause == clause]


def test_monitor_reads_a_new_deadline_from_the_day_it_was_agreed() -> None:
    a = load(SPEC)
    log = [
        _event(1, 2, "m", "amend", "3", publisher="The mediator's statement"),
        _event(2, 7, "a", "withdraw", "2"),
    ]
    before = monitor(a, log, entry_into_force=EIF, as_of=_on(1))
    assert _clause(before, "2") == [("2", "due in 2 days")]
    after = monitor(a, log, entry_into_force=EIF, as_of=_on(4))
    assert _clause(after, "2") == [
        (
            "2",
            "due by day 8 as amended on 2 January 2024 by clause 3, per The mediator's "
            "statement: due in 4 days",
        )
    ]
    assert [(p["id"], p["lawful"]) for p in after.powers] == [("e1", True)]
    done = monitor(a, log, entry_into_force=EIF, as_of=_on(9))
    assert _clause(done, "2") == [
        (
            "2",
            "fulfilled on time (due by day 8 as amended on 2 January 2024 by clause 3, per "
            "The mediator's statement)",
        )
    ]
    # without the amendment, the same withdrawal is four days late
    late = monitor(a, log[1:], entry_into_force=EIF, as_of=_on(9))
    assert _clause(late, "2") == [("2", "late by 4 days")]
    # agreed on the deadline day itself: in time; the day after: refused, with the reason
    same_day = [_event(1, 3, "a", "amend", "3"), log[1]]
    r = monitor(a, same_day, entry_into_force=EIF, as_of=_on(9))
    assert _clause(r, "2")[0][1].startswith("fulfilled on time")
    too_late = [_event(1, 4, "b", "amend", "3"), log[1]]
    r = monitor(a, too_late, entry_into_force=EIF, as_of=_on(9))
    assert _clause(r, "2") == [("2", "late by 4 days")]
    assert r.powers[0]["lawful"] is False
    assert "had already fallen due" in r.powers[0]["reason"]


def test_monitor_reads_a_round_settled_anew() -> None:
    a = load(SPEC)
    log = [
        _event(1, 2, "m", "amend", "5"),
        _event(2, 5, "a", "release", "4", quantity=3, category="held"),
    ]
    before = monitor(a, log, entry_into_force=EIF, as_of=_on(1))
    rows = {o.id: o for o in before.obligations if o.clause == "4"}
    assert (rows["4/r1/release/held"].quantity, rows["4/r1/counter/prisoners"].quantity) == (3, 30)
    after = monitor(a, log, entry_into_force=EIF, as_of=_on(5))
    rows = {o.id: o for o in after.obligations if o.clause == "4"}
    held, counter = rows["4/r1/release/held"], rows["4/r1/counter/prisoners"]
    assert (held.quantity, held.delivered, counter.quantity) == (6, 3, 60)
    assert held.status == "not_recorded" and held.amended is not None
    assert held.describe().startswith("not recorded (3 of 6")
    # the text's three would have been the whole round
    text = monitor(a, log[1:], entry_into_force=EIF, as_of=_on(5))
    rows = {o.id: o for o in text.obligations if o.clause == "4"}
    assert rows["4/r1/release/held"].status == "fulfilled"
