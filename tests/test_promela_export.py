"""The Promela export: one named claim per checked expectation, and the export command's exits."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

import detente
from detente.cli import app
from detente.export.promela import claims, to_promela

runner = CliRunner()


def test_one_ltl_claim_per_checked_expectation(minimal_spec: Path) -> None:
    agreement = detente.load(minimal_spec)
    model = to_promela(agreement)
    named = re.findall(r"^ltl (\w+) \{", model, flags=re.M)
    assert named == ["no_unilateral_exit_a", "no_indefinite_truce_b"]
    assert set(claims(agreement)) == set(named)
    assert "totals_add_up: a static check, no claim" in model


def test_the_model_cites_clause_ids(minimal_spec: Path) -> None:
    model = to_promela(detente.load(minimal_spec))
    assert "clause 2 round 1: a releases" in model
    assert "clause 3: negotiation between a, b" in model


def test_export_command_writes_promela_and_json(minimal_spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.pml"
    result = runner.invoke(
        app, ["export", "--format", "promela", str(minimal_spec), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "active proctype agreement()" in out.read_text()
    result = runner.invoke(app, ["export", "--format", "json", str(minimal_spec)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["id"] == "minimal"


def test_export_command_exit_codes(tmp_path: Path) -> None:
    assert runner.invoke(app, ["export", str(tmp_path / "missing.yaml")]).exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("agreement: {id: x}\n")
    assert runner.invoke(app, ["export", str(bad)]).exit_code == 1
    assert runner.invoke(app, ["export", "--format", "xml", str(bad)]).exit_code == 2
