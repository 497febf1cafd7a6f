"""Who answers for whom, and who watches: `answers_for`, non-signatories, monitors and
guarantors, in validate, the checker and the monitor (docs/language.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import detente
from detente.errors import SpecError
from detente.language.loader import load, load_located, load_text
from detente.monitor import iter_events, monitor

SPEC = Path(__file__).resolve().parent / "fixtures" / "constructs" / "answers_for.yaml"
COLUMNS = "date,actor,action,clause,source,reported_by,verification,id\n"


def verdicts(text: str) -> dict[str, str]:
    result = detente.check(load_text(text))
    return {e.name: e.verdict for e in result.expectations}


def test_a_groups_forbidden_act_is_the_answering_partys_violation() -> None:
    text = SPEC.read_text()
    assert verdicts(text)["b_compliant"] == "violated"
    # The same text with nobody answering for the group: its acts count against nobody.
    alone = text.replace("{id: b, name: State B, answers_for: [g]}", "{id: b, name: State B}")
    assert verdicts(alone)["b_compliant"] == "holds"


def test_a_guarantors_power_is_honoured() -> None:
    v = verdicts(SPEC.read_text())
    assert v["never_ended"] == "violated"  # the guarantor can end it
    assert v["ends_only_by_guarantor"] == "holds"


def problems(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    try:
        loaded = load_located(path)
    except SpecError as e:
        return [p.message for p in e.problems]
    return [w.message for w in loaded.warnings]


def test_validate_rejects_an_observers_power_and_a_bad_answers_for(tmp_path: Path) -> None:
    text = SPEC.read_text()
    observer = text.replace("role: guarantor", "role: observer")
    assert any("'u' is an observer and holds no power" in m for m in problems(observer, tmp_path))
    typo = text.replace("answers_for: [g]", "answers_for: [gg]")
    assert any("did you mean 'g'?" in m for m in problems(typo, tmp_path))
    not_group = text.replace("answers_for: [g]", "answers_for: [a]")
    assert any("only a non-signatory is answered for" in m for m in problems(not_group, tmp_path))
    owes = text.replace("power: {holder: u,", "power: {holder: g,")
    assert any(
        "'g' is a non-signatory and holds no power: name 'b'" in m for m in problems(owes, tmp_path)
    )
    orphan = text.replace("{id: b, name: State B, answers_for: [g]}", "{id: b, name: State B}")
    assert any("answered for by no party" in m for m in problems(orphan, tmp_path))


def replay(tmp_path: Path, rows: str, spec_text: str | None = None) -> detente.MonitorReport:
    spec = SPEC
    if spec_text is not None:
        spec = tmp_path / "spec.yaml"
        spec.write_text(spec_text)
    agreement = load(spec)
    log = tmp_path / "log.csv"
    log.write_text(COLUMNS + rows)
    return monitor(
        agreement,
        iter_events(log, agreement),
        entry_into_force=dt.date(2024, 11, 27),
        as_of=dt.date(2024, 12, 5),
    )


def test_the_groups_fire_is_listed_under_its_name_as_the_answering_partys_breach(
    tmp_path: Path,
) -> None:
    r = replay(tmp_path, "2024-12-02,g,hostilities,,https://example.org/fire,m,confirmed,e1\n")
    assert [v["id"] for v in r.violations] == ["e1"]
    v = r.violations[0]
    assert (v["actor"], v["attributed_to"], v["prohibited_by"]) == ("g", "b", ["2"])
    assert r.lawful_acts == []


def test_logging_the_group_as_an_observer_no_longer_hides_its_fire(tmp_path: Path) -> None:
    """The old workaround: the group declared as an observer, its fire listed as lawful.
    Declared as a non-signatory that a party answers for, the same fire is a breach."""
    observer = (
        SPEC.read_text()
        .replace(
            "{id: g, name: Armed group G, role: non_signatory}",
            "{id: g, name: Armed group G, role: observer}",
        )
        .replace("answers_for: [g]", "answers_for: []")
        .replace("parties: [g]", "parties: [a]")
    )
    row = "2024-12-02,g,hostilities,,https://example.org/fire,m,confirmed,e1\n"
    old = replay(tmp_path, row, observer)
    assert [a["id"] for a in old.lawful_acts] == ["e1"]  # what the workaround reported
    new = replay(tmp_path, row)
    assert [a["id"] for a in new.lawful_acts] == []
    assert [v["id"] for v in new.violations] == ["e1"]


def test_a_guarantors_exercise_is_lawful_and_an_others_is_not(tmp_path: Path) -> None:
    rows = (
        "2024-12-01,a,exercise,3,https://example.org/x,a,reported,e1\n"
        "2024-12-03,u,exercise,3,https://example.org/end,u,confirmed,e2\n"
    )
    r = replay(tmp_path, rows)
    lawful = {p["id"]: (p["lawful"], p["reason"]) for p in r.powers}
    assert lawful["e1"] == (False, "the power is u's, not a's")
    assert lawful["e2"][0] is True
    assert r.agreement_status == "terminated"


@pytest.mark.parametrize("role", ["monitor", "non_signatory"])
def test_roles_are_in_the_schema(role: str) -> None:
    from detente.language.schema import schema_text

    text = schema_text()
    assert role in text and "answers_for" in text


PROHIBITION_SUBJECTS = SPEC.parent / "prohibition_subjects.yaml"


@pytest.mark.parametrize("role", ["mediator", "guarantor", "observer", "monitor"])
def test_validate_refuses_a_prohibition_on_one_who_cannot_break_it(
    role: str, tmp_path: Path
) -> None:
    """Only a party acts in a run (a non-signatory through its answerer): a prohibition that
    names a mediator, guarantor, observer or monitor would bind someone with no choice to
    break it, which the checker and the Promela export once read differently."""
    text = PROHIBITION_SUBJECTS.read_text().replace("role: monitor", f"role: {role}")
    named = text.replace(
        "prohibition: {parties: [b], act: overflights}",
        "prohibition: {parties: [m], act: overflights}",
    )
    found = problems(named, tmp_path)
    assert any(
        f"'m' is a{'n' if role == 'observer' else ''} {role} and can break no prohibition" in p
        for p in found
    ), found
    assert problems(text, tmp_path) == [
        "non-signatory 'h' is answered for by no party: its acts count against nobody "
        "(add it to a party's `answers_for`)"
    ]


def test_a_ban_on_a_group_nobody_answers_for_is_never_broken() -> None:
    v = verdicts(PROHIBITION_SUBJECTS.read_text())
    assert v["h_never_raids"] == "holds"  # nobody has the choice
    assert v["g_never_raids"] == "violated"  # State A answers for G: its choice
