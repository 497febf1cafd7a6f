"""The arithmetic of exchanges, computed once: what each round releases on both sides,
and whether the stated totals and ratios add up (the static ``totals_add_up``).

``detente validate`` reports these findings located in the file; the checker's
``totals_add_up`` expectation reports the same sentences as its verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from detente.language.model import Agreement, Exchange, ExchangeRound


@dataclass(frozen=True)
class TotalsFinding:
    """One sum that does not add up, with the clause, round (1-based) and key it concerns."""

    clause: str
    message: str
    round: int | None = None
    #: "release", "counter_release", "totals" or "counter_totals".
    part: str = "totals"
    category: str | None = None

    def __str__(self) -> str:
        return self.message


def implied_counter(exchange: Exchange, rnd: ExchangeRound) -> dict[str, int]:
    """What the ratios make the counterpart release in return for one round."""
    ratios = {r.category: r for r in exchange.ratios}
    implied: dict[str, int] = {}
    for cat, n in rnd.release.items():
        r = ratios.get(cat)
        if r is not None:
            implied[r.counter_category] = implied.get(r.counter_category, 0) + n * r.per_unit
    return implied


def counter_release(exchange: Exchange, rnd: ExchangeRound) -> dict[str, int]:
    """The counterpart's release in a round: as stated, or as the ratios give it."""
    if rnd.counter_release is not None:
        return dict(rnd.counter_release)
    return implied_counter(exchange, rnd)


@dataclass
class ExchangeSums:
    released: dict[str, int] = field(default_factory=dict)
    returned: dict[str, int] = field(default_factory=dict)


def sums(exchange: Exchange) -> ExchangeSums:
    """Totals over all rounds: what the releasing party and the counterpart release."""
    out = ExchangeSums()
    for rnd in exchange.rounds:
        for cat, n in rnd.release.items():
            out.released[cat] = out.released.get(cat, 0) + n
        for cat, n in counter_release(exchange, rnd).items():
            out.returned[cat] = out.returned.get(cat, 0) + n
    return out


def _units(n: int, category: str) -> str:
    return f"{n:,} {category}"


def exchange_findings(clause_id: str, exchange: Exchange) -> list[TotalsFinding]:
    """Every sum of one exchange that does not add up."""
    out: list[TotalsFinding] = []
    ratio_categories = {r.category for r in exchange.ratios}
    for i, rnd in enumerate(exchange.rounds, 1):
        if ratio_categories:
            for cat in rnd.release:
                if cat not in ratio_categories:
                    out.append(
                        TotalsFinding(
                            clause_id,
                            f"clause {clause_id}, round {i} releases {cat}, but no ratio says "
                            f"what is released in return for {cat}",
                            i,
                            "release",
                            cat,
                        )
                    )
        if rnd.counter_release is None:
            continue
        implied = implied_counter(exchange, rnd)
        for cat, n in rnd.counter_release.items():
            if cat in implied and implied[cat] != n:
                out.append(
                    TotalsFinding(
                        clause_id,
                        f"clause {clause_id}, round {i}: the ratio gives "
                        f"{_units(implied[cat], cat)} in return, but the round states {n:,}",
                        i,
                        "counter_release",
                        cat,
                    )
                )
    totals = sums(exchange)
    for cat, total in exchange.totals.items():
        got = totals.released.get(cat, 0)
        if got != total:
            out.append(
                TotalsFinding(
                    clause_id,
                    f"clause {clause_id}: the rounds release {_units(got, cat)}, "
                    f"but the stated total is {total:,}",
                    None,
                    "totals",
                    cat,
                )
            )
    for cat, total in exchange.counter_totals.items():
        got = totals.returned.get(cat, 0)
        if got != total:
            out.append(
                TotalsFinding(
                    clause_id,
                    f"clause {clause_id}: the rounds and ratios give {_units(got, cat)} "
                    f"in return, but the stated total is {total:,}",
                    None,
                    "counter_totals",
                    cat,
                )
            )
    return out


def totals_findings(agreement: Agreement) -> list[TotalsFinding]:
    """Every sum that does not add up, in every exchange of the agreement."""
    out: list[TotalsFinding] = []
    for c in agreement.clauses:
        if c.exchange is not None:
            out.extend(exchange_findings(c.id, c.exchange))
    return out


def totals_problems(agreement: Agreement) -> list[str]:
    """The same findings as plain sentences (what the ``totals_add_up`` verdict lists)."""
    return [f.message[0].upper() + f.message[1:] + "." for f in totals_findings(agreement)]
