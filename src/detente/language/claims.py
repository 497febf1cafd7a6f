"""The one rule that names an expectation's LTL claim, shared by the checker and the exports.

``detente check --json`` reports each expectation's ``claim``; the Promela export
writes ``ltl <claim> { ... }`` under the same name, so a verdict from Spin can be
matched with Détente's own.
"""

from __future__ import annotations

import re

from detente.language.model import Expectation

#: Templates checked statically (no run is explored, so no claim).
STATIC_TEMPLATES = frozenset({"totals_add_up"})

_NOT_IDENT = re.compile(r"[^A-Za-z0-9_]+")


def claim_name(expectation: Expectation) -> str | None:
    """``no_unilateral_exit(hamas)`` -> ``no_unilateral_exit_hamas``; None for a static check."""
    if expectation.template in STATIC_TEMPLATES:
        return None
    return _NOT_IDENT.sub("_", expectation.label).strip("_")
