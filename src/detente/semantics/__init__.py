"""The one semantic core of Détente (``docs/semantics.md``): what is due when, what binds.

The checker explores it and the monitor replays real events through it.
"""

from detente.semantics.schedule import (
    Instance,
    PhaseSpan,
    PhaseStatus,
    ceasefire_in_effect,
    grantable_powers,
    instances,
    local_day,
    phase_spans,
    powers_available,
    prohibited,
    statuses_on,
)

__all__ = [
    "Instance",
    "PhaseSpan",
    "PhaseStatus",
    "ceasefire_in_effect",
    "grantable_powers",
    "instances",
    "local_day",
    "phase_spans",
    "powers_available",
    "prohibited",
    "statuses_on",
]
