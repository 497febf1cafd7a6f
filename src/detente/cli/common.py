"""What every ``detente`` command shares: the consoles, and one way to load and to report.

Exit codes (every command, as the README says): 0 all well; 1 problems found (an
invalid spec or event log, an expectation violated or unknown, a broken ledger);
2 a path cannot be read or written, or the command line is wrong. Every error
Détente raises on purpose carries its exit code (:mod:`detente.errors`), so the
commands do not choose one themselves.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console

from detente.errors import EXIT_UNREADABLE, DetenteError, SpecError
from detente.language.loader import load_located
from detente.language.model import Agreement

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def report(exc: DetenteError) -> int:
    """Print an error as the user should read it (each problem on its line); its exit code."""
    if isinstance(exc, SpecError):
        for problem in exc.problems:
            err.print(str(problem), markup=False, soft_wrap=True)
    else:
        err.print(str(exc), markup=False, soft_wrap=True)
    return exc.exit_code


@contextmanager
def reporting() -> Iterator[None]:
    """Run a command's work; an error Détente raises becomes its report and exit code."""
    try:
        yield
    except DetenteError as exc:
        raise typer.Exit(report(exc)) from None


def usage_error(command: str, message: str) -> NoReturn:
    """A wrong command line (a bad option value): one line, exit 2."""
    err.print(f"detente {command}: error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(EXIT_UNREADABLE)


def cannot_write(path: str | os.PathLike[str], exc: OSError) -> NoReturn:
    """An output path that cannot be written: one line, exit 2."""
    err.print(f"{path}: error: cannot write: {exc.strerror or exc}", markup=False, soft_wrap=True)
    raise typer.Exit(EXIT_UNREADABLE)


def load_spec(path: str | os.PathLike[str]) -> Agreement:
    """Load and check a spec file, or report its problems and exit (1 invalid, 2 unreadable).
    Its warnings (a source with no publisher …) go to stderr; they change no exit code."""
    with reporting():
        loaded = load_located(path)
    for warning in loaded.warnings:
        err.print(str(warning), markup=False, soft_wrap=True)
    agreement: Agreement = loaded.agreement
    return agreement
