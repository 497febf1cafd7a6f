"""Bytes per stored state of the explorer's graph, marginal, on a family member.

Explores the unrestricted graph of ``benchmarks/family.py --size N`` up to two state
bounds, each in a fresh process, and prints, for each: states, seconds, the graph's own
bytes (intern table, stored states, parents, edges) and the process's resident memory
grown while exploring; then the marginal bytes per state between the two (the slope,
which leaves out the interpreter and the model). Usage::

    python benchmarks/graph_memory.py --size 10 --states 100000 200000 [--table dict]

``--table dict`` measures the oracle intern table (a dict of packed bytes, the storage
before fixed-size records).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def graph_bytes(g: object) -> int:
    """The graph's own memory: its arrays and its intern table."""
    return int(g.nbytes())  # type: ignore[attr-defined]


def one(size: int, states: int, table: str) -> dict[str, float]:
    sys.path.insert(0, str(HERE))
    from detente.checker.context import Context
    from detente.checker.explore import Graph
    from detente.checker.memory import rss
    from detente.language.loader import load_text
    from family import member_yaml

    model = Context(load_text(member_yaml(size), "family.yaml")).model
    before = rss()
    started, cpu = time.perf_counter(), time.process_time()
    g = Graph(model, max_states=states, table=table).explore()  # type: ignore[arg-type]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "states": g.size,
        "edges": len(g.targets),
        "seconds": seconds,
        "cpu": cpu,
        "width": model.width,
        "graph_bytes": graph_bytes(g),
        "rss_grown": rss() - before,
        "complete": g.complete,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10)
    parser.add_argument("--states", type=int, nargs=2, default=[100_000, 200_000])
    parser.add_argument(
        "--table", choices=["records", "dict"], default="records", help="the intern table"
    )
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.size, args.states[0], args.table)))
        return 0
    rows = []
    size_args = ["--size", str(args.size), "--states"]
    for n in args.states:
        out = subprocess.run(
            [sys.executable, __file__, "--one", "--table", args.table, *size_args, str(n), "0"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        row = json.loads(out)
        rows.append(row)
        print(
            f"size {args.size}: {row['states']:,} states, {row['edges']:,} edges, "
            f"{row['seconds']:.2f} s ({row['cpu']:.2f} s CPU), width {row['width']}, graph {row['graph_bytes'] / row['states']:.0f} B/state, "
            f"RSS grown {row['rss_grown'] / 2**20:.1f} MB"
        )
    a, b = rows
    ds = b["states"] - a["states"]
    if ds > 0:
        print(
            f"marginal: graph {(b['graph_bytes'] - a['graph_bytes']) / ds:.0f} B/state, "
            f"RSS {(b['rss_grown'] - a['rss_grown']) / ds:.0f} B/state"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
