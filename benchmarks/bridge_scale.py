"""How fast the bridging search judges candidates: in this process, and on a local Ray
cluster of 1 and 2 workers, with the efficiency and the share of time in Ray's overhead.

    .venv/bin/python benchmarks/bridge_scale.py [--candidates 240]
    .venv/bin/python benchmarks/bridge_scale.py --simulate [--check-ms 30] [--overhead-ms 1]

``--simulate`` runs no check: it models a cluster of 1 to 100 nodes from the task sizes
(docs/bridging.md, "A 100-node cluster").

The candidates are the first N pairs of edits the search would judge on the July 2024
Israel wording (the same list for every run). "Overhead" is the part of the workers'
time not spent inside the checks: 1 - (sum of check seconds) / (wall seconds × workers).
Timings on a shared machine are noisy; compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import time
from itertools import combinations
from pathlib import Path

from detente.bridging.apply import Judge
from detente.bridging.edits import Edit, canonical
from detente.bridging.executors import Executor, InProcess, RayExecutor
from detente.bridging.search import offered_edits
from detente.checker.check import check
from detente.language.loader import load

ROOT = Path(__file__).resolve().parents[1]
DRAFT = ROOT / "examples" / "gaza-framework-2024" / "july-2024-israel-wording.yaml"
OTHER = ROOT / "examples" / "gaza-framework-2024" / "july-2024-hamas-wording.yaml"


def candidates(n: int) -> tuple[Judge, list[tuple[int, tuple[Edit, ...]]]]:
    draft, other = load(DRAFT), load(OTHER)
    edits = [r.edit for r in offered_edits(draft, [other], check(draft))]
    pairs = [canonical((a, b)) for a, b in combinations(edits, 2) if a.target != b.target][:n]
    return Judge([draft]), [(0, p) for p in pairs]


def measure(
    name: str, executor: Executor, items: list[tuple[int, tuple[Edit, ...]]]
) -> dict[str, float | str]:
    started = time.perf_counter()
    judged = executor.run(items)
    wall = time.perf_counter() - started
    busy = sum(j.seconds for j in judged)
    return {
        "run": name,
        "workers": executor.workers,
        "candidates": len(judged),
        "seconds": round(wall, 2),
        "candidates_per_second": round(len(judged) / wall, 1),
        "mean_check_ms": round(1000 * busy / len(judged), 1),
        "overhead_share": round(max(0.0, 1 - busy / (wall * executor.workers)), 3),
    }


def simulate(
    *,
    candidates: int,
    levels: int,
    nodes: int,
    cores: int,
    check_s: float,
    overhead_s: float,
    batch: int,
    dispatch_per_s: float,
) -> float:
    """Seconds for a search of ``candidates`` spread over ``levels`` (each level waits for
    its last task) on ``nodes`` x ``cores``: each task judges ``batch`` candidates and costs
    ``overhead_s`` besides; the driver submits at most ``dispatch_per_s`` tasks a second."""
    per_level = candidates / levels
    tasks = max(1.0, per_level / batch)
    task_s = batch * check_s + overhead_s
    slots = nodes * cores
    waves = -(-tasks // slots)  # whole waves: the last one may be part full
    compute = waves * task_s
    dispatch = tasks / dispatch_per_s
    return levels * max(compute, dispatch + task_s)


def simulation(check_ms: float, overhead_ms: float) -> list[dict[str, float | int]]:
    """The model on the July 2024 search (about 90 single edits, 4,000 pairs) and on a
    search 30 times larger (three edits, or a longer agreement), 1 to 100 nodes."""
    rows = []
    for candidates, levels in ((4_000, 2), (120_000, 3)):
        one = candidates * check_ms / 1000  # in this process: no task overhead
        for nodes in (1, 10, 100):
            for batch in (1, 16):
                t = simulate(
                    candidates=candidates,
                    levels=levels,
                    nodes=nodes,
                    cores=CORES,
                    check_s=check_ms / 1000,
                    overhead_s=overhead_ms / 1000,
                    batch=batch,
                    dispatch_per_s=DISPATCH_PER_S,
                )
                rows.append(
                    {
                        "candidates": candidates,
                        "nodes": nodes,
                        "batch": batch,
                        "seconds": round(t, 2),
                        "speedup": round(one / t, 1),
                        "efficiency": round(one / t / (nodes * CORES), 2),
                    }
                )
    return rows


#: The model's assumptions (docs/bridging.md): cores per node, and how many tasks a second
#: one driver submits (Ray's documentation advises tasks of more than about ten
#: milliseconds because of the per-task overhead; the driver's rate is an assumption).
CORES = 8
DISPATCH_PER_S = 1_000.0


def break_even_check_ms(nodes: int, overhead_ms: float, batch: int) -> float:
    """The single-check time below which the driver, not the nodes, sets the pace: adding
    nodes stops paying (nodes x cores / (batch x check + overhead) = dispatch rate)."""
    return max(0.0, (nodes * CORES / DISPATCH_PER_S * 1000 - overhead_ms) / batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=240)
    parser.add_argument("--simulate", action="store_true")
    parser.add_argument("--check-ms", type=float, default=30.0)
    parser.add_argument("--overhead-ms", type=float, default=1.0)
    args = parser.parse_args()
    if args.simulate:
        for row in simulation(args.check_ms, args.overhead_ms):
            print(json.dumps(row))
        for batch in (1, 16):
            ms = break_even_check_ms(100, args.overhead_ms, batch)
            print(json.dumps({"nodes": 100, "batch": batch, "break_even_check_ms": round(ms, 2)}))
        return
    judge, items = candidates(args.candidates)
    rows = [measure("in-process", InProcess(judge), items)]
    import ray

    for workers in (1, 2):
        ex = RayExecutor(judge, workers=workers)
        ex.run(items[: 2 * workers])  # warm the workers (imports), not counted
        rows.append(
            measure(f"ray, {workers} worker(s)", ex, items)
            | {"setup_seconds": round(ex.setup_seconds, 2)}
        )
        ex.close()
        assert not ray.is_initialized()
    one = next(r for r in rows if r["run"] == "ray, 1 worker(s)")
    two = next(r for r in rows if r["run"] == "ray, 2 worker(s)")
    efficiency = float(two["candidates_per_second"]) / (2 * float(one["candidates_per_second"]))
    for r in rows:
        print(json.dumps(r))
    print(json.dumps({"efficiency_2_workers": round(efficiency, 2)}))


if __name__ == "__main__":
    main()
