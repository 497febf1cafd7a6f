"""Détente: phased ceasefire-and-exchange agreements as precise, checkable specifications.

The public Python API; the CLI and the web application are thin clients of it::

    import detente
    agreement = detente.load("examples/jan-2025-ceasefire/agreement.yaml")
"""

from detente.bridging import BridgeResult, bridge
from detente.checker import CheckResult, ExpectationResult, StoryStep, check
from detente.errors import DetenteError, Problem, SpecError, UnreadableError
from detente.language.loader import load, load_located, load_text
from detente.language.model import Agreement, Clause, Expectation, Party, Phase, Stock
from detente.monitor import Event, MonitorReport, iter_events, monitor

__all__ = [
    "Agreement",
    "BridgeResult",
    "CheckResult",
    "Clause",
    "DetenteError",
    "Event",
    "Expectation",
    "ExpectationResult",
    "MonitorReport",
    "Party",
    "Phase",
    "Problem",
    "SpecError",
    "Stock",
    "StoryStep",
    "UnreadableError",
    "bridge",
    "check",
    "iter_events",
    "load",
    "load_located",
    "load_text",
    "monitor",
]
