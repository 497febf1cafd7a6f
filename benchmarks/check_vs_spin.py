"""Détente's checker against Spin, end to end, on the same agreements side by side.

For every bundled example and family members of increasing size (see
``family.py``) it runs ``detente check --json`` and Spin on the Promela export
(``spin -a`` + ``gcc -O2`` + ``pan -a -N claim`` for every claim), and prints
states, seconds, states per second, peak memory (each child's own peak RSS,
from ``os.wait4``) and the ratio Détente/Spin in seconds.

    python benchmarks/check_vs_spin.py [--sizes 1,2,4,8] [--timeout 300]

Spin's states are the sum over its claims (one search of the product per
claim, as the cross-check runs it). Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import detente  # noqa: E402
from detente.export.promela import claims, to_promela  # noqa: E402
from family import member_yaml  # noqa: E402

DETENTE = shutil.which("detente", path=str(Path(sys.executable).parent)) or "detente"


@dataclass
class Run:
    states: int | None = None
    seconds: float = 0.0
    peak_mb: float = 0.0
    note: str = ""

    @property
    def rate(self) -> str:
        if not self.states or self.seconds <= 0:
            return "-"
        return f"{self.states / self.seconds:,.0f}"


def run_child(cmd: list[str], cwd: Path, timeout: float) -> tuple[int, str, float, float]:
    """Run one process; (exit code, output, seconds, its own peak RSS in MB)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, text=True)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _pid, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        out.seek(0)
        text = out.read()
    code = os.waitstatus_to_exitcode(status) if proc.returncode != -9 else -9
    return code, text, seconds, usage.ru_maxrss / 1024


def run_detente(spec: Path, timeout: float) -> Run:
    code, text, seconds, peak = run_child(
        [DETENTE, "check", "--json", str(spec)], spec.parent, timeout
    )
    if code == -9:
        return Run(None, seconds, peak, "timeout")
    try:
        report = json.loads(text[text.index("{") :])
    except ValueError:
        return Run(None, seconds, peak, "no JSON (is `detente check` there?)")
    return Run(int(report.get("states_explored", 0)), seconds, peak)


def run_spin(spec: Path, workdir: Path, timeout: float) -> Run:
    agreement = detente.load(spec)
    names = list(claims(agreement))
    (workdir / "model.pml").write_text(to_promela(agreement), encoding="utf-8")
    run = Run(0, 0.0, 0.0)
    steps = [
        ["spin", "-a", "model.pml"],
        ["gcc", "-O2", "-DNFAIR=3", "-DVECTORSZ=4096", "-o", "pan", "pan.c"],
    ]
    steps += [["./pan", "-a", "-m200000", "-N", name] for name in names]
    for cmd in steps:
        code, text, seconds, peak = run_child(cmd, workdir, max(1.0, timeout - run.seconds))
        run.seconds += seconds
        run.peak_mb = max(run.peak_mb, peak)
        if code == -9:
            run.note = "timeout"
            run.states = None
            return run
        if cmd[0] == "./pan":
            m = re.search(r"(\d+) states, stored", text)
            if m and run.states is not None:
                run.states += int(m.group(1))
            if "max search depth too small" in text:
                run.note = "depth limit hit"
        elif code != 0:
            run.note = f"{cmd[0]} failed"
            run.states = None
            return run
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,2,3,4,5,6,8,10", help="family sizes, comma-separated")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per tool and agreement")
    parser.add_argument("--no-examples", action="store_true", help="only the family")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="detente-bench-") as tmp:
        base = Path(tmp)
        subjects: list[tuple[str, Path]] = []
        if not args.no_examples:
            for path in sorted((ROOT / "examples").glob("*/*.yaml")):
                subjects.append((f"{path.parent.name}/{path.stem}", path))
        for size in (int(s) for s in args.sizes.split(",") if s.strip()):
            spec = base / f"family-{size}.yaml"
            spec.write_text(member_yaml(size), encoding="utf-8")
            subjects.append((f"family --size {size}", spec))

        header = (
            f"{'agreement':44} {'tool':8} {'states':>11} {'seconds':>8} {'states/s':>11} "
            f"{'peak MB':>8} {'ratio D/S':>9}  note"
        )
        print(header)
        print("-" * len(header))
        for label, spec in subjects:
            work = base / re.sub(r"[^A-Za-z0-9]+", "_", label)
            work.mkdir()
            ours = run_detente(spec, args.timeout)
            theirs = run_spin(spec, work, args.timeout)
            comparable = (
                ours.states is not None and theirs.states is not None and theirs.seconds > 0
            )
            ratio = f"{ours.seconds / theirs.seconds:.2f}" if comparable else "-"
            for tool, run, r in (("detente", ours, ratio), ("spin", theirs, "")):
                states = f"{run.states:,}" if run.states is not None else "-"
                print(
                    f"{label:44} {tool:8} {states:>11} {run.seconds:8.2f} {run.rate:>11} "
                    f"{run.peak_mb:8.1f} {r:>9}  {run.note}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
