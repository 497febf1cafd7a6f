"""The explicit-state checker: every future of a spec, under docs/semantics.md."""

from detente.checker.check import DEFAULT_MAX_STATES, check
from detente.checker.result import CheckResult, ExpectationResult, StoryStep

__all__ = ["DEFAULT_MAX_STATES", "CheckResult", "ExpectationResult", "StoryStep", "check"]
