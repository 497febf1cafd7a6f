"""The arithmetic of exchanges, computed once: what each round releases on both sides,
and whether the stated totals and ratios add up (the static ``totals_add_up``).

Quantities written as figures (``{about: N}``, ``{range: [a, b]}``) are summed as
ranges: the rounds' sum runs from the sum of the lower bounds to the sum of the upper
bounds, a ratio multiplies both ends, and a stated figure is met when the two ranges have
a number in common, so a range is checked at both ends (docs/semantics.md, Figures).

``detente validate`` reports these findings located in the file; the checker's
``totals_add_up`` expectation reports the same sentences as its verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from detente.language.model import Agreement, Exchange, ExchangeRound, Figure


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


Span = tuple[int, int]


def _span(n: int, figure: Figure | None) -> Span:
    """A quantity's bounds: its figure's (a range's ends; about N: N), else the number."""
    return figure.bounds if figure is not None else (n, n)


def release_spans(rnd: ExchangeRound) -> dict[str, Span]:
    """What a round releases, per category, as bounds."""
    return {cat: _span(n, rnd.figures.get(cat)) for cat, n in rnd.release.items()}


def implied_spans(exchange: Exchange, rnd: ExchangeRound) -> dict[str, Span]:
    """What the ratios make the counterpart release for one round, as bounds (the ratio
    times each end)."""
    ratios = {r.category: r for r in exchange.ratios}
    out: dict[str, Span] = {}
    for cat, (lo, hi) in release_spans(rnd).items():
        r = ratios.get(cat)
        if r is not None:
            a, b = out.get(r.counter_category, (0, 0))
            out[r.counter_category] = (a + lo * r.per_unit, b + hi * r.per_unit)
    return out


def counter_spans(exchange: Exchange, rnd: ExchangeRound) -> dict[str, Span]:
    """The counterpart's release in a round, as bounds: as stated, or by the ratios."""
    if rnd.counter_release is not None:
        return {c: _span(n, rnd.counter_figures.get(c)) for c, n in rnd.counter_release.items()}
    return implied_spans(exchange, rnd)


def meet(a: Span, b: Span) -> bool:
    """Whether two ranges have a number in common (checked at both ends)."""
    return a[0] <= b[1] and b[0] <= a[1]


def _units(n: int | Span, category: str) -> str:
    return f"{_shown(n)} {category}"


def _shown(n: int | Span) -> str:
    if isinstance(n, int):
        return f"{n:,}"
    return f"{n[0]:,}" if n[0] == n[1] else f"{n[0]:,} to {n[1]:,}"


def _stated(n: int, figure: Figure | None) -> str:
    return str(figure) if figure is not None else f"{n:,}"


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
        implied = implied_spans(exchange, rnd)
        for cat, n in rnd.counter_release.items():
            stated = _span(n, rnd.counter_figures.get(cat))
            if cat in implied and not meet(implied[cat], stated):
                out.append(
                    TotalsFinding(
                        clause_id,
                        f"clause {clause_id}, round {i}: the ratio gives "
                        f"{_units(implied[cat], cat)} in return, but the round states "
                        f"{_stated(n, rnd.counter_figures.get(cat))}",
                        i,
                        "counter_release",
                        cat,
                    )
                )
    released, returned = span_sums(exchange)
    for cat, total in exchange.totals.items():
        got = released.get(cat, (0, 0))
        figure = exchange.total_figures.get(cat)
        if not meet(got, _span(total, figure)):
            out.append(
                TotalsFinding(
                    clause_id,
                    f"clause {clause_id}: the rounds release {_units(got, cat)}, "
                    f"but the stated total is {_stated(total, figure)}",
                    None,
                    "totals",
                    cat,
                )
            )
    for cat, total in exchange.counter_totals.items():
        got = returned.get(cat, (0, 0))
        figure = exchange.counter_total_figures.get(cat)
        if not meet(got, _span(total, figure)):
            out.append(
                TotalsFinding(
                    clause_id,
                    f"clause {clause_id}: the rounds and ratios give {_units(got, cat)} "
                    f"in return, but the stated total is {_stated(total, figure)}",
                    None,
                    "counter_totals",
                    cat,
                )
            )
    return out


def span_sums(exchange: Exchange) -> tuple[dict[str, Span], dict[str, Span]]:
    """Totals over all rounds as bounds: what the releasing party and the counterpart
    release (the sum of the lower bounds to the sum of the upper bounds)."""
    released: dict[str, Span] = {}
    returned: dict[str, Span] = {}
    for rnd in exchange.rounds:
        for into, spans in (
            (released, release_spans(rnd)),
            (returned, counter_spans(exchange, rnd)),
        ):
            for cat, (lo, hi) in spans.items():
                a, b = into.get(cat, (0, 0))
                into[cat] = (a + lo, b + hi)
    return released, returned


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
