"""A family of agreements whose state space grows with ``--size N``.

Member N has one exchange phase with N release rounds, N obligations of the
two sides, ceil(N/2) powers, ceil(N/3) negotiations (the first keeps phase one
going while it is open, the others must open by a deadline) and an open-ended
second phase. Usage::

    python benchmarks/family.py --size 4 > family-4.yaml
"""

from __future__ import annotations

import argparse
import io
import sys
from typing import Any

from ruamel.yaml import YAML


def member(size: int) -> dict[str, Any]:
    if size < 1:
        raise ValueError("--size must be at least 1")
    days = 3 * size + 2
    n_negotiations = (size + 2) // 3
    n_powers = (size + 1) // 2
    clauses: list[dict[str, Any]] = [
        {
            "id": "1",
            "text": "Both sides cease hostilities during both phases.",
            "source": "family",
            "prohibition": {"parties": ["a", "b"], "act": "hostilities", "during": ["one", "two"]},
        },
        {
            "id": "2",
            "text": f"A releases one hostage per round, B {size + 1} prisoners for each.",
            "source": "family",
            "phase": "one",
            "exchange": {
                "phase": "one",
                "releasing": "a",
                "counterpart": "b",
                "ratios": [{"category": "h", "counter_category": "p", "per_unit": size + 1}],
                "rounds": [{"day": 3 * i + 1, "release": {"h": 1}} for i in range(size)],
                "totals": {"h": size},
                "counter_totals": {"p": size * (size + 1)},
            },
        },
    ]
    for i in range(n_negotiations):
        neg: dict[str, Any] = {"between": ["a", "b"], "mediators": ["m"], "scope": "open"}
        if i == 0:
            neg["on_agreed"] = "two"
        else:
            neg["starts_by"] = {"phase": "one", "day": min(days, 2 + 3 * i)}
        clauses.append(
            {
                "id": f"n{i + 1}",
                "text": f"Negotiation {i + 1}.",
                "source": "family",
                "phase": "one",
                "negotiation": neg,
            }
        )
    for i in range(size):
        debtor = "b" if i % 2 == 0 else "a"
        clauses.append(
            {
                "id": f"o{i + 1}",
                "text": f"Duty {i + 1} of {debtor}.",
                "source": "family",
                "phase": "one",
                "obligation": {
                    "debtor": debtor,
                    "creditor": "a" if debtor == "b" else "b",
                    "action": "withdraw" if debtor == "b" else "announce",
                    "window": {"by": {"phase": "one", "day": 3 * i + 2}},
                },
            }
        )
    for i in range(n_powers):
        power: dict[str, Any]
        if i % 3 == 0:
            power = {
                "holder": "m",
                "action": "extend_phase",
                "target": "one",
                "days": 2,
                "available": {"during": ["one"]},
            }
        elif i % 3 == 1:
            power = {
                "holder": "a",
                "action": "suspend_clause",
                "target": f"o{i + 1}",
                "available": {"after": {"phase": "one", "day": 2}},
            }
        else:
            power = {
                "holder": "b",
                "action": "declare_failed",
                "target": f"n{min(i, n_negotiations)}",
                "requires_consent": ["a"],
                "available": {"during": ["one"]},
            }
        clauses.append(
            {"id": f"w{i + 1}", "text": f"Power {i + 1}.", "source": "family", "power": power}
        )
    return {
        "agreement": {
            "id": f"family-{size}",
            "title": f"Benchmark family member {size}",
            "status": "draft",
            "parties": [
                {"id": "a", "name": "Side A"},
                {"id": "b", "name": "Side B"},
                {"id": "m", "name": "Mediator", "role": "mediator"},
            ],
            "sources": [{"id": "family", "document": "Generated benchmark, not a real agreement"}],
            "stocks": [
                {"id": "h", "holder": "a", "name": "hostages", "count": size},
                {"id": "p", "holder": "b", "name": "prisoners", "count": size * (size + 1)},
            ],
            "phases": [
                {
                    "id": "one",
                    "name": "Phase one",
                    "starts": "entry_into_force",
                    "duration_days": days,
                    "at_expiry": {"rule": "continues_while", "negotiation": "n1"},
                },
                {
                    "id": "two",
                    "name": "Phase two",
                    "starts": {"after": "one", "upon_agreement": "n1"},
                },
            ],
            "clauses": clauses,
            "expectations": [
                {"template": "no_unilateral_exit", "protects": "a"},
                {"template": "no_indefinite_truce", "protects": "b"},
                {"template": "no_lapse"},
                {"template": "completes_if_all_comply"},
                {"template": "reciprocity", "parties": ["a", "b"]},
                {"template": "consistent"},
                {"template": "totals_add_up"},
            ],
        }
    }


def member_yaml(size: int) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    buf = io.StringIO()
    yaml.dump(member(size), buf)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="the member's size N (>= 1)")
    args = parser.parse_args(argv)
    sys.stdout.write(member_yaml(args.size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
