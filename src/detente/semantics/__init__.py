"""The one semantic core of Détente (``docs/semantics.md``): one transition system, written once.

The checker explores every run of :class:`System`; the monitor replays a real log as one
run of it (a :class:`Replay`). :mod:`~detente.semantics.schedule` is its calendar (what is
due when, what binds); :mod:`~detente.semantics.events` the typed events of a step;
:mod:`~detente.semantics.choices` the choices open at a time point.
"""

# First: puts the compiled modules, when built from these sources, ahead of the source.
from detente.semantics import native  # noqa: F401

# isort: split
from detente.semantics import amendments, events, self_defence
from detente.semantics.choices import Choice, Option
from detente.semantics.protocol import TransitionSystem
from detente.semantics.schedule import (
    Instance,
    PhaseSpan,
    PhaseStatus,
    ceasefire_in_effect,
    grantable_powers,
    instances,
    local_day,
    phase_spans,
    prohibited,
    statuses_on,
)
from detente.semantics.system import System
from detente.semantics.tables import Replay, State

__all__ = [
    "Choice",
    "Instance",
    "Option",
    "PhaseSpan",
    "PhaseStatus",
    "Replay",
    "State",
    "System",
    "TransitionSystem",
    "amendments",
    "ceasefire_in_effect",
    "events",
    "grantable_powers",
    "instances",
    "local_day",
    "phase_spans",
    "prohibited",
    "self_defence",
    "statuses_on",
]
