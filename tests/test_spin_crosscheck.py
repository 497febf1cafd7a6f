"""Cross-check: every verdict of Détente's checker must equal the real Spin's on the Promela export.

The export is a second, independent reading of docs/semantics.md (it never
reads the checker's state graph). Spin runs as the issue says: ``spin -a``,
one gcc build per model, ``pan -a -N claim`` per claim; a claim holds when pan
reports ``errors: 0`` with the whole state space searched.

Runs on every bundled example (drafts too; the checker through
``detente check --json``) and on 200 small agreements that Hypothesis generates
(the checker through ``detente.check``; derandomized, no example database: the
same 200 on every run). The generated models are compiled with ``-O0``: the verdicts are the
same as with ``-O2`` and the compile is five times faster on a tiny model.

Every past disagreement is kept in ``tests/fixtures/crosscheck/`` and checked on every run.
Each was settled by docs/semantics.md, and the wrong side fixed:

1. a custom liveness formula with ``protects: P`` where P is cornered (it holds too few to
   release): the checker let P "violate" inside its compliant runs; a violation is a
   violation, so the checker was wrong;
2. an extension rule used before the phase's last day: the export was wrong;
3. ``no_unilateral_exit`` judged on whole runs instead of the run so far: the export;
4. a gap that a phase starting in the same step closes: the export kept it open;
5. ``consistent`` judged at the time point, before anyone chooses, with what falls due from
   one stock added up (the export looked only between steps, where a round due on a
   phase's first day is never pending); this file keeps that case, rebuilt by hand;
6. a round whose counter-release is zero: the semantic core made it a duty of nothing, so
   ``reciprocity`` saw a matching round where the export (rightly) saw none.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import detente
from detente.export import spin
from detente.export.promela import claims, to_promela
from detente.language.model import Agreement
from tests.strategies import agreement_data

pytestmark = [
    pytest.mark.spin,
    pytest.mark.skipif(
        not spin.available(), reason="needs spin and gcc (Debian: apt install spin gcc)"
    ),
]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*/*.yaml"))
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "crosscheck").glob("*.json"))
#: One small spec per construct of the language, each cross-examined by Spin.
CONSTRUCTS = sorted((ROOT / "tests" / "fixtures" / "constructs").glob("*.yaml"))
DETENTE = shutil.which("detente", path=str(Path(sys.executable).parent)) or "detente"


def checker_verdicts(path: Path) -> dict[str, str]:
    """``detente check --json PATH``: claim name -> holds / violated / unknown."""
    proc = subprocess.run(
        [DETENTE, "check", "--json", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode in (0, 1) and proc.stdout.strip(), (
        f"detente check exited {proc.returncode}:\n{proc.stdout[-1000:]}\n{proc.stderr[-2000:]}"
    )
    report: dict[str, Any] = json.loads(proc.stdout)
    return {e["claim"]: e["verdict"] for e in report["expectations"] if e.get("claim") is not None}


def api_verdicts(agreement: Agreement) -> dict[str, str]:
    """``detente.check(agreement)``, in process: claim name -> verdict."""
    result = detente.check(agreement)
    return {e.claim: e.verdict for e in result.expectations if e.claim is not None}


def spin_verdicts(agreement: Agreement, workdir: Path, *, optimise: bool) -> dict[str, str]:
    cflags = ("-O2" if optimise else "-O0", "-DNFAIR=3")
    names = list(claims(agreement))
    if not names:
        return {}
    pan = spin.build(to_promela(agreement), workdir, cflags=cflags)
    out: dict[str, str] = {}
    for name in names:
        result = spin.verify(pan, name)
        out[name] = {True: "holds", False: "violated", None: "unknown"}[result.holds]
    return out


def disagreements(ours: dict[str, str], theirs: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Claims where both answered and the answers differ: (checker, spin)."""
    return {
        name: (theirs[name], verdict)
        for name, verdict in ours.items()
        if name in theirs and "unknown" not in (verdict, theirs[name]) and verdict != theirs[name]
    }


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_spin_agrees_with_the_checker_on_every_past_disagreement(
    path: Path, tmp_path: Path
) -> None:
    """Each file is a small agreement on which the two readings once differed; the cause
    (and which side was wrong) is in the module docstring."""
    agreement = detente.load(path)
    ours = spin_verdicts(agreement, tmp_path, optimise=False)
    assert ours and "unknown" not in ours.values()
    assert disagreements(ours, api_verdicts(agreement)) == {}


@pytest.mark.parametrize("path", CONSTRUCTS, ids=lambda p: p.stem)
def test_spin_agrees_with_the_checker_on_every_construct(path: Path, tmp_path: Path) -> None:
    agreement = detente.load(path)
    ours = spin_verdicts(agreement, tmp_path, optimise=False)
    assert ours and "unknown" not in ours.values()
    assert disagreements(ours, api_verdicts(agreement)) == {}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_spin_agrees_with_the_checker_on_every_example(path: Path, tmp_path: Path) -> None:
    agreement = detente.load(path)
    verdicts = spin_verdicts(agreement, tmp_path, optimise=True)
    assert set(verdicts) == set(claims(agreement))
    theirs = checker_verdicts(path)
    assert set(theirs) == set(verdicts)
    assert disagreements(verdicts, theirs) == {}, f"{path}: checker vs spin"


def test_spin_agrees_with_the_checker_on_200_generated_agreements() -> None:
    found: list[tuple[str, dict[str, tuple[str, str]]]] = []
    checked = 0

    @settings(
        max_examples=200,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(agreement_data())
    def one(data: dict[str, Any]) -> None:
        nonlocal checked
        text = json.dumps({"agreement": data}, indent=1)
        with tempfile.TemporaryDirectory() as tmp:
            spec = Path(tmp) / "generated.yaml"
            spec.write_text(text, encoding="utf-8")
            agreement = detente.load(spec)  # the generator only makes valid specs
            ours = spin_verdicts(agreement, Path(tmp) / "spin", optimise=False)
            checked += 1
            differ = disagreements(ours, api_verdicts(agreement))
            if differ:
                found.append((text, differ))

    one()
    assert checked >= 200
    assert not found, "checker vs spin disagree (checker, spin):\n" + "\n\n".join(
        f"{differ}\n{text}" for text, differ in found[:3]
    )
