"""Bridging wording: the fewest edits to a draft after which every side's expectations
hold, each candidate judged by the checker (``detente bridge``, :func:`bridge`).

Layers: it sits above the checker (it calls :func:`detente.check`) and below the reports.
"""

from detente.bridging.edits import Edit, Redline
from detente.bridging.executors import ClusterError
from detente.bridging.operators import OPERATORS
from detente.bridging.result import BridgeResult, Proposal
from detente.bridging.search import bridge

__all__ = ["OPERATORS", "BridgeResult", "ClusterError", "Edit", "Proposal", "Redline", "bridge"]
