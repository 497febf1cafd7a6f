"""The compiled explorer (the semantics' hot modules compiled by mypyc, see
:mod:`detente.semantics.native`) and pure Python, the oracle, give the same graphs: the
same states under the same ids, the same parents, the same edges, for every restriction
the checker explores, on the examples, on the benchmark family and on generated
agreements; and the same check results. Pure Python runs in a child process with
``DETENTE_PURE=1``; this process runs the compiled modules when they are built."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from detente.checker.context import Context
from detente.checker.explore import Graph
from detente.language.loader import load, load_text
from detente.language.model import Agreement
from detente.semantics import native
from tests.strategies import agreements

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from family import member_yaml

ROOT = Path(__file__).resolve().parent.parent

needs_build = pytest.mark.skipif(
    not native.active, reason="the compiled explorer is not built (make builds it)"
)

EXAMPLES = sorted(str(p) for p in (ROOT / "examples").glob("*/*.yaml"))


def digests(agreement: Agreement, max_states: int) -> list[str]:
    """One digest per restriction of the graph explored under it (states in id order,
    parents, edges, whether complete)."""
    ctx = Context(agreement)
    models = [ctx.model] + ([ctx.folded] if ctx.folded is not None else [])
    out = []
    for model in models:
        for forbid in (0, 1, 2, (1 << len(model.parties)) - 1):
            for powers in (True, False):
                g = Graph(model, forbid, powers, max_states=max_states, table="records")
                g.explore()
                h = hashlib.sha256()
                h.update(repr(list(g.states)).encode())
                for a in (g.parent, g.targets, g.offsets):
                    h.update(a.tobytes())
                h.update(b"complete" if g.complete else b"stopped")
                out.append(h.hexdigest())
    return out


def pure(task: dict[str, object]) -> object:
    """Run :func:`_child` on ``task`` in a child process with pure Python."""
    env = {**os.environ, "DETENTE_PURE": "1"}
    code = "import sys, tests.test_native as t; t._child(sys.stdin.read())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(task),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    return json.loads(out.stdout)


def _child(text: str) -> None:
    task = json.loads(text)
    assert not native.active
    if task["kind"] == "digests":
        result: object = [
            digests(Agreement.model_validate_json(a), task["max_states"])
            for a in task["agreements"]
        ]
    else:
        import detente

        result = [_verdicts(detente.check(load_text(a, "spec.yaml"))) for a in task["yaml"]]
    print(json.dumps(result))


def _verdicts(r: object) -> object:
    data = r.to_json()  # type: ignore[attr-defined]
    data.pop("seconds", None)
    return data


@needs_build
def test_the_compiled_modules_are_the_ones_in_use() -> None:
    from detente.semantics import system

    assert native.TARGET.name in Path(system.__file__ or "").parts


@needs_build
def test_compiled_and_pure_explore_the_same_graphs_on_examples_and_family() -> None:
    found = [load(p) for p in EXAMPLES] + [
        load_text(member_yaml(n), f"family-{n}.yaml") for n in (1, 2, 3, 4, 5)
    ]
    task = {
        "kind": "digests",
        "max_states": 4000,
        "agreements": [a.model_dump_json() for a in found],
    }
    assert pure(task) == [digests(a, 4000) for a in found]


@needs_build
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(agreements())
def test_compiled_and_pure_explore_the_same_graphs_on_generated_agreements(
    agreement: Agreement,
) -> None:
    task = {"kind": "digests", "max_states": 2000, "agreements": [agreement.model_dump_json()]}
    assert pure(task) == [digests(agreement, 2000)]


@needs_build
def test_compiled_and_pure_check_give_the_same_results() -> None:
    import detente

    texts = [member_yaml(4), (ROOT / "examples/jan-2025-ceasefire/agreement.yaml").read_text()]
    mine = [_verdicts(detente.check(load_text(t, "spec.yaml"))) for t in texts]
    assert pure({"kind": "check", "yaml": texts}) == mine


def test_a_build_from_other_sources_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit to the semantics since the build falls back to pure Python."""
    real = native.fingerprint()
    monkeypatch.setattr(native, "fingerprint", lambda: {**real, "semantics/system.py": "edited"})
    assert not native.usable()
    monkeypatch.setenv("DETENTE_PURE", "1")
    assert not native.usable()
