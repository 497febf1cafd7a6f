"""The bridging search on a real Ray cluster: a head and a second node joined to it, in a
temporary directory, started with `ray start` and stopped after. The proposals must equal
the single-process run's, in the same order (issue 15)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli import app
from tests.conftest import EXAMPLES

ISRAEL = EXAMPLES / "gaza-framework-2024" / "july-2024-israel-wording.yaml"
HAMAS = EXAMPLES / "gaza-framework-2024" / "july-2024-hamas-wording.yaml"
OPERATORS = ["power_condition", "talks_deadline", "scope"]

pytestmark = pytest.mark.timeout(600)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ray() -> str:
    ray = shutil.which("ray") or str(Path(sys.executable).parent / "ray")
    assert Path(ray).exists(), "the cluster extra (ray) is not installed: make .venv/.installed"
    return ray


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A head node and a second node on this machine, one CPU each."""
    ray = _ray()
    temp = tempfile.mkdtemp(prefix="rt", dir="/tmp")  # short: Ray's socket paths are bounded
    # token authentication (ray-notes): one fresh token for the nodes and this client
    auth = {"RAY_AUTH_MODE": "token", "RAY_TMPDIR": temp, "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    env = os.environ | auth
    env.pop("RAY_ADDRESS", None)
    port = _free_port()
    address = f"127.0.0.1:{port}"
    saved = {k: os.environ.get(k) for k in auth}
    os.environ.update(auth)

    def run(*args: str) -> None:
        subprocess.run([ray, *args], env=env, check=True, capture_output=True, timeout=180)

    try:
        run(
            "start",
            "--head",
            "--port",
            str(port),
            "--num-cpus",
            "1",
            "--include-dashboard=false",
            "--temp-dir",
            temp,
            "--disable-usage-stats",
        )
        run("start", "--address", address, "--num-cpus", "1", "--disable-usage-stats")
        yield address
    finally:
        subprocess.run([ray, "stop", "--force"], env=env, capture_output=True, timeout=120)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(temp, ignore_errors=True)


def test_proposals_on_a_two_node_cluster_equal_the_single_process_run(cluster: str) -> None:
    # The driver runs in its own process, as a user's would: Ray reads its authentication
    # settings once per process, so a test process that already ran a local instance
    # (test_bridge_workers.py) could not join a token-authenticated cluster.
    args = ["bridge", str(ISRAEL), str(HAMAS), "-k", "2", "--operators", ",".join(OPERATORS)]
    here = CliRunner().invoke(app, [*args, "--json"])
    assert here.exit_code == 0, here.output
    detente = str(Path(sys.executable).parent / "detente")
    there = subprocess.run(
        [detente, *args, "--json", "--address", cluster],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=480,
    )
    assert there.returncode == 0, there.stderr[-2000:]
    a, b = json.loads(here.stdout), json.loads(there.stdout)
    assert b["search"]["workers"] == 2  # both nodes' CPUs
    assert a["proposals"], "the single-process run found nothing to compare"
    assert b["proposals"] == a["proposals"]  # the same proposals, in the same order
    assert b["closest"] == a["closest"]
    assert b["search"]["candidates_judged"] == a["search"]["candidates_judged"]
