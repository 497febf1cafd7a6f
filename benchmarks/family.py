"""A family of agreements whose state space grows with ``--size N``.

Member N has one exchange phase with N release rounds, N obligations of the
two sides, ceil(N/2) powers, ceil(N/3) negotiations (the first keeps phase one
going while it is open, the others must open by a deadline) and an open-ended
second phase. Usage::

    python benchmarks/family.py --size 4 > family-4.yaml
    python benchmarks/family.py --states 100000 > family-100k.yaml
    python benchmarks/family.py --size 4 --obligations 16 --powers 16 --interdependency 0.22

Three ways to pick a member:

- ``--size N`` alone: member N as above (sizes 1..9 are the members the issue's
  figures and ``make bench`` use; their YAML has not changed).
- ``--states S``: the member whose state count (``states_explored`` of
  ``detente check``, every expectation) is nearest S on a log scale, read from the
  calibration table ``CALIBRATION`` below (measured counts; a wanted count beyond the
  table goes to larger sizes by the table's growth per size, an estimate, said on
  stderr). The counts move in steps (a new negotiation every third size multiplies
  them), so "about S" means within the table's nearest step: check the count the
  member reports.
- ``--obligations O --powers P --interdependency F``, SymboleoPC's axis (contracts
  of O obligations × P powers, F the share of interdependent norms, benchmarked up to
  64 × 64 at 14% and 22%): O obligations (alternating debtors, deadlines every third
  day, the phase long enough for all), P powers (cycling: the mediator extends phase
  one, A suspends a duty, B declares talks failed with A's consent), and round(F × O)
  obligations, picked evenly, whose violation grants their creditor one of the powers
  the creditor holds (``on_violation: {grants: …}``; that power is then in effect only
  once granted), each power granted by one obligation at most; an obligation whose
  creditor has no power left stays independent. ``--size`` still sets the rounds and
  negotiations (default 1 with these options).
"""

from __future__ import annotations

import argparse
import io
import math
import sys
from typing import Any

from ruamel.yaml import YAML


def member(
    size: int,
    obligations: int | None = None,
    powers: int | None = None,
    interdependency: float = 0.0,
) -> dict[str, Any]:
    if size < 1:
        raise ValueError("--size must be at least 1")
    if not 0.0 <= interdependency <= 1.0:
        raise ValueError("--interdependency must be between 0 and 1")
    n_obligations = size if obligations is None else obligations
    n_powers = (size + 1) // 2 if powers is None else powers
    if n_obligations < 0 or n_powers < 0:
        raise ValueError("--obligations and --powers must be at least 0")
    days = 3 * max(size, n_obligations) + 2
    n_negotiations = (size + 2) // 3
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
    obligation_clauses: list[dict[str, Any]] = []
    for i in range(n_obligations):
        debtor = "b" if i % 2 == 0 else "a"
        obligation_clauses.append(
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
    power_clauses: list[dict[str, Any]] = []
    for i in range(n_powers):
        power: dict[str, Any]
        if i % 3 == 0 or (i % 3 == 1 and not n_obligations):
            power = {
                "holder": "m",
                "action": "extend_phase",
                "target": "one",
                "days": 2,
                "available": {"during": ["one"]},
            }
        elif i % 3 == 1 and n_obligations:
            power = {
                "holder": "a",
                "action": "suspend_clause",
                "target": f"o{i % max(n_obligations, 1) + 1}",
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
        power_clauses.append(
            {"id": f"w{i + 1}", "text": f"Power {i + 1}.", "source": "family", "power": power}
        )
    _interlink(obligation_clauses, power_clauses, interdependency)
    clauses += obligation_clauses + power_clauses
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


def _interlink(obligations: list[dict[str, Any]], powers: list[dict[str, Any]], f: float) -> None:
    """Make a share ``f`` of the obligations depend on the powers (SymboleoPC's
    interdependency): each such obligation's violation grants its creditor a power (of
    those the creditor holds, each granted by one obligation at most), which is then in
    effect only once granted. Obligations are picked evenly; those whose creditor has no
    power left stay independent."""
    want = round(f * len(obligations))
    if want == 0:
        return
    free = {p["id"]: p for p in powers}
    step = len(obligations) / want
    for k in range(want):
        o = obligations[int(k * step)]["obligation"]
        power = next((p for p in free.values() if p["power"]["holder"] == o["creditor"]), None)
        if power is None:
            continue
        del free[power["id"]]
        o["on_violation"] = {"grants": power["id"]}


def member_yaml(
    size: int,
    obligations: int | None = None,
    powers: int | None = None,
    interdependency: float = 0.0,
) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    buf = io.StringIO()
    yaml.dump(member(size, obligations, powers, interdependency), buf)
    return buf.getvalue()


#: Measured states (``states_explored``, every expectation) of members, by
#: (size, obligations): shared 2-core machine, December 2026; size 10 from issue 14.
CALIBRATION: dict[tuple[int, int], int] = {
    (1, 1): 304,
    (2, 2): 404,
    (3, 3): 936,
    (4, 4): 2_780,
    (5, 5): 5_620,
    (6, 6): 6_588,
    (6, 8): 7_556,
    (6, 10): 8_524,
    (7, 7): 41_980,
    (8, 8): 47_756,
    (7, 11): 53_532,
    (8, 12): 59_308,
    (9, 9): 106_716,
    (9, 11): 118_252,
    (10, 10): 319_988,
}


def for_states(wanted: int) -> tuple[int, int, int]:
    """(size, obligations, estimated states) of the member nearest ``wanted`` states."""
    if wanted < 1:
        raise ValueError("--states must be at least 1")
    (size, obligations), states = min(
        CALIBRATION.items(), key=lambda kv: abs(math.log(kv[1] / wanted))
    )
    top = max(CALIBRATION)
    if wanted > CALIBRATION[top] and size == top[0]:
        # beyond the table: the mean growth per size over its last three sizes
        growth = (CALIBRATION[top] / CALIBRATION[(top[0] - 3, top[1] - 3)]) ** (1 / 3)
        extra = round(math.log(wanted / CALIBRATION[top]) / math.log(growth))
        size, obligations = top[0] + extra, top[1] + extra
        states = round(CALIBRATION[top] * growth**extra)
    return size, obligations, states


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, help="the member's size N (>= 1)")
    parser.add_argument("--states", type=int, help="the member of about this many states")
    parser.add_argument("--obligations", type=int, help="obligations (default: the size)")
    parser.add_argument("--powers", type=int, help="powers (default: ceil(size / 2))")
    parser.add_argument(
        "--interdependency",
        type=float,
        default=0.0,
        help="share of obligations whose violation grants a power (0..1)",
    )
    args = parser.parse_args(argv)
    axis = args.obligations is not None or args.powers is not None or args.interdependency
    if args.states is not None:
        if args.size is not None or axis:
            parser.error("--states picks the member: give it alone")
        size, obligations, states = for_states(args.states)
        known = (size, obligations) in CALIBRATION
        sys.stderr.write(
            f"family: size {size}, {'measured' if known else 'estimated'} {states:,} states\n"
        )
        sys.stdout.write(member_yaml(size, obligations))
        return 0
    if args.size is None and not axis:
        parser.error("give --size, --states, or --obligations/--powers/--interdependency")
    try:
        text = member_yaml(
            args.size if args.size is not None else 1,
            args.obligations,
            args.powers,
            args.interdependency,
        )
    except ValueError as e:
        parser.error(str(e))
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
