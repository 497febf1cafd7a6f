"""Promela text: identifiers, comments, and the ``||``, ``&&`` and ``+`` of a list."""

from __future__ import annotations

import re
from collections.abc import Iterable


def ident(text: str) -> str:
    """``text`` made into a Promela identifier fragment: ``"1.3"`` gives ``1_3``."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "x"


def comment(text: str) -> str:
    """``text`` on one line of at most 90 characters, safe inside ``/* ... */``."""
    one_line = " ".join(text.split())
    if len(one_line) > 90:
        one_line = one_line[:87] + "..."
    return one_line.replace("*/", "* /")


def any_of(items: Iterable[str]) -> str:
    """The disjunction of ``items``, each parenthesised; ``false`` when there are none."""
    parts = [f"({i})" for i in items]
    return " || ".join(parts) if parts else "false"


def all_of(items: Iterable[str]) -> str:
    """The conjunction of ``items``, each parenthesised; ``true`` when there are none."""
    parts = [f"({i})" for i in items]
    return " && ".join(parts) if parts else "true"


def sum_of(items: Iterable[str]) -> str:
    """The sum of ``items``; ``0`` when there are none."""
    parts = list(items)
    return " + ".join(parts) if parts else "0"


#: The end of a step's guarded statement: nothing happens when its guard is false ...
OTHERWISE_SKIP = "       :: else -> skip fi;"
#: ... or the choice not to, open at every step (a power not exercised, an act not done).
MAY_SKIP = "       :: true -> skip fi;"
