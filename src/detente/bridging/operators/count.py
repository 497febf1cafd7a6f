"""Change a count or a ratio: an exchange's ratio (units of the counterpart per unit), or an
extension rule's units per extra day, by a fifth either way."""

from __future__ import annotations

from detente.bridging.edits import Edit, params, proposed
from detente.bridging.operators._common import Proposing, name, with_clause
from detente.language.model import Agreement

NAME = "count"
DESCRIPTION = "change a count or a ratio"

FACTORS = (0.8, 1.2)


def _scaled(value: int) -> list[int]:
    return sorted({max(1, round(value * f)) for f in FACTORS} - {value})


def propose(a: Agreement, ctx: Proposing) -> list[Edit]:
    out: list[Edit] = []
    for c in a.clauses:
        if c.exchange is not None:
            for i, r in enumerate(c.exchange.ratios):
                for value in _scaled(r.per_unit):
                    words = (
                        f"{name(a, c.exchange.counterpart)} releases {value} of {r.counter_category} "
                        f"for each of {r.category}"
                    )
                    out.append(
                        Edit(
                            NAME,
                            f"clause {c.id}",
                            params(kind="ratio", index=i, value=value),
                            f"Clause {c.id}: {words} (was {r.per_unit}).",
                            words,
                            1,
                            c.id,
                        )
                    )
        if c.extension is not None:
            for value in _scaled(c.extension.units):
                words = f"one more day of {c.extension.phase} for each further {value} released"
                out.append(
                    Edit(
                        NAME,
                        f"clause {c.id}",
                        params(kind="units", value=value),
                        f"Clause {c.id}: {words} (was {c.extension.units}).",
                        words,
                        1,
                        c.id,
                    )
                )
    return out


def apply(a: Agreement, edit: Edit) -> Agreement:
    c = a.clause(edit.target.removeprefix("clause "))
    text = proposed(c.text, edit.words)
    if edit.param("kind") == "ratio":
        assert c.exchange is not None
        ratios = list(c.exchange.ratios)
        i = edit.param("index")
        ratios[i] = ratios[i].model_copy(update={"per_unit": edit.param("value")})
        exchange = c.exchange.model_copy(update={"ratios": ratios})
        return with_clause(a, c.model_copy(update={"exchange": exchange, "text": text}))
    assert c.extension is not None
    extension = c.extension.model_copy(update={"units": edit.param("value")})
    return with_clause(a, c.model_copy(update={"extension": extension, "text": text}))
