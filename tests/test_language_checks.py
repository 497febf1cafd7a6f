"""Semantic checks: what the shape cannot say, each problem at its line and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli import app
from detente.errors import SpecError
from detente.language.loader import load_located, load_text
from detente.language.model import Agreement
from detente.language.totals import totals_findings, totals_problems

MINIMAL = (Path(__file__).resolve().parent / "fixtures" / "minimal.yaml").read_text()


def problems(text: str) -> list[str]:
    try:
        load_text(text, "spec.yaml")
    except SpecError as exc:
        return [str(p) for p in exc.problems]
    return []


def edited(*pairs: tuple[str, str]) -> str:
    text = MINIMAL
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_the_fixture_is_valid() -> None:
    assert problems(MINIMAL) == []


def test_a_round_day_outside_its_phase() -> None:
    text = edited(("{day: 5, release: {hostages: 3}}", "{day: 11, release: {hostages: 3}}"))
    assert problems(text) == [
        "spec.yaml:40:19: error: round 2 falls on day 11, outside 'one', which lasts 10 days"
    ]


def test_a_deadline_outside_its_phase() -> None:
    text = edited(("starts_by: one day 5", "starts_by: one day 12"))
    assert problems(text) == [
        "spec.yaml:50:20: error: day 12 is outside 'one', which lasts 10 days"
    ]


def test_a_window_that_opens_after_its_deadline() -> None:
    text = edited(
        (
            "  expectations:",
            '    - id: "4"\n      text: t\n      source: made_up\n'
            "      obligation: {debtor: a, creditor: b, action: withdraw,"
            " window: {from: one day 8, by: one day 3}}\n  expectations:",
        )
    )
    assert problems(text) == [
        "spec.yaml:56:77: error: the window opens at one day 8, after its deadline one day 3"
    ]


def test_a_round_releasing_more_than_is_held() -> None:
    text = edited(("count: 10", "count: 4"))
    found = problems(text)
    assert found == [
        "spec.yaml:40:42: error: by this round a has released 5 hostages, but a holds only 4"
    ]


def test_ratios_that_do_not_give_the_stated_counts() -> None:
    text = edited(
        (
            "{day: 1, release: {hostages: 2}}",
            "{day: 1, release: {hostages: 2}, counter_release: {prisoners: 19}}",
        ),
        ("counter_totals: {prisoners: 50}", "counter_totals: {prisoners: 60}"),
        ("totals: {hostages: 5}", "totals: {hostages: 6}"),
    )
    assert problems(text) == [
        "spec.yaml:39:75: error: clause 2, round 1: the ratio gives 20 prisoners in return, "
        "but the round states 19",
        "spec.yaml:41:28: error: clause 2: the rounds release 5 hostages, but the stated total is 6",
        "spec.yaml:42:37: error: clause 2: the rounds and ratios give 49 prisoners in return, "
        "but the stated total is 60",
    ]


def test_a_round_releasing_a_category_with_no_ratio() -> None:
    text = edited(
        ("  stocks:\n", "  stocks:\n    - {id: bodies, holder: a, name: remains}\n"),
        ("{day: 5, release: {hostages: 3}}", "{day: 5, release: {hostages: 3, bodies: 1}}"),
    )
    assert problems(text) == [
        "spec.yaml:41:53: error: clause 2, round 2 releases bodies, but no ratio says what is "
        "released in return for bodies"
    ]


def test_totals_findings_are_the_checkers_sentences() -> None:
    agreement = load_text(MINIMAL)
    assert totals_findings(agreement) == []
    broken = agreement.model_copy(deep=True)
    exchange = broken.clause("2").exchange
    assert exchange is not None
    exchange.totals["hostages"] = 7
    assert totals_problems(Agreement.model_validate(broken.model_dump(by_alias=True))) == [
        "Clause 2: the rounds release 5 hostages, but the stated total is 7."
    ]


def test_a_power_whose_target_is_the_wrong_kind() -> None:
    power = (
        '    - id: "9"\n      text: t\n      source: made_up\n'
        "      power: {holder: a, action: ACTION, target: TARGET}\n  expectations:"
    )
    wrong = [
        ("suspend_clause", '"3"', "clause '3' is a negotiation: suspend_clause suspends"),
        ("declare_failed", '"1"', "clause '1' is a prohibition, not a negotiation"),
        ("extend_phase", '"1"', "no phase '1' in this agreement"),
        ("end_agreement", "one", "end_agreement takes no `target`"),
    ]
    for action, target, sentence in wrong:
        text = edited(
            ("  expectations:", power.replace("ACTION", action).replace("TARGET", target))
        )
        found = problems(text)
        assert any(sentence in p for p in found), (action, found)
        assert all(p.startswith("spec.yaml:56:") for p in found), found


def test_on_agreed_names_a_phase_that_does_not_start_upon_it() -> None:
    text = edited(('starts: {after: one, upon_agreement: "3"}', "starts: {after: one}"))
    assert problems(text) == [
        "spec.yaml:52:20: error: agreeing here starts 'two', but that phase does not start "
        'upon an agreement; give it `starts: {upon_agreement: "3"}`'
    ]


def test_continuing_while_a_negotiation_that_cannot_be_open() -> None:
    text = edited(
        ("      duration_days: 10\n", "      duration_days: 10\n"),
        (
            '      starts: {after: one, upon_agreement: "3"}',
            '      starts: {after: one, upon_agreement: "3"}\n'
            "      duration_days: 5\n"
            '      at_expiry: {rule: continues_while, negotiation: "3"}',
        ),
    )
    found = problems(text)
    assert found == [
        "spec.yaml:24:55: error: 'two' continues while negotiation '3' is open, but that "
        "negotiation is agreed before 'two' starts (its agreement starts 'two')"
    ]


def test_duplicate_ids_and_unknown_references() -> None:
    text = edited(
        ("    - {id: b, name: Side B}", "    - {id: a, name: Side B}"),
    )
    found = problems(text)
    assert "spec.yaml:7:12: error: party id 'a' is used twice" in found
    assert any("no party 'b' in this agreement" in p for p in found)


def test_shape_problems_do_not_hide_semantic_ones() -> None:
    text = edited(
        ("status: draft", "status: 5"),
        ("name: Phase two", "name: [Phase two]"),  # a phase whose shape is wrong
        ("on_agreed: two", "on_agreed: nowhere"),
    )
    found = problems(text)
    assert any("`status` must be one of" in p for p in found)
    assert any("phase 'two': `name` must be text" in p for p in found)
    assert any("no phase 'nowhere' in this agreement" in p for p in found)
    # the phase with the wrong shape is still known by its id: no false "no phase 'two'"
    assert not any("no phase 'two'" in p for p in found), found


@pytest.mark.parametrize(
    ("old", "new", "sentence"),
    [
        ("status: draft", "status: drafted", "`status` must be one of 'draft', 'signed'"),
        ("duration_days: 10", "duration_days: ten", "`duration_days` must be a whole number"),
        ("duration_days: 10", "duration_days: 0", "`duration_days` must be at least 1, not 0"),
        ("starts: entry_into_force", "starts: tomorrow", "`starts` must be `entry_into_force`"),
        ("starts_by: one day 5", "starts_by: 5", "`starts_by` must be a time such as"),
        ("scope: open", "scope: closed", "`scope` must be `open`, or {topics: [...]}"),
        ("id: minimal", "id: Minimal!", "'Minimal!' is not a valid id"),
        ("  phases:", "  phasez: []\n  phases:", "unknown key `phasez` (did you mean `phases`?)"),
        (
            "duration_days: 10",
            "duraton_days: 10",
            "phase 'one': unknown key `duraton_days` (did you mean `duration_days`?)",
        ),
        ('- id: "1"', "- id: 1.10", 'write clause numbers in quotes, e.g. "1.1"'),
    ],
)
def test_shape_errors_read_as_plain_sentences(old: str, new: str, sentence: str) -> None:
    found = problems(edited((old, new)))
    assert any(sentence in p for p in found), found
    assert all("Input should" not in p and "pydantic" not in p for p in found), found


# ----------------------------------------------------------------- errors that lead to the fix


def test_every_unknown_reference_says_what_was_meant() -> None:
    text = edited(
        ("{id: hostages, holder: a,", "{id: hostages, holder: aa,"),
        ("on_agreed: two", "on_agreed: tow"),
        ("act: hostilities, during", "act: hostilites, during"),
    )
    found = problems(text)
    assert any("no party 'aa' in this agreement; did you mean 'a'?" in p for p in found), found
    assert any("no phase 'tow' in this agreement; did you mean 'two'?" in p for p in found)
    assert any(
        "no action 'hostilites' in this agreement; did you mean 'hostilities'?" in p for p in found
    )
    # the stock's unknown holder is one error, not also "a releases hostages held by aa"
    assert not any("is held by" in p for p in found), found


def test_an_invalid_id_is_one_error_not_one_per_reference() -> None:
    text = edited(("    - {id: a, name: Side A}", '    - {id: "A side", name: Side A}'))
    found = problems(text)
    assert len(found) == 1, found
    assert "'A side' is not a valid id" in found[0]


def test_an_unclosed_parenthesis_is_named_where_it_opened() -> None:
    from detente.language.expressions import ExpressionError, parse

    with pytest.raises(ExpressionError, match="opened here is never closed") as caught:
        parse("G (hostilities -> (terminated or completed)")
    assert caught.value.column == 3
    with pytest.raises(ExpressionError, match="no opening one") as closing:
        parse("hostilities)")
    assert closing.value.column == 12


# ----------------------------------------------------------------- silence is reported


def test_a_phase_that_can_never_start_is_an_error() -> None:
    text = edited(
        (
            '      duration_days: 10\n      at_expiry: {rule: continues_while, negotiation: "3"}\n',
            "",
        ),
    )
    # Upon the agreement of "3", which ends the open-ended 'one': reachable, no error.
    assert not any("can never start" in p for p in problems(text)), problems(text)
    only_after = text.replace('starts: {after: one, upon_agreement: "3"}', "starts: {after: one}")
    found = problems(only_after)
    assert any("'two' can never start: 'one' before it is open-ended" in p for p in found), found


def test_a_web_source_without_its_publisher_is_a_warning(tmp_path: Path) -> None:
    text = edited(
        (
            '    - {id: made_up, document: "Test fixture, not a real agreement"}',
            '    - {id: made_up, document: "Test fixture, not a real agreement"}\n'
            "    - {id: web, url: https://example.org/report}",
        ),
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    loaded = load_located(spec)
    assert [w.severity for w in loaded.warnings] == ["warning"]
    assert "source 'web' names no publisher" in str(loaded.warnings[0])
    result = CliRunner().invoke(app, ["validate", str(spec)])
    assert result.exit_code == 0
    assert f"{spec}:11:7: warning: source 'web' names no publisher" in result.output
    assert result.output.rstrip().endswith("ok (1 warning)")
