"""The Promela export: a spec's rules restated for the Spin model checker.

This is a second, independent reading of ``docs/semantics.md``: it translates the
spec's norms (phases and their expiry rules, obligations, exchange rounds, powers,
negotiations, prohibitions, extension rules) into one Promela process whose every loop
iteration is one time point, executed as one ``atomic`` step. It never looks at
Détente's checker: nothing here imports ``detente.semantics``, ``detente.checker`` or
``detente.monitor``, only ``detente.language``. One ``ltl`` claim per expectation, named
by :func:`detente.language.claims.claim_name`.

Time is the absolute day (day 1 = entry into force). The next time point is the
nearest future phase expiry, deadline, round day, start-by day or power availability
day; consecutive recurrence points collapse into one step; when none is left the step
is the repeating "later" point (the day stays), so stalling forever is a loop Spin
finds as an acceptance cycle.

The model is written in the order it reads, one module per part:

- :mod:`.tables` names the agreement's entities (on :mod:`.syntax`, Promela text);
- :mod:`.declarations`: the status constants, the parties' bits, the state variables;
- :mod:`.facts`: macros for what the state implies (expiry days, stocks held, powers
  available), on :mod:`.conditions` (which norms bind, what falls due) and
  :mod:`.formulas` (the expression language);
- :mod:`.process`: the step, in the stages of the semantics — :mod:`.timepoints` (0),
  :mod:`.phases` (1 expiry, 2 starts), :mod:`.choices` (3), :mod:`.effects` (4),
  completion (5);
- :mod:`.ltl`: the claims, one per expectation template, written first since the
  model keeps observer bits for them.
"""

from __future__ import annotations

from detente.export.promela.declarations import header, state_variables
from detente.export.promela.facts import derived_facts
from detente.export.promela.ltl import write_claims
from detente.export.promela.process import proctype
from detente.export.promela.tables import Tables
from detente.language.claims import claim_name
from detente.language.model import Agreement, Expectation

__all__ = ["claims", "to_promela"]


def to_promela(agreement: Agreement) -> str:
    """A Promela model of ``agreement`` with one ``ltl`` claim per checked expectation."""
    t = Tables(agreement)
    ltl_claims = write_claims(t)
    lines = [
        *header(t),
        *state_variables(t, ltl_claims.observers),
        *ltl_claims.registers.declarations(),
        *derived_facts(t),
        *proctype(t, ltl_claims.observers, ltl_claims.registers.shift()),
        *ltl_claims.lines,
    ]
    return "\n".join(lines) + "\n"


def claims(agreement: Agreement) -> dict[str, Expectation]:
    """The claim names the export writes, each with its expectation."""
    out: dict[str, Expectation] = {}
    for x in agreement.expectations:
        name = claim_name(x)
        if name is not None:
            out[name] = x
    return out
