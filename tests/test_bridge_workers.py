"""`detente bridge --workers N`: a local Ray instance of N CPUs, started for the search and
stopped after; the same proposals, in the same order, as in one process."""

from __future__ import annotations

import json

import ray
from typer.testing import CliRunner

from detente.cli import app
from tests.conftest import EXAMPLES

ISRAEL = EXAMPLES / "gaza-framework-2024" / "july-2024-israel-wording.yaml"
HAMAS = EXAMPLES / "gaza-framework-2024" / "july-2024-hamas-wording.yaml"


def test_workers_start_a_local_cluster_and_find_what_one_process_finds() -> None:
    runner = CliRunner()
    args = ["bridge", str(ISRAEL), str(HAMAS), "-k", "1", "--operators", "talks_deadline,scope"]
    here = runner.invoke(app, [*args, "--json"])
    there = runner.invoke(app, [*args, "--json", "--workers", "2"])
    assert here.exit_code == there.exit_code == 0, there.output
    a, b = json.loads(here.stdout), json.loads(there.stdout)
    assert b["search"]["workers"] == 2
    assert a["proposals"], "the single-process run found nothing to compare"
    assert a["proposals"] == b["proposals"]
    assert a["search"]["candidates_judged"] == b["search"]["candidates_judged"]
    assert not ray.is_initialized()  # the local instance was stopped after the search
