"""The Promela export: one named claim per checked expectation, and the export command's exits."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import detente
from detente.cli import app
from detente.export import spin
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


NEXT_STEP = Path(__file__).parent / "fixtures" / "constructs" / "next_step.yaml"


@pytest.mark.spin
@pytest.mark.skipif(not spin.available(), reason="needs spin and gcc")
def test_spin_accepts_formulas_with_next(tmp_path: Path) -> None:
    """Spin's LTL parser (as Debian builds it) has no ``X``: a claim that writes it, even
    alone (``X (p)``) or after ``&&``, stops ``spin -a`` with "expected predicate, saw 'X'".
    The export says the same without it, and every claim of the fixture must compile."""
    agreement = detente.load(NEXT_STEP)
    model = to_promela(agreement)
    (tmp_path / "model.pml").write_text(model, encoding="utf-8")
    proc = subprocess.run(
        ["spin", "-a", "model.pml"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout[-1500:] + proc.stderr[-1500:]
    assert (tmp_path / "pan.c").exists()
