"""The bridging search on a real Ray cluster: a head and a second node joined to it, in a
temporary directory, started with `ray start` and stopped after. The proposals must equal
the single-process run's, in the same order (issue 15)."""

from __future__ import annotations

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

from detente.bridging import bridge
from tests.conftest import EXAMPLES

ISRAEL = EXAMPLES / "gaza-framework-2024" / "july-2024-israel-wording.yaml"
HAMAS = EXAMPLES / "gaza-framework-2024" / "july-2024-hamas-wording.yaml"
OPERATORS = ["power_condition", "deadline", "scope"]

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


def _key(
    result: object,
) -> list[tuple[str, tuple[tuple[str, str, str], ...], tuple[tuple[str, str], ...]]]:
    return [
        (p.draft, tuple(e.key for e in p.edits), tuple(sorted(p.verdicts.items())))
        for p in result.proposals  # type: ignore[attr-defined]
    ]


def test_proposals_on_a_two_node_cluster_equal_the_single_process_run(cluster: str) -> None:
    here = bridge([ISRAEL, HAMAS], max_edits=2, operators=OPERATORS)
    there = bridge([ISRAEL, HAMAS], max_edits=2, operators=OPERATORS, address=cluster)
    assert there.workers == 2  # both nodes' CPUs
    assert here.proposals, "the single-process run found nothing to compare"
    assert _key(there) == _key(here)
    assert there.candidates_judged == here.candidates_judged
    assert [c.edits for c in there.closest] == [c.edits for c in here.closest]
