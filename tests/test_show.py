"""`detente show` and the clause sentences every report shares."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import detente
from detente.cli import app
from detente.language.loader import load_text
from detente.reports.sentences import describe
from detente.reports.terminal import show_agreement

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").rglob("*.yaml"))


def _shown(path: Path, width: int = 160) -> str:
    console = Console(width=width, record=True, color_system=None)
    show_agreement(detente.load(path), console)
    return console.export_text()


def test_show_prints_parties_timeline_clauses_schedule_and_expectations(
    minimal_spec: Path,
) -> None:
    text = _shown(minimal_spec)
    assert "A minimal two-phase truce" in text
    assert "Mediator" in text and "mediator" in text
    assert "days 1–10" in text and "from day 11, open-ended" in text
    assert "it continues while the negotiation of clause 3 is open" in " ".join(text.split())
    assert "█" in text
    assert (
        "Side A must release 5 hostages in 2 rounds on days 1 and 5 of phase one, "
        "and Side B 50 prisoners in return (10 for each one) (clause 2)."
    ) in " ".join(text.split())
    # the schedule: per round and in total, on both sides
    assert "Side A: hostages" in text and "Side B: prisoners" in text
    assert "20 *" in text and "30 *" in text
    assert "5 (as stated)" in text and "50 (as stated)" in text
    # expectations with whom they protect
    assert "no_unilateral_exit(a)" in text and "Side A" in text


def test_show_cli_exits_0_and_1_and_2(minimal_spec: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["show", str(minimal_spec)]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("agreement: {id: x}\n")
    assert runner.invoke(app, ["show", str(bad)]).exit_code == 1
    assert runner.invoke(app, ["show", str(tmp_path / "missing.yaml")]).exit_code == 2


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_show_reads_every_example(path: Path) -> None:
    text = _shown(path, width=100)
    agreement = detente.load(path)
    assert agreement.title.split()[0] in text
    for phase in agreement.phases:
        assert phase.name.split()[0] in text


def test_show_does_not_read_spec_text_as_markup(tmp_path: Path, minimal_spec: Path) -> None:
    spec = minimal_spec.read_text().replace("name: Side A", 'name: "[bold red]Side A[/]"')
    path = tmp_path / "markup.yaml"
    path.write_text(spec)
    assert "[bold red]Side A[/]" in _shown(path)


SPEC = """
agreement:
  id: words
  title: Words
  status: draft
  parties:
    - {id: israel, name: Israel}
    - {id: hamas, name: Hamas}
    - {id: usa, name: United States, role: mediator}
  sources: [{id: s, document: test}]
  stocks:
    - {id: hostages, holder: hamas, name: Living hostages (all ages), count: 40}
    - {id: prisoners, holder: israel, name: Palestinian prisoners}
  actions: [{id: allow_return, description: letting displaced people return north}]
  phases:
    - {id: phase1, name: Phase one (temporary ceasefire), starts: entry_into_force,
       duration_days: 42, at_expiry: {rule: continues_while, negotiation: "8"}}
    - {id: phase2, name: Phase two, starts: {after: phase1, upon_agreement: "8"}}
  clauses:
    - {id: "5", text: t, source: s, phase: phase1,
       obligation: {debtor: israel, creditor: hamas, action: withdraw,
                    object: from the Netzarim corridor, window: {by: phase1 day 22}}}
    - {id: "6", text: t, source: s,
       obligation: {debtor: israel, creditor: hamas, action: aid, object: trucks of aid,
                    quantity: 600, window: {from: phase1 day 1, by: phase1 end},
                    recurrence: {every_days: 1}}}
    - {id: "7", text: t, source: s,
       obligation: {debtor: israel, creditor: hamas, action: allow_return,
                    window: {from: phase1 day 7, by: phase1 day 7}}}
    - {id: "8", text: t, source: s,
       negotiation: {between: [israel, hamas], mediators: [usa], starts_by: phase1 day 16,
                     scope: {topics: [the number of prisoners per hostage]}, on_agreed: phase2}}
    - {id: "9", text: t, source: s,
       power: {holder: israel, action: declare_failed, target: "8",
               available: {during: [phase1], after: phase1 end}, requires_consent: [usa]}}
    - {id: "10", text: t, source: s,
       prohibition: {parties: [israel, hamas], act: hostilities, during: [phase1, phase2]}}
    - {id: "11", text: t, source: s,
       exchange: {phase: phase1, releasing: hamas, counterpart: israel,
                  ratios: [{category: hostages, counter_category: prisoners, per_unit: 30}],
                  rounds: [{day: 1, release: {hostages: 3}}, {day: 7, release: {hostages: 4}}]}}
    - {id: "12", text: t, source: s,
       extension: {phase: phase1, releasing: hamas, category: hostages, units: 10, max_days: 6}}
"""


@pytest.mark.parametrize(
    ("clause", "sentence"),
    [
        (
            "5",
            "Israel must withdraw from the Netzarim corridor by day 22 of phase one (clause 5).",
        ),
        (
            "6",
            "Israel must let in 600 trucks of aid every day from day 1 to the end of phase one "
            "(clause 6).",
        ),
        (
            "7",
            "Israel must see to letting displaced people return north on day 7 of phase one "
            "(clause 7).",
        ),
        (
            "8",
            "Israel and Hamas, with the United States mediating, must start negotiating by "
            "day 16 of phase one on the number of prisoners per hostage; their agreement starts "
            "phase two (clause 8).",
        ),
        (
            "9",
            "Israel may declare the negotiations of clause 8 failed during phase one from the "
            "end of phase one, with the consent of the United States (clause 9).",
        ),
        (
            "10",
            "Israel and Hamas must not engage in hostilities during phase one and phase two "
            "(clause 10).",
        ),
        (
            "11",
            "Hamas must release 7 living hostages in 2 rounds on days 1 and 7 of phase one, and "
            "Israel 210 Palestinian prisoners in return (30 for each one) (clause 11).",
        ),
        (
            "12",
            "Phase one gets one more day for each further 10 living hostages that Hamas "
            "releases, up to 6 days in all (clause 12).",
        ),
    ],
)
def test_each_norm_reads_as_one_plain_sentence(clause: str, sentence: str) -> None:
    agreement = load_text(SPEC)
    assert describe(agreement.clause(clause), agreement) == sentence


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_clause_is_one_sentence(path: Path) -> None:
    agreement = detente.load(path)
    for clause in agreement.clauses:
        sentence = describe(clause, agreement)
        assert sentence[0].isupper() and sentence.endswith(f"(clause {clause.id}).")
        assert "  " not in sentence and "_" not in sentence.replace(clause.id, "")
