"""Run the real Spin on an exported model: ``spin -a``, one gcc build, ``pan -a -N claim`` per claim.

Used by the Spin cross-check test and the benchmark. A claim *holds* when pan
reports ``errors: 0`` with a full search (no depth limit hit).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

#: pan's search depth; raised (up to MAX_DEPTH) when pan says it was too small.
DEPTH = 100_000
MAX_DEPTH = 10_000_000


@dataclass(frozen=True)
class ClaimResult:
    claim: str
    errors: int
    states: int
    seconds: float
    memory_mb: float
    truncated: bool  # the depth limit was hit: a 0 then proves nothing

    @property
    def holds(self) -> bool | None:
        if self.errors > 0:
            return False
        return None if self.truncated else True


class SpinError(RuntimeError):
    """Spin, gcc or pan failed on a model (not a verdict)."""


def available() -> bool:
    return shutil.which("spin") is not None and shutil.which("gcc") is not None


def build(model: str, workdir: Path, *, cflags: tuple[str, ...] = ("-O2", "-DNFAIR=3")) -> Path:
    """Write ``model.pml``, generate the verifier and compile it once for every claim."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "model.pml").write_text(model, encoding="utf-8")
    _run(["spin", "-a", "model.pml"], workdir, "spin -a")
    _run(["gcc", *cflags, "-DVECTORSZ=4096", "-o", "pan", "pan.c"], workdir, "gcc")
    return workdir / "pan"


def verify(pan: Path, claim: str, *, depth: int = DEPTH, timeout: float = 600) -> ClaimResult:
    """``pan -a -N claim``: acceptance cycles and safety violations of one claim."""
    while True:
        start = time.perf_counter()
        proc = subprocess.run(
            [str(pan), "-a", f"-m{depth}", "-N", claim],
            cwd=pan.parent,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        seconds = time.perf_counter() - start
        text = proc.stdout + proc.stderr
        m = re.search(r"errors: (\d+)", text)
        if m is None:
            raise SpinError(f"pan -N {claim} gave no verdict:\n{text[-2000:]}")
        truncated = "max search depth too small" in text
        errors = int(m.group(1))
        if truncated and errors == 0 and depth < MAX_DEPTH:
            depth *= 10
            continue
        states = re.search(r"(\d+) states, stored", text)
        mem = re.search(r"([\d.]+)\s+total actual memory usage", text)
        return ClaimResult(
            claim=claim,
            errors=errors,
            states=int(states.group(1)) if states else 0,
            seconds=seconds,
            memory_mb=float(mem.group(1)) if mem else 0.0,
            truncated=truncated and errors == 0,
        )


def check_all(model: str, claims: list[str], workdir: Path) -> dict[str, ClaimResult]:
    """Build once, then verify every claim."""
    if not claims:
        return {}
    pan = build(model, workdir)
    return {claim: verify(pan, claim) for claim in claims}


def _run(cmd: list[str], cwd: Path, what: str) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, timeout=600)
    if proc.returncode != 0:
        raise SpinError(
            f"{what} failed ({proc.returncode}):\n{(proc.stdout + proc.stderr)[-3000:]}"
        )
