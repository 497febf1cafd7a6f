"""Every expectation template of docs/semantics.md, one module each, in one registry.

Adding a template touches its own module and one line of :data:`TEMPLATES`.
"""

from __future__ import annotations

from detente.checker.context import TemplateCheck
from detente.checker.templates import (
    completes_if_all_comply,
    consistent,
    no_indefinite_truce,
    no_lapse,
    no_unilateral_exit,
    reciprocity,
    totals_add_up,
)

TEMPLATES: dict[str, TemplateCheck] = {
    "no_unilateral_exit": no_unilateral_exit.check,
    "no_indefinite_truce": no_indefinite_truce.check,
    "no_lapse": no_lapse.check,
    "completes_if_all_comply": completes_if_all_comply.check,
    "reciprocity": reciprocity.check,
    "consistent": consistent.check,
    "totals_add_up": totals_add_up.check,
}
