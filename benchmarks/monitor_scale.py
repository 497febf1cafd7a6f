"""Replay scales linearly and streams: logs of 10^4, 10^5 and 10^6 events.

Generates synthetic logs for the January 2025 agreement (releases, aid, withdrawals,
announcements over its first 60 days, a fixed handful of disputed and prohibited
acts, so that the report itself stays the same size), writes them to a temporary
directory, and replays each in a fresh subprocess measuring wall time and peak RSS.

    .venv/bin/python benchmarks/monitor_scale.py [--sizes 10000 100000 1000000] [--jsonl]

Goal: time(10^6) / time(10^5) <= 12, and peak memory flat in the log's size.
Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from detente.monitor.events import COLUMNS as EVENT_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples/jan-2025-ceasefire/agreement.yaml"
COLUMNS = list(EVENT_COLUMNS)

CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from detente.language.loader import load
from detente.monitor import iter_events, monitor
agreement = load(sys.argv[1])
start, cpu = time.perf_counter(), time.process_time()
report = monitor(agreement, iter_events(sys.argv[2], agreement))
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
data = report.to_json()
print(json.dumps({
    "seconds": elapsed,
    "cpu_seconds": cpu,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "events": report.events_read,
    "obligations": len(data["obligations"]),
    "violations": len(data["violations"]),
}))
"""


def generate(path: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    import datetime as dt

    eif = dt.date(2025, 1, 19)
    kinds = [
        ("hamas", "release", "other_phase_one_hostages", "exchange"),
        ("hamas", "release", "civilian_women_children", "exchange"),
        ("israel", "release", "prisoners", "exchange"),
        ("israel", "aid", "", "aid"),
        ("israel", "aid", "", "fuel"),
        ("israel", "withdraw", "", "withdraw-rashid"),
        ("qatar", "announce", "", ""),
    ]
    special = {rng.randrange(n): "disputed" for _ in range(20)} | {
        rng.randrange(n): "hostilities" for _ in range(10)
    }
    jsonl = path.suffix == ".jsonl"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        if not jsonl:
            writer.writerow(COLUMNS)
        for i in range(n):
            actor, action, category, clause = rng.choice(kinds)
            day = eif + dt.timedelta(days=rng.randrange(60))
            verification = "confirmed"
            if special.get(i) == "hostilities":
                actor, action, category, clause = "israel", "hostilities", "", "ceasefire"
            elif special.get(i) == "disputed":
                verification = "disputed"
            quantity = str(rng.randint(1, 40)) if action in ("release", "aid") else ""
            row = [
                day.isoformat(),
                f"{rng.randrange(24):02d}:{rng.randrange(60):02d}",
                actor,
                action,
                quantity,
                category,
                clause,
                "Gaza Strip",
                f"https://example.org/report/{i}",
                "monitor",
                verification,
                "day",
                "Synthetic event for the scale benchmark.",
                f"b{i}",
            ]
            if jsonl:
                f.write(json.dumps(dict(zip(COLUMNS, row, strict=True))) + "\n")
            else:
                writer.writerow(row)


def replay(log: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(SPEC), str(log)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--jsonl", action="store_true", help="JSON Lines logs instead of CSV")
    args = parser.parse_args()
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="detente-monitor-scale-") as tmp:
        for n in args.sizes:
            log = Path(tmp) / f"events-{n}.{'jsonl' if args.jsonl else 'csv'}"
            generate(log, n)
            size_mb = log.stat().st_size / 1e6
            results[n] = replay(log) | {"file_mb": size_mb}
            r = results[n]
            print(
                f"{n:>9,} events  {size_mb:8.1f} MB  wall {r['seconds']:8.2f} s  "
                f"CPU {r['cpu_seconds']:8.2f} s  {n / r['cpu_seconds']:>9,.0f} ev/CPU-s  "
                f"peak RSS {r['peak_rss_mb']:7.1f} MB  "
                f"({int(r['obligations'])} obligations, {int(r['violations'])} violations)",
                flush=True,
            )
    if 100_000 in results and 1_000_000 in results:
        wall = results[1_000_000]["seconds"] / results[100_000]["seconds"]
        cpu = results[1_000_000]["cpu_seconds"] / results[100_000]["cpu_seconds"]
        print(
            f"time(10^6) / time(10^5) = {cpu:.1f} in CPU time, {wall:.1f} in wall time "
            "(goal <= 12; wall time is noisy on a shared machine)"
        )
    sizes = sorted(results)
    if len(sizes) >= 2:
        grow = results[sizes[-1]]["peak_rss_mb"] - results[sizes[0]]["peak_rss_mb"]
        print(f"peak RSS from {sizes[0]:,} to {sizes[-1]:,} events: {grow:+.1f} MB")


if __name__ == "__main__":
    main()
