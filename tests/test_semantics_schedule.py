"""The calendar of docs/semantics.md: phase spans and dated instances."""

from __future__ import annotations

from pathlib import Path

from detente.language.loader import load
from detente.semantics import (
    ceasefire_in_effect,
    instances,
    phase_spans,
    prohibited,
    statuses_on,
)

FIXTURE = Path(__file__).parent / "fixtures" / "minimal.yaml"
GAZA = Path(__file__).parent.parent / "examples" / "gaza-framework-2024"


def test_phase_one_continues_while_talks_have_not_agreed() -> None:
    a = load(FIXTURE)
    spans = phase_spans(a)
    one = spans["one"]
    assert (one.start, one.expires, one.last_day, one.ending) == (1, 11, 10, "continuing")
    assert one.status_on(10) == "active"
    assert one.status_on(11) == "continuing"
    assert spans["two"].start is None
    assert spans["two"].status_on(50) == "pending"


def test_agreement_before_expiry_starts_next_phase_at_expiry() -> None:
    spans = phase_spans(load(FIXTURE), agreed={"3": 4})
    assert spans["one"].ended == 11 and spans["one"].ending == "done"
    assert spans["two"].start == 11
    assert spans["two"].status_on(11) == "active"
    assert spans["one"].status_on(11) == "done"


def test_agreement_while_continuing_ends_phase_the_next_day() -> None:
    spans = phase_spans(load(FIXTURE), agreed={"3": 30})
    assert spans["one"].status_on(30) == "continuing"
    assert spans["one"].ended == 31
    assert spans["two"].start == 31


def test_failure_cuts_a_continuing_phase_short_and_next_never_starts() -> None:
    spans = phase_spans(load(FIXTURE), failed={"3": 20})
    assert spans["one"].ending == "cut_short" and spans["one"].ended == 21
    assert spans["one"].status_on(21) == "cut_short"
    assert spans["two"].start is None


def test_extension_moves_expiry() -> None:
    spans = phase_spans(load(FIXTURE), extended={"one": 3}, agreed={"3": 2})
    assert spans["one"].expires == 14
    assert spans["two"].start == 14


def test_as_of_ignores_later_facts() -> None:
    spans = phase_spans(load(FIXTURE), agreed={"3": 30}, as_of=20)
    assert spans["one"].ending == "continuing"
    assert spans["two"].start is None


def test_instances_of_rounds_and_start_by_duty() -> None:
    a = load(FIXTURE)
    spans = phase_spans(a, agreed={"3": 4})
    by_key = {i.key: i for i in instances(a, spans)}
    r2 = by_key["2/r2/release/hostages"]
    assert (r2.debtor, r2.quantity, r2.due, r2.round) == ("a", 3, 5, 1)
    c2 = by_key["2/r2/counter/prisoners"]
    assert (c2.debtor, c2.quantity, c2.ratio, c2.due) == ("b", 30, 10, 5)
    start = by_key["3/start/a"]
    assert (start.kind, start.due, start.day_in_phase) == ("negotiation_start", 5, 5)


def test_daily_aid_is_one_instance_per_day() -> None:
    a = load(GAZA / "base.yaml")
    spans = phase_spans(a)
    aid = [i for i in instances(a, spans) if i.clause == "OP2a.3"]
    assert len(aid) == 42
    assert [i.due for i in aid[:3]] == [1, 2, 3]
    assert aid[-1].due == 42


def test_what_binds_follows_phase_statuses() -> None:
    a = load(GAZA / "july-2024-israel-wording.yaml")
    spans = phase_spans(a)
    on_50 = statuses_on(spans, 50)
    assert on_50["phase1"] == "continuing"
    assert prohibited(a, "israel", "hostilities", on_50) == ["OP2a.1"]
    assert ceasefire_in_effect(a, on_50)
    assert not ceasefire_in_effect(a, on_50, in_force=False)
