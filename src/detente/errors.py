"""One error hierarchy for all of Détente, so callers catch by meaning.

Every problem a user can cause carries where it is (file, line, column when
known) and one plain sentence. Exit codes used by the CLI are fixed here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Exit codes of every ``detente`` command (documented in the README).
EXIT_OK = 0
EXIT_PROBLEMS = 1  # invalid input, a violated or unknown expectation, a broken ledger
EXIT_UNREADABLE = 2  # a path that cannot be read, or a usage error


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem in one input file."""

    path: str
    line: int | None
    column: int | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.severity}: {self.message}"


class DetenteError(Exception):
    """Base of every error Détente raises on purpose."""

    exit_code = EXIT_PROBLEMS


class SpecError(DetenteError):
    """A specification (or event log) has one or more located problems."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: Sequence[Problem] = sorted(set(problems), key=_problem_key)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnreadableError(DetenteError):
    """A path could not be read at all (missing, a directory, no permission)."""

    exit_code = EXIT_UNREADABLE

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: error: cannot read: {reason}")


def _problem_key(p: Problem) -> tuple[str, int, int, str]:
    return (p.path, p.line or 0, p.column or 0, p.message)
