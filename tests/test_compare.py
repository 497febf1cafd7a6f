"""detente compare: clause-level differences of the typed model and the verdict matrix."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from detente.checker.compare import clause_changes, compare
from detente.cli import app
from detente.language.loader import load

GAZA = Path(__file__).parent.parent / "examples" / "gaza-framework-2024"
HAMAS = GAZA / "july-2024-hamas-wording.yaml"
ISRAEL = GAZA / "july-2024-israel-wording.yaml"


def test_clause_changes_name_the_fields_that_differ() -> None:
    changes = {c.clause: c for c in clause_changes(load(HAMAS), load(ISRAEL))}
    assert set(changes) == {"8", "14"}
    assert changes["8"].change == "changed"
    assert "negotiation.scope.open" in changes["8"].fields
    assert changes["14"].fields[0] == "kind (prohibition → power)"
    assert changes["14"].after is not None and changes["14"].after.startswith("power:")


def test_added_and_removed_clauses() -> None:
    base = load(GAZA / "base.yaml")
    fewer = base.model_copy(update={"clauses": base.clauses[:-1]})
    [removed] = clause_changes(base, fewer)
    assert (removed.clause, removed.change) == (base.clauses[-1].id, "removed")
    [added] = clause_changes(fewer, base)
    assert added.change == "added"


def test_matrix_shows_the_two_fears() -> None:
    c = compare([HAMAS, ISRAEL])
    assert c.verdict(0, "no_unilateral_exit(hamas)") == "holds"
    assert c.verdict(1, "no_unilateral_exit(hamas)") == "violated"
    assert c.verdict(0, "no_indefinite_truce(israel)") == "violated"
    assert c.verdict(1, "no_indefinite_truce(israel)") == "holds"
    assert ("no_unilateral_exit(hamas)", "hamas") in c.expectations
    row = next(
        r for r in c.to_json()["matrix"] if r["expectation"] == "no_indefinite_truce(israel)"
    )
    assert row["protects"] == "israel"


def test_compare_command_json_and_exit_code() -> None:
    result = CliRunner().invoke(app, ["compare", "--json", str(HAMAS), str(ISRAEL)])
    assert result.exit_code == 1  # each draft violates one side's expectation
    data = json.loads(result.stdout)
    assert data["drafts"] == [
        "gaza-framework-2024-hamas-wording",
        "gaza-framework-2024-israel-wording",
    ]


def test_check_command_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["check", "tests/fixtures/minimal.yaml", "--json"])
    assert ok.exit_code == 1
    data = json.loads(ok.stdout)
    assert [e["verdict"] for e in data["expectations"]] == ["holds", "violated", "holds"]
    assert runner.invoke(app, ["check", str(tmp_path / "missing.yaml")]).exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("agreement: {}\n")
    assert runner.invoke(app, ["check", str(bad)]).exit_code == 1  # invalid: problems found
    text = runner.invoke(app, ["check", str(ISRAEL)])
    assert "Israel resumes fighting, as clause 14" in text.stdout
