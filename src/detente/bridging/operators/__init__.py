"""Every edit operator of the bridging search, one module each, in one registry (the way
the expectation templates are, :mod:`detente.checker.templates`).

An operator is a module with ``NAME``, ``DESCRIPTION``, ``propose(agreement, ctx)`` (the
edits it offers on a draft) and ``apply(agreement, edit)`` (the edited copy). Adding an
operator touches its own module and one line of :data:`OPERATORS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from detente.bridging.edits import Edit
from detente.bridging.operators import (
    count,
    deadline,
    expiry,
    guarantee,
    power_condition,
    remove_clause,
    scope,
    talks_deadline,
)
from detente.bridging.operators._common import Proposing
from detente.language.model import Agreement


@dataclass(frozen=True)
class Operator:
    name: str
    description: str
    propose: Callable[[Agreement, Proposing], list[Edit]]
    apply: Callable[[Agreement, Edit], Agreement]


OPERATORS: dict[str, Operator] = {
    m.NAME: Operator(m.NAME, m.DESCRIPTION, m.propose, m.apply)
    for m in (
        power_condition,
        talks_deadline,
        guarantee,
        deadline,
        scope,
        expiry,
        count,
        remove_clause,
    )
}

__all__ = ["OPERATORS", "Operator", "Proposing"]
