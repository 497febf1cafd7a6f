"""Détente's checker against Spin, end to end, on the same agreements side by side.

For every bundled example and family members of increasing size (see
``family.py``) it runs ``detente check --json`` and Spin on the Promela export
(``spin -a`` + ``gcc -O2`` + ``pan -a -N claim`` for every claim), and prints
states, seconds, states per second, peak memory (each child's own peak RSS,
from ``os.wait4``; for Spin the largest of spin, gcc and pan, and which), bytes
of peak RSS per state, Détente's marginal bytes per state (peak RSS growth over
the smallest run, per extra state), Spin's state-vector size, and the ratios
Détente/Spin in seconds and in peak bytes per state. A Spin timeout is reported
as such, with the time ratio as an upper bound ("<x"). The goals are printed,
met or not, at the end.

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
    peak_by: str = ""  # which process had the peak RSS
    vector: int | None = None  # Spin's "State-vector N byte" (largest over claims)
    state_mb: float = 0.0  # Spin's own "actual memory usage for states" (largest)

    @property
    def bytes_per_state(self) -> str:
        if not self.states:
            return "-"
        return f"{self.peak_mb * 2**20 / self.states:,.0f}"

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
        if peak > run.peak_mb:
            run.peak_mb, run.peak_by = peak, cmd[0].lstrip("./")
        if code == -9:
            run.note = "timeout"
            run.states = None
            return run
        if cmd[0] == "./pan":
            m = re.search(r"(\d+) states, stored", text)
            if m and run.states is not None:
                run.states += int(m.group(1))
            v = re.search(r"State-vector (\d+) byte", text)
            if v:
                run.vector = max(run.vector or 0, int(v.group(1)))
            u = re.search(r"([\d.]+)\s+actual memory usage for states", text)
            if u:
                run.state_mb = max(run.state_mb, float(u.group(1)))
            if "max search depth too small" in text:
                run.note = "depth limit hit"
        elif code != 0:
            run.note = f"{cmd[0]} failed"
            run.states = None
            return run
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,2,3,4,5,6,7,8", help="family sizes, comma-separated")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per tool and agreement")
    parser.add_argument("--no-examples", action="store_true", help="only the family")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="detente-bench-") as tmp:
        base_dir = Path(tmp)
        subjects: list[tuple[str, Path]] = []
        if not args.no_examples:
            for path in sorted((ROOT / "examples").glob("*/*.yaml")):
                subjects.append((f"{path.parent.name}/{path.stem}", path))
        for size in (int(s) for s in args.sizes.split(",") if s.strip()):
            spec = base_dir / f"family-{size}.yaml"
            spec.write_text(member_yaml(size), encoding="utf-8")
            subjects.append((f"family --size {size}", spec))

        header = (
            f"{'agreement':40} {'tool':7} {'states':>10} {'seconds':>8} {'states/s':>10} "
            f"{'peak MB':>8} {'B/state':>9} {'marg B/st':>9} {'t D/S':>7} {'mem D/S':>7}  note"
        )
        print(header)
        print("-" * len(header))
        base: Run | None = None  # the smallest Détente run: interpreter + imports
        met_time: list[bool] = []
        met_mem: list[bool] = []
        for label, spec in subjects:
            work = base_dir / re.sub(r"[^A-Za-z0-9]+", "_", label)
            work.mkdir()
            ours = run_detente(spec, args.timeout)
            theirs = run_spin(spec, work, args.timeout)
            if ours.states and (base is None or ours.states < (base.states or 0)):
                base = ours
            marginal = "-"
            if base is not None and ours.states and ours.states > (base.states or 0) * 4:
                grow = (ours.peak_mb - base.peak_mb) * 2**20 / (ours.states - (base.states or 0))
                marginal = f"{max(grow, 0):,.0f}"
            if ours.states is None:
                t_ratio, m_ratio = "-", "-"
            elif theirs.states is None:
                # Spin did not finish: it took at least this long
                t_ratio = f"<{ours.seconds / theirs.seconds:.2f}"
                m_ratio = "-"
                met_time.append(ours.seconds <= theirs.seconds)
            else:
                tr = ours.seconds / theirs.seconds
                mr = (ours.peak_mb / ours.states) / (theirs.peak_mb / max(theirs.states, 1))
                t_ratio, m_ratio = f"{tr:.2f}", f"{mr:.2f}"
                met_time.append(tr <= 1.0)
                met_mem.append(mr <= 1.0)
            spin_note = theirs.note
            if theirs.vector is not None:
                spin_note = (
                    f"{spin_note} state-vector {theirs.vector} B, states {theirs.state_mb:.1f} MB,"
                    f" peak in {theirs.peak_by}"
                ).strip()
            for tool, run, tr_, mr_, note, marg in (
                ("detente", ours, t_ratio, m_ratio, ours.note, marginal),
                ("spin", theirs, "", "", spin_note, ""),
            ):
                states = f"{run.states:,}" if run.states is not None else "timeout"
                print(
                    f"{label:40} {tool:7} {states:>10} {run.seconds:8.2f} {run.rate:>10} "
                    f"{run.peak_mb:8.1f} {run.bytes_per_state:>9} {marg:>9} {tr_:>7} {mr_:>7}"
                    f"  {note}",
                    flush=True,
                )
        print()
        print(
            "goal: time ratio Détente/Spin <= 1.0 on every agreement: "
            + ("met" if met_time and all(met_time) else "NOT met")
            + f" ({sum(met_time)}/{len(met_time)})"
        )
        print(
            "goal: peak memory per state no higher than Spin's: "
            + ("met" if met_mem and all(met_mem) else "NOT met")
            + f" ({sum(met_mem)}/{len(met_mem)} where both finished)"
        )
        print(f"bench run time: {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
